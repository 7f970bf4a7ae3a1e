package provider

import (
	"context"
	"errors"
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
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// seedUsers creates n users named prefix_00, prefix_01, ... through the admin API, with
// company fields on some of them, and returns them as the cluster reports them.
func seedUsers(t *testing.T, c *acctest.Cluster, prefix string, n int) []algorithmia.User {
	t.Helper()
	users := make([]algorithmia.User, n)
	for i := range n {
		name := fmt.Sprintf("%s_%02d", prefix, i)
		req := algorithmia.CreateUserRequest{Username: name, Email: name + "@example.com", Fullname: fmt.Sprintf("User number %d", i)}
		if i%2 == 0 {
			req.CompanyName = "Acme"
		}
		if i%3 == 0 {
			req.CompanyRole = "Data scientist"
		}
		u, err := c.Admin.CreateUser(context.Background(), req)
		if err != nil {
			t.Fatalf("seed %s on %s: %v", name, c.Name, err)
		}
		users[i] = *u
	}
	return users
}

// Bulk migration: every user of dev (minus an excluded one) is created on prod by for_each
// over the algorithmia_users data source, with identical fields, and nothing is left to plan.
func TestAccUsers_bulkMigration(t *testing.T) {
	dev, prod := acctest.Shared(t)
	prefix := acctest.RandomName("mig")
	seeded := seedUsers(t, dev, prefix, 26)
	excluded := seeded[25].Username
	cfg := dev.ProviderBlock("", nil, true) + prod.NamedProviderBlock("algorithmiaprod", "", nil, true) + fmt.Sprintf(`
data "algorithmia_users" "dev" {
  username_regex    = "^%s_"
  exclude_usernames = [%q]
}

resource "algorithmia_user" "migrated" {
  provider = algorithmiaprod
  for_each = { for u in data.algorithmia_users.dev.users : u.username => u }

  username     = each.value.username
  email        = each.value.email
  fullname     = each.value.fullname
  company_name = each.value.company_name
  company_role = each.value.company_role
}
`, prefix, excluded)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(`algorithmia_user.migrated["`+seeded[0].Username+`"]`, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(`algorithmia_user.migrated["`+seeded[24].Username+`"]`, plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				// Check functions cannot read for_each state; a state check can.
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.algorithmia_users.dev", tfjsonpath.New("users"), knownvalue.ListSizeExact(25)),
					clusterCheck(func() error {
						ctx := context.Background()
						for _, want := range seeded[:25] {
							got, err := prod.Admin.GetUser(ctx, want.Username)
							if err != nil {
								return fmt.Errorf("%s on prod: %w", want.Username, err)
							}
							if got.Email != want.Email || got.Fullname != want.Fullname || got.CompanyName != want.CompanyName || got.CompanyRole != want.CompanyRole {
								return fmt.Errorf("%s differs: dev %+v, prod %+v", want.Username, want, *got)
							}
							if got.ID == want.ID {
								return fmt.Errorf("%s has the same id on both clusters; clusters share no accounts", want.Username)
							}
						}
						if _, err := prod.Admin.GetUser(ctx, excluded); err == nil {
							return fmt.Errorf("excluded user %s was created on prod", excluded)
						}
						return nil
					}),
				},
			},
			{
				// A refresh and a fresh plan find nothing to do.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Destroy (CheckDestroy cannot read for_each state either): the users are gone from prod.
				Config: dev.ProviderBlock("", nil, true) + prod.NamedProviderBlock("algorithmiaprod", "", nil, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(`algorithmia_user.migrated["`+seeded[0].Username+`"]`, plancheck.ResourceActionDestroy),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{clusterCheck(func() error {
					for _, u := range seeded[:25] {
						if _, err := prod.Admin.GetUser(context.Background(), u.Username); !errors.Is(err, algorithmia.ErrNotFound) {
							return fmt.Errorf("%s should be gone from prod, got %w", u.Username, err)
						}
					}
					return nil
				})},
			},
		},
	})
}

// clusterCheck is a state check that asks a cluster rather than the state; unlike a
// TestCheckFunc it works with for_each resources.
type clusterCheck func() error

func (c clusterCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

// The data source follows marker paging past the cluster's page size (50). It stays serial:
// it compares the listing with every user of the shared prod cluster, which tests running
// beside it would change.
func TestAccUsers_dataSources(t *testing.T) {
	_, prod := acctest.Shared(t)
	prefix := acctest.RandomName("page")
	seeded := seedUsers(t, prod, prefix, 60)
	cfg := prod.ProviderBlock("", nil, true) + fmt.Sprintf(`
data "algorithmia_users" "all" {}

data "algorithmia_users" "mine" {
  username_regex = "^%s_"
}
`, prefix)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// First: the post-test destroy uses the last step's configuration, which must
				// pass validation.
				Config:      prod.ProviderBlock("", nil, true) + `data "algorithmia_users" "bad" { username_regex = "(" }`,
				ExpectError: regexp.MustCompile(`Invalid regular expression`),
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.algorithmia_users.mine", tfjsonpath.New("users"), knownvalue.ListSizeExact(60)),
					statecheck.ExpectKnownValue("data.algorithmia_users.mine", tfjsonpath.New("users").AtSliceIndex(59).AtMapKey("username"), knownvalue.StringExact(seeded[59].Username)),
					statecheck.ExpectKnownValue("data.algorithmia_users.mine", tfjsonpath.New("users").AtSliceIndex(1).AtMapKey("company_name"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					total, err := prod.Admin.ListAllUsers(context.Background())
					if err != nil {
						return err
					}
					got := s.RootModule().Resources["data.algorithmia_users.all"].Primary.Attributes["users.#"]
					if got != fmt.Sprint(len(total)) {
						return fmt.Errorf("data source lists %s users, the cluster has %d", got, len(total))
					}
					return nil
				},
			},
		},
	})
}
