# Keys are ephemeral variables (OpenTofu 1.11 or later): never written to a saved plan or
# the state. They go only to provider blocks and write-only arguments.

variable "dev_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Key of dev_username on dev that can read the algorithms and clone their repositories."
}

variable "prod_api_keys" {
  type        = map(string)
  sensitive   = true
  ephemeral   = true
  description = "The service account's key in each region, by the keys of regions; each has algorithm management."
}
