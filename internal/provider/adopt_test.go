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

// These tests make an object on the cluster through the API first, then apply a
// configuration that creates it: without adopt_existing the apply fails and names the import
// command and the setting; with it the object is adopted and changed to match.

// withAdoptExisting sets adopt_existing in every provider block acctest rendered.
func withAdoptExisting(config string, on bool) string {
	return strings.ReplaceAll(config, "  max_retries   = 1\n}", fmt.Sprintf("  max_retries   = 1\n  adopt_existing = %t\n}", on))
}

// expectAlreadyExists matches the "already exists" error for the object importID.
func expectAlreadyExists(importID string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)already\s+exists.*terraform\s+import\s+<resource\s+address>\s+` + regexp.QuoteMeta(importID) +
		`.*adopt_existing\s+=\s+true`)
}

// adoptedAndEmpty are the plan checks of an adopting step: a create, then an empty plan.
func adoptedAndEmpty(addr string) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

func TestAccAlgorithm_adoptExisting(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("handmade")
	made := u.CreateAlgorithm(t, name, algorithmia.Details{Label: "Made outside Terraform"})
	config := algorithmConfig(dev, u, name, "Mine", "mit")
	addr := "algorithmia_algorithm.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkAlgorithmDestroyed(u),
		Steps: []resource.TestStep{
			{Config: withAdoptExisting(config, false), ExpectError: expectAlreadyExists(u.Name + "/" + name)},
			{
				Config:           withAdoptExisting(config, true),
				ConfigPlanChecks: adoptedAndEmpty(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm_id"), knownvalue.StringExact(made.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("details").AtMapKey("label"), knownvalue.StringExact("Mine")),
				},
				Check: checkAlgorithmOnCluster(u, u.Name, name, func(a *algorithmia.Algorithm) error {
					if a.ID != made.ID || a.Details.Label != "Mine" || a.Details.Tagline != "made by an acceptance test" ||
						a.Settings.License != "mit" || a.Settings.SourceVisibility != "open" {
						return fmt.Errorf("the cluster has %+v %+v; want the same algorithm (%s) converged to the configuration", a.Details, a.Settings, made.ID)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAlgorithm_adoptExistingRefusesAnotherLanguage(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("handmade")
	if _, err := u.Client.CreateAlgorithm(context.Background(), u.Name, algorithmia.CreateAlgorithmRequest{
		Name: name, Details: algorithmia.Details{Label: "Ruby"},
		Settings: algorithmia.CreateSettings{Language: "ruby", Environment: "cpu", License: "apl", NetworkAccess: "full",
			PipelineEnabled: true, SourceVisibility: "closed"},
	}); err != nil {
		t.Fatalf("seed algorithm: %v", err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      withAdoptExisting(algorithmConfig(dev, u, name, "Mine", "apl"), true),
			ExpectError: regexp.MustCompile(`(?s)Cannot adopt algorithm.*language is "ruby"`),
		}},
	})
}

func TestAccUser_adoptExisting(t *testing.T) {
	dev, _ := acctest.Shared(t)
	username := acctest.RandomName("handmade")
	email := username + "@example.com"
	made, err := dev.Admin.CreateUser(context.Background(), algorithmia.CreateUserRequest{
		Username: username, Email: email, Fullname: "Old Name", CompanyRole: "intern",
	})
	if err != nil {
		t.Fatalf("seed user: %v", err)
	}
	config := userConfig(dev, username, email, `fullname = "Jane Doe"
  company_name = "Acme"`)
	addr := "algorithmia_user.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkUsersDestroyed(dev),
		Steps: []resource.TestStep{
			{Config: withAdoptExisting(config, false), ExpectError: expectAlreadyExists(username)},
			{
				// The platform cannot change an e-mail address, so a user with another one is not adopted.
				Config:      withAdoptExisting(userConfig(dev, username, "other_"+email, ""), true),
				ExpectError: regexp.MustCompile(`(?s)Cannot adopt user.*` + regexp.QuoteMeta(email)),
			},
			{
				Config:           withAdoptExisting(config, true),
				ConfigPlanChecks: adoptedAndEmpty(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_id"), knownvalue.StringExact(made.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_role"), knownvalue.Null()),
				},
				Check: checkUserOnCluster(dev, username, func(u *algorithmia.User) error {
					if u.ID != made.ID || u.Fullname != "Jane Doe" || u.CompanyName != "Acme" || u.CompanyRole != "" {
						return fmt.Errorf("the cluster has %+v; want user %s converged to the configuration", *u, made.ID)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccOrganization_adoptExisting(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("handmade")
	dev.NewOrganization(t, name)
	made, err := dev.Admin.GetOrganization(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	config := organizationConfig(dev, name, "Team", `org_url = "https://example.com"`)
	addr := "algorithmia_organization.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkOrganizationsDestroyed(dev),
		Steps: []resource.TestStep{
			{Config: withAdoptExisting(config, false), ExpectError: expectAlreadyExists(name)},
			{
				Config:           withAdoptExisting(config, true),
				ConfigPlanChecks: adoptedAndEmpty(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("org_id"), knownvalue.StringExact(made.ID)),
				},
				Check: checkOrganizationOnCluster(dev, name, func(o *algorithmia.Organization, typeNames map[string]string) error {
					if o.ID != made.ID || o.OrgLabel != "Team" || o.OrgContactName != "Jane Doe" || o.OrgEmail != "team@example.com" ||
						o.OrgURL != "https://example.com" || typeNames[o.TypeID] != "basic" {
						return fmt.Errorf("the cluster has %+v; want organization %s converged to the configuration", *o, made.ID)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccOrganizationMember_adoptExisting(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "member")
	org := acctest.RandomName("handmade")
	dev.NewOrganization(t, org, u)
	config := dev.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_organization_member" "test" {
  org_name = %q
  username = %q
}
`, org, u.Name)
	addr := "algorithmia_organization_member.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: withAdoptExisting(config, false), ExpectError: expectAlreadyExists(org + "/" + u.Name)},
			{
				Config:           withAdoptExisting(config, true),
				ConfigPlanChecks: adoptedAndEmpty(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("owner")),
				},
				Check: func(*terraform.State) error {
					members, err := dev.Admin.ListAllOrganizationMembers(context.Background(), org)
					if err != nil {
						return err
					}
					if len(members) != 1 || members[0].Username != u.Name || members[0].Role != "owner" {
						return fmt.Errorf("members of %s: %+v; want %s alone, still owner", org, members, u.Name)
					}
					return nil
				},
			},
		},
	})
}

func TestAccDataCollection_adoptExisting(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	name := newCollection(t, u, "handmade")
	putText(t, u, "data://"+u.Name+"/"+name+"/kept.txt", "kept")
	config := collectionConfig(dev, u, name, `read_acl = "public"
  force_destroy = true`)
	addr := "algorithmia_data_collection.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkCollectionsDestroyed(u),
		Steps: []resource.TestStep{
			{Config: withAdoptExisting(config, false), ExpectError: expectAlreadyExists("data://" + u.Name + "/" + name)},
			{
				Config:           withAdoptExisting(config, true),
				ConfigPlanChecks: adoptedAndEmpty(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_acl"), knownvalue.StringExact("public")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkCollectionACL(u, name, "user://*"),
					checkRemoteSHA256(u, "data://"+u.Name+"/"+name+"/kept.txt", sha256Of([]byte("kept"))),
				),
			},
		},
	})
}

func TestAccDataObject_adoptExisting(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	coll := newCollection(t, u, "files")
	same := "data://" + u.Name + "/" + coll + "/same.txt"
	changed := "data://" + u.Name + "/" + coll + "/changed.txt"
	putText(t, u, same, "same bytes")
	putText(t, u, changed, "made by hand")
	config := dev.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_data_object" "same" {
  path    = %q
  content = "same bytes"
}

resource "algorithmia_data_object" "changed" {
  path    = %q
  content = "from the configuration"
}
`, same, changed)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkObjectsDestroyed(u),
		Steps: []resource.TestStep{
			{Config: withAdoptExisting(config, false), ExpectError: expectAlreadyExists(changed)},
			{
				Config: withAdoptExisting(config, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("algorithmia_data_object.same", tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of([]byte("same bytes")))),
					statecheck.ExpectKnownValue("algorithmia_data_object.changed", tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of([]byte("from the configuration")))),
				},
				Check: resource.ComposeTestCheckFunc(
					checkRemoteSHA256(u, same, sha256Of([]byte("same bytes"))),
					checkRemoteSHA256(u, changed, sha256Of([]byte("from the configuration"))),
				),
			},
		},
	})
}

func TestAccUserAPIKey_adoptsAKeyItsValueProves(t *testing.T) {
	dev, _ := acctest.Shared(t)
	owner := dev.NewUser(t, "svc")
	other := dev.NewUser(t, "other")
	config := func(username, key string) string {
		return dev.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_user_api_key" "test" {
  username = %q
  label    = "acceptance-tests"
  permissions = {
    allow_algo            = true
    allow_algo_management = true
    allow_data            = true
    allow_data_write      = true
    algo_acl              = ["algo://*"]
  }
  api_key_wo         = %q
  api_key_wo_version = 1
}
`, username, key)
	}
	addr := "algorithmia_user_api_key.test"
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// The harness already added this value as other's key: it proves nothing about owner.
				Config:      withAdoptExisting(config(owner.Name, other.Key), true),
				ExpectError: regexp.MustCompile(`(?s)API key value belongs to another account.*` + other.Name),
			},
			{
				// The cluster's admin key is in use, but not as a standard key of owner.
				Config:      withAdoptExisting(config(owner.Name, dev.AdminKey), true),
				ExpectError: regexp.MustCompile(`(?s)API key value already in use.*not\s+valid\s+for\s+this\s+user`),
			},
			{
				// The harness already added this value as owner's key: adopted without adopt_existing.
				Config:           withAdoptExisting(config(owner.Name, owner.Key), false),
				ConfigPlanChecks: adoptedAndEmpty(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("api_key_mask"), knownvalue.StringExact(shortKeyMask(algorithmia.MaskAPIKey(owner.Key)))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(owner.Name+"/"+shortKeyMask(algorithmia.MaskAPIKey(owner.Key)))),
				},
				Check: resource.ComposeTestCheckFunc(checkNoSecretInState(owner.Key), checkKeyWorks(dev, owner.Name, owner.Key)),
			},
		},
	})
}

func TestAccProvider_adoptExistingFromEnvironment(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("handmade")
	dev.NewOrganization(t, name)
	config := organizationConfig(dev, name, "Team", "")
	t.Setenv(envAdopt, "maybe")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkOrganizationsDestroyed(dev),
		Steps: []resource.TestStep{
			{Config: config, ExpectError: regexp.MustCompile(`Invalid ` + envAdopt)},
			{
				PreConfig:        func() { t.Setenv(envAdopt, "true") },
				Config:           config,
				ConfigPlanChecks: adoptedAndEmpty("algorithmia_organization.test"),
				Check: checkOrganizationOnCluster(dev, name, func(o *algorithmia.Organization, _ map[string]string) error {
					if o.OrgLabel != "Team" {
						return fmt.Errorf("label %q; want the adopted organization's label changed to Team", o.OrgLabel)
					}
					return nil
				}),
			},
			{
				// The argument wins over the environment.
				PreConfig: func() { t.Setenv(envAdopt, "true") },
				Config: withAdoptExisting(organizationConfig(dev, name, "Team", ""), false) + `
resource "algorithmia_organization" "again" {
  org_name         = algorithmia_organization.test.org_name
  org_label        = "Team"
  org_contact_name = "Jane Doe"
  org_email        = "team@example.com"
}
`,
				ExpectError: expectAlreadyExists(name),
			},
		},
	})
}
