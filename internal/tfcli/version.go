package tfcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

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

func (c Info) atLeast(terraform, openTofu string) bool {
	want := terraform
	if c.OpenTofu {
		want = openTofu
	}
	return c.Version.Core().GreaterThanOrEqual(version.Must(version.NewVersion(want)))
}

// String is e.g. "OpenTofu 1.12.6".
func (c Info) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}

// TestCommand reports whether the CLI has the test command (Terraform and OpenTofu 1.6).
func (c Info) TestCommand() bool { return c.atLeast("1.6.0", "1.6.0") }

// EphemeralValues reports whether the CLI has ephemeral variables and resources
// (Terraform 1.10, OpenTofu 1.11).
func (c Info) EphemeralValues() bool { return c.atLeast("1.10.0", "1.11.0") }

// WriteOnlyArguments reports whether the CLI has write-only arguments (Terraform 1.11,
// OpenTofu 1.11).
func (c Info) WriteOnlyArguments() bool { return c.atLeast("1.11.0", "1.11.0") }
