package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// Bulk collection migration: the listing of a user's collections on dev (pages of 2
// entries here) drives for_each on prod, which gets the same collections with the same
// read ACLs; filters leave out test collections, another user's key sees only the
// public ones, and an owner without collections lists none.
func TestAccDataCollections_migrationAndFilters(t *testing.T) {
	dev := acctest.NewCluster(t, "collpages", acctest.Options{DataPageSize: 2})
	_, prod := acctest.Shared(t)
	ctx := context.Background()
	u := dev.NewUser(t, "owner")
	other := dev.NewUser(t, "other")
	pu, err := prod.CreateUser(ctx, u.Name)
	if err != nil {
		t.Fatal(err)
	}
	acls := map[string]string{
		"c0": readACLPrivate, "c1": readACLMyAlgorithms, "c2": readACLPublic, "c3": readACLPrivate,
		"c4": readACLPublic, "tmp_scratch": readACLPublic,
	}
	for name, acl := range acls {
		a := aclFromReadACL(acl)
		if err := u.Client.CreateCollection(ctx, u.Name, name, &a); err != nil {
			t.Fatal(err)
		}
	}
	// What the cluster says of each collection, through the single-collection route.
	collection := func(name string) knownvalue.Check {
		col, err := u.Client.GetCollection(ctx, u.Name, name)
		if err != nil {
			t.Fatal(err)
		}
		acl, ok := readACLFromACL(*col.ACL)
		if !ok || acl != acls[name] {
			t.Fatalf("%s has acl %v on the cluster, seeded %s", name, col.ACL.Read, acls[name])
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.StringExact("data://" + u.Name + "/" + name), "owner": knownvalue.StringExact(u.Name),
			"name": knownvalue.StringExact(name), "read_acl": knownvalue.StringExact(acl),
		})
	}
	migrated := []string{"c0", "c1", "c2", "c3"}

	cfg := dev.ProviderBlock("", u, false) + prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + fmt.Sprintf(`
data "algorithmia_data_collections" "all" {
  owner = %[1]q
}

data "algorithmia_data_collections" "mine" {
  owner         = %[1]q
  name_regex    = "^c[0-9]$"
  exclude_names = ["c4"]
}

data "algorithmia_data_collections" "empty" {
  owner = %[2]q
}

resource "algorithmia_data_collection" "migrated" {
  provider = algorithmiaprod
  for_each = { for c in data.algorithmia_data_collections.mine.collections : c.name => c }

  owner    = each.value.owner
  name     = each.value.name
  read_acl = each.value.read_acl
}
`, u.Name, other.Name)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				// Six collections: three pages of two.
				statecheck.ExpectKnownValue("data.algorithmia_data_collections.all", tfjsonpath.New("collections"), knownvalue.ListExact([]knownvalue.Check{
					collection("c0"), collection("c1"), collection("c2"), collection("c3"), collection("c4"), collection("tmp_scratch"),
				})),
				statecheck.ExpectKnownValue("data.algorithmia_data_collections.all", tfjsonpath.New("id"), knownvalue.StringExact("data://"+u.Name)),
				statecheck.ExpectKnownValue("data.algorithmia_data_collections.mine", tfjsonpath.New("collections"), knownvalue.ListExact([]knownvalue.Check{
					collection("c0"), collection("c1"), collection("c2"), collection("c3"),
				})),
				statecheck.ExpectKnownValue("data.algorithmia_data_collections.empty", tfjsonpath.New("collections"), knownvalue.ListExact([]knownvalue.Check{})),
				clusterCheck(func() error {
					for _, name := range []string{"c0", "c1", "c2", "c3", "c4", "tmp_scratch"} {
						col, err := pu.Client.GetCollection(ctx, pu.Name, name)
						if name == "c4" || name == "tmp_scratch" {
							if !errors.Is(err, algorithmia.ErrNotFound) {
								return fmt.Errorf("filtered-out %s was created on prod (%w)", name, err)
							}
							continue
						}
						if err != nil {
							return fmt.Errorf("%s on prod: %w", name, err)
						}
						if got, _ := readACLFromACL(*col.ACL); got != acls[name] {
							return fmt.Errorf("%s on prod has read_acl %s, dev has %s", name, got, acls[name])
						}
					}
					return nil
				}),
			},
		}, {
			// Another user's key sees only the public collections. Dropping the resources
			// destroys them on prod (CheckDestroy cannot read for_each state).
			Config: dev.ProviderBlock("", other, false) + prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + fmt.Sprintf(`
data "algorithmia_data_collections" "seen_by_other" {
  owner = %q
}
`, u.Name),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.algorithmia_data_collections.seen_by_other", tfjsonpath.New("collections"), knownvalue.ListExact([]knownvalue.Check{
					collection("c2"), collection("c4"), collection("tmp_scratch"),
				})),
				clusterCheck(func() error {
					for _, name := range migrated {
						if _, err := pu.Client.GetCollection(ctx, pu.Name, name); !errors.Is(err, algorithmia.ErrNotFound) {
							return fmt.Errorf("%s should be gone from prod, got %w", name, err)
						}
					}
					return nil
				}),
			},
		}},
	})
}
