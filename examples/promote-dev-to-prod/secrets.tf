# Secrets of the promoted algorithms on prod (optional; none by default). The platform never
# returns a secret's value, so it cannot be copied from dev: the names and descriptions come
# from var.algorithm_secrets, the values from the ephemeral var.algorithm_secret_values
# (keys.tf), and they go only to a write-only argument (Terraform 1.11 or later).
resource "algorithmia_algorithm_secret" "prod" {
  for_each    = var.algorithm_secrets
  provider    = algorithmia.prod
  owner       = algorithmia_algorithm.prod[each.value.algorithm].owner
  name        = algorithmia_algorithm.prod[each.value.algorithm].name
  short_name  = each.value.short_name
  description = each.value.description

  secret_value_wo         = var.algorithm_secret_values[each.key]
  secret_value_wo_version = each.value.value_version
}
