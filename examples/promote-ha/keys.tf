# Keys are ephemeral variables (Terraform 1.10 or later): never written to a saved plan or
# the state. They go only to provider blocks and write-only arguments (Terraform 1.11).

variable "dev_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Key of dev_username on dev that can read the algorithms and clone their repositories."
}

variable "prod_us_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "The service account's key in prod_us, with algorithm management."
}

variable "prod_eu_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "The service account's key in prod_eu, with algorithm management."
}
