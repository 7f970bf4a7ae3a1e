variable "organization" {
  type        = string
  description = "Organization that owns the algorithms on the source cluster."
}

variable "algorithms" {
  description = "Algorithms to read, each at its pinned version; other attributes (such as the runtime) are ignored here."
  type = map(object({
    version = string
  }))
}
