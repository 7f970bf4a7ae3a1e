package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
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

// seedAlgorithm creates a python3-1 algorithm of u outside Terraform and returns its id.
func seedAlgorithm(t *testing.T, u *acctest.User, name string) string {
	t.Helper()
	a, err := u.Client.CreateAlgorithm(context.Background(), u.Name, algorithmia.CreateAlgorithmRequest{
		Name: name, Details: algorithmia.Details{Label: "Secrets test"},
		Settings: algorithmia.CreateSettings{Language: "python3-1", Environment: "cpu", License: "apl",
			NetworkAccess: "full", SourceVisibility: "closed"},
	})
	if err != nil {
		t.Fatalf("seed algorithm %s: %v", name, err)
	}
	return a.ID
}

func algorithmSecretConfig(c *acctest.Cluster, u *acctest.User, algo, short, description, value string, version int) string {
	return c.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_algorithm_secret" "test" {
  owner                   = %q
  name                    = %q
  short_name              = %q
  description             = %q
  secret_value_wo         = %q
  secret_value_wo_version = %d
}
`, u.Name, algo, short, description, value, version)
}

// checkSecretValue asks the cluster's store (no route returns a value) for the secret's value.
func checkSecretValue(c *acctest.Cluster, owner, algo, short, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := c.Local.SecretValue(owner, algo, short)
		if !ok {
			return fmt.Errorf("the cluster has no secret %s of %s/%s", short, owner, algo)
		}
		if got != want {
			return fmt.Errorf("the cluster holds another value for %s of %s/%s than the one configured", short, owner, algo)
		}
		return nil
	}
}

// checkSecretsDestroyed asks the cluster that no secret in state still exists.
func checkSecretsDestroyed(u *acctest.User) resource.TestCheckFunc {
	return checkDestroyed("algorithmia_algorithm_secret", "secret", "the cluster", func(ctx context.Context, a map[string]string) error {
		_, err := u.Client.GetAlgorithmSecret(ctx, a["algorithm_id"], a["secret_id"])
		return err
	})
}

func TestAccAlgorithmSecret_lifecycle(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "sec")
	algo := acctest.RandomName("secret")
	algoID := seedAlgorithm(t, u, algo)
	addr := "algorithmia_algorithm_secret.test"
	v1, v2 := "first/"+acctest.RandomName("v"), "second+"+acctest.RandomName("v")
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	provider, err := u.Client.DefaultSecretProvider(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkSecretsDestroyed(u),
		Steps: []resource.TestStep{
			{
				Config: algorithmSecretConfig(dev, u, algo, "DB_PASSWORD", "database", v1, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(u.Name+"/"+algo+"/DB_PASSWORD")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_value_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_key"), knownvalue.StringExact("DB_PASSWORD")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_provider_id"), knownvalue.StringExact(provider.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm_id"), knownvalue.StringExact(algoID)),
					sameSecret.AddStateValue(addr, tfjsonpath.New("secret_id")),
				},
				Check: resource.ComposeTestCheckFunc(checkSecretValue(dev, u.Name, algo, "DB_PASSWORD", v1), checkNoSecretInState(v1)),
			},
			{
				// Rotation: a new version sends the new value, in place.
				Config: algorithmSecretConfig(dev, u, algo, "DB_PASSWORD", "database", v2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameSecret.AddStateValue(addr, tfjsonpath.New("secret_id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_value_wo_version"), knownvalue.Int64Exact(2)),
				},
				Check: resource.ComposeTestCheckFunc(checkSecretValue(dev, u.Name, algo, "DB_PASSWORD", v2), checkNoSecretInState(v1, v2)),
			},
			{
				// A new value without a new version is not sent: Terraform cannot see it.
				Config: algorithmSecretConfig(dev, u, algo, "DB_PASSWORD", "database", v1, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkSecretValue(dev, u.Name, algo, "DB_PASSWORD", v2),
			},
			{
				// Drift: the description changed through the API shows as an update, and apply
				// repairs it without sending the value.
				PreConfig: func() {
					s, err := u.Client.FindAlgorithmSecret(context.Background(), algoID, "DB_PASSWORD")
					if err != nil {
						t.Fatal(err)
					}
					if _, err := u.Client.UpdateAlgorithmSecret(context.Background(), algoID, s.ID, algorithmia.UpdateAlgorithmSecretRequest{
						ShortName: s.ShortName, SecretKey: s.SecretKey, Description: "changed by hand",
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: algorithmSecretConfig(dev, u, algo, "DB_PASSWORD", "database", v2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("database")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					checkSecretValue(dev, u.Name, algo, "DB_PASSWORD", v2),
					func(*terraform.State) error {
						s, err := u.Client.FindAlgorithmSecret(context.Background(), algoID, "DB_PASSWORD")
						if err != nil {
							return err
						}
						if s.Description != "database" {
							return fmt.Errorf("description on the cluster is %q after apply, want %q", s.Description, "database")
						}
						return nil
					},
				),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           u.Name + "/" + algo + "/DB_PASSWORD",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_value_wo", "secret_value_wo_version"},
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: u.Name + "/" + algo,
				ExpectError:   regexp.MustCompile(`Expected owner/name/short_name`),
			},
			{
				// Deleted outside Terraform: planned again, and created with the configured value.
				PreConfig: func() {
					s, err := u.Client.FindAlgorithmSecret(context.Background(), algoID, "DB_PASSWORD")
					if err != nil {
						t.Fatal(err)
					}
					if err := u.Client.DeleteAlgorithmSecret(context.Background(), algoID, s.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: algorithmSecretConfig(dev, u, algo, "DB_PASSWORD", "database", v2, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkSecretValue(dev, u.Name, algo, "DB_PASSWORD", v2),
			},
		},
	})
	// Destroy deleted the secret and left the algorithm alone.
	if _, ok := dev.Local.SecretValue(u.Name, algo, "DB_PASSWORD"); ok {
		t.Fatal("destroy left the secret on the cluster")
	}
	if _, err := u.Client.GetAlgorithm(context.Background(), u.Name, algo); err != nil {
		t.Fatalf("destroying a secret must keep its algorithm: %v", err)
	}
}

// TestAccAlgorithmSecret_existingNeedsImportOrAdopt: a secret of that name made outside
// Terraform is not taken over silently.
func TestAccAlgorithmSecret_existingNeedsImportOrAdopt(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "sec")
	algo := acctest.RandomName("secret")
	algoID := seedAlgorithm(t, u, algo)
	if _, err := u.Client.CreateAlgorithmSecret(context.Background(), algoID, algorithmia.CreateAlgorithmSecretRequest{
		ShortName: "TOKEN", SecretKey: "TOKEN", SecretValue: "made-by-hand",
	}); err != nil {
		t.Fatal(err)
	}
	cfg := algorithmSecretConfig(dev, u, algo, "TOKEN", "", "from-terraform", 1)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkSecretsDestroyed(u),
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Algorithm secret already exists.*terraform import.*` + u.Name + `/` + algo + `/TOKEN`),
			},
			{
				PreConfig: func() {
					if v, _ := dev.Local.SecretValue(u.Name, algo, "TOKEN"); v != "made-by-hand" {
						t.Fatal("the refused create changed the existing secret")
					}
				},
				Config: strings.Replace(cfg, "provider \"algorithmia\" {", "provider \"algorithmia\" {\n  adopt_existing = true", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkSecretValue(dev, u.Name, algo, "TOKEN", "from-terraform"),
			},
		},
	})
}

// TestCLI_algorithmSecretValueNeverStored creates and rotates a secret with the real CLI
// the way a pipeline does (saved plans, their JSON, TRACE logs) and searches everything
// Terraform printed or wrote for the values.
func TestCLI_algorithmSecretValueNeverStored(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	acctest.SkipUnless(t, acctest.EphemeralValues, acctest.WriteOnlyArguments)
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "sec")
	algo := acctest.RandomName("secret")
	seedAlgorithm(t, u, algo)
	cfg := dev.ProviderBlock("", u, false) + fmt.Sprintf(`
variable "secret_value" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "secret_version" {
  type = number
}

resource "algorithmia_algorithm_secret" "test" {
  owner                   = %q
  name                    = %q
  short_name              = "API_TOKEN"
  secret_value_wo         = var.secret_value
  secret_value_wo_version = var.secret_version
}
`, u.Name, algo)
	w := acctest.NewWorkdir(t, cfg)
	values := []string{symbolKey("one"), symbolKey("two")}
	texts := map[string]string{}
	for i, v := range values {
		w.Setenv("TF_VAR_secret_value", v)
		w.Setenv("TF_VAR_secret_version", fmt.Sprint(i+1))
		for k, text := range secretRun(t, w, fmt.Sprintf("secret-%d", i+1)) {
			texts[k] = text
		}
		if got, _ := dev.Local.SecretValue(u.Name, algo, "API_TOKEN"); got != v {
			t.Fatalf("after apply %d the cluster does not hold value %d", i+1, i+1)
		}
	}
	hits := 0
	for i, v := range values {
		for form, s := range keyForms(v) {
			for where, text := range texts {
				if strings.Contains(text, s) {
					hits++
					t.Errorf("value %d (%s) found in %s", i+1, form, where)
				}
			}
		}
	}
	if hits > 0 {
		t.Fatalf("%d leaks of secret values", hits)
	}
	w.MustRun(t, "destroy", "-auto-approve", "-input=false")
	if _, ok := dev.Local.SecretValue(u.Name, algo, "API_TOKEN"); ok {
		t.Fatal("destroy left the secret on the cluster")
	}
}

// failAfterActing returns a view of c whose first request matching match is served by the
// cluster and then answered with a 500 envelope, as a platform whose secret store timed out
// after storing would.
func failAfterActing(t *testing.T, c *acctest.Cluster, match func(*http.Request) bool) (*acctest.Cluster, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	handler := c.Local.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !match(r) || hits.Add(1) > 1 {
			handler.ServeHTTP(w, r)
			return
		}
		handler.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":8009,"message":"secret provider timed out"}}`))
	}))
	t.Cleanup(srv.Close)
	view := *c
	view.URL = srv.URL
	return &view, &hits
}

// TestAccAlgorithmSecret_createWithoutAnswer: the cluster creates the secret but the answer
// is lost, or is a 500. The apply adopts what it created (no duplicate, no "already exists"
// error), and the next plan is empty.
func TestAccAlgorithmSecret_createWithoutAnswer(t *testing.T) {
	t.Parallel()
	dev, _ := acctest.Shared(t)
	isCreate := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/secrets")
	}
	for _, tc := range []struct {
		name string
		view func(t *testing.T) (*acctest.Cluster, *atomic.Int32)
	}{
		{"connection closed", func(t *testing.T) (*acctest.Cluster, *atomic.Int32) {
			var dropped atomic.Int32
			return acctest.DropResponses(t, dev, func(r *http.Request) bool {
				return isCreate(r) && dropped.Add(1) == 1
			}), &dropped
		}},
		{"500 after acting", func(t *testing.T) (*acctest.Cluster, *atomic.Int32) { return failAfterActing(t, dev, isCreate) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := dev.NewUser(t, "sec")
			algo := acctest.RandomName("secret")
			algoID := seedAlgorithm(t, u, algo)
			lossy, hits := tc.view(t)
			addr := "algorithmia_algorithm_secret.test"
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
				ProtoV6ProviderFactories: testAccProviders,
				CheckDestroy:             checkSecretsDestroyed(u),
				Steps: []resource.TestStep{{
					Config: algorithmSecretConfig(lossy, u, algo, "TOKEN", "lost answer", "value-1", 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("lost answer")),
					},
					Check: resource.ComposeTestCheckFunc(
						checkSecretValue(dev, u.Name, algo, "TOKEN", "value-1"),
						func(*terraform.State) error {
							if hits.Load() < 1 {
								return errors.New("the create's answer was not spoiled")
							}
							list, err := u.Client.ListAlgorithmSecrets(context.Background(), algoID)
							if err != nil {
								return err
							}
							if len(list) != 1 {
								return fmt.Errorf("want exactly one secret on the cluster, got %d", len(list))
							}
							return nil
						},
					),
				}},
			})
		})
	}
}
