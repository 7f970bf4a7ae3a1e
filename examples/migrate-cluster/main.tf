# Step 2 of a migration, run as the service account after bootstrap/: every algorithm of
# the chosen owners, at its latest published version and published, and every data
# collection of theirs with its files. Everything is found by listing the source, so a
# run after changes there plans exactly those changes.
terraform {
  required_version = ">= 1.11" # ephemeral variables and write-only arguments keep keys out of plans and state
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

provider "algorithmia" {
  alias       = "source"
  api_address = var.source_api_address
  username    = var.service_account
  api_key     = var.source_api_key
}

provider "algorithmia" {
  alias          = "destination"
  api_address    = var.destination_api_address
  username       = var.service_account
  api_key        = var.destination_api_key
  adopt_existing = true # algorithms and collections already there are adopted, not an error
}

data "algorithmia_algorithms" "source" {
  for_each = var.owners
  provider = algorithmia.source
  owner    = each.key
}

# Environment IDs differ between clusters: look each runtime up by name on both.
data "algorithmia_environment" "source" {
  for_each     = { for r in var.runtimes : "${r.language}/${r.display_name}" => r }
  provider     = algorithmia.source
  language     = each.value.language
  display_name = each.value.display_name
}

data "algorithmia_environment" "destination" {
  for_each     = data.algorithmia_environment.source
  provider     = algorithmia.destination
  language     = each.value.language
  display_name = each.value.display_name
}

locals {
  # "owner/name" => the source algorithm; one never published has no version to copy.
  algorithms = merge({}, [
    for listing in data.algorithmia_algorithms.source : {
      for a in listing.algorithms : a.id => a if a.latest_version_git_hash != null
    }
  ]...)
  # source environment ID => destination environment ID
  environments = { for k, e in data.algorithmia_environment.source : e.id => data.algorithmia_environment.destination[k].id }
}

resource "algorithmia_algorithm" "copy" {
  for_each = local.algorithms
  provider = algorithmia.destination
  owner    = each.value.owner
  name     = each.value.name
  details  = each.value.details

  settings = {
    algorithm_environment = lookup(local.environments, coalesce(each.value.settings.algorithm_environment, "none"), null)
    license               = each.value.settings.license
    network_access        = each.value.settings.network_access
    pipeline_enabled      = each.value.settings.pipeline_enabled
    source_visibility     = each.value.settings.source_visibility
    algorithm_callability = each.value.settings.algorithm_callability
  }

  lifecycle {
    precondition {
      condition     = contains(keys(local.environments), coalesce(each.value.settings.algorithm_environment, "none"))
      error_message = "The runtime of ${each.key} on the source is not in var.runtimes (or it uses the legacy language model, which this example does not copy)."
    }
  }
}

resource "algorithmia_algorithm_source" "copy" {
  for_each = local.algorithms
  provider = algorithmia.destination
  owner    = algorithmia_algorithm.copy[each.key].owner
  name     = algorithmia_algorithm.copy[each.key].name

  source = {
    git_url     = each.value.git_url
    commit      = each.value.latest_version_git_hash # what the source's callers run
    username    = var.service_account
    password_wo = var.source_api_key
  }

  publish = {
    version_type  = "minor"
    release_notes = "Migrated from version ${each.value.latest_version}"
  }
}

data "algorithmia_data_collections" "source" {
  for_each = var.owners
  provider = algorithmia.source
  owner    = each.key
}

locals {
  collections = merge({}, [
    for listing in data.algorithmia_data_collections.source : { for c in listing.collections : "${c.owner}/${c.name}" => c }
  ]...)
}

resource "algorithmia_data_collection" "copy" {
  for_each = local.collections
  provider = algorithmia.destination
  owner    = each.value.owner
  name     = each.value.name
  read_acl = each.value.read_acl
}

data "algorithmia_data_objects" "source" {
  for_each = local.collections
  provider = algorithmia.source
  path     = each.value.id
}

locals {
  # "owner/collection/file" => collection key and the file's source path
  files = merge({}, [
    for collection, listing in data.algorithmia_data_objects.source : {
      for f in listing.files : "${collection}/${f.name}" => { collection = collection, name = f.name, path = f.path }
    }
  ]...)
}

# Files are streamed from the source's Data API into the destination's; the plan shows a
# change only when a source file did.
resource "algorithmia_data_object" "copy" {
  for_each = local.files
  provider = algorithmia.destination
  path     = "${algorithmia_data_collection.copy[each.value.collection].id}/${each.value.name}"

  copy_from = {
    path        = each.value.path
    api_address = var.source_api_address
    api_key_wo  = var.source_api_key
  }
}
