package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// The single lookup returns the fields the cluster holds, and names a user that does not
// exist.
func TestAccUserDataSource_lookup(t *testing.T) {
	_, prod := acctest.Shared(t)
	seeded := seedUsers(t, prod, acctest.RandomName("one"), 1)[0] // with both company fields
	addr := "data.algorithmia_user.one"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: prod.ProviderBlock("", nil, true) + `data "algorithmia_user" "one" { username = "` + seeded.Username + `" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("email"), knownvalue.StringExact(seeded.Email)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fullname"), knownvalue.StringExact(seeded.Fullname)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_name"), knownvalue.StringExact("Acme")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_role"), knownvalue.StringExact("Data scientist")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_id"), knownvalue.StringExact(seeded.ID)),
				},
			},
			{
				Config:      prod.ProviderBlock("", nil, true) + `data "algorithmia_user" "missing" { username = "nobody_at_all" }`,
				ExpectError: regexp.MustCompile(`No user nobody_at_all exists`),
			},
		},
	})
}
