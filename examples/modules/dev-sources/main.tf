# What the source cluster (dev) has for each pinned algorithm version, in the shape that
# ../promote takes as `sources`. Read it once in the root and give the same output to every
# region, so all regions promote exactly the same commits. Pass the source cluster's
# provider with `providers = { algorithmia = algorithmia.dev }`.
terraform {
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

# The details and settings to copy.
data "algorithmia_algorithm" "this" {
  for_each = var.algorithms
  owner    = var.organization
  name     = each.key
}

# The clone URL and the commit of the pinned version.
data "algorithmia_git_ref" "this" {
  for_each = var.algorithms
  owner    = var.organization
  name     = each.key
  ref      = each.value.version
}
