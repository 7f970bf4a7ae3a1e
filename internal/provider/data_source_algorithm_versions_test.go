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

func algorithmVersionsConfig(c *acctest.Cluster, u *acctest.User, owner, name string) string {
	return c.ProviderBlock("", u, false) + fmt.Sprintf(`
data "algorithmia_algorithm_versions" "test" {
  owner = %q
  name  = %q
}`, owner, name)
}

// versionTimestampRE matches the timestamps the platform reports.
var versionTimestampRE = regexpMust(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

func TestAccAlgorithmVersions_newestFirst(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("vers")
	first := u.PublishAlgorithm(t, name)
	second := u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("second\n")}})
	u.WaitForBuilds(t, name)
	if _, err := u.Client.PublishVersion(context.Background(), u.Name, name, algorithmia.VersionRequest{
		VersionInfo: algorithmia.PublishVersionInfo{VersionType: algorithmia.VersionTypeMinor, ReleaseNotes: "Faster greeting"},
	}); err != nil {
		t.Fatalf("publish 0.2.0: %v", err)
	}
	// A build that is never published must not show up.
	u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("unreleased\n")}})
	u.WaitForBuilds(t, name)

	addr := "data.algorithmia_algorithm_versions.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: algorithmVersionsConfig(dev, u, u.Name, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(u.Name+"/"+name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("latest"), knownvalue.StringExact("0.2.0")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("versions"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"semantic_version": knownvalue.StringExact("0.2.0"),
						"git_hash":         knownvalue.StringExact(second),
						"release_notes":    knownvalue.StringExact("Faster greeting"),
						"callability":      knownvalue.StringExact("private"),
						"created_at":       knownvalue.StringRegexp(versionTimestampRE),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"semantic_version": knownvalue.StringExact("0.1.0"),
						"git_hash":         knownvalue.StringExact(first.VersionInfo.GitHash),
						"release_notes":    knownvalue.StringExact("seeded"),
						"callability":      knownvalue.StringExact("private"),
						"created_at":       knownvalue.StringRegexp(versionTimestampRE),
					}),
				})),
			},
		}},
	})
}

func TestAccAlgorithmVersions_nonePublished(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("vers")
	ctx := context.Background()
	if _, err := u.Client.CreateAlgorithm(ctx, u.Name, algorithmia.CreateAlgorithmRequest{
		Name:     name,
		Details:  algorithmia.Details{Label: "Unpublished " + name},
		Settings: algorithmia.CreateSettings{Language: "python3-1", Environment: "cpu", License: "apl", NetworkAccess: "full", SourceVisibility: "closed"},
	}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	// Built but never published: still no version.
	if _, err := u.Client.Compile(ctx, u.Name, name); err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	u.WaitForBuilds(t, name)

	addr := "data.algorithmia_algorithm_versions.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: algorithmVersionsConfig(dev, u, u.Name, name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("versions"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("latest"), knownvalue.Null()),
				},
			},
			{
				Config:      algorithmVersionsConfig(dev, u, u.Name, "no_such_algo"),
				ExpectError: regexpMust(`(?s)Algorithm not found.*no_such_algo`),
			},
		},
	})
}
