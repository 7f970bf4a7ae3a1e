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
  description = "User on both clusters, a member of every owner (bootstrap/ made it and its key on the destination)."
}

variable "owners" {
  type        = set(string)
  description = "Organizations whose algorithms and data collections are migrated."
}

variable "runtimes" {
  type        = list(object({ language = string, display_name = string }))
  description = "Every runtime the migrated algorithms use, by language and display name, such as { language = \"python3\", display_name = \"Python 3.8\" }; each must exist on both clusters."
}
