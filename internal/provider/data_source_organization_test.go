package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// The lookup returns the organization's fields and its members with their roles (the first
// member of an organization without owners becomes its owner), and names an organization
// that does not exist.
func TestAccOrganizationDataSource_lookup(t *testing.T) {
	dev, _ := acctest.Shared(t)
	first, second := dev.NewUser(t, "first"), dev.NewUser(t, "second")
	org := acctest.RandomName("dsorg")
	dev.NewOrganization(t, org, first, second)
	addr := "data.algorithmia_organization.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: dev.ProviderBlock("", nil, true) + fmt.Sprintf(`data "algorithmia_organization" "test" { org_name = %q }`, org),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(org)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("org_label"), knownvalue.StringExact("Test "+org)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("org_email"), knownvalue.StringExact(strings.ToLower(org)+"@example.com")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("org_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact("basic")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("members"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"username": knownvalue.StringExact(first.Name), "role": knownvalue.StringExact("owner")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"username": knownvalue.StringExact(second.Name), "role": knownvalue.StringExact("member")}),
					})),
				},
			},
			{
				Config:      dev.ProviderBlock("", nil, true) + `data "algorithmia_organization" "missing" { org_name = "no_such_org" }`,
				ExpectError: regexp.MustCompile(`No organization no_such_org exists`),
			},
		},
	})
}
