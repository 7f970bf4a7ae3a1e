// Command algorithmia-demo runs the product's main job end to end on this machine: it
// starts three local Algorithmia clusters ("dev", "prod-us" and "prod-eu"), seeds dev
// through its API the way a team would use it, bootstraps each production region with
// examples/promote-dev-to-prod/bootstrap, and promotes dev into both regions in one apply
// with examples/promote-ha (examples/modules/promote once per region). It ends with a
// per-region table of the versions, commits and trees each cluster serves. `make demo`
// builds the binaries and runs it.
//
// It never touches the user's own Terraform configuration: it writes its own CLI config
// (dev_overrides) and works in copies of the examples under the work directory.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

const (
	organization   = "acme"
	serviceAccount = "acme_ci"
	steps          = 7
)

// seedAlgorithm is one dev algorithm: its runtime (by name, as on every cluster) and source.
type seedAlgorithm struct {
	name, language, environment string
	files                       func(greeting string) map[string][]byte
}

var seedAlgorithms = []seedAlgorithm{
	{"hello", "python3", "Python 3.8", pythonSource("hello")},
	{"sentiment", "python3", "Python 3.9", pythonSource("sentiment")},
	{"wordcount", "java11", "Java 11", javaSource("wordcount")},
}

type options struct {
	bin, work, terraform, examples string
	buildDuration                  time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", ".demo/bin", "directory holding terraform-provider-algorithmia and algorithmia-local")
	flag.StringVar(&o.work, "work", ".demo", "work directory: cluster data, Terraform state, CLI config")
	flag.StringVar(&o.terraform, "terraform", "terraform", "Terraform (or OpenTofu) CLI to run")
	flag.StringVar(&o.examples, "examples", "examples", "the examples directory (promote-ha, modules/promote, promote-dev-to-prod/bootstrap)")
	flag.DurationVar(&o.buildDuration, "build-duration", 500*time.Millisecond, "how long builds take on the local clusters")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "\nDEMO FAILED: %v\n", err)
		os.Exit(1)
	}
}

// region is one production cluster: its name in the demo, the workspace of its bootstrap
// state, the prefix of its promote-ha variables and output key, and the service account's
// key there.
type region struct {
	name, workspace, varPrefix, output string
	cluster                            *cluster
	ciKey                              string
}

// demo holds what the steps share.
type demo struct {
	o         options
	started   time.Time
	dev       *cluster
	regions   []*region
	devCI     *algorithmia.Client
	devCIKey  string
	tfEnv     []string
	versions  map[string]string // algorithm -> pinned dev version
	bootstrap string            // copy of promote-dev-to-prod/bootstrap
	ha        string            // copy of promote-ha
}

func run(o options) error {
	d := &demo{o: o, started: time.Now(), versions: map[string]string{}, regions: []*region{
		{name: "prod-us", workspace: "us", varPrefix: "prod_us", output: "us"},
		{name: "prod-eu", workspace: "eu", varPrefix: "prod_eu", output: "eu"},
	}}
	for _, p := range []*string{&d.o.bin, &d.o.work, &d.o.examples} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	defer d.stopClusters()

	for i, s := range []struct {
		title string
		f     func() error
	}{
		{"Check the binaries and the Terraform CLI", d.checkTools},
		{"Start clusters dev, prod-us and prod-eu; seed dev through its API", d.startAndSeed},
		{"terraform apply in promote-dev-to-prod/bootstrap, once per region (a workspace each)", d.bootstrapRegions},
		{"terraform apply in promote-ha: promote dev into prod-us and prod-eu in one apply", d.promoteAll},
		{"terraform plan again: nothing to do", d.planIsEmpty},
		{"Publish hello 1.1.0 on dev, pin it, plan and apply: one apply lands it in both regions", d.promoteNewVersion},
		{"Stop the clusters", d.finish},
	} {
		if err := d.step(i+1, s.title, s.f); err != nil {
			return err
		}
	}
	fmt.Printf("\nDemo finished in %s.\n", time.Since(d.started).Round(100*time.Millisecond))
	return nil
}

func (d *demo) step(n int, title string, f func() error) error {
	fmt.Printf("\n[%d/%d] %s\n", n, steps, title)
	start := time.Now()
	if err := f(); err != nil {
		return fmt.Errorf("step %d (%s): %w", n, title, err)
	}
	fmt.Printf("    done in %s\n", time.Since(start).Round(10*time.Millisecond))
	return nil
}

func (d *demo) checkTools() error {
	for _, b := range []string{"terraform-provider-algorithmia", "algorithmia-local"} {
		if _, err := os.Stat(filepath.Join(d.o.bin, b)); err != nil {
			return fmt.Errorf("%s is missing in %s (run `make demo`, which builds it): %w", b, d.o.bin, err)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		return errors.New("git is not on PATH; the local cluster serves Git with `git http-backend`")
	}
	if err := os.RemoveAll(filepath.Join(d.o.work, "run")); err != nil {
		return err
	}
	cliConfig := filepath.Join(d.o.work, "run", "terraformrc")
	if err := os.MkdirAll(filepath.Dir(cliConfig), 0o755); err != nil {
		return err
	}
	// dev_overrides: the CLI uses the provider we just built, without init or a registry.
	// Terraform resolves "algorithmia-iac/algorithmia" under registry.terraform.io, OpenTofu
	// under registry.opentofu.org: name both.
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/algorithmia-iac/algorithmia", d.o.bin, "registry.opentofu.org/algorithmia-iac/algorithmia", d.o.bin)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		return err
	}
	d.tfEnv = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")

	// Run with our CLI configuration: OpenTofu prints a warning about a missing one on stdout.
	version := func(args ...string) ([]byte, error) {
		cmd := exec.Command(d.o.terraform, args...)
		cmd.Env = d.tfEnv
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("run %s %v: %w", d.o.terraform, args, err)
		}
		return out, nil
	}
	out, err := version("version", "-json")
	if err != nil {
		return err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("%s version -json: %w", d.o.terraform, err)
	}
	text, err := version("version")
	if err != nil {
		return err
	}
	product, _, _ := strings.Cut(string(text), " v")
	// promote-ha passes keys as ephemeral variables to write-only arguments: Terraform 1.11,
	// OpenTofu 1.11.
	if !versionAtLeast(v.Version, 1, 11) {
		return fmt.Errorf("%s %s is too old: examples/promote-ha needs write-only arguments (Terraform or OpenTofu 1.11 or later); "+
			"run `make demo TF=/path/to/terraform-1.11`, or `make tofu-cli` and then `make demo TF=.tools/bin/tofu`", product, v.Version)
	}
	fmt.Printf("    %s CLI %s (%s)\n", product, v.Version, d.o.terraform)
	return nil
}

func (d *demo) startAndSeed() error {
	var err error
	if d.dev, err = startCluster(d.o, "dev"); err != nil {
		return err
	}
	for _, r := range d.regions {
		if r.cluster, err = startCluster(d.o, r.name); err != nil {
			return err
		}
		r.ciKey = "sim" + randomHex(16)
	}
	fmt.Printf("    dev:     %s\n", d.dev.url)
	for _, r := range d.regions {
		fmt.Printf("    %-8s %s\n", r.name+":", r.cluster.url)
	}
	ctx := context.Background()
	admin, err := algorithmia.New(algorithmia.Config{BaseURL: d.dev.url, AdminAPIKey: d.dev.adminKey})
	if err != nil {
		return err
	}
	people := []algorithmia.CreateUserRequest{
		{Username: "alice", Email: "alice@acme.io", Fullname: "Alice Example", CompanyName: "Acme", CompanyRole: "Data scientist"},
		{Username: "bob", Email: "bob@acme.io", Fullname: "Bob Example", CompanyName: "Acme", CompanyRole: "ML engineer"},
		{Username: serviceAccount, Email: "ci@acme.io", Fullname: "Acme CI", CompanyName: "Acme", CompanyRole: "Service account"},
	}
	for _, u := range people {
		if _, err := admin.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create user %s on dev: %w", u.Username, err)
		}
	}
	types, err := admin.ListOrganizationTypes(ctx)
	if err != nil {
		return err
	}
	typeID := ""
	for _, t := range types {
		if t.Name == "basic" {
			typeID = t.ID
		}
	}
	if _, err := admin.CreateOrganization(ctx, algorithmia.OrganizationRequest{
		OrgName: organization, OrgLabel: "Acme ML", OrgContactName: "Alice Example", OrgEmail: "ml@acme.io", TypeID: typeID,
	}); err != nil {
		return fmt.Errorf("create organization on dev: %w", err)
	}
	for _, m := range []string{"alice", serviceAccount} {
		if _, err := admin.AddOrganizationMember(ctx, organization, m); err != nil {
			return err
		}
	}
	d.devCIKey = "sim" + randomHex(16)
	if _, err := admin.CreateUserAPIKey(ctx, serviceAccount, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "promotion pipeline", KeyType: algorithmia.KeyTypeAlgorithm, APIKey: d.devCIKey,
		Permissions: &algorithmia.AuthPermissions{AllowAlgoManagement: true, AllowData: true, AllowDataWrite: true, AlgoACL: []string{}},
	}); err != nil {
		return err
	}
	if d.devCI, err = algorithmia.New(algorithmia.Config{BaseURL: d.dev.url, APIKey: d.devCIKey}); err != nil {
		return err
	}
	fmt.Printf("    users alice, bob, %s; organization %s\n", serviceAccount, organization)
	for _, a := range seedAlgorithms {
		sha, err := d.seedAlgorithm(ctx, a)
		if err != nil {
			return fmt.Errorf("seed %s/%s: %w", organization, a.name, err)
		}
		d.versions[a.name] = "1.0.0"
		fmt.Printf("    %s/%s (%s, %s): published 1.0.0 at %s\n", organization, a.name, a.language, a.environment, sha[:12])
	}
	return nil
}

// seedAlgorithm creates an algorithm on dev, pushes its source and publishes 1.0.0.
func (d *demo) seedAlgorithm(ctx context.Context, a seedAlgorithm) (string, error) {
	envs, err := d.devCI.ListEnvironments(ctx, a.language)
	if err != nil {
		return "", err
	}
	envID := ""
	for _, e := range envs {
		if e.DisplayName == a.environment {
			envID = e.ID
		}
	}
	if envID == "" {
		return "", fmt.Errorf("dev has no %q environment for %s", a.environment, a.language)
	}
	if _, err := d.devCI.CreateAlgorithm(ctx, organization, algorithmia.CreateAlgorithmRequest{
		Name:    a.name,
		Details: algorithmia.Details{Label: strings.ToUpper(a.name[:1]) + a.name[1:], Tagline: "Seeded by the demo"},
		Settings: algorithmia.CreateSettings{
			AlgorithmEnvironment: envID, License: "apl", NetworkAccess: "isolated", SourceVisibility: "closed",
			PipelineEnabled: false, AlgorithmCallability: "private",
		},
	}); err != nil {
		return "", err
	}
	return d.pushAndPublish(ctx, a, "Hello", "Initial implementation", algorithmia.VersionTypeMajor)
}

// pushAndPublish pushes a source tree to dev as the service account, waits for the build
// and publishes it.
func (d *demo) pushAndPublish(ctx context.Context, a seedAlgorithm, greeting, message, versionType string) (string, error) {
	sha, err := gitpush.Push(ctx, gitpush.Target{URL: d.dev.url + "/git/" + organization + "/" + a.name + ".git", Username: serviceAccount, Password: d.devCIKey}, gitpush.Commit{
		Files: a.files(greeting), Message: message, Author: "Alice Example", Email: "alice@acme.io",
	})
	if err != nil {
		return "", err
	}
	b, err := d.devCI.WaitForBuild(ctx, organization, a.name, sha, algorithmia.WaitOptions{})
	if err != nil {
		return "", err
	}
	if b.Status != algorithmia.BuildStatusSucceeded {
		return "", fmt.Errorf("build %s of %s failed", b.BuildID, sha)
	}
	if _, err := d.devCI.PublishCommit(ctx, organization, a.name, sha, algorithmia.PublishVersionInfo{
		VersionType: versionType, ReleaseNotes: message,
	}); err != nil {
		return "", err
	}
	return sha, nil
}

// bootstrapRegions runs promote-dev-to-prod/bootstrap once per region, in a workspace of
// its own (one state per region), as examples/promote-ha/README.md says.
func (d *demo) bootstrapRegions() error {
	d.bootstrap = filepath.Join(d.o.work, "run", "bootstrap")
	if err := copyDir(filepath.Join(d.o.examples, "promote-dev-to-prod", "bootstrap"), d.bootstrap); err != nil {
		return err
	}
	for _, r := range d.regions {
		fmt.Printf("    workspace %s: mirror dev users and the organization to %s, give %s a key there\n", r.workspace, r.name, serviceAccount)
		if err := d.terraform(d.bootstrap, nil, "workspace", "select", "-or-create=true", r.workspace); err != nil {
			return err
		}
		if err := d.terraform(d.bootstrap, d.bootstrapVars(r), "apply", "-auto-approve", "-input=false"); err != nil {
			return err
		}
	}
	return nil
}

// promoteAll copies promote-ha and, beside it, the module it calls (../modules/promote),
// pins the seeded versions and applies: both regions in one run.
func (d *demo) promoteAll() error {
	d.ha = filepath.Join(d.o.work, "run", "promote-ha")
	if err := copyDir(filepath.Join(d.o.examples, "promote-ha"), d.ha); err != nil {
		return err
	}
	if err := copyDir(filepath.Join(d.o.examples, "modules", "promote"), filepath.Join(d.o.work, "run", "modules", "promote")); err != nil {
		return err
	}
	if err := d.writeAlgorithmsVar(); err != nil {
		return err
	}
	// Under dev_overrides there is no init: `get` installs the local module.
	if err := d.terraform(d.ha, nil, "get"); err != nil {
		return err
	}
	fmt.Println("    module.us and module.eu: create the algorithms, push each pinned dev commit, build, publish; check blocks compare the trees")
	return d.applyWithPassingChecks(d.ha, d.haVars(), "-auto-approve")
}

func (d *demo) planIsEmpty() error {
	for _, r := range d.regions {
		if err := d.terraform(d.bootstrap, nil, "workspace", "select", r.workspace); err != nil {
			return err
		}
		code, err := d.terraformCode(d.bootstrap, d.bootstrapVars(r), "plan", "-detailed-exitcode", "-input=false")
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("terraform plan in bootstrap (workspace %s) found changes (exit code %d); expected none", r.workspace, code)
		}
		fmt.Printf("    bootstrap, workspace %s: No changes.\n", r.workspace)
	}
	// The check blocks' data sources are read again on every run, so -detailed-exitcode
	// would say 2: look at the resource and output changes of the saved plan instead.
	changes, err := d.plannedChanges(d.ha, d.haVars(), "again.tfplan")
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		return fmt.Errorf("terraform plan in promote-ha changes %s; expected nothing", strings.Join(changes, ", "))
	}
	fmt.Println("    promote-ha: no resource or output changes (only the check blocks' data sources are read again).")
	return nil
}

// plannedChanges saves a plan of dir and returns the managed resources and outputs it
// changes, from `show -json`.
func (d *demo) plannedChanges(dir string, vars map[string]string, planFile string) ([]string, error) {
	if err := d.terraform(dir, vars, "plan", "-input=false", "-out="+planFile); err != nil {
		return nil, err
	}
	cmd := exec.Command(d.o.terraform, "show", "-json", planFile)
	cmd.Dir, cmd.Env = dir, d.tfEnv
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("terraform show -json %s: %w", planFile, err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
		OutputChanges map[string]struct {
			Actions []string `json:"actions"`
		} `json:"output_changes"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		return nil, fmt.Errorf("terraform show -json %s: %w", planFile, err)
	}
	var changes []string
	for _, rc := range plan.ResourceChanges {
		if rc.Mode == "managed" && strings.Join(rc.Change.Actions, ",") != "no-op" {
			changes = append(changes, rc.Address)
		}
	}
	for name, oc := range plan.OutputChanges {
		if strings.Join(oc.Actions, ",") != "no-op" {
			changes = append(changes, "output."+name)
		}
	}
	sort.Strings(changes)
	return changes, nil
}

func (d *demo) promoteNewVersion() error {
	ctx := context.Background()
	sha, err := d.pushAndPublish(ctx, seedAlgorithms[0], "Howdy", "Friendlier greeting", algorithmia.VersionTypeMinor)
	if err != nil {
		return err
	}
	d.versions["hello"] = "1.1.0"
	fmt.Printf("    dev: %s/hello 1.1.0 published at %s; pinned version raised to 1.1.0\n", organization, sha[:12])
	if err := d.writeAlgorithmsVar(); err != nil {
		return err
	}
	changes, err := d.plannedChanges(d.ha, d.haVars(), "update.tfplan")
	if err != nil {
		return err
	}
	want := []string{`module.eu.algorithmia_algorithm_source.this["hello"]`, `module.us.algorithmia_algorithm_source.this["hello"]`, "output.regions"}
	if strings.Join(changes, " ") != strings.Join(want, " ") {
		return fmt.Errorf("the plan changes %v; expected exactly %v", changes, want)
	}
	fmt.Println("    (before the apply, the check blocks warn that no region serves dev's new tree yet)")
	// A saved plan holds no ephemeral variables: the keys are given again, as in a pipeline.
	if err := d.applyWithPassingChecks(d.ha, d.keyVars(), "update.tfplan"); err != nil {
		return err
	}
	return d.regionTable()
}

// regionTable prints, for each algorithm, the pinned dev version and what every region
// serves for it, from the promote-ha output; it checks each region's row against the
// cluster itself (latest published version from the API, head of master and its tree from
// Git) and fails unless every region serves dev's tree.
func (d *demo) regionTable() error {
	cmd := exec.Command(d.o.terraform, "output", "-json", "regions")
	cmd.Dir, cmd.Env = d.ha, d.tfEnv
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("terraform output regions: %w", err)
	}
	type promoted struct {
		SourceCommit     string `json:"source_commit"`
		SourceTree       string `json:"source_tree"`
		Commit           string `json:"commit"`
		Tree             string `json:"tree"`
		PublishedVersion string `json:"published_version"`
	}
	var regions map[string]map[string]promoted
	if err := json.Unmarshal(out, &regions); err != nil {
		return fmt.Errorf("terraform output regions: %w", err)
	}
	ctx := context.Background()
	row := func(algorithm, cluster, version, commit, tree, note string) {
		fmt.Println(strings.TrimRight(fmt.Sprintf("    %-10s %-8s %-8s %-12s %-12s %s", algorithm, cluster, version, commit, tree, note), " "))
	}
	fmt.Println()
	row("algorithm", "cluster", "version", "commit", "tree", "")
	var mismatch []string
	for _, a := range seedAlgorithms {
		first := regions[d.regions[0].output][a.name]
		if err := d.confirmDevTree(ctx, a.name, first.SourceCommit, first.SourceTree); err != nil {
			return err
		}
		row(a.name, "dev", d.versions[a.name], short(first.SourceCommit), short(first.SourceTree), "")
		equal := true
		for _, r := range d.regions {
			p, ok := regions[r.output][a.name]
			if !ok {
				return fmt.Errorf("output regions has no %s in %s", a.name, r.output)
			}
			if err := r.confirm(ctx, a.name, p.PublishedVersion, p.Commit, p.Tree); err != nil {
				return err
			}
			if p.SourceCommit != first.SourceCommit || p.Tree != first.SourceTree {
				equal = false
			}
			last := ""
			if r == d.regions[len(d.regions)-1] {
				last = map[bool]string{true: "trees equal: yes", false: "trees equal: NO"}[equal]
			}
			row("", r.name, p.PublishedVersion, short(p.Commit), short(p.Tree), last)
		}
		if !equal {
			mismatch = append(mismatch, a.name)
		}
	}
	fmt.Println("\n    A region's commit is not dev's: the promotion commits dev's tree on the region's own history,")
	fmt.Println("    and every cluster numbers its versions itself.")
	if len(mismatch) > 0 {
		return fmt.Errorf("the regions do not all serve dev's tree for %s", strings.Join(mismatch, ", "))
	}
	return nil
}

// confirm checks that the region itself serves what the Terraform output says: version
// as its latest published version, commit at the head of master, with tree.
func (r *region) confirm(ctx context.Context, algorithm, version, commit, tree string) error {
	client, err := algorithmia.New(algorithmia.Config{BaseURL: r.cluster.url, APIKey: r.ciKey})
	if err != nil {
		return err
	}
	latest, err := client.LatestPublishedVersion(ctx, organization, algorithm)
	if err != nil {
		return fmt.Errorf("latest version of %s on %s: %w", algorithm, r.name, err)
	}
	if latest == nil || latest.VersionInfo.SemanticVersion != version || latest.VersionInfo.GitHash != commit {
		return fmt.Errorf("%s on %s: the output says version %s at %s, the cluster's latest published version is %+v", algorithm, r.name, version, commit, latest)
	}
	head, headTree, err := promote.HeadTree(ctx, promote.Remote{
		URL:  r.cluster.url + "/git/" + organization + "/" + algorithm + ".git",
		Auth: &promote.Credentials{Username: serviceAccount, Password: r.ciKey},
	}, promote.DefaultBranch)
	if err != nil {
		return fmt.Errorf("head of %s on %s: %w", algorithm, r.name, err)
	}
	if head != commit || headTree != tree {
		return fmt.Errorf("%s on %s: the output says commit %s with tree %s, Git has %s with tree %s", algorithm, r.name, commit, tree, head, headTree)
	}
	return nil
}

// confirmDevTree checks that dev's commit has the tree the promotion read for it.
func (d *demo) confirmDevTree(ctx context.Context, algorithm, commit, tree string) error {
	got, ok, err := promote.CommitTree(ctx, promote.Remote{
		URL:  d.dev.url + "/git/" + organization + "/" + algorithm + ".git",
		Auth: &promote.Credentials{Username: serviceAccount, Password: d.devCIKey},
	}, commit)
	if err != nil {
		return fmt.Errorf("tree of %s %s on dev: %w", algorithm, commit, err)
	}
	if !ok || got != tree {
		return fmt.Errorf("%s on dev: the output says commit %s has tree %s, Git has %q (found: %v)", algorithm, commit, tree, got, ok)
	}
	return nil
}

func short(sha string) string {
	if len(sha) < 12 {
		return sha
	}
	return sha[:12]
}

func (d *demo) finish() error {
	d.stopClusters()
	fmt.Println("    Cluster data is kept for you to inspect:")
	fmt.Printf("      %-8s %s\n", "dev:", d.dev.dataDir)
	for _, r := range d.regions {
		fmt.Printf("      %-8s %s\n", r.name+":", r.cluster.dataDir)
	}
	fmt.Printf("    Terraform state and logs: %s\n", filepath.Join(d.o.work, "run"))
	fmt.Printf("    Start a cluster again with (admin keys are in %s):\n      %s --data-dir %s --admin-key \"$(cat %s)\" --listen 127.0.0.1:8080\n",
		filepath.Join(d.o.work, "clusters"), filepath.Join(d.o.bin, "algorithmia-local"), d.dev.dataDir, d.dev.keyFile())
	return nil
}

func (d *demo) bootstrapVars(r *region) map[string]string {
	return map[string]string{
		"dev_api_address": d.dev.url, "dev_admin_api_key": d.dev.adminKey,
		"prod_api_address": r.cluster.url, "prod_admin_api_key": r.cluster.adminKey,
		"organization": organization, "service_account": serviceAccount, "prod_service_api_key": r.ciKey,
	}
}

func (d *demo) haVars() map[string]string {
	vars := map[string]string{
		"dev_api_address": d.dev.url, "dev_username": serviceAccount, "prod_username": serviceAccount,
		"organization": organization, "deletion_protection": "false",
	}
	for _, r := range d.regions {
		vars[r.varPrefix+"_api_address"] = r.cluster.url
	}
	for k, v := range d.keyVars() {
		vars[k] = v
	}
	return vars
}

// keyVars are promote-ha's keys. They are ephemeral, so a saved plan does not hold them:
// applying one needs them again.
func (d *demo) keyVars() map[string]string {
	vars := map[string]string{"dev_api_key": d.devCIKey}
	for _, r := range d.regions {
		vars[r.varPrefix+"_api_key"] = r.ciKey
	}
	return vars
}

// writeAlgorithmsVar writes the pinned versions as a tfvars file, the way a pipeline would.
func (d *demo) writeAlgorithmsVar() error {
	algos := map[string]map[string]string{}
	for _, a := range seedAlgorithms {
		algos[a.name] = map[string]string{"version": d.versions[a.name], "language": a.language, "environment": a.environment}
	}
	b, err := json.MarshalIndent(map[string]any{"algorithms": algos}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.ha, "pinned.auto.tfvars.json"), b, 0o644)
}

// terraform runs the CLI in dir, showing a trimmed log, and fails on a non-zero exit.
func (d *demo) terraform(dir string, vars map[string]string, args ...string) error {
	_, err := d.terraformOutput(dir, vars, args...)
	return err
}

// terraformOutput is terraform, returning the CLI's output.
func (d *demo) terraformOutput(dir string, vars map[string]string, args ...string) (string, error) {
	out, code, err := d.run(dir, vars, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("terraform %s exited with %d", args[0], code)
	}
	return out, err
}

// applyWithPassingChecks runs an apply in dir and fails if a check block warned.
func (d *demo) applyWithPassingChecks(dir string, vars map[string]string, args ...string) error {
	out, err := d.terraformOutput(dir, vars, append([]string{"apply", "-input=false"}, args...)...)
	if err != nil {
		return err
	}
	if strings.Contains(out, checkFailed) {
		return fmt.Errorf("a check block still fails after the apply in %s; see %s", dir, filepath.Join(d.o.work, "run", "terraform.log"))
	}
	return nil
}

// checkFailed is how Terraform and OpenTofu report a failed check block assertion.
const checkFailed = "Check block assertion failed"

func (d *demo) terraformCode(dir string, vars map[string]string, args ...string) (int, error) {
	_, code, err := d.run(dir, vars, args...)
	return code, err
}

// interesting picks the lines of Terraform's output worth showing during the demo,
// including the messages of promote-ha's check blocks.
var interesting = regexp.MustCompile(`(: Creation complete|: Modifications complete|Apply complete!|No changes\.|Plan: |will be updated|must be replaced|Error|Warning:|does not serve dev's tree)`)

// run runs the CLI in dir with vars as TF_VAR_ variables, appends its output to the log,
// shows the interesting lines and returns the output and the exit code.
func (d *demo) run(dir string, vars map[string]string, args ...string) (string, int, error) {
	cmd := exec.Command(d.o.terraform, append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = append([]string{}, d.tfEnv...)
	for k, v := range vars {
		cmd.Env = append(cmd.Env, "TF_VAR_"+k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code, err = exitErr.ExitCode(), nil
	}
	logFile := filepath.Join(d.o.work, "run", "terraform.log")
	if f, ferr := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); ferr == nil {
		fmt.Fprintf(f, "\n$ (cd %s && terraform %s)\n%s", dir, strings.Join(args, " "), out.String())
		_ = f.Close()
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if interesting.MatchString(line) && !strings.Contains(line, "Provider development overrides") {
			fmt.Println("      " + strings.TrimSpace(line))
		}
	}
	if err != nil {
		return out.String(), code, err
	}
	if expectedChanges := code == 2 && contains(args, "-detailed-exitcode"); code != 0 && !expectedChanges {
		fmt.Printf("    terraform %s failed; its full output is in %s:\n%s\n", args[0], logFile, indent(out.String()))
	}
	return out.String(), code, nil
}

// cluster is one algorithmia-local process.
type cluster struct {
	name, url, adminKey, dataDir string
	cmd                          *exec.Cmd
}

func startCluster(o options, name string) (*cluster, error) {
	c := &cluster{name: name, adminKey: "admin" + randomHex(16), dataDir: filepath.Join(o.work, "clusters", name)}
	if err := os.RemoveAll(c.dataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return nil, err
	}
	c.cmd = exec.Command(filepath.Join(o.bin, "algorithmia-local"),
		"--listen", "127.0.0.1:0", "--data-dir", c.dataDir, "--build-duration", o.buildDuration.String())
	c.cmd.Env = append(os.Environ(), "ALGORITHMIA_LOCAL_ADMIN_KEY="+c.adminKey)
	// The admin key goes to a private file, not the terminal, so the user can restart the cluster.
	if err := os.WriteFile(c.keyFile(), []byte(c.adminKey+"\n"), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(o.work, "clusters", name+".log"))
	if err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.cmd.Stderr = logFile
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start algorithmia-local for %s: %w", name, err)
	}
	found := make(chan string, 1)
	go func() {
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 1024)
		for {
			n, err := stdout.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if m := regexp.MustCompile(`Algorithmia API: (\S+)/v1`).FindSubmatch(buf); m != nil {
				found <- string(m[1])
				_, _ = io.Copy(logFile, stdout)
				return
			}
			if err != nil {
				close(found)
				return
			}
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			return nil, fmt.Errorf("algorithmia-local for %s exited; see %s", name, logFile.Name())
		}
		c.url = u
		return c, nil
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		return nil, fmt.Errorf("algorithmia-local for %s did not start within 15s", name)
	}
}

// keyFile is where the cluster's admin key is kept, readable only by the user.
func (c *cluster) keyFile() string {
	return filepath.Join(filepath.Dir(c.dataDir), c.name+".admin-key")
}

func (c *cluster) stop() {
	if c == nil || c.cmd == nil || c.cmd.Process == nil || c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func (d *demo) stopClusters() {
	d.dev.stop()
	for _, r := range d.regions {
		r.cluster.stop()
	}
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			if e.Name() == ".terraform" || e.Name() == "tests" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !strings.HasSuffix(p, ".tf") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

func versionAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func indent(s string) string {
	return "      " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n      ")
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// pythonSource is a small Python algorithm in the platform's layout.
func pythonSource(name string) func(greeting string) map[string][]byte {
	return func(greeting string) map[string][]byte {
		return map[string][]byte{
			"algorithmia.conf": []byte(fmt.Sprintf(`{"username": %q, "algoname": %q, "language": "python3"}`+"\n", organization, name)),
			"requirements.txt": []byte("algorithmia>=1.0.0,<2.0\nsix\n"),
			"src/__init__.py":  {},
			"src/" + name + ".py": []byte(fmt.Sprintf(
				"import Algorithmia\n\n\ndef apply(input):\n    return \"%s {}\".format(input)\n", greeting)),
			"src/" + name + "_test.py": []byte(fmt.Sprintf(
				"from . import %[1]s\n\n\ndef test_apply():\n    assert %[1]s.apply(\"Jane\") == \"%[2]s Jane\"\n", name, greeting)),
			"README.md": []byte(fmt.Sprintf("# %s\n\nSays %q to its input.\n", name, greeting)),
		}
	}
}

// javaSource is a small Java algorithm in the platform's Maven layout.
func javaSource(name string) func(greeting string) map[string][]byte {
	return func(greeting string) map[string][]byte {
		return map[string][]byte{
			"algorithmia.conf": []byte(fmt.Sprintf(`{"username": %q, "algoname": %q, "language": "java"}`+"\n", organization, name)),
			"pom.xml": []byte("<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>algorithmia</groupId>\n" +
				"  <artifactId>" + name + "</artifactId>\n  <version>1.0.0</version>\n</project>\n"),
			"src/main/java/algorithmia/" + name + "/" + name + ".java": []byte(fmt.Sprintf(
				"package algorithmia.%[1]s;\n\npublic class %[1]s {\n    // %[2]s\n    public int apply(String input) {\n"+
					"        return input.trim().isEmpty() ? 0 : input.trim().split(\"\\\\s+\").length;\n    }\n}\n", name, greeting)),
		}
	}
}
