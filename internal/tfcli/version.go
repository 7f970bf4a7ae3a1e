package tfcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/go-version"
)

// Info is which CLI a path is and what it can do. Callers decide by capability, never by
// the CLI's name or a version number of their own: the same feature came in different
// versions of Terraform and OpenTofu.
type Info struct {
	Path     string
	OpenTofu bool
	Version  *version.Version
}

// Probe runs `version -json` (for the version) and `version` (for the product: the JSON
// of both CLIs names it terraform_version). It uses an empty CLI configuration of its own:
// a TF_CLI_CONFIG_FILE naming a missing file makes OpenTofu print a warning on stdout.
func Probe(path string) (Info, error) {
	dir, err := os.MkdirTemp("", "algorithmia-cli-probe-")
	if err != nil {
		return Info{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	rc := filepath.Join(dir, "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		return Info{}, err
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
		return Info{}, err
	}
	text, err := run("version")
	if err != nil {
		return Info{}, err
	}
	return parseVersion(path, js, text)
}

var cliProduct = regexp.MustCompile(`^(Terraform|OpenTofu) v`)

// parseVersion reads the outputs of `version -json` and `version`.
func parseVersion(path string, versionJSON, versionText []byte) (Info, error) {
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(versionJSON, &v); err != nil {
		return Info{}, fmt.Errorf("%s version -json: %w in %q", path, err, versionJSON)
	}
	ver, err := version.NewVersion(v.Version)
	if err != nil {
		return Info{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	m := cliProduct.FindSubmatch(versionText)
	if m == nil {
		return Info{}, errors.New(path + " version: neither Terraform nor OpenTofu: " + string(versionText))
	}
	return Info{Path: path, OpenTofu: string(m[1]) == "OpenTofu", Version: ver}, nil
}

// Capability is something a caller needs from the CLI, with the first version of Terraform
// and of OpenTofu that has it ("" when that CLI has none).
type Capability struct {
	Name      string
	Terraform string
	OpenTofu  string
}

// The capabilities the demo and the tests decide by.
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
func (c Info) Has(caps ...Capability) bool {
	return c.Lacking(caps...) == nil
}

// Lacking returns the first capability of caps the CLI lacks, or nil.
func (c Info) Lacking(caps ...Capability) *Capability {
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

// SkipMessage names the capability the CLI lacks and the CLI, or is "" when it has them all.
func (c Info) SkipMessage(caps ...Capability) string {
	if missing := c.Lacking(caps...); missing != nil {
		return fmt.Sprintf("needs %s, which %s lacks", missing, c)
	}
	return ""
}

// String is e.g. "OpenTofu 1.12.6".
func (c Info) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}
