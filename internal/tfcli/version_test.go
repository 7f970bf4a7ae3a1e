package tfcli

import "testing"

// TestParseVersion reads what each CLI prints and what it can do: the same feature came
// in different versions of Terraform and OpenTofu.
func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		json, text                     string
		openTofu, ephemeral, writeOnly bool
		test                           bool
	}{
		{`{"terraform_version":"1.5.7","platform":"linux_amd64"}`, "Terraform v1.5.7\non linux_amd64\n", false, false, false, false},
		{`{"terraform_version":"1.10.5"}`, "Terraform v1.10.5\n", false, true, false, true},
		{`{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}`, "Terraform v1.11.4\non linux_amd64\n", false, true, true, true},
		{`{"terraform_version":"1.10.6"}`, "OpenTofu v1.10.6\non linux_amd64\n", true, false, false, true},
		{"{\n  \"terraform_version\": \"1.12.6\",\n  \"platform\": \"linux_amd64\",\n  \"provider_selections\": {}\n}\n", "OpenTofu v1.12.6\non linux_amd64\n", true, true, true, true},
		{`{"terraform_version":"1.11.0-beta1"}`, "OpenTofu v1.11.0-beta1\n", true, true, true, true},
	} {
		c, err := parseVersion("tf", []byte(tc.json), []byte(tc.text))
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		if c.OpenTofu != tc.openTofu || c.EphemeralValues() != tc.ephemeral || c.WriteOnlyArguments() != tc.writeOnly || c.TestCommand() != tc.test {
			t.Errorf("%s: OpenTofu %v, ephemeral %v, write-only %v, test %v; want %v %v %v %v", c,
				c.OpenTofu, c.EphemeralValues(), c.WriteOnlyArguments(), c.TestCommand(), tc.openTofu, tc.ephemeral, tc.writeOnly, tc.test)
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
