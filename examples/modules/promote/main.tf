# One region of a promotion: the algorithms of one organization, each at the dev commit
# resolved once in the root, pushed into this module's cluster and published there.
# Instantiate it once per region with `providers = { algorithmia = algorithmia.<alias> }`.
terraform {
  required_version = ">= 1.11"
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

# Environment IDs differ between clusters: map each runtime by name in this region.
data "algorithmia_environment" "this" {
  for_each     = var.algorithms
  language     = each.value.language
  display_name = each.value.environment
}

resource "algorithmia_algorithm" "this" {
  for_each = var.algorithms
  owner    = var.organization
  name     = each.key
  details  = var.sources[each.key].details

  settings = {
    algorithm_environment = data.algorithmia_environment.this[each.key].id
    license               = var.sources[each.key].settings.license
    network_access        = var.sources[each.key].settings.network_access
    pipeline_enabled      = var.sources[each.key].settings.pipeline_enabled
    source_visibility     = var.sources[each.key].settings.source_visibility
    algorithm_callability = var.sources[each.key].settings.algorithm_callability
  }

  deletion_protection = var.deletion_protection
}

resource "algorithmia_algorithm_source" "this" {
  for_each = var.algorithms
  owner    = algorithmia_algorithm.this[each.key].owner
  name     = algorithmia_algorithm.this[each.key].name

  source = {
    git_url     = var.sources[each.key].git_url
    commit      = var.sources[each.key].commit
    username    = var.source_username
    password_wo = var.source_password # write-only: never stored
  }

  publish = {
    version_type  = "minor"
    release_notes = "Promoted from dev ${each.value.version}"
  }
}
