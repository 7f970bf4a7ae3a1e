# For Terraform CLIs older than 1.11: pass the dev key as a sensitive (stored) argument.
resource "algorithmia_algorithm_source" "prod" {
  source = {
    git_url  = data.algorithmia_git_ref.dev[each.key].git_url
    commit   = data.algorithmia_git_ref.dev[each.key].commit
    username = var.dev_username
    password = var.dev_api_key
  }
}
