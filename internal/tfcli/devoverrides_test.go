package tfcli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteDevOverridesNamesTheProviderUnderBothRegistries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dev.tfrc")
	if err := WriteDevOverrides(path, "/opt/provider dir"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"registry.terraform.io/algorithmia-iac/algorithmia" = "/opt/provider dir"`,
		`"registry.opentofu.org/algorithmia-iac/algorithmia" = "/opt/provider dir"`,
		"direct {}",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the CLI configuration lacks %s:\n%s", want, b)
		}
	}
}
