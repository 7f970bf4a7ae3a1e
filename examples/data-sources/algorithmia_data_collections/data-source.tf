# Every collection of "acme" on dev except temporary ones, recreated on prod with the
# same read ACL.
data "algorithmia_data_collections" "acme" {
  provider      = algorithmia.dev
  owner         = "acme"
  name_regex    = "^[a-z]"
  exclude_names = ["tmp"]
}

resource "algorithmia_data_collection" "migrated" {
  provider = algorithmia.prod
  for_each = { for c in data.algorithmia_data_collections.acme.collections : c.name => c }

  owner    = each.value.owner
  name     = each.value.name
  read_acl = each.value.read_acl
}
