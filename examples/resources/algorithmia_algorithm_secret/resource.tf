# A database password the algorithm acme/hello reads at run time. The value comes from a
# secret store and is never written to the plan or the state (write-only arguments need
# Terraform 1.11 or later); the platform never returns it either. To rotate it, store a new
# value and increment secret_value_wo_version.
ephemeral "vault_kv_secret_v2" "hello_db" {
  mount = "secret"
  name  = "algorithmia/prod/hello"
}

resource "algorithmia_algorithm_secret" "db_password" {
  owner       = "acme"
  name        = "hello"
  short_name  = "DB_PASSWORD"
  description = "Password of the results database"

  secret_value_wo         = ephemeral.vault_kv_secret_v2.hello_db.data["db_password"]
  secret_value_wo_version = 1
}
