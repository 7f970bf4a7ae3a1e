package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// userConfig renders one user on an admin-only provider.
func userConfig(c *acctest.Cluster, username, email, extra string) string {
	return c.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_user" "test" {
  username = %q
  email    = %q
  %s
}
`, username, email, extra)
}

// checkUsersDestroyed asks the cluster that every user in state is gone.
func checkUsersDestroyed(c *acctest.Cluster) resource.TestCheckFunc {
	return checkDestroyed("algorithmia_user", "user", c.Name, func(ctx context.Context, a map[string]string) error {
		_, err := c.Admin.GetUser(ctx, a["username"])
		return err
	})
}

// checkUserOnCluster asserts what the cluster itself reports for a user.
func checkUserOnCluster(c *acctest.Cluster, username string, check func(*algorithmia.User) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		u, err := c.Admin.GetUser(context.Background(), username)
		if err != nil {
			return fmt.Errorf("user %s on %s: %w", username, c.Name, err)
		}
		return check(u)
	}
}

func TestAccUser_lifecycle(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("jane")
	email := name + "@example.com"
	addr := "algorithmia_user.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkUsersDestroyed(dev),
		Steps: []resource.TestStep{
			{
				Config: userConfig(dev, name, email, `fullname = "Jane Doe"
  company_name = "Acme"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_id"), knownvalue.StringRegexp(uuidRegexp)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("self_link"), knownvalue.StringExact(dev.URL+"/v1/users/"+name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_role"), knownvalue.Null()),
					sameID.AddStateValue(addr, tfjsonpath.New("user_id")),
					newID.AddStateValue(addr, tfjsonpath.New("user_id")),
				},
				Check: checkUserOnCluster(dev, name, func(u *algorithmia.User) error {
					if u.Email != email || u.Fullname != "Jane Doe" || u.CompanyName != "Acme" || u.CompanyRole != "" {
						return fmt.Errorf("cluster has %+v", *u)
					}
					return nil
				}),
			},
			{
				// Fullname and company fields change in place; removing company_name clears it.
				Config: userConfig(dev, name, email, `fullname = "Jane Q. Doe"
  company_role = "Platform engineer"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_name"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_role"), knownvalue.StringExact("Platform engineer")),
					sameID.AddStateValue(addr, tfjsonpath.New("user_id")),
				},
				Check: checkUserOnCluster(dev, name, func(u *algorithmia.User) error {
					if u.Fullname != "Jane Q. Doe" || u.CompanyName != "" || u.CompanyRole != "Platform engineer" {
						return fmt.Errorf("cluster has %+v after the update", *u)
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
				// The platform refuses to change an e-mail address (3008): a new one replaces the user.
				Config: userConfig(dev, name, "new."+email, `fullname = "Jane Q. Doe"
  company_role = "Platform engineer"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(addr, tfjsonpath.New("user_id")),
				},
				Check: checkUserOnCluster(dev, name, func(u *algorithmia.User) error {
					if u.Email != "new."+email {
						return fmt.Errorf("cluster has e-mail %q after the replace", u.Email)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: the plan creates it again. Without fullname the
				// platform uses the username.
				PreConfig: func() {
					if err := dev.Admin.DeleteUser(context.Background(), name); err != nil {
						t.Fatalf("delete outside Terraform: %v", err)
					}
				},
				Config: userConfig(dev, name, email, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fullname"), knownvalue.StringExact(name)),
				},
			},
		},
	})
}

func TestAccUser_existingAccountNamesImport(t *testing.T) {
	dev, _ := acctest.Shared(t)
	taken := dev.NewUser(t, "taken")
	other := acctest.RandomName("other")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkUsersDestroyed(dev),
		Steps: []resource.TestStep{
			{
				Config:      userConfig(dev, taken.Name, other+"@example.com", ""),
				ExpectError: regexp.MustCompile(`(?s)User already exists.*terraform import <resource address>\s+` + taken.Name),
			},
			{
				Config:      userConfig(dev, other, taken.Email, ""),
				ExpectError: regexp.MustCompile(`(?s)E-mail address already taken.*used by the user\s+` + taken.Name + `.*terraform import`),
			},
		},
	})
}

func TestAccUser_invalidInput(t *testing.T) {
	dev, _ := acctest.Shared(t)
	bad := userConfig(dev, "9-not_a_name_and_far_too_long_for_the_platform", "jane@localhost", `fullname = "`+strings.Repeat("x", 101)+`"`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: bad, ExpectError: regexp.MustCompile(`Invalid username`)},
			{Config: bad, ExpectError: regexp.MustCompile(`Invalid email`)},
			{Config: bad, ExpectError: regexp.MustCompile(`(?s)fullname.*length must be between 1 and 100`)},
		},
	})
}

func TestAccUser_wrongKeyKind(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "std")
	resourceBlock := fmt.Sprintf(`
resource "algorithmia_user" "test" {
  username = %q
  email    = "%s@example.com"
}
`, acctest.RandomName("nokey"), "nokey")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkUsersDestroyed(dev),
		Steps: []resource.TestStep{
			{
				// Only a standard key: the call is never made.
				Config:      dev.ProviderBlock("", u, false) + resourceBlock,
				ExpectError: regexp.MustCompile(`(?s)needs an admin API key.*admin_api_key`),
			},
			{
				// A standard key given as the admin key: the cluster refuses it.
				Config: fmt.Sprintf(`
provider "algorithmia" {
  api_address   = %q
  admin_api_key = %q
  max_retries   = 1
}
`, dev.URL, u.Key) + resourceBlock,
				ExpectError: regexp.MustCompile(`(?s)HTTP 403.*admin key where a standard key is needed`),
			},
		},
	})
}

func TestAccUser_ownerOfAlgorithmsIsNotDeleted(t *testing.T) {
	dev, _ := acctest.Shared(t)
	name := acctest.RandomName("owner")
	cfg := userConfig(dev, name, name+"@example.com", "")
	providerOnly := dev.ProviderBlock("", nil, true)
	var owner *algorithmia.Client

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkUsersDestroyed(dev),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// The user now owns an algorithm; destroying the user would delete it.
				PreConfig: func() {
					owner = seedAlgorithmFor(t, dev, name, "kept")
				},
				Config:      providerOnly,
				ExpectError: regexp.MustCompile(`(?s)still owns algorithms.*` + name + `/kept`),
			},
			{
				PreConfig: func() {
					if _, err := owner.GetAlgorithm(context.Background(), name, "kept"); err != nil {
						t.Fatalf("the algorithm must survive the refused destroy: %v", err)
					}
					if err := owner.DeleteAlgorithm(context.Background(), name, "kept"); err != nil {
						t.Fatalf("delete algorithm: %v", err)
					}
				},
				Config: providerOnly,
				Check: func(*terraform.State) error {
					if _, err := dev.Admin.GetUser(context.Background(), name); !errors.Is(err, algorithmia.ErrNotFound) {
						return fmt.Errorf("user %s should be deleted once it owns nothing, got %w", name, err)
					}
					return nil
				},
			},
		},
	})
}

// seedAlgorithmFor gives an existing user a management key through the admin API and
// creates an algorithm owned by them; it returns a client with that key.
func seedAlgorithmFor(t *testing.T, c *acctest.Cluster, username, algo string) *algorithmia.Client {
	t.Helper()
	ctx := context.Background()
	key := "sim" + strings.ReplaceAll(acctest.RandomName("k"), "_", "") + "abcdefgh"
	if _, err := c.Admin.CreateUserAPIKey(ctx, username, algorithmia.CreateAPIKeyRequest{
		KeyType: algorithmia.KeyTypeAlgorithm, APIKey: key,
		Permissions: &algorithmia.AuthPermissions{AllowAlgoManagement: true},
	}); err != nil {
		t.Fatalf("key for %s: %v", username, err)
	}
	client, err := algorithmia.New(algorithmia.Config{BaseURL: c.URL, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateAlgorithm(ctx, username, algorithmia.CreateAlgorithmRequest{
		Name:    algo,
		Details: algorithmia.Details{Label: "Seeded"},
		Settings: algorithmia.CreateSettings{Language: "python3-1", Environment: "cpu", License: "apl",
			NetworkAccess: "full", PipelineEnabled: true, SourceVisibility: "closed"},
	}); err != nil {
		t.Fatalf("algorithm %s/%s: %v", username, algo, err)
	}
	return client
}

// The platform's username and e-mail rules give exactly one diagnostic per bad value,
// whatever is wrong with it.
func TestUserValidators_oneDiagnosticPerValue(t *testing.T) {
	tests := []struct {
		name  string
		v     validator.String
		value string
		bad   bool
	}{
		{"username ok", usernameValidator(), "jane_doe2", false},
		{"username 30 chars", usernameValidator(), strings.Repeat("a", 30), false},
		{"username too long", usernameValidator(), strings.Repeat("a", 31), true},
		{"username bad start", usernameValidator(), "_jane", true},
		{"username too long and bad", usernameValidator(), "9" + strings.Repeat("-", 40), true},
		{"username empty", usernameValidator(), "", true},
		{"email ok", emailValidator(), "jane.doe+x@example.co.uk", false},
		{"email no tld", emailValidator(), "jane@localhost", true},
		{"email long tld", emailValidator(), "jane@example.abcdefg", true},
		{"email too long and bad", emailValidator(), strings.Repeat("a", 120), true},
		{"email 100 chars", emailValidator(), strings.Repeat("a", 88) + "@example.com", false},
		{"email 101 chars", emailValidator(), strings.Repeat("a", 89) + "@example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &validator.StringResponse{}
			tt.v.ValidateString(context.Background(), validator.StringRequest{
				Path: path.Root("username"), ConfigValue: types.StringValue(tt.value),
			}, resp)
			want := 0
			if tt.bad {
				want = 1
			}
			if got := resp.Diagnostics.ErrorsCount(); got != want {
				t.Fatalf("%q: %d diagnostics, want %d: %v", tt.value, got, want, resp.Diagnostics)
			}
		})
	}
}

// A refusal to delete an account names a few of its holdings and counts the rest.
func TestFewOf(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"b", "a"}, "a, b"},
		{[]string{"e", "d", "c", "b", "a"}, "a, b, c, d, e"},
		{[]string{"g", "f", "e", "d", "c", "b", "a"}, "a, b, c, d, e and 2 more"},
	} {
		if got := fewOf(c.names); got != c.want {
			t.Errorf("fewOf(%v) = %q, want %q", c.names, got, c.want)
		}
	}
	if got := countOf(1, "algorithm") + "; " + countOf(3, "data collection"); got != "1 algorithm; 3 data collections" {
		t.Errorf("countOf: %q", got)
	}
}
