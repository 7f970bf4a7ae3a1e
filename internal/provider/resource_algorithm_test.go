package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

// algorithmConfig renders one algorithm on the default provider.
func algorithmConfig(c *acctest.Cluster, u *acctest.User, name, label, license string) string {
	return c.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_algorithm" "test" {
  owner = %[1]q
  name  = %[2]q
  details = {
    label   = %[3]q
    tagline = "made by an acceptance test"
  }
  settings = {
    language          = "python3-1"
    license           = %[4]q
    source_visibility = "open"
  }
  deletion_protection = false
}
`, u.Name, name, label, license)
}

// checkAlgorithmDestroyed asks the cluster that every algorithm in state is gone.
func checkAlgorithmDestroyed(u *acctest.User) resource.TestCheckFunc {
	return checkDestroyed("algorithmia_algorithm", "algorithm", "the cluster", func(ctx context.Context, a map[string]string) error {
		_, err := u.Client.GetAlgorithm(ctx, a["owner"], a["name"])
		return err
	})
}

// checkAlgorithmOnCluster asserts what the cluster itself reports for owner/name.
func checkAlgorithmOnCluster(u *acctest.User, owner, name string, check func(*algorithmia.Algorithm) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := u.Client.GetAlgorithm(context.Background(), owner, name)
		if err != nil {
			return fmt.Errorf("algorithm %s/%s on the cluster: %w", owner, name, err)
		}
		return check(a)
	}
}

func TestAccAlgorithm_lifecycle(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("hello")
	renamed := name + "_v2"
	addr := "algorithmia_algorithm.test"
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkAlgorithmDestroyed(u),
		Steps: []resource.TestStep{
			{
				Config: algorithmConfig(dev, u, name, "Hello", "apl"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(u.Name+"/"+name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("git_url"), knownvalue.StringExact(dev.URL+"/git/"+u.Name+"/"+name+".git")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm_id"), knownvalue.StringRegexp(uuidRegexp)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("settings").AtMapKey("environment"), knownvalue.StringExact("cpu")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("settings").AtMapKey("algorithm_callability"), knownvalue.StringExact("private")),
					sameID.AddStateValue(addr, tfjsonpath.New("algorithm_id")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkAlgorithmOnCluster(u, u.Name, name, func(a *algorithmia.Algorithm) error {
						if a.Details.Label != "Hello" || a.Settings.Language != "python3-1" || a.Settings.License != "apl" {
							return fmt.Errorf("cluster has label %q, language %q, license %q", a.Details.Label, a.Settings.Language, a.Settings.License)
						}
						return nil
					}),
					checkRepositoryHasTemplate(dev, u, name),
				),
			},
			{
				// Label and license change in place: the same algorithm (same UUID) is updated.
				Config: algorithmConfig(dev, u, name, "Hello, world", "mit"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("settings").AtMapKey("license"), knownvalue.StringExact("mit")),
					sameID.AddStateValue(addr, tfjsonpath.New("algorithm_id")),
				},
				Check: checkAlgorithmOnCluster(u, u.Name, name, func(a *algorithmia.Algorithm) error {
					if a.Details.Label != "Hello, world" || a.Settings.License != "mit" {
						return fmt.Errorf("cluster has label %q, license %q after update", a.Details.Label, a.Settings.License)
					}
					return nil
				}),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     u.Name + "/" + name,
				ImportStateVerify: true,
				// Deletion protection lives only in Terraform; an import starts protected.
				ImportStateVerifyIgnore: []string{"deletion_protection"},
			},
			{
				// A new name is a new algorithm: replace.
				Config: algorithmConfig(dev, u, renamed, "Hello, world", "mit"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					checkAlgorithmOnCluster(u, u.Name, renamed, func(*algorithmia.Algorithm) error { return nil }),
					func(*terraform.State) error {
						if _, err := u.Client.GetAlgorithm(context.Background(), u.Name, name); !errors.Is(err, algorithmia.ErrNotFound) {
							return fmt.Errorf("old algorithm %s should be gone after the replace, got %w", name, err)
						}
						return nil
					},
				),
			},
		},
	})
}

// checkRepositoryHasTemplate asserts that the algorithm's Git repository exists and that
// master is the commit of the latest build or the template commit.
func checkRepositoryHasTemplate(c *acctest.Cluster, u *acctest.User, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		head, err := promote.Head(context.Background(), promote.Remote{
			URL:  c.URL + "/git/" + u.Name + "/" + name + ".git",
			Auth: &promote.Credentials{Username: u.Name, Password: u.Key},
		}, "master")
		if err != nil {
			return fmt.Errorf("read master of %s: %w", name, err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(head) {
			return fmt.Errorf("master of %s is %q, want a commit SHA", name, head)
		}
		return nil
	}
}

func TestAccAlgorithm_driftIsRepaired(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("drift")
	addr := "algorithmia_algorithm.test"
	cfg := algorithmConfig(dev, u, name, "Drift", "apl")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkAlgorithmDestroyed(u),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// Someone changes the label and network access through the API.
				PreConfig: func() {
					ctx := context.Background()
					a, err := u.Client.GetAlgorithm(ctx, u.Name, name)
					if err != nil {
						t.Fatalf("get: %v", err)
					}
					settings := a.Settings.UpdateSettings()
					settings.NetworkAccess = "isolated"
					if _, err := u.Client.UpdateAlgorithm(ctx, u.Name, name, algorithmia.UpdateAlgorithmRequest{
						Details:  algorithmia.Details{Label: "Changed by hand", Tagline: a.Details.Tagline, Summary: a.Details.Summary},
						Settings: settings,
					}); err != nil {
						t.Fatalf("change outside Terraform: %v", err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("details").AtMapKey("label"), knownvalue.StringExact("Drift")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("settings").AtMapKey("network_access"), knownvalue.StringExact("full")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkAlgorithmOnCluster(u, u.Name, name, func(a *algorithmia.Algorithm) error {
					if a.Details.Label != "Drift" || a.Settings.NetworkAccess != "full" {
						return fmt.Errorf("drift not repaired: label %q, network_access %q", a.Details.Label, a.Settings.NetworkAccess)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := u.Client.DeleteAlgorithm(context.Background(), u.Name, name); err != nil {
						t.Fatalf("delete outside Terraform: %v", err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccAlgorithm_twoClustersWithEnvironments(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du := dev.NewUser(t, "acme")
	pu := prod.NewUser(t, "acme")
	name := acctest.RandomName("env")
	cfg := dev.ProviderBlock("", du, false) + prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + fmt.Sprintf(`
data "algorithmia_environment" "dev" {
  language     = "python3"
  display_name = "Python 3.8"
}

data "algorithmia_environment" "prod" {
  provider     = algorithmiaprod
  language     = "python3"
  display_name = "Python 3.8"
}

resource "algorithmia_algorithm" "dev" {
  owner    = %[1]q
  name     = %[3]q
  details  = { label = "Env" }
  settings = { algorithm_environment = data.algorithmia_environment.dev.id }
  deletion_protection = false
}

resource "algorithmia_algorithm" "prod" {
  provider = algorithmiaprod
  owner    = %[2]q
  name     = %[3]q
  details  = algorithmia_algorithm.dev.details
  settings = { algorithm_environment = data.algorithmia_environment.prod.id }
  deletion_protection = false
}
`, du.Name, pu.Name, name)
	envDiffers := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkAlgorithmDestroyedFor(du, "algorithmia_algorithm.dev"),
			checkAlgorithmDestroyedFor(pu, "algorithmia_algorithm.prod"),
		),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				envDiffers.AddStateValue("data.algorithmia_environment.dev", tfjsonpath.New("id")),
				envDiffers.AddStateValue("data.algorithmia_environment.prod", tfjsonpath.New("id")),
				statecheck.ExpectKnownValue("algorithmia_algorithm.prod", tfjsonpath.New("package_set"), knownvalue.StringExact("python38")),
				statecheck.ExpectKnownValue("algorithmia_algorithm.prod", tfjsonpath.New("git_url"),
					knownvalue.StringExact(prod.URL+"/git/"+pu.Name+"/"+name+".git")),
			},
			Check: resource.ComposeTestCheckFunc(
				checkAlgorithmOnCluster(du, du.Name, name, func(a *algorithmia.Algorithm) error { return nil }),
				checkAlgorithmOnCluster(pu, pu.Name, name, func(a *algorithmia.Algorithm) error {
					if a.Settings.PackageSet != "python38" {
						return fmt.Errorf("prod algorithm has package set %q, want python38", a.Settings.PackageSet)
					}
					return nil
				}),
			),
		}},
	})
}

// checkAlgorithmDestroyedFor is checkAlgorithmDestroyed limited to one resource address.
func checkAlgorithmDestroyedFor(u *acctest.User, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return nil
		}
		_, err := u.Client.GetAlgorithm(context.Background(), rs.Primary.Attributes["owner"], rs.Primary.Attributes["name"])
		if !errors.Is(err, algorithmia.ErrNotFound) {
			return fmt.Errorf("%s should be gone from the cluster, got %w", addr, err)
		}
		return nil
	}
}

func TestAccAlgorithm_deletionProtection(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("keep")
	protected := algorithmConfig(dev, u, name, "Keep", "apl")
	protected = regexp.MustCompile(`deletion_protection = false`).ReplaceAllString(protected, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkAlgorithmDestroyed(u),
		Steps: []resource.TestStep{
			{
				Config: protected,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("algorithmia_algorithm.test", tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
				},
			},
			{
				Config:      protected,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)protected from deletion.*deletion_protection = false`),
			},
			{
				// A rename replaces; it is refused at plan time too, not halfway through the apply.
				Config:      strings.Replace(protected, fmt.Sprintf("name  = %q", name), fmt.Sprintf("name  = %q", name+"_v2"), 1),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)protected from replacement.*Changing name replaces the algorithm`),
			},
			{
				Config: protected,
				Check: checkAlgorithmOnCluster(u, u.Name, name, func(*algorithmia.Algorithm) error {
					return nil // still there after the refused destroy
				}),
			},
			{
				// Lifting the protection is an in-place change that touches nothing on the cluster.
				Config: algorithmConfig(dev, u, name, "Keep", "apl"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("algorithmia_algorithm.test", plancheck.ResourceActionUpdate)},
				},
			},
		},
	})
}

func TestAccAlgorithm_badInput(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	wrongKey := &acctest.User{Name: u.Name, Key: "simnotarealkey"}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      algorithmConfig(dev, u, "1invalid", "Bad", "apl"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must start with a letter`),
			},
			{
				Config: dev.ProviderBlock("", u, false) + `
resource "algorithmia_algorithm" "test" {
  owner    = "someone"
  name     = "lang"
  details  = { label = "Bad" }
  settings = { language = "cobol" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)settings.language.*value must be one of`),
			},
			{
				Config: dev.ProviderBlock("", u, false) + `
resource "algorithmia_algorithm" "test" {
  owner    = "someone"
  name     = "both"
  details  = { label = "Bad" }
  settings = {
    language              = "python3-1"
    algorithm_environment = "00000000-0000-0000-0000-000000000000"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Choose one runtime model`),
			},
			{
				Config: dev.ProviderBlock("", u, false) + `
resource "algorithmia_algorithm" "test" {
  owner    = "someone"
  name     = "closed"
  details  = { label = "Bad" }
  settings = {
    language = "python3-1"
    license  = "mit"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Closed source needs the apl license`),
			},
			{
				Config:      algorithmConfig(dev, wrongKey, acctest.RandomName("nokey"), "Bad", "apl"),
				ExpectError: regexp.MustCompile(`(?s)HTTP 401.*API key was not accepted`),
			},
		},
	})
}

func TestAccAlgorithm_existingNameNamesImport(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "owner")
	name := acctest.RandomName("taken")
	u.CreateAlgorithm(t, name, algorithmia.Details{Label: "Made outside Terraform"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      algorithmConfig(dev, u, name, "Mine", "apl"),
			ExpectError: regexp.MustCompile(`(?s)already exists.*terraform import <resource address> ` + u.Name + "/" + name),
		}},
	})
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// withSampleInput adds a sample_input line to an algorithmConfig ("" adds none).
func withSampleInput(cfg, sample string) string {
	if sample == "" {
		return cfg
	}
	return strings.Replace(cfg, "deletion_protection = false", fmt.Sprintf("sample_input = %q\n  deletion_protection = false", sample), 1)
}

// checkClusterSampleInput asserts the sample input the cluster reports once the algorithm has
// a build; before the first build the platform reports no version_info at all (CONTRACT.md §5.1).
func checkClusterSampleInput(u *acctest.User, name, want string, built bool) resource.TestCheckFunc {
	return checkAlgorithmOnCluster(u, u.Name, name, func(a *algorithmia.Algorithm) error {
		switch {
		case !built && a.VersionInfo != nil:
			return fmt.Errorf("before any build the cluster reports version_info %+v; the contract says none", a.VersionInfo)
		case built && (a.VersionInfo == nil || a.VersionInfo.SampleInput != want):
			return fmt.Errorf("cluster version_info %+v, want sample_input %q", a.VersionInfo, want)
		}
		return nil
	})
}

// sampleInputSteps are the steps of a test that changes the sample_input of one algorithm
// (algorithmia_algorithm.test, owned by u) around its first build; every step keeps its UUID.
type sampleInputSteps struct {
	t    *testing.T
	dev  *acctest.Cluster
	u    *acctest.User
	name string
	// keepsID adds the step's algorithm_id to the values that must stay the same.
	keepsID func() statecheck.StateCheck
}

func newSampleInputSteps(t *testing.T) sampleInputSteps {
	dev, _ := acctest.Shared(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	return sampleInputSteps{t: t, dev: dev, u: dev.NewUser(t, "owner"), name: acctest.RandomName("sample"),
		keepsID: func() statecheck.StateCheck {
			return sameID.AddStateValue("algorithmia_algorithm.test", tfjsonpath.New("algorithm_id"))
		}}
}

// apply applies the algorithm with sample ("" for none), planned as action; state then holds
// sample, and the cluster reports clusterWant once built.
func (s sampleInputSteps) apply(sample string, action plancheck.ResourceActionType, clusterWant string, built bool) resource.TestStep {
	addr := "algorithmia_algorithm.test"
	return resource.TestStep{
		Config: withSampleInput(algorithmConfig(s.dev, s.u, s.name, "Sample", "apl"), sample),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("sample_input"), knownvalue.StringExact(sample)),
			s.keepsID(),
		},
		Check: checkClusterSampleInput(s.u, s.name, clusterWant, built),
	}
}

// firstBuild builds a commit of the algorithm (configured with sample): the plan stays
// empty, and the cluster now reports the sample input it kept for the first build.
func (s sampleInputSteps) firstBuild(sample string) resource.TestStep {
	addr := "algorithmia_algorithm.test"
	return resource.TestStep{
		PreConfig: func() {
			s.u.PushCommit(s.t, s.dev, s.u.Name, s.name, acctest.Commit{Files: helloSource(s.u.Name, s.name, "Hi")})
			s.u.WaitForBuilds(s.t, s.name)
		},
		Config:           withSampleInput(algorithmConfig(s.dev, s.u, s.name, "Sample", "apl"), sample),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("sample_input"), knownvalue.StringExact(sample)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("latest_build_commit"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{40}$`))),
		},
		Check: checkClusterSampleInput(s.u, s.name, sample, true),
	}
}

// A sample input set on a new algorithm survives the create, although the platform does not
// echo it before the first build, and is read back from the cluster once a build exists.
func TestAccAlgorithm_sampleInputBeforeAndAfterTheFirstBuild(t *testing.T) {
	s := newSampleInputSteps(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkAlgorithmDestroyed(s.u),
		Steps: []resource.TestStep{
			s.apply(`"hi"`, plancheck.ResourceActionCreate, "", false),
			s.firstBuild(`"hi"`),
			s.apply(`{"name": "Mia"}`, plancheck.ResourceActionUpdate, `{"name": "Mia"}`, true),
			{
				ResourceName:            "algorithmia_algorithm.test",
				ImportState:             true,
				ImportStateId:           s.u.Name + "/" + s.name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"deletion_protection"},
			},
		},
	})
}

// A sample input changed on an algorithm that was never built is sent with the update, and
// the cluster keeps it for its first build.
func TestAccAlgorithm_sampleInputUpdatedBeforeTheFirstBuild(t *testing.T) {
	s := newSampleInputSteps(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkAlgorithmDestroyed(s.u),
		Steps: []resource.TestStep{
			// No sample input: the cluster's value ("") is kept.
			s.apply("", plancheck.ResourceActionCreate, "", false),
			s.apply("42", plancheck.ResourceActionUpdate, "", false),
			s.firstBuild("42"),
		},
	})
}
