# Promote dev's acme/hello at its published version 1.4.0 to prod, then publish it there.
data "algorithmia_git_ref" "hello" {
  provider = algorithmia.dev
  owner    = "acme"
  name     = "hello"
  ref      = "1.4.0"
}

resource "algorithmia_algorithm_source" "hello" {
  provider = algorithmia.prod
  owner    = algorithmia_algorithm.prod_hello.owner
  name     = algorithmia_algorithm.prod_hello.name

  source = {
    git_url     = data.algorithmia_git_ref.hello.git_url
    commit      = data.algorithmia_git_ref.hello.commit # pinned: the plan shows what ships
    username    = "acme_ci"
    password_wo = var.dev_api_key # write-only: never stored in state (Terraform 1.11+)
  }

  # Without publish, the code is pushed and built only: an approval gate.
  publish = {
    version_type  = "minor"
    release_notes = "Promoted from dev 1.4.0"
  }

  timeouts = {
    create = "30m"
    update = "30m"
  }
}

output "prod_version_of_dev_1_4_0" {
  value = algorithmia_algorithm_source.hello.published_version
}
