package acctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
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

// Capability is something a test needs from the CLI, with the first version of Terraform
// and of OpenTofu that has it ("" when that CLI has none).
type Capability struct {
	Name      string
	Terraform string
	OpenTofu  string
}

// The capabilities tests skip by.
var (
	// TestCommand is `terraform test` / `tofu test`.
	TestCommand = Capability{Name: "the test command", Terraform: "1.6", OpenTofu: "1.6"}
	// EphemeralValues is ephemeral variables and resources.
	EphemeralValues = Capability{Name: "ephemeral values", Terraform: "1.10", OpenTofu: "1.11"}
	// WriteOnlyArguments is write-only arguments of resources.
	WriteOnlyArguments = Capability{Name: "write-only arguments", Terraform: "1.11", OpenTofu: "1.11"}
	// ProviderForEach is for_each on provider blocks (instances chosen with alias[key]),
	// which Terraform lacks.
	ProviderForEach = Capability{Name: "provider for_each", OpenTofu: "1.9"}
)

// String is e.g. "write-only arguments (Terraform 1.11, OpenTofu 1.11)".
func (c Capability) String() string {
	var in []string
	if c.Terraform != "" {
		in = append(in, "Terraform "+c.Terraform)
	}
	if c.OpenTofu != "" {
		in = append(in, "OpenTofu "+c.OpenTofu)
	}
	return c.Name + " (" + strings.Join(in, ", ") + ")"
}

// Has reports whether the CLI has every capability in caps.
func (c CLIInfo) Has(caps ...Capability) bool {
	return c.lacking(caps) == nil
}

// lacking returns the first capability of caps the CLI lacks, or nil.
func (c CLIInfo) lacking(caps []Capability) *Capability {
	for i, cp := range caps {
		since := cp.Terraform
		if c.OpenTofu {
			since = cp.OpenTofu
		}
		if since == "" || c.Version.Core().LessThan(version.Must(version.NewVersion(since))) {
			return &caps[i]
		}
	}
	return nil
}

// String is e.g. "OpenTofu 1.12.6".
func (c CLIInfo) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}

// TestCommand reports whether the CLI has the test command.
func (c CLIInfo) TestCommand() bool { return c.Has(TestCommand) }

// EphemeralValues reports whether the CLI has ephemeral variables and resources.
func (c CLIInfo) EphemeralValues() bool { return c.Has(EphemeralValues) }

// WriteOnlyArguments reports whether the CLI has write-only arguments.
func (c CLIInfo) WriteOnlyArguments() bool { return c.Has(WriteOnlyArguments) }

// ProviderForEach reports whether the CLI has for_each on provider blocks.
func (c CLIInfo) ProviderForEach() bool { return c.Has(ProviderForEach) }

// skipMessage names the capability the CLI lacks and the CLI, or is "" when it has them all.
func (c CLIInfo) skipMessage(caps []Capability) string {
	if missing := c.lacking(caps); missing != nil {
		return fmt.Sprintf("needs %s, which %s lacks", missing, c)
	}
	return ""
}

// SkipUnless skips t unless the CLI the tests run has every capability in caps, with a
// message naming the one it lacks. For tests that run the CLI themselves (Workdir); call it
// after the TF_ACC check, since it runs the CLI.
func SkipUnless(t testing.TB, caps ...Capability) {
	t.Helper()
	if msg := CLI(t).skipMessage(caps); msg != "" {
		t.Skip(msg)
	}
}

// Needs is SkipUnless for resource.TestCase.TerraformVersionChecks: the CLI is asked only
// when the test case runs (TF_ACC set).
func Needs(caps ...Capability) tfversion.TerraformVersionCheck {
	return needs(caps)
}

// Lacks is a resource.TestStep SkipFunc: the step is skipped when the CLI lacks any of
// caps, for a test case whose other steps every CLI runs.
func Lacks(caps ...Capability) func() (bool, error) {
	return func() (bool, error) {
		info, err := cli()
		if err != nil {
			return false, err
		}
		return !info.Has(caps...), nil
	}
}

type needs []Capability

// CheckTerraformVersion implements tfversion.TerraformVersionCheck. It reads the CLI itself
// rather than the request's version number, which does not say Terraform or OpenTofu.
func (n needs) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	info, err := cli()
	if err != nil {
		resp.Error = fmt.Errorf("terraform CLI: %w", err)
		return
	}
	resp.Skip = info.skipMessage(n)
}

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
