# Promote algorithms from the dev cluster to the prod cluster, each at a pinned dev
# version. Run after bootstrap/, with the service account's keys.
terraform {
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

provider "algorithmia" {
  alias       = "dev"
  api_address = var.dev_api_address
  username    = var.dev_username
  api_key     = var.dev_api_key
}

provider "algorithmia" {
  alias       = "prod"
  api_address = var.prod_api_address
  username    = var.prod_username
  api_key     = var.prod_api_key
  # Unattended pipeline: an algorithm or collection that already exists on prod (say, after a
  # lost state) is adopted and made to match, instead of failing until someone imports it.
  adopt_existing = true
}

# What dev has: settings to copy, and the commit of each pinned version.
data "algorithmia_algorithm" "dev" {
  for_each = var.algorithms
  provider = algorithmia.dev
  owner    = var.organization
  name     = each.key
}

data "algorithmia_git_ref" "dev" {
  for_each = var.algorithms
  provider = algorithmia.dev
  owner    = var.organization
  name     = each.key
  ref      = each.value.version
}

# Environment IDs differ between clusters: map each runtime by name on prod.
data "algorithmia_environment" "prod" {
  for_each     = var.algorithms
  provider     = algorithmia.prod
  language     = each.value.language
  display_name = each.value.environment
}

resource "algorithmia_algorithm" "prod" {
  for_each = var.algorithms
  provider = algorithmia.prod
  owner    = var.organization
  name     = each.key
  details  = data.algorithmia_algorithm.dev[each.key].details

  settings = {
    algorithm_environment = data.algorithmia_environment.prod[each.key].id
    license               = data.algorithmia_algorithm.dev[each.key].settings.license
    network_access        = data.algorithmia_algorithm.dev[each.key].settings.network_access
    pipeline_enabled      = data.algorithmia_algorithm.dev[each.key].settings.pipeline_enabled
    source_visibility     = data.algorithmia_algorithm.dev[each.key].settings.source_visibility
    algorithm_callability = data.algorithmia_algorithm.dev[each.key].settings.algorithm_callability
  }

  deletion_protection = var.deletion_protection
}

resource "algorithmia_algorithm_source" "prod" {
  for_each = var.algorithms
  provider = algorithmia.prod
  owner    = algorithmia_algorithm.prod[each.key].owner
  name     = algorithmia_algorithm.prod[each.key].name

  source = {
    git_url  = data.algorithmia_git_ref.dev[each.key].git_url
    commit   = data.algorithmia_git_ref.dev[each.key].commit
    username = var.dev_username
    # Write-only: never stored in plan or state (Terraform 1.11 or later; for older
    # CLIs see before-terraform-1.11).
    password_wo = var.dev_api_key
  }

  publish = {
    version_type  = "minor"
    release_notes = "Promoted from dev ${each.value.version}"
  }
}

output "promotions" {
  description = "Each algorithm's dev version and commit, and what prod holds for it."
  value = {
    for name, s in algorithmia_algorithm_source.prod : name => {
      dev_version  = var.algorithms[name].version
      dev_commit   = s.source_commit
      prod_commit  = s.commit
      prod_version = s.published_version
    }
  }
}
