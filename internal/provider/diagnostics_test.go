package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// TestAccAlgorithmSource_buildTimeoutSaysWhatToDo: a build that outlives the resource's
// timeout is reported with its ID, its last status and the way out; following the advice
// (apply again, with a longer timeout) resumes the wait without pushing a second commit.
func TestAccAlgorithmSource_buildTimeoutSaysWhatToDo(t *testing.T) {
	dev, _ := acctest.Shared(t)
	slow := acctest.NewCluster(t, "slow", acctest.Options{BuildDuration: 10 * time.Second})
	du, su := dev.NewUser(t, "src"), slow.NewUser(t, "slow")
	name, commit := seedHello(t, dev, du, "slowbuild", "Slow")
	cfg := func(timeout string) string {
		return slow.NamedProviderBlock("algorithmiaprod", "", su, false) +
			sourceConfig("algorithmiaprod", su, dev.GitURL(du.Name, name), du, name, commit, fmt.Sprintf("timeouts = { create = %q }", timeout))
	}
	var pushed []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      cfg("3s"),
				ExpectError: regexp.MustCompile(`(?s)Timed out waiting for build [0-9a-f-]+.*still\s+"in-progress".*run\s+terraform\s+apply\s+again\s+to\s+resume\s+the\s+wait.*raise\s+timeouts\.create`),
			},
			{
				PreConfig: func() { pushed = su.Log(t, slow, su.Name, name) },
				Config:    cfg("2m"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("algorithmia_algorithm_source.test", tfjsonpath.New("build_status"), knownvalue.StringExact("succeeded")),
				},
				Check: func(*terraform.State) error {
					if after := su.Log(t, slow, su.Name, name); len(after) != len(pushed) {
						return fmt.Errorf("master had %d commits after the timed-out apply and %d after the next one; want no second push", len(pushed), len(after))
					}
					return nil
				},
			},
		},
	})
}

// nullObject is a value of the object type with every attribute null except those given.
func nullObject(t *testing.T, typ tftypes.Type, set map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := set[name]; ok {
			vals[name] = v
		}
	}
	return tftypes.NewValue(typ, vals)
}

// TestAlgorithmValidateConfig_unknownLicenseIsOneError: a license the platform does not
// know is reported once, by its enum validator, not also as "closed source needs apl".
func TestAlgorithmValidateConfig_unknownLicenseIsOneError(t *testing.T) {
	ctx := context.Background()
	r := &algorithmResource{}
	var sresp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx)
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %s is not an object", typ)
	}
	settingsType := obj.AttributeTypes["settings"]
	for license, wantClosedError := range map[string]bool{"bsd": false, "mit": true, "apl": false} {
		settings := nullObject(t, settingsType, map[string]tftypes.Value{
			"language": tftypes.NewValue(tftypes.String, "python3-1"),
			"license":  tftypes.NewValue(tftypes.String, license),
		})
		cfg := tfsdk.Config{Schema: sresp.Schema, Raw: nullObject(t, typ, map[string]tftypes.Value{"settings": settings})}
		var resp fwresource.ValidateConfigResponse
		r.ValidateConfig(ctx, fwresource.ValidateConfigRequest{Config: cfg}, &resp)
		got := false
		for _, d := range resp.Diagnostics.Errors() {
			got = got || d.Summary() == "Closed source needs the apl license"
		}
		if got != wantClosedError {
			t.Errorf("license %q: closed-source error = %v, want %v (%v)", license, got, wantClosedError, resp.Diagnostics)
		}
	}
}
