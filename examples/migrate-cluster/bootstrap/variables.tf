variable "source_api_address" {
  type        = string
  description = "API address of the cluster to migrate from."
}

variable "destination_api_address" {
  type        = string
  description = "API address of the cluster to migrate to."
}

variable "service_account" {
  type        = string
  description = "Source user that runs step 2; it must be a member of every migrated owner organization."
}
