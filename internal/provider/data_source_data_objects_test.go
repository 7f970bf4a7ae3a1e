package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// A whole collection moves from dev to prod: for_each over algorithmia_data_objects on dev
// copies every file into a collection managed on prod, and nothing is left to plan.
func TestAccDataObjects_collectionMigration(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du, pu := dev.NewUser(t, "data"), prod.NewUser(t, "data")
	devColl := newCollection(t, du, "models")
	prodColl := acctest.RandomName("models")
	const n = 30
	want := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("part-%02d.txt", i)
		text := strings.Repeat(fmt.Sprintf("line %d of %s\n", i, name), i+1)
		putText(t, du, fmt.Sprintf("data://%s/%s/%s", du.Name, devColl, name), text)
		want[name] = sha256Of([]byte(text))
	}
	cfg := dev.ProviderBlock("", du, false) + prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + fmt.Sprintf(`
data "algorithmia_data_objects" "dev" {
  path = "data://%[1]s/%[2]s"
}

data "algorithmia_data_object" "first" {
  path = data.algorithmia_data_objects.dev.files[0].path
}

resource "algorithmia_data_collection" "prod" {
  provider = algorithmiaprod
  owner    = %[3]q
  name     = %[4]q
  read_acl = data.algorithmia_data_objects.dev.read_acl
}

resource "algorithmia_data_object" "migrated" {
  provider = algorithmiaprod
  for_each = { for f in data.algorithmia_data_objects.dev.files : f.name => f }

  path = "data://${algorithmia_data_collection.prod.owner}/${algorithmia_data_collection.prod.name}/${each.key}"
  copy_from = {
    path        = each.value.path
    api_address = %[5]q
    api_key_wo  = %[6]q
  }
}
`, du.Name, devColl, pu.Name, prodColl, dev.URL, du.Key)

	prodFiles := func() ([]algorithmia.DataFile, error) {
		return pu.Client.ListFiles(context.Background(), algorithmia.DataPath{Owner: pu.Name, Collection: prodColl})
	}
	ds := "data.algorithmia_data_objects.dev"

	// Check functions and CheckDestroy cannot read for_each state; state checks can.
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(`algorithmia_data_object.migrated["part-00.txt"]`, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(`algorithmia_data_object.migrated["part-29.txt"]`, plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("files"), knownvalue.ListSizeExact(n)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("read_acl"), knownvalue.StringExact("my_algorithms")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("files").AtSliceIndex(1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("part-01.txt"),
						"path": knownvalue.StringExact(fmt.Sprintf("data://%s/%s/part-01.txt", du.Name, devColl)),
						"size": knownvalue.Int64Exact(int64(2 * len("line 1 of part-01.txt\n"))),
						"etag": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue("data.algorithmia_data_object.first", tfjsonpath.New("content"), knownvalue.StringExact("line 0 of part-00.txt\n")),
					statecheck.ExpectKnownValue("data.algorithmia_data_object.first", tfjsonpath.New("sha256"), knownvalue.StringExact(want["part-00.txt"])),
					statecheck.ExpectKnownValue(`algorithmia_data_object.migrated["part-07.txt"]`, tfjsonpath.New("sha256"), knownvalue.StringExact(want["part-07.txt"])),
					clusterCheck(func() error { return checkCollectionACL(pu, prodColl, algorithmia.ACLMyAlgorithms)(nil) }),
					clusterCheck(func() error {
						files, err := prodFiles()
						if err != nil {
							return err
						}
						if len(files) != n {
							return fmt.Errorf("prod holds %d files, want %d", len(files), n)
						}
						for _, f := range files {
							if err := checkRemoteSHA256(pu, fmt.Sprintf("data://%s/%s/%s", pu.Name, prodColl, f.Filename), want[f.Filename])(nil); err != nil {
								return err
							}
						}
						return nil
					}),
				},
			},
			{
				// One more file on dev is one more copy; the others stay untouched.
				PreConfig: func() { putText(t, du, fmt.Sprintf("data://%s/%s/zz-new.txt", du.Name, devColl), "new") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(`algorithmia_data_object.migrated["zz-new.txt"]`, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(`algorithmia_data_object.migrated["part-00.txt"]`, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{clusterCheck(func() error {
					return checkRemoteSHA256(pu, fmt.Sprintf("data://%s/%s/zz-new.txt", pu.Name, prodColl), sha256Of([]byte("new")))(nil)
				})},
			},
			{
				// Destroy: the copies go first, then the (then empty) collection, without force_destroy.
				Config: dev.ProviderBlock("", du, false) + prod.NamedProviderBlock("algorithmiaprod", "", pu, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(`algorithmia_data_object.migrated["part-00.txt"]`, plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction("algorithmia_data_collection.prod", plancheck.ResourceActionDestroy),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{clusterCheck(func() error {
					if _, err := prodFiles(); !errors.Is(err, algorithmia.ErrNotFound) {
						return fmt.Errorf("prod collection after destroy: %w", err)
					}
					files, err := du.Client.ListFiles(context.Background(), algorithmia.DataPath{Owner: du.Name, Collection: devColl})
					if err != nil || len(files) != n+1 {
						return fmt.Errorf("dev must keep its %d files, has %d (%w)", n+1, len(files), err)
					}
					return nil
				})},
			},
		},
	})
}
