# For Terraform CLIs older than 1.11: pass the dev key as a sensitive (stored) argument.
resource "algorithmia_algorithm_source" "prod" {
  source = {
    git_url  = data.algorithmia_git_ref.dev[each.key].git_url
    commit   = data.algorithmia_git_ref.dev[each.key].commit
    username = var.dev_username
    password = var.dev_api_key
  }
}

# The same for copies of hosted data.
resource "algorithmia_data_object" "prod" {
  copy_from = {
    path        = each.value.path
    api_address = var.dev_api_address
    api_key     = var.dev_api_key
  }
}
