# Every region must serve dev's tree for every algorithm. Each check reads the region's
# heads live from Git on every plan and apply, so a commit pushed by hand in one region
# shows up as a warning (checks never fail a run); the same plan shows the update of that
# region's algorithmia_algorithm_source that puts dev's tree back.
locals {
  only_promoted = "^(${join("|", keys(var.algorithms))})$"
  # The tree of each pinned dev commit, as the promotion read it.
  dev_trees = { for name, p in module.us.promoted : name => p.source_tree }
}

check "prod_us_serves_dev_trees" {
  data "algorithmia_algorithms" "prod_us" {
    provider   = algorithmia.prod_us
    owner      = var.organization
    name_regex = local.only_promoted
    read_heads = true
  }

  assert {
    condition = alltrue([
      for name, tree in local.dev_trees :
      contains([for a in data.algorithmia_algorithms.prod_us.algorithms : a.head_tree if a.name == name], tree)
    ])
    error_message = "prod_us does not serve dev's tree for: ${join(", ", [
      for name, tree in local.dev_trees : name
      if !contains([for a in data.algorithmia_algorithms.prod_us.algorithms : a.head_tree if a.name == name], tree)
    ])}."
  }
}

check "prod_eu_serves_dev_trees" {
  data "algorithmia_algorithms" "prod_eu" {
    provider   = algorithmia.prod_eu
    owner      = var.organization
    name_regex = local.only_promoted
    read_heads = true
  }

  assert {
    condition = alltrue([
      for name, tree in local.dev_trees :
      contains([for a in data.algorithmia_algorithms.prod_eu.algorithms : a.head_tree if a.name == name], tree)
    ])
    error_message = "prod_eu does not serve dev's tree for: ${join(", ", [
      for name, tree in local.dev_trees : name
      if !contains([for a in data.algorithmia_algorithms.prod_eu.algorithms : a.head_tree if a.name == name], tree)
    ])}."
  }
}
