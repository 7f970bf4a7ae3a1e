variable "dev_api_address" {
  type        = string
  description = "API address of the dev cluster."
}

variable "dev_username" {
  type        = string
  description = "Account that owns dev_api_key; Git authenticates as it."
}

variable "prod_api_address" {
  type        = string
  description = "API address of the prod cluster."
}

variable "prod_username" {
  type        = string
  description = "Service account on prod, a member of the organization (made by bootstrap/)."
}

variable "organization" {
  type        = string
  description = "Organization that owns the algorithms on both clusters."
}

variable "algorithms" {
  description = "Algorithms to promote: the pinned dev version, and the runtime to use on prod."
  type = map(object({
    version     = string
    language    = string
    environment = string
  }))
}


variable "deletion_protection" {
  type        = bool
  default     = true
  description = "Protect the prod algorithms from terraform destroy."
}

variable "data_collections" {
  type        = set(string)
  default     = []
  description = "Hosted data collections of the organization to copy from dev to prod."
}

variable "algorithm_secrets" {
  description = <<-EOT
    Secrets of dev's algorithms to give the promoted algorithms on prod, keyed like
    algorithm_secret_values: the algorithm (a key of algorithms), the secret's name on dev
    (its key and description are copied), and a version to increment when the value
    changes (which sends it again).
  EOT
  type = map(object({
    algorithm     = string
    short_name    = string
    value_version = optional(number, 1)
  }))
  default = {}
}
