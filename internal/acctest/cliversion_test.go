package acctest

import (
	"os"
	"strings"
	"testing"
)

// TestParseCLIVersion reads what each CLI prints and what it can do: the same feature came
// in different versions of Terraform and OpenTofu.
func TestParseCLIVersion(t *testing.T) {
	for _, tc := range []struct {
		json, text                     string
		openTofu, ephemeral, writeOnly bool
		test, providerForEach          bool
	}{
		{`{"terraform_version":"1.5.7","platform":"linux_amd64"}`, "Terraform v1.5.7\non linux_amd64\n", false, false, false, false, false},
		{`{"terraform_version":"1.10.5"}`, "Terraform v1.10.5\n", false, true, false, true, false},
		{`{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}`, "Terraform v1.11.4\non linux_amd64\n", false, true, true, true, false},
		{`{"terraform_version":"1.8.5"}`, "OpenTofu v1.8.5\n", true, false, false, true, false},
		{`{"terraform_version":"1.10.6"}`, "OpenTofu v1.10.6\non linux_amd64\n", true, false, false, true, true},
		{"{\n  \"terraform_version\": \"1.12.6\",\n  \"platform\": \"linux_amd64\",\n  \"provider_selections\": {}\n}\n", "OpenTofu v1.12.6\non linux_amd64\n", true, true, true, true, true},
		{`{"terraform_version":"1.11.0-beta1"}`, "OpenTofu v1.11.0-beta1\n", true, true, true, true, true},
	} {
		c, err := parseCLIVersion("tf", []byte(tc.json), []byte(tc.text))
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		if c.OpenTofu != tc.openTofu || c.EphemeralValues() != tc.ephemeral || c.WriteOnlyArguments() != tc.writeOnly ||
			c.TestCommand() != tc.test || c.ProviderForEach() != tc.providerForEach {
			t.Errorf("%s: OpenTofu %v, ephemeral %v, write-only %v, test %v, provider for_each %v; want %v %v %v %v %v", c,
				c.OpenTofu, c.EphemeralValues(), c.WriteOnlyArguments(), c.TestCommand(), c.ProviderForEach(),
				tc.openTofu, tc.ephemeral, tc.writeOnly, tc.test, tc.providerForEach)
		}
	}
	// OpenTofu prints a warning about a missing TF_CLI_CONFIG_FILE on stdout: not JSON.
	if _, err := parseCLIVersion("tofu", []byte("\nWarning: Unable to open CLI configuration file\n"), []byte("OpenTofu v1.12.6\n")); err == nil {
		t.Error("a warning before the JSON parsed")
	}
	if _, err := parseCLIVersion("x", []byte(`{"terraform_version":"1.0.0"}`), []byte("Something v1.0.0\n")); err == nil {
		t.Error("an unknown CLI parsed")
	}
}

// TestCLISkipMessage: a test skipped for a capability says which one, which versions have
// it, and which CLI lacks it.
func TestCLISkipMessage(t *testing.T) {
	tf157, err := parseCLIVersion("terraform", []byte(`{"terraform_version":"1.5.7"}`), []byte("Terraform v1.5.7\n"))
	if err != nil {
		t.Fatal(err)
	}
	tofu, err := parseCLIVersion("tofu", []byte(`{"terraform_version":"1.12.6"}`), []byte("OpenTofu v1.12.6\n"))
	if err != nil {
		t.Fatal(err)
	}
	tf111, err := parseCLIVersion("terraform", []byte(`{"terraform_version":"1.11.4"}`), []byte("Terraform v1.11.4\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cli  CLIInfo
		caps []Capability
		want string
	}{
		{tf157, []Capability{EphemeralValues, WriteOnlyArguments}, "needs ephemeral values (Terraform 1.10, OpenTofu 1.11), which Terraform 1.5.7 lacks"},
		{tf157, []Capability{TestCommand}, "needs the test command (Terraform 1.6, OpenTofu 1.6), which Terraform 1.5.7 lacks"},
		{tf111, []Capability{TestCommand, EphemeralValues, WriteOnlyArguments}, ""},
		{tf111, []Capability{WriteOnlyArguments, ProviderForEach}, "needs provider for_each (OpenTofu 1.9), which Terraform 1.11.4 lacks"},
		{tofu, []Capability{WriteOnlyArguments, EphemeralValues, ProviderForEach, TestCommand}, ""},
	} {
		if got := tc.cli.skipMessage(tc.caps); got != tc.want {
			t.Errorf("%s, %v: %q, want %q", tc.cli, tc.caps, got, tc.want)
		}
	}
}

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
