package provider

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

// TestAccAlgorithmSource_gitCacheFetchesOnlyTheChange promotes a source holding 1 MiB of
// incompressible data, changes one small file, and promotes again: with git_cache_dir the
// second apply fetches about the change from either cluster, not the repository again.
func TestAccAlgorithmSource_gitCacheFetchesOnlyTheChange(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du := dev.NewUser(t, "cachesrc")
	pu := prod.NewUser(t, "cachedst")
	name := acctest.RandomName("cached")
	du.PublishAlgorithm(t, name)
	blob := make([]byte, 1<<20)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(blob)
	files := func(greeting string) map[string][]byte {
		f := helloSource(du.Name, name, greeting)
		f["data/model.bin"] = blob
		return f
	}
	first := du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: files("Hello"), Message: "v1"})
	cacheDir := filepath.Join(t.TempDir(), "git cache")
	addr := "algorithmia_algorithm_source.test"
	block := prod.NamedProviderBlock("algorithmiaprod", "", pu, false)
	block = strings.Replace(block, "  max_retries", fmt.Sprintf("  git_cache_dir = %q\n  max_retries", cacheDir), 1)
	cfg := block + sourceConfigFrom("algorithmiaprod", pu, name, followingSource(dev.GitURL(du.Name, name), "master", du), "")
	fetched := func() (int64, int64) {
		return dev.Local.GitStats(du.Name, name).UploadPackBytes, prod.Local.GitStats(pu.Name, name).UploadPackBytes
	}
	var second string
	var devBefore, prodBefore int64

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(first)),
				},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						if d, _ := fetched(); d < int64(len(blob)) {
							return fmt.Errorf("the first promotion fetched %d bytes from dev, less than the 1 MiB it holds", d)
						}
						return nil
					},
					func(*terraform.State) error { return checkGitCache(cacheDir, du.Key, pu.Key) },
					checkPromoted(t, dev, du, first, prod, pu, name, ""),
				),
			},
			{
				// One small file changes: the cache already has everything else.
				PreConfig: func() {
					second = du.PushCommit(t, dev, du.Name, name, acctest.Commit{Files: files("Hi"), Message: "v2"})
					devBefore, prodBefore = fetched()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						d, p := fetched()
						if d-devBefore > 128<<10 || p-prodBefore > 128<<10 {
							return fmt.Errorf("the re-promotion fetched %d bytes from dev and %d from prod; want each under 128 KiB "+
								"for a one-line change next to 1 MiB", d-devBefore, p-prodBefore)
						}
						return nil
					},
					func(*terraform.State) error { return checkGitCache(cacheDir, du.Key, pu.Key) },
					// Last: the harness reads both repositories by fetching them.
					func(s *terraform.State) error { return checkPromoted(t, dev, du, second, prod, pu, name, "")(s) },
				),
			},
		},
	})
}

// checkGitCache asserts the cache holds packs and no API key.
func checkGitCache(dir string, keys ...string) error {
	packs := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".pack") {
			packs++
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if bytes.Contains(b, []byte(k)) {
				return fmt.Errorf("%s holds an API key", p)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if packs == 0 {
		return fmt.Errorf("git_cache_dir %s holds no pack", dir)
	}
	return nil
}

func TestGitCacheSetting(t *testing.T) {
	tmp := t.TempDir()
	def, err := promote.DefaultCacheDir()
	if err != nil {
		t.Skip("no user cache directory on this machine")
	}
	blocker := filepath.Join(tmp, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		dir      types.String
		env      string
		maxMB    types.Int64
		want     string // "" means off
		wantMax  int64
		warnings int
	}{
		{"default", types.StringNull(), "", types.Int64Null(), def, promote.DefaultCacheMaxBytes, 0},
		{"environment", types.StringNull(), filepath.Join(tmp, "env"), types.Int64Null(), filepath.Join(tmp, "env"), promote.DefaultCacheMaxBytes, 0},
		{"argument over environment", types.StringValue(filepath.Join(tmp, "arg")), filepath.Join(tmp, "env"), types.Int64Value(10), filepath.Join(tmp, "arg"), 10 << 20, 0},
		{"off", types.StringValue("off"), filepath.Join(tmp, "env"), types.Int64Null(), "", 0, 0},
		{"off in the environment", types.StringNull(), "OFF", types.Int64Null(), "", 0, 0},
		{"empty argument", types.StringValue(""), filepath.Join(tmp, "env"), types.Int64Null(), "", 0, 0},
		{"unusable directory", types.StringValue(filepath.Join(blocker, "sub")), "", types.Int64Null(), "", 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(envGitCacheDir, c.env)
			if c.name == "default" {
				// Point the user cache directory at a temporary one so the test creates nothing real.
				t.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "xdg"))
				t.Setenv("HOME", filepath.Join(tmp, "home"))
				def, _ = promote.DefaultCacheDir()
				c.want = def
			}
			var diags diag.Diagnostics
			got := gitCache(context.Background(), providerModel{GitCacheDir: c.dir, GitCacheMaxMB: c.maxMB}, &diags)
			if diags.WarningsCount() != c.warnings || diags.HasError() {
				t.Fatalf("diagnostics = %v", diags)
			}
			switch {
			case c.want == "" && got != nil:
				t.Fatalf("cache = %+v, want off", got)
			case c.want != "" && (got == nil || got.Dir != c.want || got.MaxBytes != c.wantMax):
				t.Fatalf("cache = %+v, want %s bounded by %d", got, c.want, c.wantMax)
			}
		})
	}
}
