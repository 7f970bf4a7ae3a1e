package tfcli

import "testing"

// TestParseVersion reads what each CLI prints and what it can do: the same feature came
// in different versions of Terraform and OpenTofu.
func TestParseVersion(t *testing.T) {
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
		c, err := parseVersion("tf", []byte(tc.json), []byte(tc.text))
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		got := []bool{c.OpenTofu, c.Has(EphemeralValues), c.Has(WriteOnlyArguments), c.Has(TestCommand), c.Has(ProviderForEach)}
		want := []bool{tc.openTofu, tc.ephemeral, tc.writeOnly, tc.test, tc.providerForEach}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: OpenTofu, ephemeral, write-only, test, provider for_each = %v, want %v", c, got, want)
				break
			}
		}
	}
	// OpenTofu prints a warning about a missing TF_CLI_CONFIG_FILE on stdout: not JSON.
	if _, err := parseVersion("tofu", []byte("\nWarning: Unable to open CLI configuration file\n"), []byte("OpenTofu v1.12.6\n")); err == nil {
		t.Error("a warning before the JSON parsed")
	}
	if _, err := parseVersion("x", []byte(`{"terraform_version":"1.0.0"}`), []byte("Something v1.0.0\n")); err == nil {
		t.Error("an unknown CLI parsed")
	}
}

// TestSkipMessage: a caller skipped for a capability says which one, which versions have
// it, and which CLI lacks it.
func TestSkipMessage(t *testing.T) {
	parse := func(js, text string) Info {
		t.Helper()
		c, err := parseVersion("cli", []byte(js), []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tf157 := parse(`{"terraform_version":"1.5.7"}`, "Terraform v1.5.7\n")
	tf111 := parse(`{"terraform_version":"1.11.4"}`, "Terraform v1.11.4\n")
	tofu := parse(`{"terraform_version":"1.12.6"}`, "OpenTofu v1.12.6\n")
	for _, tc := range []struct {
		cli  Info
		caps []Capability
		want string
	}{
		{tf157, []Capability{EphemeralValues, WriteOnlyArguments}, "needs ephemeral values (Terraform 1.10, OpenTofu 1.11), which Terraform 1.5.7 lacks"},
		{tf157, []Capability{TestCommand}, "needs the test command (Terraform 1.6, OpenTofu 1.6), which Terraform 1.5.7 lacks"},
		{tf111, []Capability{TestCommand, EphemeralValues, WriteOnlyArguments}, ""},
		{tf111, []Capability{WriteOnlyArguments, ProviderForEach}, "needs provider for_each (OpenTofu 1.9), which Terraform 1.11.4 lacks"},
		{tofu, []Capability{WriteOnlyArguments, EphemeralValues, ProviderForEach, TestCommand}, ""},
	} {
		if got := tc.cli.SkipMessage(tc.caps...); got != tc.want {
			t.Errorf("%s, %v: %q, want %q", tc.cli, tc.caps, got, tc.want)
		}
	}
}
