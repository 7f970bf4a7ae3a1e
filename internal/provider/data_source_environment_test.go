package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

func TestAccEnvironmentDataSource_unknownDisplayName(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + `
data "algorithmia_environment" "test" {
  language     = "python3"
  display_name = "Python 1.0"
}`,
			ExpectError: regexpMust(`(?s)no "Python 1.0" environment.*Python 3.8`),
		}},
	})
}
