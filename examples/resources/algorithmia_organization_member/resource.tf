# A member's standard key may manage the organization's algorithms. The first member of
# an organization without owners becomes its owner.
resource "algorithmia_organization_member" "ci" {
  org_name = algorithmia_organization.acme.org_name
  username = algorithmia_user.promoter.username
}
