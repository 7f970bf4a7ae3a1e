package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// TestCLI_modulesUnderDevOverridesNeedTerraformGet follows the README and the guides: a
// configuration that fans out with one module per region runs under dev_overrides once
// `terraform get` has installed its modules, without `terraform init`.
func TestCLI_modulesUnderDevOverridesNeedTerraformGet(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu := dev.NewUser(t, "region"), prod.NewUser(t, "region")
	w := acctest.NewWorkdir(t, dev.ProviderBlock("eu", du, false)+prod.ProviderBlock("us", pu, false)+`
module "eu" {
  source    = "./modules/region"
  providers = { algorithmia = algorithmia.eu }
}

module "us" {
  source    = "./modules/region"
  providers = { algorithmia = algorithmia.us }
}

output "environments" { value = [module.eu.environment_id, module.us.environment_id] }
`)
	region := filepath.Join(w.Dir, "modules", "region")
	if err := os.MkdirAll(region, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(region, "main.tf"), []byte(`
terraform {
  required_providers {
    algorithmia = { source = "algorithmia-iac/algorithmia" }
  }
}

data "algorithmia_environment" "py38" {
  language     = "python3"
  display_name = "Python 3.8"
}

output "environment_id" { value = data.algorithmia_environment.py38.id }
`), 0o600); err != nil {
		t.Fatal(err)
	}

	if out, code := w.Run(t, "plan", "-input=false"); code == 0 || !strings.Contains(out, "not yet installed") {
		t.Fatalf("a plan before terraform get should ask for the modules (exit %d):\n%s", code, out)
	}
	w.MustRun(t, "get")
	w.MustRun(t, "apply", "-auto-approve", "-input=false")
	out := w.MustRun(t, "output", "-json", "environments")
	ids := strings.Split(strings.Trim(strings.TrimSpace(out), "[]"), ",")
	if len(ids) != 2 || ids[0] == ids[1] || len(ids[0]) < 3 {
		t.Fatalf("want one environment ID per region, each cluster its own: %s", out)
	}
}
