# Needs admin_api_key in the provider block. The type is given by name; its ID differs
# between clusters and is looked up on each.
resource "algorithmia_organization" "acme" {
  org_name         = "acme"
  org_label        = "Acme Corporation"
  org_contact_name = "Jane Doe"
  org_email        = "ml-platform@acme.example.com"
  org_url          = "https://acme.example.com"
  type             = "basic"
}
