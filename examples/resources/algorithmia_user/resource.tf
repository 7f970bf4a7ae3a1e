# Needs admin_api_key in the provider block.
resource "algorithmia_user" "jane" {
  username     = "jane_doe"
  email        = "jane.doe@example.com"
  fullname     = "Jane Doe"
  company_name = "Acme"
  company_role = "Data scientist"
}
