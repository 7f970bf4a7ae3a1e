// Package tfcli holds what the project's tools know about the Terraform and OpenTofu CLIs,
// apart from the provider: the dev_overrides CLI configuration that runs a provider binary
// built here (no `terraform init`, no registry), which CLI a path is and what it can do,
// and what a saved plan changes. The acceptance-test harness, the demo and
// `make dev-config` (through cmd/algorithmia-devconfig) share it. It never reads or
// changes the user's own CLI configuration.
package tfcli

import (
	"fmt"
	"os"
	"path/filepath"
)

// Provider is the provider's registry address without the host.
const Provider = "algorithmia-iac/algorithmia"

// DevOverrides is a CLI configuration that runs the provider binary in dir. It names the
// provider under both registries: Terraform resolves Provider to registry.terraform.io,
// OpenTofu to registry.opentofu.org.
func DevOverrides(dir string) string {
	return fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/"+Provider, dir, "registry.opentofu.org/"+Provider, dir)
}

// WriteDevOverrides writes DevOverrides(dir) to path, readable by its owner only, creating path's
// directory.
func WriteDevOverrides(path, dir string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(DevOverrides(dir)), 0o600)
}
