package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// gitRefConfig renders one algorithmia_git_ref data source per label => ref pair.
func gitRefConfig(owner, name string, refs [][2]string) string {
	var out string
	for _, r := range refs {
		out += fmt.Sprintf(`
data "algorithmia_git_ref" %q {
  owner = %q
  name  = %q
  ref   = %q
}
`, r[0], owner, name, r[1])
	}
	return out
}

// expectRef checks what one algorithmia_git_ref resolved to.
func expectRef(label, commit, kind string) []statecheck.StateCheck {
	addr := "data.algorithmia_git_ref." + label
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("commit"), knownvalue.StringExact(commit)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("kind"), knownvalue.StringExact(kind)),
	}
}

func TestAccGitRef_branchTagAndSHA(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("ref")
	u.PublishAlgorithm(t, name)
	tagged := u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("one\n")}, Tag: "v1"})
	master := u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("two\n")}})
	feature := u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("three\n")}, Branch: "feature"})
	u.WaitForBuilds(t, name)

	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.algorithmia_git_ref.master", tfjsonpath.New("id"), knownvalue.StringExact(u.Name+"/"+name+"@master")),
		statecheck.ExpectKnownValue("data.algorithmia_git_ref.master", tfjsonpath.New("git_url"), knownvalue.StringExact(dev.GitURL(u.Name, name))),
	}
	checks = append(checks, expectRef("master", master, "branch")...)
	checks = append(checks, expectRef("feature", feature, "branch")...)
	checks = append(checks, expectRef("full_branch", feature, "branch")...)
	checks = append(checks, expectRef("tag", tagged, "tag")...)
	checks = append(checks, expectRef("full_tag", tagged, "tag")...)
	checks = append(checks, expectRef("short_sha", tagged, "commit")...)
	checks = append(checks, expectRef("full_sha", feature, "commit")...)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + gitRefConfig(u.Name, name, [][2]string{
				{"master", "master"},
				{"feature", "feature"},
				{"full_branch", "refs/heads/feature"},
				{"tag", "v1"},
				{"full_tag", "refs/tags/v1"},
				{"short_sha", tagged[:7]},
				{"full_sha", feature},
			}),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccGitRef_publishedVersion(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("ref")
	first := u.PublishAlgorithm(t, name)
	second := u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("second\n")}})
	u.WaitForBuilds(t, name)
	v2, err := u.Client.PublishVersion(context.Background(), u.Name, name, algorithmia.VersionRequest{
		VersionInfo: algorithmia.PublishVersionInfo{VersionType: algorithmia.VersionTypeMinor, ReleaseNotes: "second"},
	})
	if err != nil {
		t.Fatalf("publish 0.2.0: %v", err)
	}
	if v2.VersionInfo == nil || v2.VersionInfo.SemanticVersion != "0.2.0" || v2.VersionInfo.GitHash != second {
		t.Fatalf("second publish = %+v, want 0.2.0 of %s", v2.VersionInfo, second)
	}
	// Move master past 0.2.0 so that a version and the branch name different commits.
	head := u.PushCommit(t, dev, u.Name, name, acctest.Commit{Files: map[string][]byte{"NOTES.md": []byte("unreleased\n")}})
	u.WaitForBuilds(t, name)

	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.algorithmia_git_ref.v1", tfjsonpath.New("id"), knownvalue.StringExact(u.Name+"/"+name+"@0.1.0")),
		statecheck.CompareValuePairs("data.algorithmia_git_ref.v1", tfjsonpath.New("commit"),
			"data.algorithmia_git_ref.v2", tfjsonpath.New("commit"), compare.ValuesDiffer()),
	}
	checks = append(checks, expectRef("v1", first.VersionInfo.GitHash, "version")...)
	checks = append(checks, expectRef("v2", second, "version")...)
	checks = append(checks, expectRef("master", head, "branch")...)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + gitRefConfig(u.Name, name, [][2]string{
				{"v1", "0.1.0"}, {"v2", "0.2.0"}, {"master", "master"},
			}),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccGitRef_unknownRefAndVersion(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("ref")
	u.PublishAlgorithm(t, name)
	algo := u.Name + "/" + name

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      dev.ProviderBlock("", u, false) + gitRefConfig(u.Name, name, [][2]string{{"missing", "no-such-branch"}}),
				ExpectError: regexpMust(`Unknown ref "no-such-branch" of ` + algo),
			},
			{
				Config:      dev.ProviderBlock("", u, false) + gitRefConfig(u.Name, name, [][2]string{{"missing", "deadbeef"}}),
				ExpectError: regexpMust(`Unknown ref "deadbeef" of ` + algo),
			},
			{
				// The error lists what was published, so a typo is easy to spot.
				Config:      dev.ProviderBlock("", u, false) + gitRefConfig(u.Name, name, [][2]string{{"missing", "9.9.9"}}),
				ExpectError: regexpMust(`(?s)Unknown version 9\.9\.9 of ` + algo + `.*has no\s+published\s+version\s+9\.9\.9.*0\.1\.0`),
			},
			{
				Config:      dev.ProviderBlock("", u, false) + gitRefConfig(u.Name, "no_such_algo", [][2]string{{"missing", "1.0.0"}}),
				ExpectError: regexpMust(`Algorithm not found`),
			},
		},
	})
}

func TestAccGitRef_needsGitCredentials(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	name := acctest.RandomName("ref")
	u.PublishAlgorithm(t, name)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// An admin-only provider has neither username nor api_key for Git.
			Config:      dev.ProviderBlock("", nil, true) + gitRefConfig(u.Name, name, [][2]string{{"master", "master"}}),
			ExpectError: regexpMust(`(?s)Missing Git credentials.*no username and\s+api_key`),
		}},
	})
}
