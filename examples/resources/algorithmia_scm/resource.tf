# A GitHub Enterprise host on which algorithms can keep their repositories (admin key).
# The OAuth client secret is write-only: sent once, never stored.
variable "ghe_oauth_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "algorithmia_scm" "ghe" {
  id            = "ghe"
  provider_type = "github"
  urls = {
    web = "https://github.example.com"
    api = "https://github.example.com/api/v3"
    ssh = "ssh://git@github.example.com"
  }
  oauth_client_id        = "0ff25ba21ec67dbed6e2"
  oauth_client_secret_wo = var.ghe_oauth_client_secret

  # Algorithms created without a source land on the default SCM.
  default = false
}
