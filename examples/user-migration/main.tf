# Creates every user of the dev cluster on the prod cluster, so that the owners of
# algorithms exist before the algorithms are promoted. Run it again at any time: users
# that already exist on prod are left alone, and new dev users are added.
#
# Passwords and API keys cannot be carried over (the platform has no API for that);
# users sign in to prod through its own identity provider.
#
# Users that exist on prod already but are not in this state are reported with the
# import command to adopt them, for example:
#   terraform import 'algorithmia_user.migrated["jane_doe"]' jane_doe
#
# The admin keys are ephemeral variables (Terraform 1.10 or OpenTofu 1.11 or later): no saved plan or
# state holds them, and applying a saved plan needs them again (the same TF_VAR_ values).
# On an older CLI, remove `ephemeral = true`; saved plans then hold the keys.

terraform {
  # Terraform 1.10 or OpenTofu 1.11: ephemeral variables keep the keys out of saved plans.
  # OpenTofu 1.10 passes this check but rejects `ephemeral = true` with its own error.
  required_version = ">= 1.10"
  required_providers {
    algorithmia = {
      source = "algorithmia-iac/algorithmia"
    }
  }
}

variable "dev_admin_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "prod_admin_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "excluded_usernames" {
  description = "System and test accounts that stay on dev."
  type        = list(string)
  default     = ["admin", "algorithmia_health_check"]
}

provider "algorithmia" {
  alias         = "dev"
  api_address   = "https://api.dev.example.com"
  admin_api_key = var.dev_admin_api_key
}

provider "algorithmia" {
  alias         = "prod"
  api_address   = "https://api.prod.example.com"
  admin_api_key = var.prod_admin_api_key
}

# Every user on dev (all pages), minus system and test accounts. username_regex can
# narrow it further, for example to migrate one team at a time: "^acme_".
data "algorithmia_users" "dev" {
  provider          = algorithmia.dev
  exclude_usernames = var.excluded_usernames
}

resource "algorithmia_user" "migrated" {
  provider = algorithmia.prod
  for_each = { for u in data.algorithmia_users.dev.users : u.username => u }

  username     = each.value.username
  email        = each.value.email
  fullname     = each.value.fullname
  company_name = each.value.company_name
  company_role = each.value.company_role
}

output "migrated_usernames" {
  value = sort(keys(algorithmia_user.migrated))
}
