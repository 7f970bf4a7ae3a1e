package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

func TestAccAlgorithmSecretsDataSource_listsMetadataOnly(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "sec")
	algo, empty := acctest.RandomName("secret"), acctest.RandomName("nosecret")
	algoID := seedAlgorithm(t, u, algo)
	seedAlgorithm(t, u, empty)
	ctx := context.Background()
	p, err := u.Client.DefaultSecretProvider(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []algorithmia.CreateAlgorithmSecretRequest{
		{ShortName: "DB_PASSWORD", SecretKey: "PGPASSWORD", SecretValue: "value-of-db", Description: "database"},
		{ShortName: "API_TOKEN", SecretKey: "API_TOKEN", SecretValue: "value-of-token"},
	} {
		if _, err := u.Client.CreateAlgorithmSecret(ctx, algoID, s); err != nil {
			t.Fatal(err)
		}
	}
	addr := "data.algorithmia_algorithm_secrets.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + fmt.Sprintf(`
data "algorithmia_algorithm_secrets" "test" {
  owner = %[1]q
  name  = %[2]q
}

data "algorithmia_algorithm_secrets" "empty" {
  owner = %[1]q
  name  = %[3]q
}
`, u.Name, algo, empty),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm_id"), knownvalue.StringExact(algoID)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("secrets"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"short_name": knownvalue.StringExact("API_TOKEN"), "description": knownvalue.StringExact(""),
						"secret_key": knownvalue.StringExact("API_TOKEN"), "secret_provider_id": knownvalue.StringExact(p.ID),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"short_name": knownvalue.StringExact("DB_PASSWORD"), "description": knownvalue.StringExact("database"),
						"secret_key": knownvalue.StringExact("PGPASSWORD"),
					}),
				})),
				statecheck.ExpectKnownValue("data.algorithmia_algorithm_secrets.empty", tfjsonpath.New("secrets"), knownvalue.ListSizeExact(0)),
			},
			Check: checkNoSecretInState("value-of-db", "value-of-token"),
		}},
	})
}
