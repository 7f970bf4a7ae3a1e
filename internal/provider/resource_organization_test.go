package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// organizationConfig renders one organization on an admin-only provider.
func organizationConfig(c *acctest.Cluster, name, label, extra string) string {
	return c.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_organization" "test" {
  org_name         = %q
  org_label        = %q
  org_contact_name = "Jane Doe"
  org_email        = "team@example.com"
  %s
}
`, name, label, extra)
}

// checkOrganizationOnCluster asserts what the cluster itself reports for an organization.
func checkOrganizationOnCluster(c *acctest.Cluster, name string, check func(*algorithmia.Organization, map[string]string) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		o, err := c.Admin.GetOrganization(context.Background(), name)
		if err != nil {
			return fmt.Errorf("organization %s on %s: %w", name, c.Name, err)
		}
		types, err := c.Admin.ListOrganizationTypes(context.Background())
		if err != nil {
			return err
		}
		typeNames := map[string]string{}
		for _, t := range types {
			typeNames[t.ID] = t.Name
		}
		return check(o, typeNames)
	}
}

func TestAccOrganization_lifecycle(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("team")
	addr := "algorithmia_organization.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkOrganizationsDestroyed(dev),
		Steps: []resource.TestStep{
			{
				Config: organizationConfig(dev, name, "Team", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact("basic")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("type_id"), knownvalue.StringRegexp(uuidRegexp)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("org_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("self_link"), knownvalue.StringExact(dev.URL+"/v1/organizations/"+name)),
					sameID.AddStateValue(addr, tfjsonpath.New("org_id")),
				},
				Check: checkOrganizationOnCluster(dev, name, func(o *algorithmia.Organization, typeNames map[string]string) error {
					if o.OrgLabel != "Team" || o.OrgEmail != "team@example.com" || typeNames[o.TypeID] != "basic" {
						return fmt.Errorf("cluster has %+v (type %s)", *o, typeNames[o.TypeID])
					}
					return nil
				}),
			},
			{
				// Label, URL and type change in place (PUT answers 204; the state is read back).
				Config: organizationConfig(dev, name, "The team", `org_url = "https://team.example.com"
  type = "pro"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact("pro")),
					sameID.AddStateValue(addr, tfjsonpath.New("org_id")),
				},
				Check: checkOrganizationOnCluster(dev, name, func(o *algorithmia.Organization, typeNames map[string]string) error {
					if o.OrgLabel != "The team" || o.OrgURL != "https://team.example.com" || typeNames[o.TypeID] != "pro" {
						return fmt.Errorf("cluster has %+v (type %s) after the update", *o, typeNames[o.TypeID])
					}
					return nil
				}),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
			{
				// Type names are looked up at plan time.
				Config:      organizationConfig(dev, name, "The team", `type = "gold"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unknown organization type.*"gold".*basic,\s+legacy,\s+pro`),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := dev.Admin.DeleteOrganization(context.Background(), name); err != nil {
						t.Fatalf("delete outside Terraform: %v", err)
					}
				},
				Config: organizationConfig(dev, name, "The team", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccOrganization_existingNameImport(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("taken")
	types, err := dev.Admin.ListOrganizationTypes(context.Background())
	if err != nil || len(types) == 0 {
		t.Fatalf("organization types: %v", err)
	}
	if _, err := dev.Admin.CreateOrganization(context.Background(), algorithmia.OrganizationRequest{
		OrgName: name, OrgLabel: "Taken", OrgContactName: "Jane", OrgEmail: "taken@example.com", TypeID: types[0].ID,
	}); err != nil {
		t.Fatalf("seed organization: %v", err)
	}
	t.Cleanup(func() { _ = dev.Admin.DeleteOrganization(context.Background(), name) })

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      organizationConfig(dev, name, "Mine", ""),
				ExpectError: regexp.MustCompile(`(?s)Organization already exists.*terraform import <resource address>\s+` + name),
			},
		},
	})
}

// An organization owning an algorithm: a member's key manages it, a non-member's key cannot.
func TestAccOrganization_ownedAlgorithmNeedsMembership(t *testing.T) {
	dev, _ := acctest.Shared(t)
	member := dev.NewUser(t, "member")
	outsider := dev.NewUser(t, "outsider")
	org := acctest.RandomName("team")
	algoAddr := "algorithmia_algorithm.org"
	config := func(u *acctest.User, label string) string {
		// The organization's algorithm is destroyed with it at the end: force_destroy says that is meant.
		return organizationConfig(dev, org, "Team", "force_destroy = true") + fmt.Sprintf(`
resource "algorithmia_organization_member" "m" {
  org_name = algorithmia_organization.test.org_name
  username = %q
}
`, member.Name) + dev.NamedProviderBlock("algorithmiaprod", "", u, false) + fmt.Sprintf(`
resource "algorithmia_algorithm" "org" {
  provider = algorithmiaprod
  owner    = algorithmia_organization_member.m.org_name
  name     = "shared"
  details = {
    label = %q
  }
  settings = {
    language = "python3-1"
  }
  deletion_protection = false
}
`, label)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkOrganizationsDestroyed(dev),
		Steps: []resource.TestStep{
			{
				Config: config(member, "Shared"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(algoAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// The member's key updates the organization's algorithm.
				Config: config(member, "Shared by the team"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(algoAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					checkAlgorithmOnCluster(member, org, "shared", func(a *algorithmia.Algorithm) error {
						if a.Details.Label != "Shared by the team" {
							return fmt.Errorf("label %q after the member's update", a.Details.Label)
						}
						return nil
					}),
					func(*terraform.State) error {
						_, err := outsider.Client.UpdateAlgorithm(context.Background(), org, "shared", algorithmia.UpdateAlgorithmRequest{
							Details: algorithmia.Details{Label: "Hijacked"},
						})
						if err == nil {
							return fmt.Errorf("a non-member's key updated the organization's algorithm")
						}
						return nil
					},
				),
			},
			{
				// A non-member's key is refused.
				Config:      config(outsider, "Changed by an outsider"),
				ExpectError: regexp.MustCompile(`HTTP 403`),
			},
			{
				// Nothing changed: the member's configuration plans nothing.
				Config: config(member, "Shared by the team"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// An organization that owns hosted data is not destroyed (the plan fails and names the
// collection) until force_destroy = true has been applied.
func TestAccOrganization_ownerOfDataIsNotDeleted(t *testing.T) {
	dev, _ := acctest.Shared(t)
	member := dev.NewUser(t, "member")
	org := acctest.RandomName("team")
	addr := "algorithmia_organization.test"
	providerOnly := dev.ProviderBlock("", nil, true)
	content := []byte("shared weights")
	var client *algorithmia.Client

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkOrganizationsDestroyed(dev),
		Steps: []resource.TestStep{
			{
				Config: organizationConfig(dev, org, "Team", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("force_destroy"), knownvalue.Bool(false)),
				},
			},
			{
				PreConfig: func() {
					if _, err := dev.Admin.AddOrganizationMember(context.Background(), org, member.Name); err != nil {
						t.Fatal(err)
					}
					client = seedDataFor(t, dev, member.Name, org, "shared", "weights.bin", content)
				},
				Config:      providerOnly,
				ExpectError: regexp.MustCompile(`(?s)still owns.*data://` + org + `/shared.*force_destroy = true`),
			},
			{
				// A new name replaces the organization, which would delete its data too.
				Config:      organizationConfig(dev, org+"_v2", "Team", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)still owns data collections.*1 data collection, with their files: data://` + org + `/shared`),
			},
			{
				PreConfig: func() { checkDataSurvives(t, client, org, "shared", "weights.bin", content) },
				Config:    organizationConfig(dev, org, "Team", "force_destroy = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { checkDataSurvives(t, client, org, "shared", "weights.bin", content) },
				Config:    providerOnly,
				Check: func(*terraform.State) error {
					_, err := client.GetObject(context.Background(), algorithmia.DataPath{Owner: org, Collection: "shared", File: "weights.bin"})
					if !errors.Is(err, algorithmia.ErrNotFound) {
						return fmt.Errorf("data://%s/shared should be gone with the organization, got %w", org, err)
					}
					return nil
				},
			},
		},
	})
}
