# Hosted data lives outside Git: copy each collection the algorithms load their models
# from. Every file is streamed from dev's Data API into prod's; the provider's memory stays
# flat whatever the file size, and the plan shows a change only when a source file did.
data "algorithmia_data_objects" "dev" {
  for_each = var.data_collections
  provider = algorithmia.dev
  path     = "data://${var.organization}/${each.key}"
}

resource "algorithmia_data_collection" "prod" {
  for_each = data.algorithmia_data_objects.dev
  provider = algorithmia.prod
  owner    = var.organization
  name     = each.key
  read_acl = each.value.read_acl
}

locals {
  dev_files = merge({}, [
    for collection, listing in data.algorithmia_data_objects.dev : {
      for f in listing.files : "${collection}/${f.name}" => { collection = collection, path = f.path }
    }
  ]...)
}

resource "algorithmia_data_object" "prod" {
  for_each = local.dev_files
  provider = algorithmia.prod
  path     = "data://${algorithmia_data_collection.prod[each.value.collection].owner}/${each.key}"

  copy_from = {
    path        = each.value.path
    api_address = var.dev_api_address
    api_key_wo  = var.dev_api_key # write-only: never stored (Terraform 1.11 or later)
  }
}

output "data_objects" {
  description = "Each copied file's size and sha256 on prod."
  value       = { for k, o in algorithmia_data_object.prod : k => { size = o.size, sha256 = o.sha256 } }
}
