package acctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
)

// CLIInfo is which Terraform CLI the tests run (TF_ACC_TERRAFORM_PATH, else terraform on
// PATH) and what it can do. Tests skip by capability, never by the CLI's name or by a
// version number of their own: the same feature came in different versions of Terraform
// and OpenTofu.
type CLIInfo struct {
	Path     string
	OpenTofu bool
	Version  *version.Version
}

var (
	cliOnce sync.Once
	cliInfo CLIInfo
	cliErr  error
)

// CLI returns the CLI the tests run, asked once per test process.
func CLI(t testing.TB) CLIInfo {
	t.Helper()
	info, err := cli()
	if err != nil {
		t.Fatalf("Terraform CLI: %v", err)
	}
	return info
}

func cli() (CLIInfo, error) {
	cliOnce.Do(func() { cliInfo, cliErr = probeCLI(terraformPath()) })
	return cliInfo, cliErr
}

func terraformPath() string {
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	return "terraform"
}

// probeCLI runs `version -json` (for the version) and `version` (for the product: the JSON
// of both CLIs names it terraform_version). It uses an empty CLI configuration of its own:
// a TF_CLI_CONFIG_FILE naming a missing file makes OpenTofu print a warning on stdout.
func probeCLI(path string) (CLIInfo, error) {
	dir, err := os.MkdirTemp("", "algorithmia-cli-probe-") //nolint:usetesting // cached across tests
	if err != nil {
		return CLIInfo{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	rc := filepath.Join(dir, "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		return CLIInfo{}, err
	}
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(path, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %v: %w", path, args, err)
		}
		return out, nil
	}
	js, err := run("version", "-json")
	if err != nil {
		return CLIInfo{}, err
	}
	text, err := run("version")
	if err != nil {
		return CLIInfo{}, err
	}
	return parseCLIVersion(path, js, text)
}

var cliProduct = regexp.MustCompile(`^(Terraform|OpenTofu) v`)

// parseCLIVersion reads the outputs of `version -json` and `version`.
func parseCLIVersion(path string, versionJSON, versionText []byte) (CLIInfo, error) {
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(versionJSON, &v); err != nil {
		return CLIInfo{}, fmt.Errorf("%s version -json: %w in %q", path, err, versionJSON)
	}
	ver, err := version.NewVersion(v.Version)
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	m := cliProduct.FindSubmatch(versionText)
	if m == nil {
		return CLIInfo{}, errors.New(path + " version: neither Terraform nor OpenTofu: " + string(versionText))
	}
	return CLIInfo{Path: path, OpenTofu: string(m[1]) == "OpenTofu", Version: ver}, nil
}

func (c CLIInfo) atLeast(terraform, openTofu string) bool {
	want := terraform
	if c.OpenTofu {
		want = openTofu
	}
	return c.Version.Core().GreaterThanOrEqual(version.Must(version.NewVersion(want)))
}

// String is e.g. "OpenTofu 1.12.6".
func (c CLIInfo) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}

// TestCommand reports whether the CLI has the test command (Terraform and OpenTofu 1.6).
func (c CLIInfo) TestCommand() bool { return c.atLeast("1.6.0", "1.6.0") }

// EphemeralValues reports whether the CLI has ephemeral variables and resources
// (Terraform 1.10, OpenTofu 1.11).
func (c CLIInfo) EphemeralValues() bool { return c.atLeast("1.10.0", "1.11.0") }

// WriteOnlyArguments reports whether the CLI has write-only arguments (Terraform 1.11,
// OpenTofu 1.11).
func (c CLIInfo) WriteOnlyArguments() bool { return c.atLeast("1.11.0", "1.11.0") }

// SetProviderHost points terraform-plugin-testing at the registry host the CLI resolves
// provider source addresses to (registry.opentofu.org for OpenTofu), unless
// TF_ACC_PROVIDER_HOST is set already. TestMain calls it when TF_ACC is set; the in-process
// provider is reattached under that host.
func SetProviderHost() error {
	if os.Getenv("TF_ACC_PROVIDER_HOST") != "" {
		return nil
	}
	info, err := cli()
	if err != nil {
		return err
	}
	if info.OpenTofu {
		return os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	return nil
}
