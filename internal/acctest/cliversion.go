package acctest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// CLIInfo is which Terraform CLI the tests run (TF_ACC_TERRAFORM_PATH, else terraform on
// PATH) and what it can do. Tests skip by capability, never by the CLI's name or by a
// version number of their own.
type CLIInfo = tfcli.Info

// CLI returns the CLI the tests run, asked once per test process.
func CLI(t testing.TB) CLIInfo {
	t.Helper()
	info, err := cli()
	if err != nil {
		t.Fatalf("Terraform CLI: %v", err)
	}
	return info
}

// cli probes the CLI once per test process.
var cli = sync.OnceValues(func() (CLIInfo, error) { return tfcli.Probe(terraformPath()) })

func terraformPath() string {
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	return "terraform"
}

// Capability is something a test needs from the CLI (see tfcli.Capability).
type Capability = tfcli.Capability

// The capabilities tests skip by.
var (
	TestCommand        = tfcli.TestCommand
	EphemeralValues    = tfcli.EphemeralValues
	WriteOnlyArguments = tfcli.WriteOnlyArguments
	ProviderForEach    = tfcli.ProviderForEach
)

// SkipUnless skips t unless the CLI the tests run has every capability in caps, with a
// message naming the one it lacks. For tests that run the CLI themselves (Workdir); call it
// after the TF_ACC check, since it runs the CLI.
func SkipUnless(t testing.TB, caps ...Capability) {
	t.Helper()
	if msg := CLI(t).SkipMessage(caps...); msg != "" {
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
	resp.Skip = info.SkipMessage(n...)
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
