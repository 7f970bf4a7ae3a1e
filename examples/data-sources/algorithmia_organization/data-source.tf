data "algorithmia_organization" "acme" {
  org_name = "acme"
}

output "acme_owners" {
  value = [for m in data.algorithmia_organization.acme.members : m.username if m.role == "owner"]
}
