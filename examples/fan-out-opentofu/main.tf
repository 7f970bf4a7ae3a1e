# Fan-out with OpenTofu (1.11 or later): promote the same dev versions into every region of
# var.regions in one apply. One provider block with for_each makes a provider instance per
# region, and one module block with the same for_each runs ../modules/promote once per
# region with that region's instance. Adding a region is adding an entry to var.regions;
# no new provider block, module block or variable. Terraform has no provider for_each: see
# ../promote-ha for the same job with one alias per region.
terraform {
  required_version = ">= 1.11"
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

# One instance per region: algorithmia.prod["us"], algorithmia.prod["eu"], ...
# for_each must be known before anything is read, so it takes variables and locals only.
provider "algorithmia" {
  alias       = "prod"
  for_each    = var.regions
  api_address = each.value.api_address
  username    = var.prod_username
  api_key     = var.prod_api_keys[each.key]
  # Unattended pipeline: what already exists in a region is adopted and made to match.
  adopt_existing = true
}

# Dev is read once, so every region promotes exactly the same commits.
module "dev" {
  source    = "../modules/dev-sources"
  providers = { algorithmia = algorithmia.dev }

  organization = var.organization
  algorithms   = var.algorithms
}

module "region" {
  source    = "../modules/promote"
  for_each  = var.regions
  providers = { algorithmia = algorithmia.prod[each.key] }

  organization        = var.organization
  algorithms          = var.algorithms
  sources             = module.dev.sources
  source_username     = var.dev_username
  source_password     = var.dev_api_key
  deletion_protection = var.deletion_protection
}

# A resource or data source outside a module picks its region's instance the same way. This
# one reads every region's head of master live from Git after the promotion (depends_on), so
# the output below shows what each region serves, not what the plan expected.
data "algorithmia_algorithms" "region" {
  for_each   = var.regions
  provider   = algorithmia.prod[each.key]
  owner      = var.organization
  name_regex = "^(${join("|", keys(var.algorithms))})$"
  read_heads = true
  depends_on = [module.region]
}

output "region_heads" {
  description = "Per region and algorithm: the head of master and its tree, read from the region's Git."
  value = {
    for region, d in data.algorithmia_algorithms.region : region => {
      for a in d.algorithms : a.name => { commit = a.head_commit, tree = a.head_tree }
    }
  }
}

output "regions" {
  description = "Per region and algorithm: the dev commit and tree, the region's commit and tree, and its published version."
  value       = { for region, m in module.region : region => m.promoted }
}
