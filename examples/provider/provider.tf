# One provider alias per cluster. Keys come from variables or the environment
# (ALGORITHMIA_API, ALGORITHMIA_API_KEY, ALGORITHMIA_ADMIN_API_KEY), never from files in Git.
# Ephemeral variables (Terraform 1.10 or later) are never written to a saved plan or the
# state; pass them only to provider blocks and write-only arguments such as password_wo.
provider "algorithmia" {
  alias         = "dev"
  api_address   = "https://api.dev.example.com"
  username      = "acme_ci"
  api_key       = var.dev_api_key
  admin_api_key = var.dev_admin_api_key
}

provider "algorithmia" {
  alias       = "prod"
  api_address = "https://api.prod.example.com"
  username    = "acme_ci"
  api_key     = var.prod_api_key
}

variable "dev_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "dev_admin_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "prod_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}
