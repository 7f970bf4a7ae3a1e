package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// Driving the Terraform CLI: the CLI config, the examples' working copies, their variables and runs.

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
	// dev_overrides: the CLI uses the provider we just built, without init or a registry.
	cliConfig := filepath.Join(d.o.work, "run", "terraformrc")
	if err := tfcli.WriteDevOverrides(cliConfig, d.o.bin); err != nil {
		return err
	}
	d.tfEnv = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")

	cli, err := tfcli.Probe(d.o.terraform)
	if err != nil {
		return err
	}
	// promote-ha passes keys as ephemeral variables to write-only arguments.
	if !cli.WriteOnlyArguments() || !cli.EphemeralValues() {
		return fmt.Errorf("%s is too old: examples/promote-ha needs write-only arguments (Terraform or OpenTofu 1.11 or later); "+
			"run `make demo TF=/path/to/terraform-1.11`, or `make tofu-cli` and then `make demo TF=.tools/bin/tofu`", cli)
	}
	fmt.Printf("    %s CLI (%s)\n", cli, d.o.terraform)
	return nil
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
	changes, err := tfcli.PlanChanges(out)
	if err != nil {
		return nil, fmt.Errorf("terraform show -json %s: %w", planFile, err)
	}
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
