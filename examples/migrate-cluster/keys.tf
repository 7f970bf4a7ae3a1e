# Keys are ephemeral: Terraform never writes them to a saved plan or the state, and asks
# for them again when it applies a saved plan (set the same TF_VAR_ variables).
variable "source_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "The service account's key on the source: reads algorithms and data, clones repositories."
}

variable "destination_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "The service account's key on the destination, with algorithm management and data write."
}
