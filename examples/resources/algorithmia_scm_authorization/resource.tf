# Authorizes the provider's user on the GitHub Enterprise SCM with a personal access token
# of that host, so algorithms can be created there. The token never reaches plan or state;
# to rotate it, pass a new one and increment token_wo_version.
variable "ghe_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "algorithmia_scm_authorization" "ghe" {
  scm_id           = "ghe"
  token_wo         = var.ghe_token
  token_wo_version = 1
}
