package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// collectionConfig renders one collection on the default provider; extra goes inside the block.
func collectionConfig(c *acctest.Cluster, u *acctest.User, name, extra string) string {
	return c.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_data_collection" "test" {
  owner = %q
  name  = %q
  %s
}
`, u.Name, name, extra)
}

// checkCollectionACL asks the cluster for the collection's acl.read.
func checkCollectionACL(u *acctest.User, name string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		col, err := u.Client.GetCollection(context.Background(), u.Name, name)
		if err != nil {
			return fmt.Errorf("collection %s on the cluster: %w", name, err)
		}
		if col.ACL == nil || !slices.Equal(col.ACL.Read, want) {
			return fmt.Errorf("collection %s has ACL %+v, want %q", name, col.ACL, want)
		}
		return nil
	}
}

// checkCollectionsDestroyed asks the cluster that every collection in state is gone.
func checkCollectionsDestroyed(u *acctest.User) resource.TestCheckFunc {
	return checkDestroyed("algorithmia_data_collection", "collection", "the cluster", func(ctx context.Context, a map[string]string) error {
		_, err := u.Client.GetCollection(ctx, a["owner"], a["name"])
		return err
	})
}

// putText uploads a small text file with the user's own client, outside Terraform.
func putText(t *testing.T, u *acctest.User, p, text string) {
	t.Helper()
	dp, err := algorithmia.ParseDataPath(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Client.PutObject(context.Background(), dp, func(context.Context) (io.ReadCloser, int64, error) {
		return io.NopCloser(strings.NewReader(text)), int64(len(text)), nil
	}); err != nil {
		t.Fatalf("put %s: %v", p, err)
	}
}

func TestAccDataCollection_aclInPlaceAndForceDestroy(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	name := acctest.RandomName("coll")
	addr := "algorithmia_data_collection.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkCollectionsDestroyed(u),
		Steps: []resource.TestStep{
			{
				// The platform's default ACL: the owner's algorithms may read.
				Config: collectionConfig(dev, u, name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("data://"+u.Name+"/"+name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_acl"), knownvalue.StringExact("my_algorithms")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("force_destroy"), knownvalue.Bool(false)),
				},
				Check: checkCollectionACL(u, name, algorithmia.ACLMyAlgorithms),
			},
			{
				Config: collectionConfig(dev, u, name, `read_acl = "private"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_acl"), knownvalue.StringExact("private")),
				},
				Check: checkCollectionACL(u, name),
			},
			{
				Config: collectionConfig(dev, u, name, `read_acl = "public"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkCollectionACL(u, name, algorithmia.ACLPublic),
			},
			{
				// An ACL changed outside Terraform is drift, repaired in place.
				PreConfig: func() {
					if err := u.Client.UpdateCollectionACL(context.Background(), u.Name, name, algorithmia.DataACL{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: collectionConfig(dev, u, name, `read_acl = "public"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkCollectionACL(u, name, algorithmia.ACLPublic),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "data://" + u.Name + "/" + name,
				ImportStateVerify: true,
			},
			{
				// A file in the collection: destroy is refused and nothing is deleted.
				PreConfig:   func() { putText(t, u, "data://"+u.Name+"/"+name+"/keep.txt", "keep me") },
				Config:      dev.ProviderBlock("", u, false),
				ExpectError: wrapped(`Collection is not empty`),
			},
			{
				Config: collectionConfig(dev, u, name, `read_acl = "public"`+"\n  force_destroy = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					// The refused destroy deleted nothing.
					_, err := u.Client.HeadObject(context.Background(), algorithmia.DataPath{Owner: u.Name, Collection: name, File: "keep.txt"})
					return err
				},
			},
			{
				// With force_destroy the collection goes, file and all.
				Config: dev.ProviderBlock("", u, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroy)},
				},
				Check: func(*terraform.State) error {
					if _, err := u.Client.GetCollection(context.Background(), u.Name, name); !errors.Is(err, algorithmia.ErrNotFound) {
						return fmt.Errorf("collection after forced destroy: %w", err)
					}
					return nil
				},
			},
		},
	})
}

func TestAccDataCollection_badInput(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	steps := []resource.TestStep{
		{Config: collectionConfig(dev, u, "1bad", ""), ExpectError: wrapped(`must start with a letter`)},
		{Config: collectionConfig(dev, u, "ok", `read_acl = "everyone"`), ExpectError: wrapped(`value must be one of`)},
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
	root, err := u.Client.ListDirectory(context.Background(), algorithmia.DataPath{Owner: u.Name}, algorithmia.DataListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(root.Folders) != 0 {
		t.Fatalf("bad input created collections: %+v", root.Folders)
	}
}
