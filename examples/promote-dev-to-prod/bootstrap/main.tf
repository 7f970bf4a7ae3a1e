# Step 1 of a promotion, run by a cluster admin: make the owners exist on prod.
# Clusters share no accounts, so every dev user is mirrored to prod, the owning
# organization is copied, and the CI service account gets a key on prod. The key is
# made here, in its own apply, because a provider block cannot use a key created in
# the same apply.
terraform {
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

provider "algorithmia" {
  alias         = "dev"
  api_address   = var.dev_api_address
  admin_api_key = var.dev_admin_api_key
}

provider "algorithmia" {
  alias         = "prod"
  api_address   = var.prod_api_address
  admin_api_key = var.prod_admin_api_key
  # Unattended pipeline: users, the organization and its membership that already exist on
  # prod are adopted and made to match, instead of failing until someone imports them.
  adopt_existing = true
}

data "algorithmia_users" "dev" {
  provider = algorithmia.dev
}

resource "algorithmia_user" "mirror" {
  for_each = { for u in data.algorithmia_users.dev.users : u.username => u }
  provider = algorithmia.prod

  username     = each.value.username
  email        = each.value.email
  fullname     = each.value.fullname
  company_name = each.value.company_name
  company_role = each.value.company_role
}

data "algorithmia_organization" "dev" {
  provider = algorithmia.dev
  org_name = var.organization
}

resource "algorithmia_organization" "prod" {
  provider         = algorithmia.prod
  org_name         = data.algorithmia_organization.dev.org_name
  org_label        = data.algorithmia_organization.dev.org_label
  org_contact_name = data.algorithmia_organization.dev.org_contact_name
  org_email        = data.algorithmia_organization.dev.org_email
  type             = data.algorithmia_organization.dev.type
}

resource "algorithmia_organization_member" "ci" {
  provider = algorithmia.prod
  org_name = algorithmia_organization.prod.org_name
  username = algorithmia_user.mirror[var.service_account].username
}

# The service account's key on prod. Its value comes from a secret store (here a
# variable) and is write-only: it never lands in the state. Terraform 1.11 or later;
# for older CLIs see ../before-terraform-1.11.
resource "algorithmia_user_api_key" "ci" {
  provider           = algorithmia.prod
  username           = algorithmia_user.mirror[var.service_account].username
  label              = "promotion pipeline"
  api_key_wo         = var.prod_service_api_key
  api_key_wo_version = 1
  permissions = {
    allow_algo_management = true
    allow_data            = true
    allow_data_write      = true
  }
}

output "mirrored_users" {
  value = sort(keys(algorithmia_user.mirror))
}
