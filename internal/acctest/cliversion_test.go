package acctest

import (
	"os"
	"strings"
	"testing"
)

// TestWorkdirRunsTheBuiltProvider runs the CLI the tests run (Terraform or OpenTofu) in a
// Workdir: its dev_overrides must name the provider's address under the registry that CLI
// resolves "algorithmia-iac/algorithmia" to, or it asks for `init` and a lock file.
func TestWorkdirRunsTheBuiltProvider(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the Terraform CLI (TF_ACC=1, set by `make test`)")
	}
	// A missing CLI configuration in the environment must not matter either.
	t.Setenv("TF_CLI_CONFIG_FILE", "/nonexistent/terraformrc")
	cli := CLI(t)
	w := NewWorkdir(t, "provider \"algorithmia\" {\n  api_address = \"http://127.0.0.1:1\"\n}\n")
	out := w.MustRun(t, "validate")
	if !strings.Contains(out, "The configuration is valid") {
		t.Fatalf("%s validate:\n%s", cli, out)
	}
	if !strings.Contains(out, "algorithmia-iac/algorithmia in "+ProviderBinaryDir(t)) {
		t.Fatalf("%s did not use the built provider:\n%s", cli, out)
	}
}
