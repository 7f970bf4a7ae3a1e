# High availability: promote the same dev versions into two production regions in one
# apply. Dev is read once here (../modules/dev-sources); the module ../modules/promote does
# each region's part, instantiated once per region alias. Run ../promote-dev-to-prod/bootstrap
# once per region first (it makes the organization and the service account's key there).
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

provider "algorithmia" {
  alias       = "prod_us"
  api_address = var.prod_us_api_address
  username    = var.prod_username
  api_key     = var.prod_us_api_key
  # Unattended pipeline: what already exists in the region is adopted and made to match.
  adopt_existing = true
}

provider "algorithmia" {
  alias          = "prod_eu"
  api_address    = var.prod_eu_api_address
  username       = var.prod_username
  api_key        = var.prod_eu_api_key
  adopt_existing = true
}

# Dev is read once, so both regions promote exactly the same commits.
module "dev" {
  source    = "../modules/dev-sources"
  providers = { algorithmia = algorithmia.dev }

  organization = var.organization
  algorithms   = var.algorithms
}

module "us" {
  source    = "../modules/promote"
  providers = { algorithmia = algorithmia.prod_us }

  organization        = var.organization
  algorithms          = var.algorithms
  sources             = module.dev.sources
  source_username     = var.dev_username
  source_password     = var.dev_api_key
  deletion_protection = var.deletion_protection
}

module "eu" {
  source    = "../modules/promote"
  providers = { algorithmia = algorithmia.prod_eu }

  organization        = var.organization
  algorithms          = var.algorithms
  sources             = module.dev.sources
  source_username     = var.dev_username
  source_password     = var.dev_api_key
  deletion_protection = var.deletion_protection
}

output "regions" {
  description = "Per region and algorithm: the dev commit and tree, the region's commit and tree, and its published version."
  value       = { us = module.us.promoted, eu = module.eu.promoted }
}
