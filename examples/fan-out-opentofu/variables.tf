variable "dev_api_address" {
  type        = string
  description = "API address of the dev cluster."
}

variable "dev_username" {
  type        = string
  description = "Account that owns dev_api_key; Git authenticates as it."
}

variable "regions" {
  description = "Production regions by name, each one cluster. A provider instance and a promotion are made for each."
  type = map(object({
    api_address = string
  }))
}

variable "prod_username" {
  type        = string
  description = "Service account in every region, a member of the organization (made by ../promote-dev-to-prod/bootstrap)."
}

variable "organization" {
  type        = string
  description = "Organization that owns the algorithms on every cluster."
}

variable "algorithms" {
  description = "Algorithms to promote: the pinned dev version, and the runtime to use in the regions."
  type = map(object({
    version     = string
    language    = string
    environment = string
  }))
}

variable "deletion_protection" {
  type        = bool
  default     = true
  description = "Protect the regions' algorithms from destroy."
}
