variable "dev_api_address" {
  type        = string
  description = "API address of the dev cluster."
}

variable "prod_api_address" {
  type        = string
  description = "API address of the prod cluster."
}

variable "organization" {
  type        = string
  description = "Organization that owns the promoted algorithms."
}

variable "service_account" {
  type        = string
  description = "User that pushes and publishes on prod; a member of the organization."
}
