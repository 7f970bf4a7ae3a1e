# Every organization on dev except test ones, recreated on prod with the same members.
data "algorithmia_organizations" "dev" {
  provider      = algorithmia.dev
  name_regex    = "^[a-z]"
  exclude_names = ["qa_sandbox"]
}

resource "algorithmia_organization" "migrated" {
  provider = algorithmia.prod
  for_each = { for o in data.algorithmia_organizations.dev.organizations : o.org_name => o }

  org_name         = each.value.org_name
  org_label        = each.value.org_label
  org_contact_name = each.value.org_contact_name
  org_email        = each.value.org_email
  org_url          = each.value.org_url
  type             = each.value.type
}

resource "algorithmia_organization_member" "migrated" {
  provider = algorithmia.prod
  for_each = merge([
    for o in data.algorithmia_organizations.dev.organizations : {
      for m in o.members : "${o.org_name}/${m.username}" => { org = o.org_name, username = m.username }
    }
  ]...)

  org_name = algorithmia_organization.migrated[each.value.org].org_name
  username = each.value.username
}
