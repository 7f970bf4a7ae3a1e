# Keys are ephemeral: Terraform never writes them to a saved plan or the state, and asks
# for them again when it applies a saved plan (set the same TF_VAR_ variables).
variable "source_admin_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Admin key of the source cluster (lists users and organizations)."
}

variable "destination_admin_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Admin key of the destination cluster."
}

variable "destination_service_api_key" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Value of the service account's key on the destination, from your secret store."
}
