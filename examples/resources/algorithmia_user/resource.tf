# Needs admin_api_key in the provider block.
resource "algorithmia_user" "jane" {
  username     = "jane_doe"
  email        = "jane.doe@example.com"
  fullname     = "Jane Doe"
  company_name = "Acme"
  company_role = "Data scientist"

  # Destroy fails while Jane owns algorithms or data collections, which the platform
  # would delete with her. Set this to true and apply first if they are meant to go.
  force_destroy = false
}
