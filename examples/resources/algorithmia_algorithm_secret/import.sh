# Secrets are imported by owner/name/short_name. The value cannot be read back: after an
# import, the next apply sends secret_value_wo once if secret_value_wo_version is set.
terraform import algorithmia_algorithm_secret.db_password acme/hello/DB_PASSWORD
