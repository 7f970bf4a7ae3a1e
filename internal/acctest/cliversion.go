package acctest

import (
	"os"
	"sync"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// CLIInfo is which Terraform CLI the tests run (TF_ACC_TERRAFORM_PATH, else terraform on
// PATH) and what it can do. Tests skip by capability, never by the CLI's name or by a
// version number of their own.
type CLIInfo = tfcli.Info

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
	cliOnce.Do(func() { cliInfo, cliErr = tfcli.Probe(terraformPath()) })
	return cliInfo, cliErr
}

func terraformPath() string {
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	return "terraform"
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
