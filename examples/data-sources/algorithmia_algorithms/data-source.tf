# Every algorithm of the organization "acme" on dev, except scratch ones, recreated on
# prod with the same details and settings (the runtime is looked up per cluster).
data "algorithmia_algorithms" "acme" {
  provider      = algorithmia.dev
  owner         = "acme"
  name_regex    = "^[a-z]"
  exclude_names = ["scratch"]
}

data "algorithmia_environment" "prod_python" {
  provider     = algorithmia.prod
  language     = "python3"
  display_name = "Python 3.8"
}

resource "algorithmia_algorithm" "migrated" {
  provider = algorithmia.prod
  for_each = { for a in data.algorithmia_algorithms.acme.algorithms : a.name => a }

  owner   = each.value.owner
  name    = each.value.name
  details = each.value.details
  settings = {
    algorithm_environment = data.algorithmia_environment.prod_python.id
    license               = each.value.settings.license
    network_access        = each.value.settings.network_access
    pipeline_enabled      = each.value.settings.pipeline_enabled
    source_visibility     = each.value.settings.source_visibility
    algorithm_callability = each.value.settings.algorithm_callability
  }
}

output "latest_versions" {
  value = { for a in data.algorithmia_algorithms.acme.algorithms : a.name => a.latest_version }
}
