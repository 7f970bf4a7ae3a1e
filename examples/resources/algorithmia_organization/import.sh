# Organizations are imported by name.
terraform import algorithmia_organization.acme acme
