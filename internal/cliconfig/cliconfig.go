// Package cliconfig owns the Terraform and OpenTofu CLI configuration that runs a provider
// binary built here through dev_overrides: no `terraform init`, no registry. The demo, the
// acceptance-test harness and `make dev-config` (through cmd/algorithmia-devconfig) all
// write it with this package. It never reads or changes the user's own CLI configuration.
package cliconfig

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

// Write writes DevOverrides(dir) to path, readable by its owner only, creating path's
// directory.
func Write(path, dir string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(DevOverrides(dir)), 0o600)
}
