// Command algorithmia-demo runs the product's main job end to end on this machine: it
// starts two local Algorithmia clusters ("dev" and "prod"), seeds dev through its API the
// way a team would use it, and promotes dev to prod with the Terraform CLI and the
// configuration in examples/promote-dev-to-prod. `make demo` builds the binaries and runs it.
//
// It never touches the user's own Terraform configuration: it writes its own CLI config
// (dev_overrides) and works in a copy of the example under the work directory.
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
)

const (
	organization   = "acme"
	serviceAccount = "acme_ci"
	dataCollection = "models"
	steps          = 6
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
	bin, work, terraform, example string
	buildDuration                 time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", ".demo/bin", "directory holding terraform-provider-algorithmia and algorithmia-local")
	flag.StringVar(&o.work, "work", ".demo", "work directory: cluster data, Terraform state, CLI config")
	flag.StringVar(&o.terraform, "terraform", "terraform", "Terraform (or OpenTofu) CLI to run")
	flag.StringVar(&o.example, "example", "examples/promote-dev-to-prod", "the promotion configuration to apply")
	flag.DurationVar(&o.buildDuration, "build-duration", 500*time.Millisecond, "how long builds take on the local clusters")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "\nDEMO FAILED: %v\n", err)
		os.Exit(1)
	}
}

// demo holds what the steps share.
type demo struct {
	o          options
	started    time.Time
	dev, prod  *cluster
	devCI      *algorithmia.Client
	devCIKey   string
	prodCIKey  string
	tfEnv      []string
	writeOnly  bool
	versions   map[string]string // algorithm -> pinned dev version
	workConfig string            // copy of the example
	devData    map[string]string // "collection/file" -> sha256 of what dev holds
}

func run(o options) error {
	d := &demo{o: o, started: time.Now(), versions: map[string]string{}, devData: map[string]string{}}
	for _, p := range []*string{&d.o.bin, &d.o.work, &d.o.example} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	defer d.stopClusters()

	if err := d.step(1, "Check the binaries and the Terraform CLI", d.checkTools); err != nil {
		return err
	}
	if err := d.step(2, "Start clusters dev and prod, seed dev through its API", d.startAndSeed); err != nil {
		return err
	}
	if err := d.step(3, "terraform apply: bootstrap prod accounts, then promote dev to prod", d.applyAll); err != nil {
		return err
	}
	if err := d.step(4, "terraform plan again: nothing to do", d.planIsEmpty); err != nil {
		return err
	}
	if err := d.step(5, "Publish hello 1.1.0 on dev, pin it, plan and apply the update; summary", d.promoteNewVersion); err != nil {
		return err
	}
	if err := d.step(6, "Stop the clusters", func() error {
		d.stopClusters()
		fmt.Printf("    Cluster data is kept for you to inspect:\n      dev:  %s\n      prod: %s\n", d.dev.dataDir, d.prod.dataDir)
		fmt.Printf("    Terraform state and logs: %s\n", filepath.Join(d.o.work, "run"))
		fmt.Printf("    Start a cluster again with (admin keys are in %s):\n      %s --data-dir %s --admin-key \"$(cat %s)\" --listen 127.0.0.1:8080\n",
			filepath.Join(d.o.work, "clusters"), filepath.Join(d.o.bin, "algorithmia-local"), d.dev.dataDir, d.dev.keyFile())
		return nil
	}); err != nil {
		return err
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
	if os.Getenv("ALGORITHMIA_GIT_CACHE_DIR") == "" {
		// The provider's Git object cache lives with the demo's other files, not in the user's cache.
		d.tfEnv = append(d.tfEnv, "ALGORITHMIA_GIT_CACHE_DIR="+filepath.Join(d.o.work, "run", "git-cache"))
	}

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
	// Ephemeral values and write-only arguments: Terraform 1.10 and 1.11, OpenTofu 1.11.
	d.writeOnly = versionAtLeast(v.Version, 1, 11)
	fmt.Printf("    %s CLI %s (%s); ephemeral values and write-only arguments: %v\n", product, v.Version, d.o.terraform, d.writeOnly)
	return nil
}

func (d *demo) startAndSeed() error {
	var err error
	if d.dev, err = startCluster(d.o, "dev"); err != nil {
		return err
	}
	if d.prod, err = startCluster(d.o, "prod"); err != nil {
		return err
	}
	fmt.Printf("    dev:  %s\n    prod: %s\n", d.dev.url, d.prod.url)
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
	d.devCIKey, d.prodCIKey = "sim"+randomHex(16), "sim"+randomHex(16)
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
	return d.seedData(ctx)
}

// seedData makes the hosted data collection the algorithms load their model from.
func (d *demo) seedData(ctx context.Context) error {
	if err := d.devCI.CreateCollection(ctx, organization, dataCollection, nil); err != nil {
		return fmt.Errorf("create data://%s/%s: %w", organization, dataCollection, err)
	}
	labels := `{"labels": ["negative", "neutral", "positive"]}` + "\n"
	files := map[string]struct {
		size int64
		open func() io.Reader
	}{
		"sentiment-model.bin": {4 << 20, func() io.Reader { return newDeterministicReader(42) }},
		"labels.json":         {int64(len(labels)), func() io.Reader { return strings.NewReader(labels) }},
	}
	for name, f := range files {
		p := algorithmia.DataPath{Owner: organization, Collection: dataCollection, File: name}
		res, err := d.devCI.PutObject(ctx, p, func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(io.LimitReader(f.open(), f.size)), f.size, nil
		})
		if err != nil {
			return fmt.Errorf("upload data://%s/%s/%s: %w", organization, dataCollection, name, err)
		}
		d.devData[dataCollection+"/"+name] = res.SHA256
		fmt.Printf("    data://%s/%s/%s: %d bytes, sha256 %s\n", organization, dataCollection, name, res.Size, res.SHA256[:12])
	}
	return nil
}

// deterministicReader yields the same pseudo-random bytes on every run (xorshift64).
type deterministicReader struct{ state uint64 }

func newDeterministicReader(seed uint64) *deterministicReader {
	return &deterministicReader{state: seed | 1}
}

func (r *deterministicReader) Read(p []byte) (int, error) {
	for i := range p {
		r.state ^= r.state << 13
		r.state ^= r.state >> 7
		r.state ^= r.state << 17
		p[i] = byte(r.state)
	}
	return len(p), nil
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

func (d *demo) applyAll() error {
	d.workConfig = filepath.Join(d.o.work, "run", "promote-dev-to-prod")
	if err := copyDir(d.o.example, d.workConfig); err != nil {
		return err
	}
	if !d.writeOnly {
		// Older CLIs have no write-only arguments (nor, before 1.10, ephemeral variables):
		// switch to sensitive variables and arguments, as the example's
		// before-terraform-1.11 explains.
		legacy := filepath.Join(d.o.example, "before-terraform-1.11")
		for src, dst := range map[string]string{
			"keys.tf":               filepath.Join(d.workConfig, "keys.tf"),
			"promote_override.tf":   filepath.Join(d.workConfig, "promote_override.tf"),
			"bootstrap_keys.tf":     filepath.Join(d.workConfig, "bootstrap", "keys.tf"),
			"bootstrap_override.tf": filepath.Join(d.workConfig, "bootstrap", "bootstrap_override.tf"),
		} {
			b, err := os.ReadFile(filepath.Join(legacy, src))
			if err != nil {
				return err
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				return err
			}
		}
		fmt.Println("    Terraform older than 1.11: keys are passed as sensitive (stored) arguments")
	}
	fmt.Println("    bootstrap/: mirror dev users and the organization to prod, give the service account a key")
	if err := d.terraform(filepath.Join(d.workConfig, "bootstrap"), d.bootstrapVars(), "apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	fmt.Println("    promote-dev-to-prod/: create the algorithms on prod, push each pinned dev version, build, publish")
	if err := d.writeAlgorithmsVar(); err != nil {
		return err
	}
	return d.terraform(d.workConfig, d.mainVars(), "apply", "-auto-approve", "-input=false")
}

func (d *demo) planIsEmpty() error {
	for _, dir := range []string{filepath.Join(d.workConfig, "bootstrap"), d.workConfig} {
		vars := d.mainVars()
		if strings.HasSuffix(dir, "bootstrap") {
			vars = d.bootstrapVars()
		}
		code, err := d.terraformCode(dir, vars, "plan", "-detailed-exitcode", "-input=false")
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("terraform plan in %s found changes (exit code %d); expected none", filepath.Base(dir), code)
		}
		fmt.Printf("    %s: No changes.\n", filepath.Base(dir))
	}
	return nil
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
	code, err := d.terraformCode(d.workConfig, d.mainVars(), "plan", "-detailed-exitcode", "-input=false", "-out=update.tfplan")
	if err != nil {
		return err
	}
	if code != 2 {
		return fmt.Errorf("terraform plan exit code %d; expected 2 (changes)", code)
	}
	// A saved plan holds no ephemeral variables: the keys are given again, as in a pipeline.
	if err := d.terraform(d.workConfig, d.savedPlanVars(), "apply", "-input=false", "update.tfplan"); err != nil {
		return err
	}
	return d.summary()
}

func (d *demo) summary() error {
	cmd := exec.Command(d.o.terraform, "output", "-json", "promotions")
	cmd.Dir, cmd.Env = d.workConfig, d.tfEnv
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	var promotions map[string]struct {
		DevVersion  string `json:"dev_version"`
		DevCommit   string `json:"dev_commit"`
		ProdCommit  string `json:"prod_commit"`
		ProdVersion string `json:"prod_version"`
	}
	if err := json.Unmarshal(out, &promotions); err != nil {
		return err
	}
	names := make([]string, 0, len(promotions))
	for n := range promotions {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("\n    %-10s %-8s %-12s    %-12s %-8s\n", "algorithm", "dev", "dev commit", "prod commit", "prod")
	for _, n := range names {
		p := promotions[n]
		fmt.Printf("    %-10s %-8s %-12s -> %-12s %-8s\n", n, p.DevVersion, p.DevCommit[:12], p.ProdCommit[:12], p.ProdVersion)
	}

	cmd = exec.Command(d.o.terraform, "output", "-json", "data_objects")
	cmd.Dir, cmd.Env = d.workConfig, d.tfEnv
	if out, err = cmd.Output(); err != nil {
		return fmt.Errorf("terraform output data_objects: %w", err)
	}
	var objects map[string]struct {
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(out, &objects); err != nil {
		return err
	}
	fmt.Printf("\n    %-32s %10s  %-12s %s\n", "data object (dev -> prod)", "bytes", "sha256", "match")
	keys := make([]string, 0, len(d.devData))
	for k := range d.devData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o, ok := objects[k]
		if !ok || o.SHA256 != d.devData[k] {
			return fmt.Errorf("data://%s/%s on prod has sha256 %q, dev has %q", organization, k, o.SHA256, d.devData[k])
		}
		fmt.Printf("    %-32s %10d  %-12s yes\n", k, o.Size, o.SHA256[:12])
	}
	return nil
}

func (d *demo) bootstrapVars() map[string]string {
	return map[string]string{
		"dev_api_address": d.dev.url, "dev_admin_api_key": d.dev.adminKey,
		"prod_api_address": d.prod.url, "prod_admin_api_key": d.prod.adminKey,
		"organization": organization, "service_account": serviceAccount, "prod_service_api_key": d.prodCIKey,
	}
}

func (d *demo) mainVars() map[string]string {
	return map[string]string{
		"dev_api_address": d.dev.url, "dev_username": serviceAccount, "dev_api_key": d.devCIKey,
		"prod_api_address": d.prod.url, "prod_username": serviceAccount, "prod_api_key": d.prodCIKey,
		"organization": organization, "deletion_protection": "false",
	}
}

// savedPlanVars are the variables to give again when applying a saved plan: the keys, which
// are ephemeral from Terraform 1.11 on and so not in the plan (older CLIs keep them there).
func (d *demo) savedPlanVars() map[string]string {
	if !d.writeOnly {
		return nil
	}
	return map[string]string{"dev_api_key": d.devCIKey, "prod_api_key": d.prodCIKey}
}

// writeAlgorithmsVar writes the pinned versions as a tfvars file, the way a pipeline would.
func (d *demo) writeAlgorithmsVar() error {
	algos := map[string]map[string]string{}
	for _, a := range seedAlgorithms {
		algos[a.name] = map[string]string{"version": d.versions[a.name], "language": a.language, "environment": a.environment}
	}
	b, err := json.MarshalIndent(map[string]any{"algorithms": algos, "data_collections": []string{dataCollection}}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.workConfig, "pinned.auto.tfvars.json"), b, 0o644)
}

// terraform runs the CLI in dir, showing a trimmed log, and fails on a non-zero exit.
func (d *demo) terraform(dir string, vars map[string]string, args ...string) error {
	code, err := d.terraformCode(dir, vars, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("terraform %s exited with %d", args[0], code)
	}
	return err
}

// interesting picks the lines of Terraform's output worth showing during the demo.
var interesting = regexp.MustCompile(`(: Creation complete|: Modifications complete|Apply complete!|No changes\.|Plan: |will be (created|updated)|must be replaced|Error|Warning:)`)

func (d *demo) terraformCode(dir string, vars map[string]string, args ...string) (int, error) {
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
		return code, err
	}
	if expectedChanges := code == 2 && contains(args, "-detailed-exitcode"); code != 0 && !expectedChanges {
		fmt.Printf("    terraform %s failed; its full output is in %s:\n%s\n", args[0], logFile, indent(out.String()))
	}
	return code, nil
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
	d.prod.stop()
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
