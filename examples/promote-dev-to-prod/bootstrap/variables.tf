variable "dev_api_address" {
  type        = string
  description = "API address of the dev cluster."
}

variable "dev_admin_api_key" {
  type        = string
  sensitive   = true
  description = "Admin key of the dev cluster (reads users and the organization)."
}

variable "prod_api_address" {
  type        = string
  description = "API address of the prod cluster."
}

variable "prod_admin_api_key" {
  type        = string
  sensitive   = true
  description = "Admin key of the prod cluster."
}

variable "organization" {
  type        = string
  description = "Organization that owns the promoted algorithms."
}

variable "service_account" {
  type        = string
  description = "User that pushes and publishes on prod; a member of the organization."
}

variable "prod_service_api_key" {
  type        = string
  sensitive   = true
  description = "Value of the service account's key on prod, from your secret store."
}
