# `terraform test` for the promotion configuration. Point the variables at clusters you can
# throw away, such as two algorithmia-local clusters (the provider's own test suite runs this
# file against local clusters it starts).
variables {
  deletion_protection = false
  # terraform test hands an unset ephemeral variable's default to apply but not to plan,
  # which Terraform then refuses; setting it here keeps both phases equal.
  algorithm_secret_values = {}
}

run "promote_pinned_versions" {
  command = apply

  assert {
    condition = alltrue([
      for name, s in algorithmia_algorithm_source.prod : s.source_commit == data.algorithmia_git_ref.dev[name].commit
    ])
    error_message = "prod must hold exactly the pinned dev commits."
  }

  assert {
    condition     = alltrue([for s in algorithmia_algorithm_source.prod : s.build_status == "succeeded"])
    error_message = "every promoted commit must build on prod."
  }

  assert {
    condition     = alltrue([for s in algorithmia_algorithm_source.prod : s.version_git_hash == s.commit && s.published_version != null])
    error_message = "each promotion must publish exactly the promoted commit."
  }

  assert {
    condition = alltrue([
      for name, a in algorithmia_algorithm.prod : a.settings.algorithm_environment == data.algorithmia_environment.prod[name].id
    ])
    error_message = "runtimes must be mapped to prod's own environment IDs."
  }
}

run "second_run_keeps_versions" {
  command = plan

  assert {
    condition     = alltrue([for name, p in output.promotions : p.prod_commit == algorithmia_algorithm_source.prod[name].commit])
    error_message = "a plan after the promotion must keep what was shipped."
  }
}
