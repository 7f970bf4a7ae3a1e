# The provider's user's authorization on an SCM is imported by the SCM id. The token cannot
# be read back: the next apply sends token_wo once if token_wo_version is set.
terraform import algorithmia_scm_authorization.ghe ghe
