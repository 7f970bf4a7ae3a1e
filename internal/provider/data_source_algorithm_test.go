package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

func TestAccAlgorithmDataSource_publishedAlgorithm(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("pub")
	published := u.PublishAlgorithm(t, name)
	addr := "data.algorithmia_algorithm.test"
	sameCommit := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + fmt.Sprintf(`
data "algorithmia_algorithm" "test" {
  owner = %q
  name  = %q
}`, u.Name, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("latest_version"), knownvalue.StringExact("0.1.0")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("latest_version_git_hash"), knownvalue.StringExact(published.VersionInfo.GitHash)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("details").AtMapKey("label"), knownvalue.StringExact("Seeded "+name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("settings").AtMapKey("language"), knownvalue.StringExact("python3-1")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("git_url"), knownvalue.StringExact(dev.URL+"/git/"+u.Name+"/"+name+".git")),
				// Nothing was pushed after the template commit: master, the latest build and the
				// published version are the same commit.
				sameCommit.AddStateValue(addr, tfjsonpath.New("head_commit")),
				sameCommit.AddStateValue(addr, tfjsonpath.New("latest_build_commit")),
				sameCommit.AddStateValue(addr, tfjsonpath.New("latest_version_git_hash")),
			},
		}},
	})
}
