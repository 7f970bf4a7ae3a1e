variable "organization" {
  type        = string
  description = "Organization that owns the algorithms on the source cluster and in this region."
}

variable "algorithms" {
  description = "Algorithms to promote: the pinned source version, and the runtime to use in this region."
  type = map(object({
    version     = string
    language    = string
    environment = string
  }))
}

variable "sources" {
  description = <<-EOT
    What the source cluster has for each algorithm (same keys as algorithms), read once in
    the root so every region gets the same: the clone URL and pinned commit, and the
    details and settings to copy.
  EOT
  type = map(object({
    git_url = string
    commit  = string
    details = object({
      label   = string
      summary = string
      tagline = string
    })
    settings = object({
      license               = string
      network_access        = string
      pipeline_enabled      = bool
      source_visibility     = string
      algorithm_callability = string
    })
  }))
}

variable "source_username" {
  type        = string
  description = "Account Git authenticates as on the source cluster."
}

variable "source_password" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "That account's API key on the source cluster; goes only to a write-only argument."
}

variable "deletion_protection" {
  type        = bool
  default     = true
  description = "Protect this region's algorithms from terraform destroy."
}
