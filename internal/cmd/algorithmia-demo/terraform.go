package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// Driving the Terraform CLI: its configuration and check, its runs and their log, saved plans.

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
	if os.Getenv("ALGORITHMIA_GIT_CACHE_DIR") == "" {
		// The provider's Git object cache lives with the demo's other files, not in the user's cache.
		d.tfEnv = append(d.tfEnv, "ALGORITHMIA_GIT_CACHE_DIR="+filepath.Join(d.o.work, "run", "git-cache"))
	}

	cli, err := tfcli.Probe(d.o.terraform)
	if err != nil {
		return err
	}
	// promote-ha passes keys as ephemeral variables to write-only arguments.
	if !cli.Has(tfcli.WriteOnlyArguments, tfcli.EphemeralValues) {
		return fmt.Errorf("%s is too old: examples/promote-ha needs write-only arguments (Terraform or OpenTofu 1.11 or later); "+
			"run `make demo TF=/path/to/terraform-1.11`, or `make tofu-cli` and then `make demo TF=.tools/bin/tofu`", cli)
	}
	fmt.Printf("    %s CLI (%s)\n", cli, d.o.terraform)
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
