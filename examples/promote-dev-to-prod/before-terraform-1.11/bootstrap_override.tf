# For Terraform CLIs older than 1.11: pass the key as a sensitive (stored) argument.
resource "algorithmia_user_api_key" "ci" {
  api_key_wo = null
  api_key    = var.prod_service_api_key
}
