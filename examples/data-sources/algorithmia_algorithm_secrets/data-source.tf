# The secrets of acme/hello on dev: names and descriptions only, never values.
data "algorithmia_algorithm_secrets" "dev_hello" {
  provider = algorithmia.dev
  owner    = "acme"
  name     = "hello"
}

# Give the prod algorithm the same secrets, with values from an ephemeral variable
# (a map from short_name to value) that is never written to a plan or the state.
resource "algorithmia_algorithm_secret" "prod_hello" {
  for_each = { for s in data.algorithmia_algorithm_secrets.dev_hello.secrets : s.short_name => s }
  provider = algorithmia.prod

  owner           = "acme"
  name            = "hello"
  short_name      = each.value.short_name
  secret_key      = each.value.secret_key
  description     = each.value.description
  secret_value_wo = var.hello_secret_values[each.key]
}
