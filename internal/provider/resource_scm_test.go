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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// scmConfig is one algorithmia_scm "test" with the given extra arguments.
func scmConfig(c *acctest.Cluster, id, web, extra string) string {
	return c.ProviderBlock("", nil, true) + fmt.Sprintf(`
resource "algorithmia_scm" "test" {
  id       = %q
  provider_type = "github"
  urls = {
    web = %q
    api = "%[2]s/api"
    ssh = "ssh://git@127.0.0.1"
  }
  oauth_client_id        = "client-1"
  oauth_client_secret_wo = "oauth-secret-never-stored"
  %s
}
`, id, web, extra)
}

// checkSCMOnCluster asserts the cluster's own answer for the SCM.
func checkSCMOnCluster(c *acctest.Cluster, id, web string, enabled, isDefault bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := c.Admin.GetSCM(context.Background(), id)
		if err != nil {
			return err
		}
		if s.Enabled != enabled || s.Default != isDefault || s.URLs == nil || s.URLs.Web != web || s.ClientID() != "client-1" {
			return fmt.Errorf("SCM %s on the cluster: %+v (urls %+v), want enabled=%t default=%t web=%s", id, s, s.URLs, enabled, isDefault, web)
		}
		return nil
	}
}

// scmsData lists the SCMs after algorithmia_scm.test is applied.
const scmsData = `
data "algorithmia_scms" "all" {
  depends_on = [algorithmia_scm.test]
}
`

// TestAccSCM_lifecycle creates, imports, changes, defaults and destroys an SCM
// configuration, and keeps the platform's rules at plan time. It has a cluster of its own
// because it moves the default SCM, which every algorithm created without a source uses.
func TestAccSCM_lifecycle(t *testing.T) {
	c := acctest.NewCluster(t, "scm", acctest.Options{})
	id := acctest.RandomName("gh")
	addr := "algorithmia_scm.test"
	web1, web2 := "https://github.example.test", "https://ghe.example.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy: func(*terraform.State) error {
			if _, err := c.Admin.GetSCM(context.Background(), id); !errors.Is(err, algorithmia.ErrNotFound) {
				return fmt.Errorf("SCM %s still on the cluster after destroy: %w", id, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: scmConfig(c, id, web1, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("default"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(web1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("oauth_client_secret_wo"), knownvalue.Null()),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkSCMOnCluster(c, id, web1, true, false),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           id,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"oauth_client_secret_wo"},
			},
			{
				// URLs change in place; default = true moves the cluster's default here, as the
				// data source reports.
				Config: scmConfig(c, id, web2, "default = true") + scmsData,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("default"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.algorithmia_scms.all", tfjsonpath.New("default_id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue("data.algorithmia_scms.all", tfjsonpath.New("scms"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id": knownvalue.StringExact("internal"), "provider_type": knownvalue.StringExact("internal"),
							"default": knownvalue.Bool(false), "urls": knownvalue.Null(),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(id), "provider_type": knownvalue.StringExact("github"), "name": knownvalue.StringExact(web1),
							"enabled": knownvalue.Bool(true), "default": knownvalue.Bool(true), "oauth_client_id": knownvalue.StringExact("client-1"),
							"urls": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"web": knownvalue.StringExact(web2), "api": knownvalue.StringExact(web2 + "/api"), "ssh": knownvalue.StringExact("ssh://git@127.0.0.1"),
							}),
						}),
					})),
				},
				Check: checkSCMOnCluster(c, id, web2, true, true),
			},
			{
				// The default SCM cannot be disabled: refused at plan time.
				Config:      scmConfig(c, id, web2, "default = true\n  enabled = false"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`The default SCM must be enabled`),
			},
			{
				// Nor without saying default: the platform refuses (4041) and explains.
				Config:      scmConfig(c, id, web2, "enabled = false"),
				ExpectError: regexp.MustCompile(`(?s)code 4041.*Make\s+another\s+SCM\s+the\s+default\s+first`),
			},
			{
				// Unmarking the default is not something the platform can do.
				PreConfig: func() {
					if err := checkSCMOnCluster(c, id, web2, true, true)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:      scmConfig(c, id, web2, "default = false"),
				ExpectError: regexp.MustCompile(`Cannot unmark the default SCM`),
			},
			{
				// Another SCM takes the mark; this one can then be disabled, and destroyed.
				PreConfig: func() {
					if err := c.Admin.SetDefaultSCM(context.Background(), algorithmia.SCMInternal); err != nil {
						t.Fatal(err)
					}
				},
				Config: scmConfig(c, id, web2, "enabled = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("default"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkSCMOnCluster(c, id, web2, false, false),
			},
			{
				// The destroy of an enabled SCM disables it first (the platform deletes only disabled ones).
				Config:           scmConfig(c, id, web2, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkSCMOnCluster(c, id, web2, true, false),
			},
		},
	})
}

// TestAccSCM_inUseIsNotDeleted: an SCM an algorithm was created on cannot be deleted (CONTRACT.md §11).
// The destroy fails with the platform's reason and leaves the SCM as it was (enabled), and a
// removed block lets Terraform forget it.
func TestAccSCM_inUseIsNotDeleted(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "scmuse")
	id := acctest.RandomName("gh")
	web := dev.URL + "/ext/" + id
	algo := acctest.RandomName("onscm")
	t.Cleanup(func() { _ = u.Client.DeleteAlgorithm(context.Background(), u.Name, algo) })

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:           scmConfig(dev, id, web, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() {
					ctx := context.Background()
					tok, err := dev.Local.ExternalToken(id, "octo_"+u.Name)
					if err != nil {
						t.Fatal(err)
					}
					if err := u.Client.ConnectSCMToken(ctx, id, tok); err != nil {
						t.Fatal(err)
					}
					if _, err := u.Client.CreateAlgorithm(ctx, u.Name, algorithmia.CreateAlgorithmRequest{
						Name: algo, Details: algorithmia.Details{Label: "On SCM"},
						Settings: algorithmia.CreateSettings{Language: "python3-1", Environment: "cpu", License: "apl",
							NetworkAccess: "full", SourceVisibility: "closed"},
						Source: &algorithmia.SourceCreate{SCM: id},
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      dev.ProviderBlock("", nil, true),
				ExpectError: regexp.MustCompile(`(?s)code 4043.*never\s+deletes\s+such\s+an\s+SCM`),
			},
			{
				Config: scmConfig(dev, id, web, ""),
				// The failed destroy changed nothing: still enabled on the cluster, nothing to plan.
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkSCMOnCluster(dev, id, web, true, false),
			},
			{
				Config: dev.ProviderBlock("", nil, true) + `
removed {
  from = algorithmia_scm.test
  lifecycle { destroy = false }
}
`,
				Check: checkSCMOnCluster(dev, id, web, true, false),
			},
		},
	})
}

// authorizationConfig connects u to scm with token (version v).
func authorizationConfig(c *acctest.Cluster, u *acctest.User, scm, token string, version int) string {
	return c.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_scm_authorization" "test" {
  scm_id           = %q
  token_wo         = %q
  token_wo_version = %d
}
`, scm, token, version)
}

// checkAuthorizedAs asserts the cluster's side: the user is authorized on scm as login.
func checkAuthorizedAs(u *acctest.User, scm, login string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		st, err := u.Client.SCMTokenStatus(context.Background(), scm)
		if err != nil {
			return err
		}
		if st.AuthorizationStatus != algorithmia.SCMAuthorized || st.SCMUsername != login {
			return fmt.Errorf("%s on %s: %+v, want authorized as %s", u.Name, scm, st, login)
		}
		return nil
	}
}

// TestAccSCMAuthorization_lifecycle connects a user with a token, imports the connection,
// rotates the token with token_wo_version, reconnects after a revoke outside Terraform, and
// revokes on destroy. The token is never in state.
func TestAccSCMAuthorization_lifecycle(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "scmauth")
	scm := seedSCM(t, dev, "gitlab", true)
	login, other := "dev_"+u.Name, "bot_"+u.Name
	tok1, tok2 := scm.Token(t, login), scm.Token(t, other)
	addr := "algorithmia_scm_authorization.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy: func(*terraform.State) error {
			st, err := u.Client.SCMTokenStatus(context.Background(), scm.ID)
			if err != nil || st.AuthorizationStatus != algorithmia.SCMUnauthorized {
				return fmt.Errorf("after destroy %s is %+v (%w), want unauthorized", u.Name, st, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: authorizationConfig(dev, u, scm.ID, tok1, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(scm.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("authorization_status"), knownvalue.StringExact("authorized")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scm_username"), knownvalue.StringExact(login)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_wo"), knownvalue.Null()),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkAuthorizedAs(u, scm.ID, login),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           scm.ID,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token_wo", "token_wo_version"},
			},
			{
				// A new token under a new version is sent in place.
				Config: authorizationConfig(dev, u, scm.ID, tok2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scm_username"), knownvalue.StringExact(other)),
				},
				Check: checkAuthorizedAs(u, scm.ID, other),
			},
			{
				// Revoked outside Terraform: planned again and connected with the configured token.
				PreConfig: func() {
					if err := u.Client.RevokeSCMAuthorization(context.Background(), scm.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: authorizationConfig(dev, u, scm.ID, tok2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkAuthorizedAs(u, scm.ID, other),
			},
		},
	})
}

// TestAccSCMAuthorization_badInput: a token the host does not know, a disabled SCM and an
// unknown SCM fail with a diagnostic that says so, never show the token, and authorize nothing.
func TestAccSCMAuthorization_badInput(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "scmbad")
	scm := seedSCM(t, dev, "github", true)
	disabled := seedSCM(t, dev, "github", false)
	const wrong = "ghp_not_a_token_of_this_host_0123456789"
	unauthorized := func(id string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			st, err := u.Client.SCMTokenStatus(context.Background(), id)
			if err != nil || st.AuthorizationStatus != algorithmia.SCMUnauthorized {
				return fmt.Errorf("%s on %s: %+v (%w), want unauthorized", u.Name, id, st, err)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:      authorizationConfig(dev, u, scm.ID, wrong, 1),
				ExpectError: regexp.MustCompile(`(?s)SCM ` + scm.ID + ` refused the token.*code 4081.*Nothing was authorized`),
			},
			{
				PreConfig: func() {
					if err := unauthorized(scm.ID)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:      authorizationConfig(dev, u, disabled.ID, scm.Token(t, "someone"), 1),
				ExpectError: regexp.MustCompile(`SCM ` + disabled.ID + ` is disabled`),
			},
			{
				Config:      authorizationConfig(dev, u, "no-such-scm", wrong, 1),
				ExpectError: regexp.MustCompile(`SCM no-such-scm not found`),
			},
		},
	})
}
