package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// helloSource is a small but real Python algorithm tree, named after its dev algorithm.
func helloSource(owner, name, greeting string) map[string][]byte {
	return map[string][]byte{
		"algorithmia.conf": []byte(fmt.Sprintf(`{"username": %q, "algoname": %q, "language": "python3-1"}`, owner, name)),
		"requirements.txt": []byte("algorithmia>=1.0.0,<2.0\nsix\n"),
		"src/__init__.py":  []byte(""),
		"src/" + name + ".py": []byte(fmt.Sprintf("import Algorithmia\n\n\ndef apply(input):\n    return %q.format(input)\n",
			greeting+" {}")),
		"src/" + name + "_test.py": []byte(fmt.Sprintf("from . import %s\n\n\ndef test_apply():\n    assert %s.apply(\"Jane\")\n", name, name)),
	}
}

// pushHello pushes helloSource with greeting onto u's algorithm name on c; it returns the commit.
func pushHello(t *testing.T, c *acctest.Cluster, u *acctest.User, name, greeting string) string {
	t.Helper()
	return u.PushCommit(t, c, u.Name, name, acctest.Commit{Files: helloSource(u.Name, name, greeting), Message: greeting})
}

// seedHello publishes a new algorithm of u on c, named prefix and a random suffix, and
// pushes helloSource with greeting onto it; it returns the name and that commit.
func seedHello(t *testing.T, c *acctest.Cluster, u *acctest.User, prefix, greeting string) (name, commit string) {
	t.Helper()
	name = acctest.RandomName(prefix)
	u.PublishAlgorithm(t, name)
	return name, pushHello(t, c, u, name, greeting)
}

// pushHotfix pushes a commit by hand straight onto u's algorithm name on c, as drift under
// a promotion into it, and waits for its build; it returns the commit.
func pushHotfix(t *testing.T, c *acctest.Cluster, u *acctest.User, name string) string {
	t.Helper()
	hotfix := u.PushCommit(t, c, u.Name, name, acctest.Commit{Files: map[string][]byte{"HOTFIX.md": []byte("pushed by hand\n")}, Message: "hotfix"})
	u.WaitForBuilds(t, name)
	return hotfix
}

// sourceConfig promotes dev's owner/name at a pinned commit into an algorithm of the same
// name on the destination, created in the same configuration. destLocal is the provider
// local name of the destination cluster.
func sourceConfig(destLocal string, dest *acctest.User, devURL string, devUser *acctest.User, name, commit, extra string) string {
	return sourceConfigFrom(destLocal, dest, name, pinnedSource(devURL, commit, devUser), extra)
}

// sourceConfigFrom is sourceConfig for any source object.
func sourceConfigFrom(destLocal string, dest *acctest.User, name string, src gitSource, extra string) string {
	providerLine := ""
	if destLocal != "algorithmia" {
		providerLine = "provider = " + destLocal
	}
	return algorithmHCL("dest", dest.Name, name, "Promoted", providerLine) +
		algorithmSourceHCL("test", "dest", src, providerLine, extra)
}

// importCannotReadSource are the attributes an import of algorithmia_algorithm_source
// cannot read back: the source is configuration only, and the destination cannot tell where
// its code came from.
var importCannotReadSource = []string{"source", "commit_message", "publish", "timeouts", "source_commit", "source_tree"}

// checkPromoted asserts the destination's side: master's tree equals the source commit's
// tree, the promotion commit's parent is the destination's previous history, the build of
// master succeeded, and (when version is set) that version is published at master. The
// harness helpers it calls stop the test on a broken cluster; check funcs run in the test goroutine.
func checkPromoted(t *testing.T, dev *acctest.Cluster, devUser *acctest.User, srcCommit string, dst *acctest.Cluster, dstUser *acctest.User, name, version string) resource.TestCheckFunc {
	return checkPromotedFrom(t, dev, devUser, name, srcCommit, dst, dstUser, name, version)
}

// checkPromotedFrom is checkPromoted for source and destination algorithms of different names.
func checkPromotedFrom(t *testing.T, dev *acctest.Cluster, devUser *acctest.User, srcName, srcCommit string, dst *acctest.Cluster, dstUser *acctest.User, name, version string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources["algorithmia_algorithm_source.test"]
		if rs == nil {
			return fmt.Errorf("algorithmia_algorithm_source.test not in state")
		}
		commit := rs.Primary.Attributes["commit"]
		history := dstUser.Log(t, dst, dstUser.Name, name)
		if history[0] != commit {
			return fmt.Errorf("destination master is %s, state says %s", history[0], commit)
		}
		if len(history) < 2 {
			return fmt.Errorf("destination history lost: %v", history)
		}
		want := devUser.TreeOf(t, dev, devUser.Name, srcName, srcCommit)
		if got := dstUser.TreeOf(t, dst, dstUser.Name, name, commit); got != want {
			return fmt.Errorf("destination tree %s differs from source tree %s", got, want)
		}
		// The git CLI accepts what the engine's pack left on the cluster.
		if got := dstUser.FsckClone(t, dst, dstUser.Name, name); got != want {
			return fmt.Errorf("a git clone of the destination has tree %s, the source %s", got, want)
		}
		b, err := dstUser.Client.FindBuild(context.Background(), dstUser.Name, name, commit)
		if err != nil {
			return fmt.Errorf("build of %s: %w", commit, err)
		}
		if b == nil || b.Status != algorithmia.BuildStatusSucceeded {
			return fmt.Errorf("build of %s: %+v, want a succeeded build", commit, b)
		}
		if version == "" {
			return nil
		}
		v, err := dstUser.Client.GetVersion(context.Background(), dstUser.Name, name, commit)
		if err != nil {
			return fmt.Errorf("version of %s: %w", commit, err)
		}
		if v.VersionInfo == nil || v.VersionInfo.SemanticVersion != version {
			return fmt.Errorf("commit %s is published as %+v, want %s", commit, v.VersionInfo, version)
		}
		published, err := dstUser.Client.ListAllVersions(context.Background(), dstUser.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)})
		if err != nil {
			return err
		}
		seen := map[string]int{}
		for _, p := range published {
			seen[p.VersionInfo.GitHash]++
			if seen[p.VersionInfo.GitHash] > 1 {
				return fmt.Errorf("commit %s is published twice", p.VersionInfo.GitHash)
			}
		}
		return nil
	}
}

func boolPtr(b bool) *bool { return &b }

func equalString(what, got, want string) error {
	if got != want {
		return fmt.Errorf("%s = %q, want %q", what, got, want)
	}
	return nil
}

// keptCheck asserts that a plan keeps attributes exactly as they are in state: known and
// unchanged, so the plan does not read as a push or a publish.
type keptCheck struct {
	addr  string
	attrs []string
}

func expectKept(addr string, attrs ...string) plancheck.PlanCheck {
	return keptCheck{addr: addr, attrs: attrs}
}

func (c keptCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var errs []error
		for _, a := range c.attrs {
			if u, _ := unknown[a].(bool); u {
				errs = append(errs, fmt.Errorf("%s.%s is unknown in the plan; want it kept as %v", c.addr, a, before[a]))
			} else if !reflect.DeepEqual(before[a], after[a]) {
				errs = append(errs, fmt.Errorf("%s.%s is planned %v -> %v; want it kept", c.addr, a, before[a], after[a]))
			}
		}
		resp.Error = errors.Join(errs...)
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// stateAttr reads one attribute of a resource from state.
func stateAttr(s *terraform.State, addr, attr string) string {
	if rs := s.RootModule().Resources[addr]; rs != nil {
		return rs.Primary.Attributes[attr]
	}
	return ""
}

func TestAccAlgorithmSource_promoteAcrossClusters(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du := dev.NewUser(t, "acme")
	pu := prod.NewUser(t, "acme")
	name, first := seedHello(t, dev, du, "hello", "Hello")
	second := pushHello(t, dev, du, name, "Hi")
	addr := "algorithmia_algorithm_source.test"
	publish := `publish = { version_type = "minor", release_notes = "promoted by a test" }`
	cfg := func(commit string) string {
		return prod.NamedProviderBlock("algorithmiaprod", "", pu, false) +
			sourceConfig("algorithmiaprod", pu, dev.GitURL(du.Name, name), du, name, commit, publish)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(first)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(first)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.1.0")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("build_status"), knownvalue.StringExact("succeeded")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkPromoted(t, dev, du, first, prod, pu, name, "0.1.0"),
					resource.TestCheckResourceAttrPair(addr, "commit", addr, "version_git_hash"),
				),
			},
			{
				// A new pinned commit is an in-place update that publishes the next version.
				Config: cfg(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(second)),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("published_version")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(second)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.2.0")),
				},
				Check: checkPromoted(t, dev, du, second, prod, pu, name, "0.2.0"),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           pu.Name + "/" + name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importCannotReadSource,
			},
		},
	})
	// Source history is untouched by the promotion.
	if log := du.Log(t, dev, du.Name, name); log[0] != second || log[1] != first {
		t.Fatalf("dev history changed: %v", log)
	}
}

func TestAccAlgorithmSource_driftIsRepairedAndNoOpPlansFetchNothing(t *testing.T) {
	dev, _ := acctest.Shared(t)
	du := dev.NewUser(t, "dev")
	pu := dev.NewUser(t, "prod") // same-cluster promotion: another owner
	name, src := seedHello(t, dev, du, "drift", "Hello")
	cfg := dev.ProviderBlock("", pu, false) + sourceConfig("algorithmia", pu, dev.GitURL(du.Name, name), du, name, src, "")
	addr := "algorithmia_algorithm_source.test"
	var packsBefore int
	var hotfix string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// No publish block: pushed and built only.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.Null()),
				},
				Check: checkPromoted(t, dev, du, src, dev, pu, name, ""),
			},
			{
				// Refresh and plan again: only ref advertisements, no pack transferred.
				PreConfig: func() { packsBefore = dev.Local.GitStats(pu.Name, name).UploadPacks },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if after := dev.Local.GitStats(pu.Name, name).UploadPacks; after != packsBefore {
						return fmt.Errorf("a no-op plan fetched %d packs from the destination", after-packsBefore)
					}
					return nil
				},
			},
			{
				// A hotfix pushed straight to the destination is drift: the plan repairs it.
				PreConfig: func() {
					hotfix = pushHotfix(t, dev, pu, name)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					checkPromoted(t, dev, du, src, dev, pu, name, ""),
					func(*terraform.State) error {
						// History is kept: the repair commit sits on top of the hotfix.
						if log := pu.Log(t, dev, pu.Name, name); log[1] != hotfix {
							return fmt.Errorf("repair commit's parent is %s, want the hotfix %s", log[1], hotfix)
						}
						return nil
					},
				),
			},
			{
				// Approval gate: adding publish later publishes the commit that is already there.
				Config: dev.ProviderBlock("", pu, false) + sourceConfig("algorithmia", pu, dev.GitURL(du.Name, name), du, name, src,
					`publish = { version_type = "major" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("1.0.0")),
				},
				Check: checkPromoted(t, dev, du, src, dev, pu, name, "1.0.0"),
			},
		},
	})
}

func TestAccAlgorithmSource_failedBuildRecoversWithFixedCommit(t *testing.T) {
	dev, _ := acctest.Shared(t)
	du := dev.NewUser(t, "dev")
	pu := dev.NewUser(t, "prod")
	name := acctest.RandomName("broken")
	du.PublishAlgorithm(t, name)
	broken := du.PushCommit(t, dev, du.Name, name, acctest.Commit{
		Files: map[string][]byte{"algorithmia.conf": []byte("{not json")}, Message: "break the conf"})
	fixed := pushHello(t, dev, du, name, "Fixed")
	addr := "algorithmia_algorithm_source.test"
	cfg := func(commit string) string {
		return dev.ProviderBlock("", pu, false) + sourceConfig("algorithmia", pu, dev.GitURL(du.Name, name), du, name, commit,
			`publish = { version_type = "minor" }`)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      cfg(broken),
				ExpectError: regexp.MustCompile(`(?s)Build failed.*algorithmia.conf`),
			},
			{
				// The failed create left the resource tainted: the fixed commit replaces it.
				Config: cfg(fixed),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("build_status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.1.0")),
				},
				Check: checkPromoted(t, dev, du, fixed, dev, pu, name, "0.1.0"),
			},
		},
	})
}

func TestAccAlgorithmSource_refFollowsBranch(t *testing.T) {
	dev, _ := acctest.Shared(t)
	du := dev.NewUser(t, "dev")
	pu := dev.NewUser(t, "prod")
	name, first := seedHello(t, dev, du, "ref", "One")
	var second string
	addr := "algorithmia_algorithm_source.test"
	cfg := dev.ProviderBlock("", pu, false) +
		sourceConfigFrom("algorithmia", pu, name, followingSource(dev.GitURL(du.Name, name), "master", du), `publish = {}`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// The apply resolves the ref again, so the plan does not promise a commit.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("source_commit")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("source_tree")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(first)),
				},
				Check: checkPromoted(t, dev, du, first, dev, pu, name, "0.1.0"),
			},
			{
				// The branch moved: the plan shows an update and resolves the commit at apply.
				PreConfig: func() {
					second = pushHello(t, dev, du, name, "Two")
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("source_commit")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("source_tree")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("commit")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("published_version")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.2.0")),
				},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[addr].Primary.Attributes["source_commit"]; got != second {
						return fmt.Errorf("source_commit is %s, want the new head %s", got, second)
					}
					return checkPromoted(t, dev, du, second, dev, pu, name, "0.2.0")(s)
				},
			},
		},
	})
}

func TestAccAlgorithmSource_writeOnlyPasswordStaysOutOfState(t *testing.T) {
	dev, _ := acctest.Shared(t)
	du := dev.NewUser(t, "dev")
	pu := dev.NewUser(t, "prod")
	name, src := seedHello(t, dev, du, "wo", "Secret")
	writeOnly := gitSource{url: dev.GitURL(du.Name, name), commit: src, username: du.Name, passwordWO: du.Key}
	cfg := dev.ProviderBlock("", pu, false) + sourceConfigFrom("algorithmia", pu, name, writeOnly, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("algorithmia_algorithm_source.test", tfjsonpath.New("source").AtMapKey("password_wo"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				checkPromoted(t, dev, du, src, dev, pu, name, ""),
				func(s *terraform.State) error {
					for addr, rs := range s.RootModule().Resources {
						for k, v := range rs.Primary.Attributes {
							if strings.Contains(v, du.Key) {
								return fmt.Errorf("the source key is in state at %s.%s", addr, k)
							}
						}
					}
					return nil
				},
			),
		}},
	})
}

func TestAccAlgorithmSource_badInput(t *testing.T) {
	dev, _ := acctest.Shared(t)
	du := dev.NewUser(t, "dev")
	pu := dev.NewUser(t, "prod")
	name, src := seedHello(t, dev, du, "bad", "Bad")
	gitURL := dev.GitURL(du.Name, name)
	provider := dev.ProviderBlock("", pu, false)
	// step is a plan (or with apply, an apply) of the source s that fails with errRe.
	step := func(s gitSource, apply bool, errRe string) resource.TestStep {
		return resource.TestStep{
			Config:      provider + sourceConfigFrom("algorithmia", pu, name, s, ""),
			PlanOnly:    !apply,
			ExpectError: regexp.MustCompile(errRe),
		}
	}
	// with is the good source with one change.
	with := func(change func(*gitSource)) gitSource {
		s := pinnedSource(gitURL, src, du)
		change(&s)
		return s
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			step(with(func(s *gitSource) { s.url = strings.Replace(gitURL, "http://", "http://"+du.Name+":"+du.Key+"@", 1) }),
				false, `Invalid Git URL`),
			step(with(func(s *gitSource) { s.commit, s.ref = "", "no-such-branch" }),
				false, `(?s)Cannot resolve source ref.*no-such-branch`),
			step(with(func(s *gitSource) { s.password = "simwrongkey" }),
				true, `(?s)Failed to promote source.*refused the credentials`),
			step(with(func(s *gitSource) { s.commit = strings.Repeat("a", 40) }),
				true, `(?s)not reachable from any branch or tag`),
			step(with(func(s *gitSource) {
				s.url, s.commit, s.ref = strings.Replace(gitURL, dev.URL, "http://127.0.0.1:1", 1), "", "master"
			}),
				false, `(?s)Cannot resolve source ref.*127\.0\.0\.1:1`),
			step(with(func(s *gitSource) { s.commit = "main" }),
				false, `must be a full 40-character`),
			{
				Config:      provider + sourceInto("test", fmt.Sprintf("%q", pu.Name), `"does_not_exist"`, pinnedSource(gitURL, src, du)),
				ExpectError: regexp.MustCompile(`(?s)Destination algorithm not found`),
			},
		},
	})
}

func TestAccAlgorithmSource_unknownSourceAtPlanAndPromotionByTag(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "acme")
	src, dst := acctest.RandomName("src"), acctest.RandomName("dst")
	addr := "algorithmia_algorithm_source.test"
	cfg := func(ref string) string {
		// The source's git_url is unknown until the source algorithm exists.
		source := gitSource{urlRef: "algorithmia_algorithm.src.git_url", ref: ref, username: u.Name, password: u.Key}
		return dev.ProviderBlock("", u, false) + algorithmHCL("src", u.Name, src, "Source") +
			algorithmHCL("dst", u.Name, dst, "Destination") + algorithmSourceHCL("test", "dst", source)
	}
	var tagged string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Everything is created in one apply: the plan has unknowns instead of failing.
				Config: cfg("master"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("source_commit")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Promote by tag.
				PreConfig: func() {
					tagged = u.PushCommit(t, dev, u.Name, src, acctest.Commit{Files: helloSource(u.Name, src, "Tagged"), Tag: "v1.0"})
				},
				Config: cfg("v1.0"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("source_commit")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[addr].Primary.Attributes["source_commit"]; got != tagged {
						return fmt.Errorf("source_commit = %s, want the tagged commit %s", got, tagged)
					}
					return checkPromotedFrom(t, dev, u, src, tagged, dev, u, dst, "")(s)
				},
			},
		},
	})
}

func TestAccAlgorithmSource_importThenApplyPushesAndPublishesNothing(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du, pu := dev.NewUser(t, "dev"), prod.NewUser(t, "prod")
	name, commit := seedHello(t, dev, du, "imp", "Imported")
	pu.CreateAlgorithm(t, name, algorithmia.Details{Label: "Imported"})
	addr := "algorithmia_algorithm_source.test"
	cfg := prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + sourceInto("test", fmt.Sprintf("%q", pu.Name), fmt.Sprintf("%q", name),
		pinnedSource(dev.GitURL(du.Name, name), commit, du), "provider = algorithmiaprod", `publish = { version_type = "minor" }`)

	// A first configuration promotes and publishes, then is destroyed: destroy only forgets.
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: cfg, Check: checkPromoted(t, dev, du, commit, prod, pu, name, "0.1.0")}},
	})
	historyBefore := pu.Log(t, prod, pu.Name, name)

	// A second configuration imports it. The next apply only records what is there.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      pu.Name + "/" + name,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["published_version"] != "0.1.0" || states[0].Attributes["commit"] != historyBefore[0] {
						return fmt.Errorf("import should adopt the head %s and its version 0.1.0, got %+v", historyBefore[0], states)
					}
					return nil
				},
			},
			{
				// The plan only records the source: it shows no push, build or publish.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(commit)),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_tree"), knownvalue.StringFunc(func(v string) error {
							return equalString("source_tree", v, du.TreeOf(t, dev, du.Name, name, commit))
						})),
						expectKept(addr, "commit", "tree", "build_id", "build_status", "published_version", "version_git_hash"),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(commit)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.1.0")),
				},
				Check: func(*terraform.State) error {
					if after := pu.Log(t, prod, pu.Name, name); len(after) != len(historyBefore) || after[0] != historyBefore[0] {
						return fmt.Errorf("the apply after import pushed: history %v, was %v", after, historyBefore)
					}
					versions, err := pu.Client.ListAllVersions(context.Background(), pu.Name, name, algorithmia.VersionFilter{Published: boolPtr(true)})
					if err != nil {
						return err
					}
					if len(versions) != 1 {
						return fmt.Errorf("the apply after import published again: %d versions", len(versions))
					}
					return nil
				},
			},
		},
	})
}

// Each plan shows exactly what the apply does: an approval-only publish, removing publish,
// a new pinned commit and a repair of drift keep known whatever they do not change.
func TestAccAlgorithmSource_plansShowWhatShips(t *testing.T) {
	dev, _ := acctest.Shared(t)
	du := dev.NewUser(t, "dev")
	pu := dev.NewUser(t, "prod")
	name, first := seedHello(t, dev, du, "plans", "One")
	second := pushHello(t, dev, du, name, "Two")
	var head string
	var history int
	addr := "algorithmia_algorithm_source.test"
	cfg := func(commit, extra string) string {
		return dev.ProviderBlock("", pu, false) + sourceConfig("algorithmia", pu, dev.GitURL(du.Name, name), du, name, commit, extra)
	}
	record := func(s *terraform.State) error {
		head, history = stateAttr(s, addr, "commit"), len(pu.Log(t, dev, pu.Name, name))
		return nil
	}
	nothingPushed := func(*terraform.State) error {
		if log := pu.Log(t, dev, pu.Name, name); len(log) != history || log[0] != head {
			return fmt.Errorf("destination history %v; want it unchanged at %s (%d commits)", log, head, history)
		}
		return nil
	}
	outputs := []string{"source_commit", "source_tree", "commit", "tree", "build_id", "build_status"}
	treeOf := func(commit string) knownvalue.Check {
		return knownvalue.StringFunc(func(v string) error { return equalString("tree", v, du.TreeOf(t, dev, du.Name, name, commit)) })
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg(first, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(first))},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(checkPromoted(t, dev, du, first, dev, pu, name, ""), record),
			},
			{
				// Approval: publishing the commit already there pushes and builds nothing.
				Config: cfg(first, `publish = { version_type = "major" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectKept(addr, outputs...),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("published_version")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("version_git_hash"), knownvalue.StringFunc(func(v string) error {
							return equalString("version_git_hash", v, head)
						})),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("1.0.0")),
				},
				Check: resource.ComposeTestCheckFunc(checkPromoted(t, dev, du, first, dev, pu, name, "1.0.0"), nothingPushed),
			},
			{
				// Removing publish unpublishes nothing, and the plan says so.
				Config: cfg(first, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectKept(addr, append(outputs, "published_version", "version_git_hash")...),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("1.0.0")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(checkPromoted(t, dev, du, first, dev, pu, name, "1.0.0"), nothingPushed),
			},
			{
				// A new pinned commit: the plan knows the tree that ships; only the new
				// commit and its build are unknown, and without publish it has no version.
				Config: cfg(second, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(second)),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("source_tree"), treeOf(second)),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("tree"), treeOf(second)),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("commit")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("build_id")),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.Null()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(checkPromoted(t, dev, du, second, dev, pu, name, ""), record),
			},
			{
				// Drift: the plan shows the tree it restores.
				PreConfig: func() {
					pushHotfix(t, dev, pu, name)
				},
				Config: cfg(second, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectKept(addr, "source_commit", "source_tree"),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("tree"), treeOf(second)),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("commit")),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("build_id")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(checkPromoted(t, dev, du, second, dev, pu, name, ""), func(*terraform.State) error {
					if n := len(pu.Log(t, dev, pu.Name, name)); n != history+2 {
						return fmt.Errorf("destination has %d commits; want %d (the hotfix and one repair)", n, history+2)
					}
					return nil
				}),
			},
		},
	})
}

// TestPlanOutputs is the table of what an update plans for each case ModifyPlan tells apart.
func TestPlanOutputs(t *testing.T) {
	str, unk, null := types.StringValue, types.StringUnknown(), types.StringNull()
	state := algorithmSourceModel{
		SourceCommit: str("s1"), SourceTree: str("t1"), Commit: str("h1"), Tree: str("t1"),
		BuildID: str("b1"), BuildStatus: str("succeeded"), PublishedVersion: str("1.0.0"), VersionGitHash: str("h1"),
	}
	unpublished := state
	unpublished.PublishedVersion, unpublished.VersionGitHash = null, null
	failed := state
	failed.BuildStatus = str("failed")
	publish := types.ObjectValueMust(map[string]attr.Type{"version_type": types.StringType}, map[string]attr.Value{"version_type": str("minor")})
	noPublish := types.ObjectNull(map[string]attr.Type{"version_type": types.StringType})
	type out struct{ commit, tree, build, status, version, hash types.String }

	for _, c := range []struct {
		name         string
		state        algorithmSourceModel
		publish      types.Object
		commit, tree types.String
		want         out
	}{
		{"import or same tree: all kept", state, publish, str("s2"), str("t1"), out{str("h1"), str("t1"), str("b1"), str("succeeded"), str("1.0.0"), str("h1")}},
		{"approval: only the version is unknown", unpublished, publish, str("s1"), str("t1"), out{str("h1"), str("t1"), str("b1"), str("succeeded"), unk, str("h1")}},
		{"publish removed: the version stays", state, noPublish, str("s1"), str("t1"), out{str("h1"), str("t1"), str("b1"), str("succeeded"), str("1.0.0"), str("h1")}},
		{"failed build: the build is unknown", failed, noPublish, str("s1"), str("t1"), out{str("h1"), str("t1"), unk, unk, str("1.0.0"), str("h1")}},
		{"push with publish", state, publish, str("s2"), str("t2"), out{unk, str("t2"), unk, unk, unk, unk}},
		{"push without publish: no version", state, noPublish, str("s2"), str("t2"), out{unk, str("t2"), unk, unk, null, null}},
		{"unknown tree, nothing published", unpublished, noPublish, unk, unk, out{unk, unk, unk, unk, null, null}},
		{"unknown tree, a version in state", state, noPublish, unk, unk, out{unk, unk, unk, unk, unk, unk}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := algorithmSourceModel{Publish: c.publish}
			planOutputs(&plan, c.state, c.commit, c.tree)
			got := out{plan.Commit, plan.Tree, plan.BuildID, plan.BuildStatus, plan.PublishedVersion, plan.VersionGitHash}
			if got != c.want {
				t.Errorf("planOutputs = %+v\nwant          %+v", got, c.want)
			}
			if !plan.SourceCommit.Equal(c.commit) || !plan.SourceTree.Equal(c.tree) {
				t.Errorf("source = %s %s, want %s %s", plan.SourceCommit, plan.SourceTree, c.commit, c.tree)
			}
		})
	}
}
