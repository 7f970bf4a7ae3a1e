package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// TestCLI_fanOutOpenTofuPromotesToEveryRegion runs examples/fan-out-opentofu through the
// CLI: one provider block with for_each makes an instance per region, and one module block
// with the same for_each promotes dev into each. It starts with one region, adds a second by
// adding a map entry (the plan touches that region only), lands a new dev version in both,
// and checks each region's Git and versions against dev; then it retires the second region
// as the README says (unprotect, targeted destroy, remove the entry). Terraform has no provider
// for_each, so under Terraform the test skips.
func TestCLI_fanOutOpenTofuPromotesToEveryRegion(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	acctest.SkipUnless(t, acctest.ProviderForEach, acctest.EphemeralValues, acctest.WriteOnlyArguments)
	dev, us, eu := startCluster(t, "dev"), startCluster(t, "prod-us"), startCluster(t, "prod-eu")
	pUS := acctest.NewPipeline(t, dev, us, 2, 0, 0)
	pEU := pUS.WithProd(t, eu)
	applyOnce(t, pUS, pUS.Bootstrap, "bootstrap of prod-us")
	applyOnce(t, pEU, pEU.Bootstrap, "bootstrap of prod-eu")
	regionPipelines := map[string]*acctest.Pipeline{"us": pUS, "eu": pEU}

	w := workdirWithModules(t, "fan-out-opentofu")
	algos := map[string]map[string]string{}
	for name := range pUS.Algorithms {
		algos[name] = map[string]string{"version": "1.0.0", "language": "python3", "environment": "Python 3.8"}
	}
	setJSON := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		w.Setenv("TF_VAR_"+name, string(b))
	}
	setRegions := func(names ...string) {
		regions, keys := map[string]map[string]string{}, map[string]string{}
		for _, r := range names {
			regions[r] = map[string]string{"api_address": regionPipelines[r].Prod.URL}
			keys[r] = regionPipelines[r].ProdUser().Key
		}
		setJSON("regions", regions)
		setJSON("prod_api_keys", keys)
	}
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_username": pUS.ServiceAccount, "dev_api_key": pUS.DevUser().Key,
		"prod_username": pUS.ServiceAccount, "organization": pUS.Org,
	} {
		w.Setenv("TF_VAR_"+k, v)
	}
	setJSON("algorithms", algos)
	setRegions("us")

	// Modules under dev_overrides: get, not init.
	w.MustRun(t, "get")
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	pUS.Check(t)
	if got, err := pEU.ProdUser().Client.ListUserAlgorithms(context.Background(), pEU.Org); err != nil || len(got) != 0 {
		t.Fatalf("prod-eu is not in regions yet, but holds algorithms %v (%v)", got, err)
	}
	checkRegionsOutput(t, w, regionPipelines, "us")
	w.PlanIsEmpty(t)

	// A second region is one more map entry: a new provider instance and module instance,
	// and a plan that creates in that region only.
	setRegions("us", "eu")
	w.MustRun(t, "plan", "-input=false", "-out=add-eu.tfplan")
	planned, err := tfcli.PlanActions([]byte(w.MustRun(t, "show", "-json", "add-eu.tfplan")))
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for addr, actions := range planned {
		switch {
		case strings.HasPrefix(addr, "output."):
		case strings.HasPrefix(addr, `module.region["eu"].`) && actions == "create":
			created++
		default:
			t.Errorf("adding prod-eu plans %s for %s", actions, addr)
		}
	}
	if want := 2 * len(algos); created != want {
		t.Errorf("adding prod-eu plans %d creates, want %d (an algorithm and its source per algorithm)", created, want)
	}
	w.MustRun(t, "apply", "-input=false", "add-eu.tfplan")
	pUS.Check(t)
	pEU.Check(t)
	checkRegionsOutput(t, w, regionPipelines, "us", "eu")
	w.PlanIsEmpty(t)

	// A new dev version of algo01, pinned, lands in every region in one apply.
	const bumped = "algo01"
	newCommit := pUS.DevUser().PublishFiles(t, dev, pUS.Org, bumped, algorithmia.VersionTypeMinor, map[string][]byte{
		"src/" + bumped + ".py": []byte("import Algorithmia\n\ndef apply(input):\n    return \"v1.1 of algo01: {}\".format(input)\n"),
	})
	algos[bumped]["version"] = "1.1.0"
	setJSON("algorithms", algos)
	out := w.MustRun(t, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "0 added, 2 changed, 0 destroyed") {
		t.Errorf("the new version should update algo01's source in both regions and nothing else:\n%s", out)
	}
	checkVersionLanded(t, dev, bumped, newCommit, pUS, pEU)
	checkRegionsOutput(t, w, regionPipelines, "us", "eu")
	w.PlanIsEmpty(t)
	if strings.Contains(out, pUS.DevUser().Key) || strings.Contains(out, pUS.ProdUser().Key) {
		t.Error("the apply output shows a key")
	}

	// Retiring prod-eu, exactly as the README says: deletion_protection = false and apply,
	// a destroy targeted at the region's module instance while its provider instance still
	// exists, and only then the map entry removed.
	w.Setenv("TF_VAR_deletion_protection", "false")
	out = w.MustRun(t, "apply", "-auto-approve", "-input=false")
	if want := fmt.Sprintf("0 added, %d changed, 0 destroyed", 2*len(algos)); !strings.Contains(out, want) {
		t.Errorf("deletion_protection = false should update every region's algorithms (%s):\n%s", want, out)
	}
	out = w.MustRun(t, "destroy", "-auto-approve", "-input=false", `-target=module.region["eu"]`)
	if want := fmt.Sprintf("%d destroyed", 2*len(algos)); !strings.Contains(out, want) {
		t.Errorf("the targeted destroy should destroy prod-eu's algorithms and sources (%s):\n%s", want, out)
	}
	// The entry goes once its objects are gone: the apply destroys nothing more and drops
	// the region's data sources and outputs.
	setRegions("us")
	if out = w.MustRun(t, "apply", "-auto-approve", "-input=false"); !strings.Contains(out, "0 added, 0 changed, 0 destroyed") {
		t.Errorf("removing the retired region's entry should change no resource:\n%s", out)
	}
	for name := range algos {
		if _, err := pEU.ProdUser().Client.GetAlgorithm(context.Background(), pEU.Org, name); !errors.Is(err, algorithmia.ErrNotFound) {
			t.Errorf("prod-eu is retired, but asking it for %s/%s answers %v, want not found", pEU.Org, name, err)
		}
	}
	checkVersionLanded(t, dev, bumped, newCommit, pUS)
	checkRegionsOutput(t, w, regionPipelines, "us")
	w.PlanIsEmpty(t)
	for _, addr := range strings.Fields(w.MustRun(t, "state", "list")) {
		if strings.Contains(addr, `["eu"]`) {
			t.Errorf("prod-eu is retired, but the state still holds %s", addr)
		}
	}
	// deletion_protection is one variable for every region: the regions left get it back.
	w.Setenv("TF_VAR_deletion_protection", "true")
	out = w.MustRun(t, "apply", "-auto-approve", "-input=false")
	if want := fmt.Sprintf("0 added, %d changed, 0 destroyed", len(algos)); !strings.Contains(out, want) {
		t.Errorf("deletion_protection = true should update prod-us's algorithms only (%s):\n%s", want, out)
	}
	w.PlanIsEmpty(t)
}

// checkRegionsOutput compares the example's outputs with the clusters: exactly the given
// regions, and for each algorithm the region's head commit, its tree (dev's tree of
// source_commit) and the version published for it ("regions", from the module instances),
// and the same head and tree as the region's own data source read them ("region_heads").
func checkRegionsOutput(t *testing.T, w *acctest.Workdir, pipelines map[string]*acctest.Pipeline, regions ...string) {
	t.Helper()
	var got map[string]map[string]struct {
		SourceCommit     string `json:"source_commit"`
		SourceTree       string `json:"source_tree"`
		Commit           string `json:"commit"`
		Tree             string `json:"tree"`
		PublishedVersion string `json:"published_version"`
	}
	if err := json.Unmarshal([]byte(w.MustRun(t, "output", "-json", "regions")), &got); err != nil {
		t.Fatal(err)
	}
	var heads map[string]map[string]struct{ Commit, Tree string }
	if err := json.Unmarshal([]byte(w.MustRun(t, "output", "-json", "region_heads")), &heads); err != nil {
		t.Fatal(err)
	}
	if len(heads) != len(regions) {
		t.Errorf("output region_heads has %d regions, want %v", len(heads), regions)
	}
	if len(got) != len(regions) {
		t.Errorf("output regions has %d regions, want %v", len(got), regions)
	}
	for _, r := range regions {
		p := pipelines[r]
		u := p.ProdUser()
		if len(got[r]) != len(p.Algorithms) {
			t.Errorf("output regions[%q] has %d algorithms, want %d", r, len(got[r]), len(p.Algorithms))
		}
		for name, o := range got[r] {
			head := u.Log(t, p.Prod, p.Org, name)[0]
			devTree := p.DevUser().TreeOf(t, p.Dev, p.Org, name, o.SourceCommit)
			published, err := u.Client.ListAllVersions(context.Background(), p.Org, name, algorithmia.VersionFilter{Published: boolPtr(true)})
			if err != nil {
				t.Fatal(err)
			}
			version := ""
			for _, v := range published {
				if v.VersionInfo.GitHash == head {
					version = v.VersionInfo.SemanticVersion
				}
			}
			want := fmt.Sprintf("commit %s, tree %s, source tree %s, version %s", head, devTree, devTree, version)
			if have := fmt.Sprintf("commit %s, tree %s, source tree %s, version %s", o.Commit, o.Tree, o.SourceTree, o.PublishedVersion); have != want || version == "" {
				t.Errorf("output regions[%q][%q]: %s; %s has %s", r, name, have, p.Prod.Name, want)
			}
			if h := heads[r][name]; h.Commit != head || h.Tree != devTree {
				t.Errorf("output region_heads[%q][%q] = %+v; %s serves commit %s, tree %s", r, name, h, p.Prod.Name, head, devTree)
			}
		}
	}
}
