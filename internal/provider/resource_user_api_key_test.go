package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// serviceAccountConfig is the admin side of the service-account pattern: an organization,
// a service user who is its member, and that user's promotion key.
func serviceAccountConfig(c *acctest.Cluster, org, svc, key string, version int, label string) string {
	return c.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_organization" "team" {
  org_name         = %[1]q
  org_label        = "Team"
  org_contact_name = "Ops"
  org_email        = "ops@example.com"
  # The test destroys the organization with the algorithm it owns.
  force_destroy = true
}

resource "algorithmia_user" "svc" {
  username = %[2]q
  email    = "%[2]s@example.com"
  fullname = "Promotion service account"
}

resource "algorithmia_organization_member" "svc" {
  org_name = algorithmia_organization.team.org_name
  username = algorithmia_user.svc.username
}

resource "algorithmia_user_api_key" "svc" {
  username = algorithmia_user.svc.username
  label    = %[5]q
  permissions = {
    allow_algo            = true
    allow_algo_management = true
    algo_acl              = ["algo://*"]
  }
  api_key_wo         = %[3]q
  api_key_wo_version = %[4]d
}
`, org, svc, key, version, label)
}

// orgAlgorithmConfig is the second configuration: the service user's key, on its own
// provider name (see provider_test.go), manages an algorithm owned by the organization.
func orgAlgorithmConfig(c *acctest.Cluster, u *acctest.User, org, label string) string {
	return c.NamedProviderBlock("algorithmiaprod", "", u, false) + fmt.Sprintf(`
resource "algorithmia_algorithm" "org" {
  provider = algorithmiaprod
  owner    = %q
  name     = "service"
  details = {
    label = %q
  }
  settings = {
    language = "python3-1"
  }
  deletion_protection = false
  depends_on          = [algorithmia_user_api_key.svc, algorithmia_organization_member.svc]
}
`, org, label)
}

// checkNoSecretInState fails if any attribute of any resource holds the key value.
func checkNoSecretInState(secrets ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				for _, secret := range secrets {
					if strings.Contains(v, secret) {
						return fmt.Errorf("%s.%s holds the API key value", addr, k)
					}
				}
			}
		}
		return nil
	}
}

// checkKeyWorks asserts that the cluster accepts key as svc's standard key.
func checkKeyWorks(c *acctest.Cluster, svc, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		client, err := algorithmia.New(algorithmia.Config{BaseURL: c.URL, APIKey: key})
		if err != nil {
			return err
		}
		if _, err := client.ListUserAlgorithms(context.Background(), svc); err != nil {
			return fmt.Errorf("the key of %s is not accepted: %w", svc, err)
		}
		return nil
	}
}

func TestAccUserAPIKey_serviceAccount(t *testing.T) {
	dev, _ := acctest.Shared(t)
	org := acctest.RandomName("team")
	svc := acctest.RandomName("svc")
	key1 := "sim" + strings.ReplaceAll(acctest.RandomName("one"), "_", "")
	key2 := "sim" + strings.ReplaceAll(acctest.RandomName("two"), "_", "")
	svcUser := &acctest.User{Name: svc, Key: key1}
	keyAddr := "algorithmia_user_api_key.svc"
	algoAddr := "algorithmia_algorithm.org"
	admin := serviceAccountConfig(dev, org, svc, key1, 1, "promotion")

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkUsersDestroyed(dev),
			checkOrganizationsDestroyed(dev),
		),
		Steps: []resource.TestStep{
			{
				Config: admin,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("api_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("api_key_mask"), knownvalue.StringExact("****"+key1[len(key1)-4:])),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringExact(svc+"/****"+key1[len(key1)-4:])),
					statecheck.ExpectKnownValue("algorithmia_organization_member.svc", tfjsonpath.New("role"), knownvalue.StringExact("owner")),
				},
				Check: resource.ComposeTestCheckFunc(checkNoSecretInState(key1), checkKeyWorks(dev, svc, key1)),
			},
			{
				// The second configuration: the service user's key creates an organization-owned algorithm.
				Config: admin + orgAlgorithmConfig(dev, svcUser, org, "Owned by the team"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(algoAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(algoAddr, tfjsonpath.New("id"), knownvalue.StringExact(org+"/service")),
				},
				Check: func(*terraform.State) error {
					a, err := dev.Admin.ListUserAlgorithms(context.Background(), org)
					if err != nil {
						return fmt.Errorf("list the algorithms of %s: %w", org, err)
					}
					if len(a) != 1 || a[0].AlgoName != "service" {
						return fmt.Errorf("organization %s should own exactly the algorithm service, owns %v", org, a)
					}
					return nil
				},
			},
			{
				// The key cannot be changed in place, and its value is still in use.
				Config:      serviceAccountConfig(dev, org, svc, key1, 1, "renamed") + orgAlgorithmConfig(dev, svcUser, org, "Owned by the team"),
				ExpectError: regexp.MustCompile(`(?s)A changed key needs a new value.*api_key_wo_version`),
			},
			{
				// Rotation: a new value and version add a new key; the old one still works,
				// because the platform has no API to delete keys.
				Config: serviceAccountConfig(dev, org, svc, key2, 2, "renamed") + orgAlgorithmConfig(dev, svcUser, org, "Owned by the team"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("label"), knownvalue.StringExact("renamed")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("api_key_wo"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					checkNoSecretInState(key1, key2),
					checkKeyWorks(dev, svc, key2),
					checkKeyWorks(dev, svc, key1),
				),
			},
		},
	})
}

func TestAccUserAPIKey_goneWithItsUser(t *testing.T) {
	dev, _ := acctest.Shared(t)
	svc := acctest.RandomName("svc")
	key := "sim" + strings.ReplaceAll(acctest.RandomName("k"), "_", "")
	cfg := dev.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_user" "svc" {
  username = %[1]q
  email    = "%[1]s@example.com"
}

resource "algorithmia_user_api_key" "svc" {
  username    = algorithmia_user.svc.username
  permissions = {}
  api_key_wo  = %[2]q
}
`, svc, key)

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkUsersDestroyed(dev),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("algorithmia_user_api_key.svc", tfjsonpath.New("permissions").AtMapKey("allow_algo_management"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("algorithmia_user_api_key.svc", tfjsonpath.New("permissions").AtMapKey("algo_acl"), knownvalue.ListSizeExact(0)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// The user (and with it the key) is deleted outside Terraform: both are planned again.
				PreConfig: func() {
					if err := dev.Admin.DeleteUser(context.Background(), svc); err != nil {
						t.Fatalf("delete outside Terraform: %v", err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("algorithmia_user.svc", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("algorithmia_user_api_key.svc", plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkKeyWorks(dev, svc, key),
			},
		},
	})
}

// checkOrganizationsDestroyed asks the cluster that every organization in state is gone.
func checkOrganizationsDestroyed(c *acctest.Cluster) resource.TestCheckFunc {
	return checkDestroyed("algorithmia_organization", "organization", c.Name, func(ctx context.Context, a map[string]string) error {
		_, err := c.Admin.GetOrganization(ctx, a["org_name"])
		return err
	})
}

// TestAccUserAPIKey_sensitiveValueForOlderCLIs covers api_key, the stored alternative to
// api_key_wo for Terraform CLIs without write-only arguments.
func TestAccUserAPIKey_sensitiveValueForOlderCLIs(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("old")
	value := "sim" + strings.Repeat("7", 24)
	cfg := func(v string) string {
		return dev.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_user" "u" {
  username = %[1]q
  email    = "%[1]s@example.io"
  fullname = "Old CLI"
}

resource "algorithmia_user_api_key" "k" {
  username = algorithmia_user.u.username
  api_key  = %[2]q
  permissions = { allow_algo_management = true }
}
`, name, v)
	}
	works := func(key string) func(*terraform.State) error {
		return func(*terraform.State) error {
			c, err := algorithmia.New(algorithmia.Config{BaseURL: dev.URL, APIKey: key})
			if err != nil {
				return err
			}
			if _, err := c.ListUserAlgorithms(context.Background(), name); err != nil {
				return fmt.Errorf("the key set through api_key does not work: %w", err)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: dev.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_user_api_key" "k" {
  username = %q
  permissions = { allow_algo_management = true }
}`, name),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config: cfg(value),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: works(value),
			},
			{
				// A new value adds a new key.
				Config: cfg(value + "8"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("algorithmia_user_api_key.k", plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: works(value + "8"),
			},
		},
	})
}
