# Memberships are imported by org_name/username.
terraform import algorithmia_organization_member.ci acme/acme_ci
