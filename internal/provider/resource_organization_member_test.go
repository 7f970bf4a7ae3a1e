package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

func TestAccOrganizationMember_lifecycle(t *testing.T) {
	dev, _ := acctest.Shared(t)
	first := dev.NewUser(t, "first")
	second := dev.NewUser(t, "second")
	org := acctest.RandomName("team")
	member := func(res, username string) string {
		return fmt.Sprintf(`
resource "algorithmia_organization_member" %q {
  org_name = algorithmia_organization.test.org_name
  username = %q
}
`, res, username)
	}
	withData := `
data "algorithmia_organization" "team" {
  org_name   = algorithmia_organization.test.org_name
  depends_on = [algorithmia_organization_member.first, algorithmia_organization_member.second]
}
`
	base := organizationConfig(dev, org, "Team", "")
	both := base + member("first", first.Name) + member("second", second.Name) + withData

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkOrganizationsDestroyed(dev),
		Steps: []resource.TestStep{
			{
				// The first member of an organization without owners becomes its owner.
				Config: base + member("first", first.Name),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("algorithmia_organization_member.first", tfjsonpath.New("id"), knownvalue.StringExact(org+"/"+first.Name)),
					statecheck.ExpectKnownValue("algorithmia_organization_member.first", tfjsonpath.New("role"), knownvalue.StringExact("owner")),
				},
			},
			{
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("algorithmia_organization_member.second", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("algorithmia_organization_member.second", tfjsonpath.New("role"), knownvalue.StringExact("member")),
					statecheck.ExpectKnownValue("data.algorithmia_organization.team", tfjsonpath.New("members"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"username": knownvalue.StringExact(first.Name), "role": knownvalue.StringExact("owner")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"username": knownvalue.StringExact(second.Name), "role": knownvalue.StringExact("member")}),
					})),
					statecheck.ExpectKnownValue("data.algorithmia_organization.team", tfjsonpath.New("type"), knownvalue.StringExact("basic")),
					statecheck.ExpectKnownValue("data.algorithmia_organization.team", tfjsonpath.New("org_label"), knownvalue.StringExact("Team")),
				},
			},
			{
				ResourceName:      "algorithmia_organization_member.second",
				ImportState:       true,
				ImportStateId:     org + "/" + second.Name,
				ImportStateVerify: true,
			},
			{
				ResourceName:  "algorithmia_organization_member.second",
				ImportState:   true,
				ImportStateId: org + "/nobody_here",
				ExpectError:   regexp.MustCompile(`nobody_here is not a member`),
			},
			{
				// Removed from the configuration: the membership ends on the cluster.
				Config: base + member("first", first.Name),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("algorithmia_organization_member.second", plancheck.ResourceActionDestroy)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					ms, err := dev.Admin.ListAllOrganizationMembers(context.Background(), org)
					if err != nil {
						return err
					}
					if len(ms) != 1 || ms[0].Username != first.Name {
						return fmt.Errorf("members of %s on the cluster: %+v, want only %s", org, ms, first.Name)
					}
					return nil
				},
			},
			{
				// Removed outside Terraform: the plan adds the member again.
				PreConfig: func() {
					if err := dev.Admin.RemoveOrganizationMember(context.Background(), org, second.Name); err != nil {
						t.Fatalf("remove outside Terraform: %v", err)
					}
				},
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("algorithmia_organization_member.second", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
