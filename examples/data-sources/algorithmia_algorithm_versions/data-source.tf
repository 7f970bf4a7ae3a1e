# List the published versions of an algorithm on the dev cluster, newest first.
data "algorithmia_algorithm_versions" "dev_hello" {
  provider = algorithmia.dev
  owner    = "acme"
  name     = "hello"
}

# Fail the plan if the version to promote was never published on dev.
locals {
  promote_version = "1.4.0"
}

check "version_published_on_dev" {
  assert {
    condition     = contains(data.algorithmia_algorithm_versions.dev_hello.versions[*].semantic_version, local.promote_version)
    error_message = "Version ${local.promote_version} of acme/hello is not published on dev."
  }
}

output "dev_hello_latest" {
  value = data.algorithmia_algorithm_versions.dev_hello.latest
}
