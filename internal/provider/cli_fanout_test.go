package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// TestCLI_fanOutPromotesToEveryRegion runs examples/promote-ha through the real CLI: one
// dev cluster promoted into two production regions (examples/modules/promote once per
// region) in one apply, a second promotion that lands in both, and a commit pushed by hand
// in one region that the example's check blocks report as a warning without failing the plan.
func TestCLI_fanOutPromotesToEveryRegion(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, us, eu := startCluster(t, "dev"), startCluster(t, "prod-us"), startCluster(t, "prod-eu")
	pUS := acctest.NewPipeline(t, dev, us, 2, 0, 0)
	pEU := pUS.WithProd(t, eu)
	needWriteOnly(t, pUS.Promote)

	// Each region is bootstrapped by promote-dev-to-prod/bootstrap, as the README says.
	applyOnce(t, pUS, pUS.Bootstrap, "bootstrap of prod-us")
	applyOnce(t, pEU, pEU.Bootstrap, "bootstrap of prod-eu")

	ha := workdirWithModules(t, "promote-ha")
	algos := map[string]map[string]string{}
	for name := range pUS.Algorithms {
		algos[name] = map[string]string{"version": "1.0.0", "language": "python3", "environment": "Python 3.8"}
	}
	setAlgorithms := func() {
		b, _ := json.Marshal(algos)
		ha.Setenv("TF_VAR_algorithms", string(b))
	}
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_username": pUS.ServiceAccount, "dev_api_key": pUS.DevUser().Key,
		"prod_us_api_address": us.URL, "prod_eu_api_address": eu.URL, "prod_username": pUS.ServiceAccount,
		"prod_us_api_key": pUS.ProdUser().Key, "prod_eu_api_key": pEU.ProdUser().Key, "organization": pUS.Org,
	} {
		ha.Setenv("TF_VAR_"+k, v)
	}
	setAlgorithms()

	// Modules under dev_overrides: terraform get, not init.
	ha.MustRun(t, "get")
	out := ha.MustRun(t, "apply", "-auto-approve", "-input=false")
	if strings.Contains(out, "Check block assertion failed") {
		t.Fatalf("the checks failed after the first promotion:\n%s", out)
	}
	// Each region holds dev's tree at its head, published exactly once, and the bootstrap's accounts.
	pUS.Check(t)
	pEU.Check(t)
	planChangesNothing(t, ha)

	// Second promotion: a new dev version of algo01, pinned, lands in both regions.
	const bumped = "algo01"
	newCommit := pUS.DevUser().PublishFiles(t, dev, pUS.Org, bumped, algorithmia.VersionTypeMinor, map[string][]byte{
		"src/" + bumped + ".py": []byte("import Algorithmia\n\ndef apply(input):\n    return \"v1.1 of algo01: {}\".format(input)\n"),
	})
	algos[bumped]["version"] = "1.1.0"
	setAlgorithms()
	out = ha.MustRun(t, "apply", "-auto-approve", "-input=false")
	if strings.Contains(out, "Check block assertion failed") {
		t.Fatalf("the checks failed after the second promotion:\n%s", out)
	}
	checkVersionLanded(t, dev, bumped, newCommit, pUS, pEU)
	planChangesNothing(t, ha)

	// Someone pushes to prod-eu by hand: the plan still succeeds, warns through the check
	// block, and plans the update that puts dev's tree back.
	pEU.ProdUser().PushCommit(t, eu, pEU.Org, "algo02", acctest.Commit{
		Files: map[string][]byte{"src/hotfix.py": []byte("# hand-made fix\n")}, Message: "Hotfix by hand",
	})
	out, code := ha.Run(t, "plan", "-input=false")
	if code != 0 {
		t.Fatalf("a failed check must not fail the plan (exit %d):\n%s", code, out)
	}
	for _, want := range []string{
		"Warning: Check block assertion failed",
		"prod_eu does not serve dev's tree for: algo02.",
		`# module.eu.algorithmia_algorithm_source.this["algo02"] will be updated in-place`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan after a hand-made push to prod-eu lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "prod_us does not serve") || strings.Contains(out, "# module.us.") {
		t.Errorf("only prod-eu drifted, yet the plan mentions prod-us:\n%s", out)
	}
	if strings.Contains(out, pUS.DevUser().Key) || strings.Contains(out, pEU.ProdUser().Key) {
		t.Error("the plan output shows a key")
	}

	// The next apply repairs the region, and the checks pass again.
	out = ha.MustRun(t, "apply", "-auto-approve", "-input=false")
	if strings.Contains(out, "Check block assertion failed") {
		t.Fatalf("the checks still fail after the repairing apply:\n%s", out)
	}
	u := pEU.ProdUser()
	head := u.Log(t, eu, pEU.Org, "algo02")[0]
	if got, want := u.TreeOf(t, eu, pEU.Org, "algo02", head), pUS.DevUser().TreeOf(t, dev, pUS.Org, "algo02", pUS.Algorithms["algo02"]); got != want {
		t.Errorf("prod-eu algo02 head has tree %s after the repair, want dev's %s", got, want)
	}
	planChangesNothing(t, ha)
}

// workdirWithModules copies examples/<example> and, beside it, the modules it calls
// (../modules/dev-sources and ../modules/promote), so the relative module sources resolve as in
// the repository.
func workdirWithModules(t *testing.T, example string) *acctest.Workdir {
	t.Helper()
	w := acctest.CopyWorkdir(t, filepath.Join(acctest.ExamplesDir(), example))
	files, err := filepath.Glob(filepath.Join(acctest.ExamplesDir(), "modules", "*", "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no modules in %s: %v", filepath.Join(acctest.ExamplesDir(), "modules"), err)
	}
	for _, f := range files {
		dst := filepath.Join(w.Dir, "..", "modules", filepath.Base(filepath.Dir(f)))
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// planChangesNothing fails the test unless a plan of w changes no resource and no output.
// PlanIsEmpty cannot serve here: Terraform plans every data source of a check block as
// "read during apply" (so the check runs again after the apply), which a plan with
// -detailed-exitcode counts as a change.
func planChangesNothing(t *testing.T, w *acctest.Workdir) {
	t.Helper()
	w.MustRun(t, "plan", "-input=false", "-out=nothing.tfplan")
	changes, err := tfcli.PlanChanges([]byte(w.MustRun(t, "show", "-json", "nothing.tfplan")))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) > 0 {
		t.Errorf("the plan changes %v", changes)
	}
}

// checkVersionLanded checks that the dev version of algorithm bumped at newCommit, a second
// published version, has landed in every pipeline's prod: the head has dev's tree and is
// one of exactly two published versions.
func checkVersionLanded(t *testing.T, dev *acctest.Cluster, bumped, newCommit string, pipelines ...*acctest.Pipeline) {
	t.Helper()
	devTree := pipelines[0].DevUser().TreeOf(t, dev, pipelines[0].Org, bumped, newCommit)
	for _, p := range pipelines {
		u := p.ProdUser()
		head := u.Log(t, p.Prod, p.Org, bumped)[0]
		if got := u.TreeOf(t, p.Prod, p.Org, bumped, head); got != devTree {
			t.Errorf("%s: head %s of %s has tree %s, want dev 1.1.0's %s", p.Prod.Name, head, bumped, got, devTree)
		}
		published, err := u.Client.ListAllVersions(context.Background(), p.Org, bumped, algorithmia.VersionFilter{Published: boolPtr(true)})
		if err != nil {
			t.Fatal(err)
		}
		hashes := map[string]int{}
		for _, v := range published {
			hashes[v.VersionInfo.GitHash]++
		}
		if len(published) != 2 || hashes[head] != 1 {
			t.Errorf("%s: want two published versions of %s, one of them the head %s; got %v", p.Prod.Name, bumped, head, hashes)
		}
	}
}
