package provider

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
)

// faultsOffThen switches c's fault injection off, so check reads the cluster plainly, and runs check.
func faultsOffThen(t *testing.T, c *acctest.Cluster, check resource.TestCheckFunc) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c.SetFaults(t, localcluster.FaultConfig{})
		return check(s)
	}
}

// TestAccFaults_dataObjectThroughTransientFaults runs a data object's life through a
// cluster that answers 503 or 429 to a share of its safe requests (the ones the
// provider retries): every apply converges, and the bytes on the cluster are right.
func TestAccFaults_dataObjectThroughTransientFaults(t *testing.T) {
	c := acctest.NewCluster(t, "faulty", acctest.Options{ProviderMaxRetries: 10})
	// Seeded with faults off; the Terraform run meets them.
	u := c.NewUser(t, "faults")
	coll := newCollection(t, u, "flaky")
	faults := localcluster.FaultConfig{
		Rate:    0.4,
		Kinds:   []localcluster.FaultKind{localcluster.FaultUnavailable, localcluster.FaultRateLimited},
		Methods: []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete},
		Seed:    20261127,
	}
	path := "data://" + u.Name + "/" + coll + "/settings.json"
	addr := "algorithmia_data_object.test"
	config := func(text string) string {
		return c.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_data_object" "test" {
  path    = %q
  content = %q
}
`, path, text)
	}
	v1, v2 := `{"version": 1}`, `{"version": 2, "more": true}`

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             faultsOffThen(t, c, checkObjectsDestroyed(u)),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { c.SetFaults(t, faults) },
				Config:    config(v1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of([]byte(v1)))),
				},
				Check: checkRemoteSHA256(u, path, sha256Of([]byte(v1))),
			},
			{
				Config: config(v2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of([]byte(v2)))),
				},
				Check: resource.ComposeTestCheckFunc(
					checkRemoteSHA256(u, path, sha256Of([]byte(v2))),
					func(*terraform.State) error {
						// The run really met faults, of both kinds.
						n := c.Faults()
						if n[localcluster.FaultUnavailable] == 0 || n[localcluster.FaultRateLimited] == 0 {
							return fmt.Errorf("faults injected: %v; want some of each kind", n)
						}
						t.Logf("faults injected during the run: %v", n)
						return nil
					},
				),
			},
		},
	})
}

// TestAccFaults_algorithmCreateDropped drops every POST after it acted: the algorithm
// is created on the cluster, but its answer is lost. The provider finds it and adopts
// it, so state matches the cluster and the next plan is empty.
func TestAccFaults_algorithmCreateDropped(t *testing.T) {
	c := acctest.NewCluster(t, "dropping", acctest.Options{})
	u := c.NewUser(t, "faults")
	name := acctest.RandomName("dropped")
	addr := "algorithmia_algorithm.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             faultsOffThen(t, c, checkAlgorithmDestroyed(u)),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					c.SetFaults(t, localcluster.FaultConfig{Rate: 1, Kinds: []localcluster.FaultKind{localcluster.FaultDrop}, Methods: []string{http.MethodPost}})
				},
				Config: algorithmConfig(c, u, name, "Dropped", "apl"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("details").AtMapKey("label"), knownvalue.StringExact("Dropped")),
				},
				Check: func(*terraform.State) error {
					if n := c.Faults()[localcluster.FaultDrop]; n != 1 {
						return fmt.Errorf("dropped POSTs: %d, want 1 (the create, never retried)", n)
					}
					a, err := u.Client.GetAlgorithm(context.Background(), u.Name, name)
					if err != nil {
						return fmt.Errorf("the dropped create did not act: %w", err)
					}
					if a.Details.Label != "Dropped" {
						return fmt.Errorf("label on the cluster %q", a.Details.Label)
					}
					return nil
				},
			},
		},
	})
}
