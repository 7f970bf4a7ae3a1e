# The account that owns promoted algorithms, and its key with algorithm management.
resource "algorithmia_user" "promoter" {
  username = "acme_ci"
  email    = "ci@acme.example.com"
  fullname = "Promotion service account"
}

# The key value comes from a secret store and is never written to the plan or the state
# (write-only arguments need Terraform 1.11 or later). To rotate the key, store a new
# value and increment api_key_wo_version; revoke the old key in the web UI, since the
# platform has no API to delete keys.
ephemeral "vault_kv_secret_v2" "promoter_key" {
  mount = "secret"
  name  = "algorithmia/prod/acme_ci"
}

resource "algorithmia_user_api_key" "promoter" {
  username = algorithmia_user.promoter.username
  label    = "promotion"

  permissions = {
    allow_algo            = true
    allow_algo_management = true
    algo_acl              = ["algo://acme/*"]
  }

  api_key_wo         = ephemeral.vault_kv_secret_v2.promoter_key.data["api_key"]
  api_key_wo_version = 1
}
