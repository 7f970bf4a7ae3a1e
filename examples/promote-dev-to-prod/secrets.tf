# Secrets of the promoted algorithms on prod (optional; none by default). Names, keys and
# descriptions are copied from dev. The platform never returns a secret's value, so the
# values come from the ephemeral var.algorithm_secret_values (keys.tf) and go only to a
# write-only argument (Terraform 1.11 or later).
data "algorithmia_algorithm_secrets" "dev" {
  for_each = toset([for s in values(var.algorithm_secrets) : s.algorithm])
  provider = algorithmia.dev
  owner    = var.organization
  name     = each.key
}

locals {
  # algorithm => short_name => the secret's metadata on dev
  dev_secrets = {
    for algo, d in data.algorithmia_algorithm_secrets.dev : algo => { for s in d.secrets : s.short_name => s }
  }
}

resource "algorithmia_algorithm_secret" "prod" {
  for_each    = var.algorithm_secrets
  provider    = algorithmia.prod
  owner       = algorithmia_algorithm.prod[each.value.algorithm].owner
  name        = algorithmia_algorithm.prod[each.value.algorithm].name
  short_name  = each.value.short_name
  secret_key  = local.dev_secrets[each.value.algorithm][each.value.short_name].secret_key
  description = local.dev_secrets[each.value.algorithm][each.value.short_name].description

  secret_value_wo         = var.algorithm_secret_values[each.key]
  secret_value_wo_version = each.value.value_version
}
