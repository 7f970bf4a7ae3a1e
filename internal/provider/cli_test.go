package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// These tests drive the real Terraform CLI with the built provider binary (dev_overrides),
// for behaviour terraform-plugin-testing cannot express: saved plans applied after the
// source moved, and a Terraform process group killed between push and publish.

func skipWithoutAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("CLI tests run with the acceptance tests (TF_ACC=1, set by `make test`)")
	}
}

// cliPromotion renders a configuration promoting dev's algorithm into an existing prod one.
func cliPromotion(dev *acctest.Cluster, du *acctest.User, prod *acctest.Cluster, pu *acctest.User, name, sourceLine string) string {
	return fmt.Sprintf(`
provider "algorithmia" {
  alias       = "dev"
  api_address = %[1]q
  username    = %[2]q
  api_key     = %[3]q
}

provider "algorithmia" {
  alias       = "prod"
  api_address = %[4]q
  username    = %[5]q
  api_key     = %[6]q
}

data "algorithmia_git_ref" "head" {
  provider = algorithmia.dev
  owner    = %[2]q
  name     = %[7]q
  ref      = "master"
}

resource "algorithmia_algorithm_source" "promoted" {
  provider = algorithmia.prod
  owner    = %[5]q
  name     = %[7]q
  source = {
    git_url  = data.algorithmia_git_ref.head.git_url
    %[8]s
    username = %[2]q
    password = %[3]q
  }
  publish = { version_type = "minor" }
}

output "source_commit" { value = algorithmia_algorithm_source.promoted.source_commit }
output "published_version" { value = algorithmia_algorithm_source.promoted.published_version }
`, dev.URL, du.Name, du.Key, prod.URL, pu.Name, pu.Key, name, sourceLine)
}

// seedPromotionPair makes a published dev algorithm with one real commit, and an empty
// algorithm of the same name on prod.
func seedPromotionPair(t *testing.T, dev, prod *acctest.Cluster) (du, pu *acctest.User, name, first string) {
	du, pu = dev.NewUser(t, "dev"), prod.NewUser(t, "prod")
	name = acctest.RandomName("cli")
	du.PublishAlgorithm(t, name)
	first = du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: helloSource(du.Name, name, "One")})
	if _, err := pu.Client.CreateAlgorithm(context.Background(), pu.Name, algorithmia.CreateAlgorithmRequest{
		Name: name, Details: algorithmia.Details{Label: "CLI"},
		Settings: algorithmia.CreateSettings{Language: "python3-1", Environment: "cpu", License: "apl",
			NetworkAccess: "full", PipelineEnabled: true, SourceVisibility: "closed"},
	}); err != nil {
		t.Fatalf("create prod algorithm: %v", err)
	}
	return du, pu, name, first
}

func output(t *testing.T, w *acctest.Workdir, name string) string {
	t.Helper()
	return strings.Trim(strings.TrimSpace(w.MustRun(t, "output", "-raw", name)), `"`)
}

func TestCLI_savedPlanShipsThePinnedCommit(t *testing.T) {
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, first := seedPromotionPair(t, dev, prod)
	w := acctest.NewWorkdir(t, cliPromotion(dev, du, prod, pu, name, "commit = data.algorithmia_git_ref.head.commit"))

	out := w.MustRun(t, "plan", "-out=pinned.tfplan", "-input=false")
	if !strings.Contains(out, first) {
		t.Fatalf("the plan does not show the pinned commit %s:\n%s", first, out)
	}
	// dev moves on after the plan was saved and reviewed.
	second := du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: helloSource(du.Name, name, "Two")})
	w.MustRun(t, "apply", "-input=false", "pinned.tfplan")

	if got := output(t, w, "source_commit"); got != first {
		t.Fatalf("the saved plan shipped %s; want the planned %s (not the newer %s)", got, first, second)
	}
	if got := pu.TreeOf(t, prod, pu.Name, name, pu.Log(t, prod, pu.Name, name)[0]); got != du.TreeOf(t, dev, du.Name, name, first) {
		t.Fatalf("prod tree %s is not the tree of the planned commit", got)
	}
	// The next plan picks up the new head.
	if out, code := w.Run(t, "plan", "-detailed-exitcode", "-input=false"); code != 2 || !strings.Contains(out, second) {
		t.Fatalf("after dev moved, plan exit %d, want 2 with %s:\n%s", code, second, out)
	}
}

func TestCLI_refModeSavedPlanAppliesWhenTheBranchMovesAgain(t *testing.T) {
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, _ := seedPromotionPair(t, dev, prod)
	w := acctest.NewWorkdir(t, cliPromotion(dev, du, prod, pu, name, `ref = "master"`))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")

	du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: helloSource(du.Name, name, "Two")})
	out := w.MustRun(t, "plan", "-out=moved.tfplan", "-input=false")
	if !regexp.MustCompile(`source_commit\s+= "[0-9a-f]{40}" -> \(known after apply\)`).MatchString(out) {
		t.Fatalf("a moved ref should plan source_commit as known after apply:\n%s", out)
	}
	third := du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: helloSource(du.Name, name, "Three")})
	if out, code := w.Run(t, "apply", "-input=false", "moved.tfplan"); code != 0 {
		t.Fatalf("applying the saved plan after the branch moved again failed (%d):\n%s", code, out)
	}
	if got := output(t, w, "source_commit"); got != third {
		t.Fatalf("ref mode resolved %s at apply; want the branch head %s", got, third)
	}
	if got := output(t, w, "published_version"); got != "0.2.0" {
		t.Fatalf("published_version = %s, want 0.2.0", got)
	}
}

func TestCLI_killedBetweenPushAndPublishPublishesOnce(t *testing.T) {
	skipWithoutAcc(t)
	// Slow builds leave a wide window between the push and the publish.
	dev, err := acctest.StartClusterWith("dev", 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	du, pu, name, first := seedPromotionPair(t, dev, dev)
	w := acctest.NewWorkdir(t, cliPromotion(dev, du, dev, pu, name, "commit = data.algorithmia_git_ref.head.commit"))

	cmd, out := w.Start(t, "apply", "-auto-approve", "-input=false")
	deadline := time.Now().Add(60 * time.Second)
	for dev.Local.GitStats(pu.Name, name).ReceivePacks == 0 {
		if time.Now().After(deadline) {
			acctest.KillGroup(cmd)
			t.Fatalf("no push reached prod within 60s:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	acctest.KillGroup(cmd) // Terraform and the provider die before the build finished and before publishing.
	if v, _ := pu.Client.ListAllVersions(context.Background(), pu.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)}); len(v) != 0 {
		t.Fatalf("a version was published before the kill; the test did not hit the window: %+v", v)
	}

	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	w.MustRun(t, "apply", "-auto-approve", "-input=false") // and once more: still nothing new
	published, err := pu.Client.ListAllVersions(context.Background(), pu.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(published) != 1 || published[0].VersionInfo.SemanticVersion != "0.1.0" {
		t.Fatalf("want exactly one published version 0.1.0 after the kill and two applies, got %d: %+v", len(published), published)
	}
	if log := pu.Log(t, dev, pu.Name, name); log[0] != published[0].VersionInfo.GitHash || len(log) != 2 {
		t.Fatalf("prod history %v: want the template commit plus exactly one promotion commit, published", log)
	}
	if got := output(t, w, "source_commit"); got != first {
		t.Fatalf("source_commit = %s, want %s", got, first)
	}
}

func TestCLI_promotionExampleTerraformTest(t *testing.T) {
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	org := acctest.RandomName("acme")
	du, pu := dev.NewUser(t, "ci"), prod.NewUser(t, "ci")
	dev.NewOrganization(t, org, du)
	prod.NewOrganization(t, org, pu)

	// dev: an organization-owned algorithm with a published version, pushed by the service account.
	ctx := context.Background()
	envs, err := du.Client.ListEnvironments(ctx, "python3")
	if err != nil {
		t.Fatal(err)
	}
	envID := ""
	for _, e := range envs {
		if e.DisplayName == "Python 3.8" {
			envID = e.ID
		}
	}
	if _, err := du.Client.CreateAlgorithm(ctx, org, algorithmia.CreateAlgorithmRequest{
		Name: "hello", Details: algorithmia.Details{Label: "Hello"},
		Settings: algorithmia.CreateSettings{AlgorithmEnvironment: envID, License: "apl", NetworkAccess: "full",
			PipelineEnabled: true, SourceVisibility: "closed", AlgorithmCallability: "private"},
	}); err != nil {
		t.Fatal(err)
	}
	commit := du.PushCommit(t, dev, org, "hello", acctest.Commit{Files: helloSource(org, "hello", "Hello")})
	if _, err := du.Client.WaitForBuild(ctx, org, "hello", commit, algorithmia.WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := du.Client.PublishCommit(ctx, org, "hello", commit, algorithmia.PublishVersionInfo{VersionType: "major"}); err != nil {
		t.Fatal(err)
	}

	w := acctest.CopyWorkdir(t, "../../examples/promote-dev-to-prod")
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_username": du.Name, "dev_api_key": du.Key,
		"prod_api_address": prod.URL, "prod_username": pu.Name, "prod_api_key": pu.Key,
		"organization": org,
		"algorithms":   `{"hello":{"version":"1.0.0","language":"python3","environment":"Python 3.8"}}`,
	} {
		w.Setenv("TF_VAR_"+k, v)
	}
	versionJSON := w.MustRun(t, "version", "-json")
	if !regexp.MustCompile(`"terraform_version":\s*"1\.([6-9]|[1-9][0-9])\.`).MatchString(versionJSON) {
		t.Skip("terraform test needs Terraform 1.6 or later")
	}
	if !regexp.MustCompile(`"terraform_version":\s*"1\.(1[1-9]|[2-9][0-9])\.`).MatchString(versionJSON) {
		// Ephemeral variables and write-only arguments need Terraform 1.10 and 1.11: use the
		// example's files for older CLIs.
		useBeforeTerraform111(t, w.Dir, "promote")
	}
	out, code := w.Run(t, "test")
	if code != 0 || !strings.Contains(out, "2 passed, 0 failed") {
		t.Fatalf("terraform test exited %d:\n%s", code, out)
	}
	// terraform test destroyed what it made; the cluster agrees.
	if _, err := pu.Client.GetAlgorithm(ctx, org, "hello"); err == nil {
		t.Fatalf("terraform test left %s/hello on prod", org)
	}
}
