# Step 1 of a migration, run by the admins of both clusters: every account and
# organization of the source, with its members, made on the destination, and a key there
# for the service account that runs step 2. The key is made in its own apply because a
# provider block cannot use a key created in the same apply.
terraform {
  required_version = ">= 1.11" # ephemeral variables and write-only arguments keep keys out of plans and state
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

provider "algorithmia" {
  alias         = "source"
  api_address   = var.source_api_address
  admin_api_key = var.source_admin_api_key
}

provider "algorithmia" {
  alias         = "destination"
  api_address   = var.destination_api_address
  admin_api_key = var.destination_admin_api_key
  # What already exists on the destination (an earlier attempt, a lost state) is adopted
  # and made to match, instead of failing until someone imports it.
  adopt_existing = true
}

data "algorithmia_users" "source" {
  provider = algorithmia.source
}

resource "algorithmia_user" "copy" {
  for_each = { for u in data.algorithmia_users.source.users : u.username => u }
  provider = algorithmia.destination

  username     = each.value.username
  email        = each.value.email
  fullname     = each.value.fullname
  company_name = each.value.company_name
  company_role = each.value.company_role
}

data "algorithmia_organizations" "source" {
  provider = algorithmia.source
}

resource "algorithmia_organization" "copy" {
  for_each = { for o in data.algorithmia_organizations.source.organizations : o.org_name => o }
  provider = algorithmia.destination

  org_name         = each.value.org_name
  org_label        = each.value.org_label
  org_contact_name = each.value.org_contact_name
  org_email        = each.value.org_email
  org_url          = each.value.org_url
  type             = each.value.type # by name: type IDs differ between clusters
}

locals {
  # "org/username" => the membership; the member resource has no role, so owners become members.
  memberships = merge({}, [
    for o in data.algorithmia_organizations.source.organizations : {
      for m in o.members : "${o.org_name}/${m.username}" => { org = o.org_name, username = m.username }
    }
  ]...)
}

resource "algorithmia_organization_member" "copy" {
  for_each = local.memberships
  provider = algorithmia.destination
  org_name = algorithmia_organization.copy[each.value.org].org_name
  username = algorithmia_user.copy[each.value.username].username
}

# The service account's key on the destination; its value comes from a secret store (here
# a variable) and goes only to a write-only argument, so the state never holds it.
resource "algorithmia_user_api_key" "service_account" {
  provider           = algorithmia.destination
  username           = algorithmia_user.copy[var.service_account].username
  label              = "cluster migration"
  api_key_wo         = var.destination_service_api_key
  api_key_wo_version = 1
  permissions = {
    allow_algo_management = true
    allow_data            = true
    allow_data_write      = true
  }
}
