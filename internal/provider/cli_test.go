package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// cliPromotion renders a configuration promoting dev's algorithm into an existing prod one
// of the same name.
func cliPromotion(dev *acctest.Cluster, du *acctest.User, prod *acctest.Cluster, pu *acctest.User, name, sourceLine string) string {
	return cliPromotionInto(dev, du, prod, pu, name, name, sourceLine)
}

// cliPromotionInto renders a configuration promoting dev's algorithm src into prod's dest.
func cliPromotionInto(dev *acctest.Cluster, du *acctest.User, prod *acctest.Cluster, pu *acctest.User, src, dest, sourceLine string) string {
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
  name     = %[9]q
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
`, dev.URL, du.Name, du.Key, prod.URL, pu.Name, pu.Key, src, sourceLine, dest)
}

// seedPromotionPair makes a published dev algorithm with one real commit, and an empty
// algorithm of the same name on prod.
func seedPromotionPair(t *testing.T, dev, prod *acctest.Cluster) (du, pu *acctest.User, name, first string) {
	du, pu = dev.NewUser(t, "dev"), prod.NewUser(t, "prod")
	name, first = seedHello(t, dev, du, "cli", "One")
	pu.CreateAlgorithm(t, name, algorithmia.Details{Label: "CLI"})
	return du, pu, name, first
}

func output(t *testing.T, w *acctest.Workdir, name string) string {
	t.Helper()
	return strings.Trim(strings.TrimSpace(w.MustRun(t, "output", "-raw", name)), `"`)
}

func TestCLI_savedPlanShipsThePinnedCommit(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, first := seedPromotionPair(t, dev, prod)
	w := acctest.NewWorkdir(t, cliPromotion(dev, du, prod, pu, name, "commit = data.algorithmia_git_ref.head.commit"))

	out := w.MustRun(t, "plan", "-out=pinned.tfplan", "-input=false")
	if !strings.Contains(out, first) {
		t.Fatalf("the plan does not show the pinned commit %s:\n%s", first, out)
	}
	// dev moves on after the plan was saved and reviewed.
	second := pushHello(t, dev, du, name, "Two")
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

// checkProdShips asserts prod's side after a ref-mode apply: master's tree is the tree of
// dev's commit want, and the published versions are exactly versions, in order, the newest
// at master (in any order).
func checkProdShips(t *testing.T, dev *acctest.Cluster, du *acctest.User, prod *acctest.Cluster, pu *acctest.User, name, want string, versions ...string) {
	t.Helper()
	head := pu.Log(t, prod, pu.Name, name)[0]
	if got, wantTree := pu.TreeOf(t, prod, pu.Name, name, head), du.TreeOf(t, dev, du.Name, name, want); got != wantTree {
		t.Fatalf("prod master %s has tree %s, want the tree %s of dev's %s", head, got, wantTree, want)
	}
	published, err := pu.Client.ListAllVersions(context.Background(), pu.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range published {
		got = append(got, v.VersionInfo.SemanticVersion)
	}
	if !sameSet(got, versions) {
		t.Fatalf("prod published versions %v, want %v", got, versions)
	}
	if v, err := pu.Client.FindPublishedVersion(context.Background(), pu.Name, name, head); err != nil || v == nil ||
		v.VersionInfo.SemanticVersion != versions[len(versions)-1] {
		t.Fatalf("prod master %s is published as %+v (%v), want %s", head, v, err, versions[len(versions)-1])
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// unknownInPlan matches an attribute shown as (known after apply), created or changed.
func unknownInPlan(attr string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s*[+~] ` + attr + `\s+= (?:"[0-9a-f]{40}" -> )?\(known after apply\)`)
}

// In ref mode a saved plan created before a branch moves still applies: the plan leaves
// what the ref decides unknown, and the apply ships the branch's head at apply time.
func TestCLI_refModeSavedPlanCreateAppliesWhenTheBranchMoves(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, _ := seedPromotionPair(t, dev, prod)
	w := acctest.NewWorkdir(t, cliPromotion(dev, du, prod, pu, name, `ref = "master"`))

	out := w.MustRun(t, "plan", "-out=saved.tfplan", "-input=false")
	second := applySavedRefPlanAfterAMove(t, w, out, dev, du, name, "a ref-mode create", "Two")
	checkProdShips(t, dev, du, prod, pu, name, second, "0.1.0")
	w.PlanIsEmpty(t)
}

// An update planned in ref mode and saved still applies when dev's branch moves before the
// apply: the plan leaves what the ref decides unknown, and the apply ships the head at apply time.
func TestCLI_refModeSavedPlanUpdateAppliesWhenTheBranchMoves(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	for _, c := range []struct {
		name string
		// change makes an update due after the first apply.
		change func(t *testing.T, dev, prod *acctest.Cluster, du, pu *acctest.User, name string)
	}{
		{
			// A drift-only update (prod's tree changed by hand, the ref did not move): the
			// plan must not have promised the old commit.
			name: "a ref-mode drift repair",
			change: func(t *testing.T, _, prod *acctest.Cluster, _, pu *acctest.User, name string) {
				pushHotfix(t, prod, pu, name)
			},
		},
		{
			// The branch moved, and moves again between plan and apply.
			name: "a moved ref",
			change: func(t *testing.T, dev, _ *acctest.Cluster, du, _ *acctest.User, name string) {
				pushHello(t, dev, du, name, "Two")
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dev, prod := acctest.Shared(t)
			du, pu, name, first := seedPromotionPair(t, dev, prod)
			w := acctest.NewWorkdir(t, cliPromotion(dev, du, prod, pu, name, `ref = "master"`))
			w.MustRun(t, "apply", "-auto-approve", "-input=false")
			checkProdShips(t, dev, du, prod, pu, name, first, "0.1.0")
			w.PlanIsEmpty(t)

			c.change(t, dev, prod, du, pu, name)
			out, code := w.Run(t, "plan", "-out=saved.tfplan", "-input=false", "-detailed-exitcode")
			if code != 2 {
				t.Fatalf("%s should plan an update, plan exit %d:\n%s", c.name, code, out)
			}
			third := applySavedRefPlanAfterAMove(t, w, out, dev, du, name, c.name, "Three")
			if got := output(t, w, "published_version"); got != "0.2.0" {
				t.Fatalf("published_version = %s, want 0.2.0", got)
			}
			checkProdShips(t, dev, du, prod, pu, name, third, "0.1.0", "0.2.0")
			w.PlanIsEmpty(t)
		})
	}
}

// pushOrPublishInPlan matches what makes a plan read as a push or a publish.
var pushOrPublishInPlan = regexp.MustCompile(`(?m)^\s*[+~] (commit|tree|build_id|build_status|published_version|version_git_hash)\s+= .*(\(known after apply\)|-> null)`)

// After an import, and when publish is removed, the plan must not read as a push or a
// publish (or an unpublish): nothing ships, and the cluster agrees.
func TestCLI_plansAfterImportAndWithoutPublishShowNoPush(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, first := seedPromotionPair(t, dev, prod)
	cfg := cliPromotion(dev, du, prod, pu, name, "commit = data.algorithmia_git_ref.head.commit")
	w := acctest.NewWorkdir(t, cfg)
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	history := pu.Log(t, prod, pu.Name, name)
	addr := "algorithmia_algorithm_source.promoted"

	w.MustRun(t, "state", "rm", addr)
	w.MustRun(t, "import", "-input=false", addr, pu.Name+"/"+name)
	out, code := w.Run(t, "plan", "-out=import.tfplan", "-input=false", "-detailed-exitcode")
	if code != 2 || !strings.Contains(out, `+ source_commit     = "`+first+`"`) || pushOrPublishInPlan.MatchString(out) {
		t.Fatalf("after import the plan should only record source_commit %s (exit %d):\n%s", first, code, out)
	}
	w.MustRun(t, "apply", "-input=false", "import.tfplan")

	w.Write(t, strings.Replace(cfg, `publish = { version_type = "minor" }`, "", 1))
	out, code = w.Run(t, "plan", "-out=nopublish.tfplan", "-input=false", "-detailed-exitcode")
	if code != 2 || pushOrPublishInPlan.MatchString(out) {
		t.Fatalf("removing publish should change only the argument (exit %d):\n%s", code, out)
	}
	w.MustRun(t, "apply", "-input=false", "nopublish.tfplan")
	if got := output(t, w, "published_version"); got != "0.1.0" {
		t.Fatalf("published_version = %q after removing publish; the version is still published", got)
	}
	if after := pu.Log(t, prod, pu.Name, name); len(after) != len(history) || after[0] != history[0] {
		t.Fatalf("prod history %v, was %v: something was pushed", after, history)
	}
	checkProdShips(t, dev, du, prod, pu, name, first, "0.1.0")
	w.PlanIsEmpty(t)
}

// A saved plan that found nothing to push (here: publishing the commit already on prod)
// keeps that promise: if prod's master moved since, the apply pushes and publishes nothing
// and says to plan again; the next plan repairs the drift.
func TestCLI_savedPlanWithoutPushRefusesAMovedHead(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, first := seedPromotionPair(t, dev, prod)
	cfg := cliPromotion(dev, du, prod, pu, name, "commit = data.algorithmia_git_ref.head.commit")
	w := acctest.NewWorkdir(t, strings.Replace(cfg, `publish = { version_type = "minor" }`, "", 1))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")

	w.Write(t, cfg)
	out := w.MustRun(t, "plan", "-out=approve.tfplan", "-input=false")
	if pushed := regexp.MustCompile(`(?m)^\s*~ (commit|build_id)\s+=`); pushed.MatchString(out) {
		t.Fatalf("an approval-only publish should keep commit and build_id:\n%s", out)
	}
	hotfix := pushHotfix(t, prod, pu, name)
	out, code := w.Run(t, "apply", "-input=false", "approve.tfplan")
	if code == 0 || !wrapped(`(?s)Failed to promote source.*destination branch moved since it was last read.*Nothing was pushed; run terraform plan again`).MatchString(out) {
		t.Fatalf("applying a no-push plan onto a moved head should fail and say to plan again (exit %d):\n%s", code, out)
	}
	if log := pu.Log(t, prod, pu.Name, name); log[0] != hotfix {
		t.Fatalf("prod master is %s, want the untouched hotfix %s", log[0], hotfix)
	}
	if v, err := pu.Client.ListAllVersions(context.Background(), pu.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)}); err != nil || len(v) != 0 {
		t.Fatalf("published %d versions (%v); want none", len(v), err)
	}

	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	checkProdShips(t, dev, du, prod, pu, name, first, "0.1.0")
	if log := pu.Log(t, prod, pu.Name, name); log[1] != hotfix {
		t.Fatalf("the repair commit's parent is %s, want the hotfix %s", log[1], hotfix)
	}
}

func TestCLI_killedBetweenPushAndPublishPublishesOnce(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	// Slow builds leave a wide window between the push and the publish.
	dev := acctest.NewCluster(t, "dev", acctest.Options{BuildDuration: 4 * time.Second})
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
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	org := acctest.RandomName("acme")
	du, pu := dev.NewUser(t, "ci"), prod.NewUser(t, "ci")
	dev.NewOrganization(t, org, du)
	prod.NewOrganization(t, org, pu)

	ctx := context.Background()
	seedOrgHello(t, dev, du, org)

	w := acctest.CopyWorkdir(t, "../../examples/promote-dev-to-prod")
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_username": du.Name, "dev_api_key": du.Key,
		"prod_api_address": prod.URL, "prod_username": pu.Name, "prod_api_key": pu.Key,
		"organization": org,
		"algorithms":   `{"hello":{"version":"1.0.0","language":"python3","environment":"Python 3.8"}}`,
	} {
		w.Setenv("TF_VAR_"+k, v)
	}
	acctest.SkipUnless(t, acctest.TestCommand)
	if legacyTerraform(t) {
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

// cliEverything renders one of each resource the provider creates on one cluster, with
// adopt_existing on: an account, its organization and membership, its key, a collection and
// file, and an algorithm with promoted, published source.
func cliEverything(c *acctest.Cluster, u *acctest.User, svc, svcKey, org, coll, src, dst string) string {
	return strings.Replace(c.ProviderBlock("", u, true), "  max_retries", "  adopt_existing = true\n  max_retries", 1) + fmt.Sprintf(`
resource "algorithmia_user" "svc" {
  username = %[1]q
  email    = "%[1]s@example.com"
  fullname = "Service account"
}

resource "algorithmia_organization" "team" {
  org_name         = %[3]q
  org_label        = "Team"
  org_contact_name = "Ops"
  org_email        = "ops@example.com"
}

resource "algorithmia_organization_member" "svc" {
  org_name = algorithmia_organization.team.org_name
  username = algorithmia_user.svc.username
}

resource "algorithmia_user_api_key" "svc" {
  username           = algorithmia_user.svc.username
  label              = "pipeline"
  api_key_wo         = %[2]q
  api_key_wo_version = 1
  permissions = {
    allow_algo_management = true
    allow_data            = true
  }
}

resource "algorithmia_data_collection" "models" {
  owner    = %[4]q
  name     = %[5]q
  read_acl = "private"
}

resource "algorithmia_data_object" "model" {
  path    = "data://${algorithmia_data_collection.models.owner}/${algorithmia_data_collection.models.name}/model.txt"
  content = "weights v1"
}
`, svc, svcKey, org, u.Name, coll) + algorithmHCL("dst", u.Name, dst, "Promoted") +
		algorithmSourceHCL("dst", "dst", followingSource(c.GitURL(u.Name, src), "master", u), `publish = { version_type = "minor" }`)
}

func TestCLI_lostStateConvergesWithAdoptExisting(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	acctest.SkipUnless(t, acctest.WriteOnlyArguments)
	dev, _ := acctest.Shared(t)
	ctx := context.Background()
	u := dev.NewUser(t, "owner")
	svc, org, coll := acctest.RandomName("svc"), acctest.RandomName("team"), acctest.RandomName("models")
	src, dst := acctest.RandomName("src"), acctest.RandomName("dst")
	svcKey := "sim" + strings.ReplaceAll(acctest.RandomName("svc"), "_", "")
	u.CreateAlgorithm(t, src, algorithmia.Details{Label: "Source"})
	pushHello(t, dev, u, src, "Hi")

	w := acctest.NewWorkdir(t, cliEverything(dev, u, svc, svcKey, org, coll, src, dst))
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	// A file Terraform does not manage, in the managed collection: it must survive.
	putText(t, u, "data://"+u.Name+"/"+coll+"/kept.txt", "kept by hand")

	type snapshot struct {
		userID, orgID, algoID string
		log                   []string
		versions              []string
		members, files        []string
	}
	snap := func() snapshot {
		t.Helper()
		var s snapshot
		user, err := dev.Admin.GetUser(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		o, err := dev.Admin.GetOrganization(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		a, err := u.Client.GetAlgorithm(ctx, u.Name, dst)
		if err != nil {
			t.Fatal(err)
		}
		s.userID, s.orgID, s.algoID, s.log = user.ID, o.ID, a.ID, u.Log(t, dev, u.Name, dst)
		versions, err := u.Client.ListAllVersions(ctx, u.Name, dst, algorithmia.VersionFilter{Published: boolPtr(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range versions {
			s.versions = append(s.versions, v.VersionInfo.SemanticVersion+"@"+v.VersionInfo.GitHash)
		}
		members, err := dev.Admin.ListAllOrganizationMembers(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			s.members = append(s.members, m.Username+":"+m.Role)
		}
		files, err := u.Client.ListFiles(ctx, algorithmia.DataPath{Owner: u.Name, Collection: coll})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			sum, _, err := remoteSHA256(u, "data://"+u.Name+"/"+coll+"/"+f.Filename)
			if err != nil {
				t.Fatal(err)
			}
			s.files = append(s.files, f.Filename+"="+sum)
		}
		return s
	}
	before := snap()
	if len(before.versions) != 1 || len(before.members) != 1 || len(before.files) != 2 {
		t.Fatalf("after the first apply: %+v; want one version, one member and two files", before)
	}

	// The state is lost: Terraform left the file empty.
	if err := os.Truncate(filepath.Join(w.Dir, "terraform.tfstate"), 0); err != nil {
		t.Fatal(err)
	}
	out := w.MustRun(t, "apply", "-auto-approve", "-input=false")
	for _, want := range []string{
		"Adopted existing user " + svc,
		"Adopted existing organization " + org,
		"Adopted existing organization membership " + org + "/" + svc,
		"Adopted existing API key " + svc + "/" + shortKeyMask(algorithmia.MaskAPIKey(svcKey)),
		"Adopted existing collection data://" + u.Name + "/" + coll,
		"Adopted existing data object data://" + u.Name + "/" + coll + "/model.txt",
		"Adopted existing algorithm " + u.Name + "/" + dst,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the apply after the state was lost does not warn %q", want)
		}
	}
	if strings.Contains(out, svcKey) {
		t.Error("the apply output holds the key value")
	}
	if !regexp.MustCompile(`0 destroyed`).MatchString(out) {
		t.Errorf("the apply destroyed something:\n%s", out)
	}
	if after := snap(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the cluster changed when the state was rebuilt:\nbefore %+v\nafter  %+v", before, after)
	}
	if t.Failed() {
		t.Fatalf("apply output:\n%s", out)
	}
	w.PlanIsEmpty(t)
}

// seedOrgHello makes dev's organization-owned algorithm "hello" (Python 3.8) with a published
// version 1.0.0, pushed by du (a member), and returns its commit.
func seedOrgHello(t *testing.T, dev *acctest.Cluster, du *acctest.User, org string) string {
	t.Helper()
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
	return commit
}

// applySavedRefPlanAfterAMove checks that the saved plan saved.tfplan (whose output is out)
// leaves source_commit and source_tree unknown, moves dev's master with a new commit, applies
// the saved plan, and requires that it shipped the new head, which it returns.
func applySavedRefPlanAfterAMove(t *testing.T, w *acctest.Workdir, out string, dev *acctest.Cluster, du *acctest.User, name, what, greeting string) string {
	t.Helper()
	for _, attr := range []string{"source_commit", "source_tree"} {
		if !unknownInPlan(attr).MatchString(out) {
			t.Fatalf("%s should plan %s as known after apply:\n%s", what, attr, out)
		}
	}
	head := du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: helloSource(du.Name, name, greeting)})
	if out, code := w.Run(t, "apply", "-input=false", "saved.tfplan"); code != 0 {
		t.Fatalf("applying the saved plan (%s) after the branch moved failed (%d):\n%s", what, code, out)
	}
	if got := output(t, w, "source_commit"); got != head {
		t.Fatalf("ref mode resolved %s at apply; want the branch head %s", got, head)
	}
	return head
}
