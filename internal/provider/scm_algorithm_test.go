package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// scmProviderBlock is the provider block of c for u with the SCM host's token in
// scm_credentials (providerName is "algorithmia" or another local name).
func scmProviderBlock(c *acctest.Cluster, providerName string, u *acctest.User, scm *testSCM, token string) string {
	b := c.NamedProviderBlock(providerName, "", u, false)
	return b[:len(b)-2] + fmt.Sprintf("\n  scm_credentials = {\n    %q = { token = %q }\n  }\n}\n", scm.ID, token)
}

// scmAlgorithmConfig connects u to scm and creates owner/name on it. provider is the
// provider line of every resource ("" for the default one).
func scmAlgorithmConfig(provider string, u *acctest.User, scm *testSCM, token, name string) string {
	return fmt.Sprintf(`
resource "algorithmia_scm_authorization" "me" {
  %[1]s
  scm_id   = %[2]q
  token_wo = %[3]q
}
`, provider, scm.ID, token) + algorithmHCL("ext", u.Name, name, "On an external SCM", provider,
		"source = { scm_id = algorithmia_scm_authorization.me.scm_id }")
}

// TestAccAlgorithm_scmBacked creates an algorithm on an external SCM: the host has the
// repository with the template commit on its default branch, linked by a webhook and a
// deploy key; state and the data source report the source; import and the next plan agree;
// destroy leaves the repository (CONTRACT.md §8.4).
func TestAccAlgorithm_scmBacked(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "scmalgo")
	scm, login, token := seedSCMLogin(t, dev, "github", u)
	name := acctest.RandomName("onhub")
	addr := "algorithmia_algorithm.ext"
	cfg := dev.ProviderBlock("", u, false) + scmAlgorithmConfig("", u, scm, token, name) + fmt.Sprintf(`
data "algorithmia_algorithm" "ext" {
  owner = algorithmia_algorithm.ext.owner
  name  = algorithmia_algorithm.ext.name
}

data "algorithmia_algorithms" "mine" {
  owner      = %q
  read_heads = true
  depends_on = [algorithmia_algorithm.ext, algorithmia_algorithm.internal, algorithmia_algorithm.explicit]
}
`, u.Name) + algorithmHCL("internal", u.Name, name+"_int", "On the internal SCM") +
		algorithmHCL("explicit", u.Name, name+"_exp", "On the internal SCM, said so", `source = { scm_id = "internal" }`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy: func(*terraform.State) error {
			if _, err := u.Client.GetAlgorithm(context.Background(), u.Name, name); !errors.Is(err, algorithmia.ErrNotFound) {
				return fmt.Errorf("algorithm %s still exists: %w", name, err)
			}
			if _, err := dev.Local.ExternalRepo(scm.ID, login, name); err != nil {
				return fmt.Errorf("deleting the algorithm must leave its external repository: %w", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scm_id": knownvalue.StringExact(scm.ID), "repository_owner": knownvalue.StringExact(login),
						"repository_name": knownvalue.StringExact(name),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("repository_https_url"), knownvalue.StringExact(scm.RepoURL(login, name))),
					statecheck.ExpectKnownValue("data.algorithmia_algorithm.ext", tfjsonpath.New("repository_https_url"), knownvalue.StringExact(scm.RepoURL(login, name))),
					statecheck.ExpectKnownValue("data.algorithmia_algorithm.ext", tfjsonpath.New("source").AtMapKey("scm_id"), knownvalue.StringExact(scm.ID)),
					// Left out, the source is the internal SCM, read back without a diff.
					statecheck.ExpectKnownValue("algorithmia_algorithm.internal", tfjsonpath.New("source"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scm_id": knownvalue.StringExact("internal"), "repository_owner": knownvalue.Null(), "repository_name": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue("algorithmia_algorithm.internal", tfjsonpath.New("repository_https_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue("algorithmia_algorithm.explicit", tfjsonpath.New("source"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"scm_id": knownvalue.StringExact("internal"), "repository_owner": knownvalue.Null(), "repository_name": knownvalue.Null(),
					})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					// The listing reports the SCM-backed one with its repository, and its head
					// only with the host's credentials (none here); the internal ones have theirs.
					rs := s.RootModule().Resources["data.algorithmia_algorithms.mine"]
					if rs == nil {
						return fmt.Errorf("no data.algorithmia_algorithms.mine in state")
					}
					byName := map[string]map[string]string{}
					for k, v := range rs.Primary.Attributes {
						var i int
						var field string
						if n, _ := fmt.Sscanf(k, "algorithms.%d.%s", &i, &field); n == 2 {
							if byName[fmt.Sprint(i)] == nil {
								byName[fmt.Sprint(i)] = map[string]string{}
							}
							byName[fmt.Sprint(i)][field] = v
						}
					}
					seen := 0
					for _, a := range byName {
						switch a["name"] {
						case name:
							seen++
							if a["repository_https_url"] != scm.RepoURL(login, name) || a["source.scm_id"] != scm.ID || a["head_commit"] != "" {
								return fmt.Errorf("listed SCM-backed algorithm: %v", a)
							}
						case name + "_int", name + "_exp":
							seen++
							if a["head_commit"] == "" || a["source.scm_id"] != "internal" || a["repository_https_url"] != "" {
								return fmt.Errorf("listed internal algorithm: %v", a)
							}
						}
					}
					if seen != 3 {
						return fmt.Errorf("listing has %d of the 3 algorithms: %v", seen, byName)
					}
					r := scm.Repo(t, login, name)
					if r.DefaultBranch != "main" || r.Head == "" || len(r.Webhooks) != 1 || len(r.DeployKeys) != 1 {
						return fmt.Errorf("external repository %s/%s: %+v, want main with one webhook and one deploy key", login, name, r)
					}
					a, err := u.Client.GetAlgorithm(context.Background(), u.Name, name)
					if err != nil {
						return err
					}
					if a.Source == nil || a.Source.SCM == nil || a.Source.SCM.ID != scm.ID {
						return fmt.Errorf("cluster reports source %+v", a.Source)
					}
					return nil
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           u.Name + "/" + name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"deletion_protection"},
			},
		},
	})
}

// sourcePromotion is an algorithmia_algorithm_source "test" that promotes a pinned commit of
// srcURL into owner/name (created as algorithmia_algorithm.ext), and publishes it.
func sourcePromotion(provider, srcURL, commit, user, key string) string {
	return algorithmSourceHCL("test", "ext", gitSource{url: srcURL, commit: commit, username: user, passwordWO: key},
		provider, `publish = { version_type = "minor" }`)
}

// checkOnSCM asserts the external side of a promotion into an SCM-backed algorithm: the
// default branch's head is the state's commit, its tree is the source commit's tree, the
// history below it is kept, the webhook's build of it succeeded, and exactly one version
// is published at it (none twice).
func checkOnSCM(t *testing.T, c *acctest.Cluster, u *acctest.User, scm *testSCM, token, login, name string,
	srcTree func() string, minHistory int, version string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		commit := stateAttr(s, "algorithmia_algorithm_source.test", "commit")
		r := scm.Repo(t, login, name)
		if r.Head != commit {
			return fmt.Errorf("external default branch %s is at %s, state says %s", r.DefaultBranch, r.Head, commit)
		}
		if got, want := scm.TreeOf(t, login, name, token, commit), srcTree(); got != want {
			return fmt.Errorf("external tree %s differs from the source tree %s", got, want)
		}
		if h := scm.Log(t, login, name, token); len(h) < minHistory {
			return fmt.Errorf("external history %v is shorter than %d: history lost", h, minHistory)
		}
		ctx := context.Background()
		b, err := u.Client.FindBuild(ctx, u.Name, name, commit)
		if err != nil || b == nil || b.Status != algorithmia.BuildStatusSucceeded {
			return fmt.Errorf("build of %s on %s: %+v %w, want the webhook's build succeeded", commit, c.Name, b, err)
		}
		published, err := u.Client.ListAllVersions(ctx, u.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)})
		if err != nil {
			return err
		}
		seen := map[string]int{}
		for _, p := range published {
			seen[p.VersionInfo.GitHash]++
			if seen[p.VersionInfo.GitHash] > 1 {
				return fmt.Errorf("commit %s is published twice", p.VersionInfo.GitHash)
			}
			if p.VersionInfo.GitHash == commit && p.VersionInfo.SemanticVersion != version {
				return fmt.Errorf("commit %s is published as %s, want %s", commit, p.VersionInfo.SemanticVersion, version)
			}
		}
		if seen[commit] != 1 {
			return fmt.Errorf("commit %s is not published", commit)
		}
		return nil
	}
}

// TestAccAlgorithmSource_migrateToSCM moves an algorithm from the internal SCM to an
// external one on the same cluster: a new SCM-backed algorithm whose default branch gets the
// internal algorithm's tree on top of its template commit, built by the webhook, published
// once; the next plan is empty. A commit pushed straight to the external repository is then
// seen as drift and repaired with a new commit on top.
func TestAccAlgorithmSource_migrateToSCM(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "migr")
	scm, login, token := seedSCMLogin(t, dev, "gitlab", u)
	name, commit := seedHello(t, dev, u, "hello", "Hello")
	ext := name + "_gl"
	addr := "algorithmia_algorithm_source.test"
	cfg := scmProviderBlock(dev, "algorithmia", u, scm, token) + scmAlgorithmConfig("", u, scm, token, ext) +
		sourcePromotion("", dev.GitURL(u.Name, name), commit, u.Name, u.Key)
	srcTree := func() string { return u.TreeOf(t, dev, u.Name, name, commit) }
	var drift string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.1.0")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("build_status"), knownvalue.StringExact("succeeded")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					checkOnSCM(t, dev, u, scm, token, login, ext, srcTree, 2, "0.1.0"),
					func(*terraform.State) error {
						if r := scm.Repo(t, login, ext); r.DefaultBranch != "master" {
							return fmt.Errorf("a GitLab repository's default branch is %q, want master", r.DefaultBranch)
						}
						return nil
					},
				),
			},
			{
				// Drift: someone pushes to the external repository; the webhook builds it.
				PreConfig: func() {
					drift = scm.Push(t, login, ext, token, acctest.Commit{Files: map[string][]byte{"README.md": []byte("changed on the host\n")}, Message: "hotfix"})
					u.WaitForBuilds(t, ext)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					checkOnSCM(t, dev, u, scm, token, login, ext, srcTree, 4, "0.2.0"),
					func(*terraform.State) error {
						if h := scm.Log(t, login, ext, token); h[1] != drift {
							return fmt.Errorf("the repair must sit on top of the drift commit %s: %v", drift, h)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccAlgorithmSource_promoteIntoSCM promotes dev (internal SCM) into prod, whose
// algorithm lives on an external SCM, twice; then reads an SCM-backed algorithm as a source.
func TestAccAlgorithmSource_promoteIntoSCM(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du, pu := dev.NewUser(t, "acme"), prod.NewUser(t, "acme")
	scm, login, token := seedSCMLogin(t, prod, "github", pu)
	name, first := seedHello(t, dev, du, "hello", "Hello")
	second := pushHello(t, dev, du, name, "Hi")
	const p = "provider = algorithmiaprod"
	cfg := func(commit string) string {
		return scmProviderBlock(prod, "algorithmiaprod", pu, scm, token) + scmAlgorithmConfig(p, pu, scm, token, name) +
			sourcePromotion(p, dev.GitURL(du.Name, name), commit, du.Name, du.Key)
	}
	tree := func(commit string) func() string {
		return func() string { return du.TreeOf(t, dev, du.Name, name, commit) }
	}
	addr := "algorithmia_algorithm_source.test"
	back := name + "_back"
	readBack := algorithmHCL("back", pu.Name, back, "Read from the SCM", p) + algorithmSourceHCL("back", "back",
		gitSource{urlRef: "algorithmia_algorithm.ext.repository_https_url", ref: "main", username: "x", passwordWO: token}, p)

	gitRefs := fmt.Sprintf(`
data "algorithmia_git_ref" "version" {
  %[1]s
  owner      = algorithmia_algorithm.ext.owner
  name       = algorithmia_algorithm.ext.name
  ref        = "0.2.0"
  depends_on = [algorithmia_algorithm_source.test]
}

data "algorithmia_git_ref" "branch" {
  %[1]s
  owner      = algorithmia_algorithm.ext.owner
  name       = algorithmia_algorithm.ext.name
  ref        = "main"
  depends_on = [algorithmia_algorithm_source.test]
}
`, p)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:           cfg(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(first)),
				},
				Check: checkOnSCM(t, prod, pu, scm, token, login, name, tree(first), 2, "0.1.0"),
			},
			{
				Config: cfg(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkOnSCM(t, prod, pu, scm, token, login, name, tree(second), 3, "0.2.0"),
			},
			{
				// Import reads the head of the external default branch, its build and version.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           pu.Name + "/" + name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importCannotReadSource,
			},
			{
				// The SCM-backed algorithm as a source: its repository_https_url and the host's token.
				// The data source reads the head of the external default branch with scm_credentials.
				Config:           cfg(second) + readBack + "\ndata \"algorithmia_algorithm\" \"ext\" {\n  " + p + "\n  owner = algorithmia_algorithm.ext.owner\n  name = algorithmia_algorithm.ext.name\n  depends_on = [algorithmia_algorithm_source.test]\n}\n" + gitRefs,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					if got, want := stateAttr(s, "data.algorithmia_algorithm.ext", "head_commit"), stateAttr(s, addr, "commit"); got != want {
						return fmt.Errorf("data source head_commit %s, want the external head %s", got, want)
					}
					// algorithmia_git_ref names the external repository, and resolves a version and a branch there.
					for _, ref := range []string{"version", "branch"} {
						a := "data.algorithmia_git_ref." + ref
						if got, want := stateAttr(s, a, "git_url"), scm.RepoURL(login, name); got != want {
							return fmt.Errorf("%s git_url %s, want %s", a, got, want)
						}
						if got, want := stateAttr(s, a, "commit"), stateAttr(s, addr, "commit"); got != want {
							return fmt.Errorf("%s commit %s, want %s", a, got, want)
						}
					}
					c := stateAttr(s, "algorithmia_algorithm_source.back", "commit")
					if got, want := pu.TreeOf(t, prod, pu.Name, back, c), tree(second)(); got != want {
						return fmt.Errorf("tree read back from the SCM is %s, want %s", got, want)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAlgorithm_scmBadInput: an SCM the user is not authorized on, a repository that
// already exists on the host, and a disabled SCM each fail with a diagnostic that says so,
// and nothing is created: no algorithm, no repository.
func TestAccAlgorithm_scmBadInput(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "scmno")
	scm := seedSCM(t, dev, "github", true)
	disabled := seedSCM(t, dev, "github", false)
	login := "octo_" + u.Name
	name := acctest.RandomName("nope")
	cfg := func(scmID, extra string) string {
		return dev.ProviderBlock("", u, false) + extra +
			algorithmHCL("ext", u.Name, name, "Never created", fmt.Sprintf("source = { scm_id = %q }", scmID))
	}
	nothingCreated := func() {
		if _, err := u.Client.GetAlgorithm(context.Background(), u.Name, name); !errors.Is(err, algorithmia.ErrNotFound) {
			t.Fatalf("a failed create left algorithm %s: %v", name, err)
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:      cfg(scm.ID, ""),
				ExpectError: regexp.MustCompile(`(?s)code 4008.*not\s+authorized\s+on\s+the\s+SCM`),
			},
			{
				PreConfig: func() {
					nothingCreated()
					if _, err := dev.Local.ExternalRepo(scm.ID, login, name); err == nil {
						t.Fatal("a failed create left a repository")
					}
					if err := u.Client.ConnectSCMToken(context.Background(), scm.ID, scm.Token(t, login)); err != nil {
						t.Fatal(err)
					}
					if err := dev.Local.CreateExternalRepo(scm.ID, login, name, false); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg(scm.ID, ""),
				ExpectError: regexp.MustCompile(`(?s)code 4044.*most\s+likely\s+because\s+it\s+already\s+exists`),
			},
			{
				PreConfig: func() {
					nothingCreated()
					if r := scm.Repo(t, login, name); len(r.Webhooks) != 0 {
						t.Fatalf("the existing repository was linked: %+v", r)
					}
				},
				Config:      cfg(disabled.ID, ""),
				ExpectError: regexp.MustCompile(`(?s)code 4042.*is\s+disabled`),
			},
			{
				PreConfig:   nothingCreated,
				Config:      cfg("no-such-scm", ""),
				ExpectError: regexp.MustCompile(`No\s+SCM\s+configuration\s+"no-such-scm"\s+exists`),
			},
		},
	})
}
