package provider

import (
	"bufio"
	"context"
	"crypto/md5" //nolint:gosec // the cluster's ETag
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
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

// newCollection creates a collection with the user's own client, outside Terraform.
func newCollection(t *testing.T, u *acctest.User, prefix string) string {
	t.Helper()
	name := acctest.RandomName(prefix)
	if err := u.Client.CreateCollection(context.Background(), u.Name, name, nil); err != nil {
		t.Fatalf("create collection %s: %v", name, err)
	}
	return name
}

// wrapped compiles an error pattern in which every space also matches Terraform's
// line breaks in diagnostics.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// sha256Of is the hex sha256 of b.
func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// remoteSHA256 streams a file from the cluster and hashes it.
func remoteSHA256(u *acctest.User, p string) (string, int64, error) {
	dp, err := algorithmia.ParseDataPath(p)
	if err != nil {
		return "", 0, err
	}
	obj, err := u.Client.GetObject(context.Background(), dp)
	if err != nil {
		return "", 0, err
	}
	defer obj.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, obj.Body)
	if err != nil {
		return "", n, fmt.Errorf("reading %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// checkRemoteSHA256 asserts the bytes on the cluster by hashing a streamed download.
func checkRemoteSHA256(u *acctest.User, p, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, n, err := remoteSHA256(u, p)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s on the cluster: %d bytes with sha256 %s, want %s", p, n, got, want)
		}
		return nil
	}
}

// checkObjectsDestroyed asks the cluster that every data object in state is gone.
func checkObjectsDestroyed(users ...*acctest.User) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "algorithmia_data_object" {
				continue
			}
			p, err := algorithmia.ParseDataPath(rs.Primary.Attributes["path"])
			if err != nil {
				return err
			}
			for _, u := range users {
				if u.Name != p.Owner {
					continue
				}
				_, err := u.Client.HeadObject(context.Background(), p)
				if err == nil {
					return fmt.Errorf("%s still exists after destroy", p)
				}
				if !errors.Is(err, algorithmia.ErrNotFound) {
					return fmt.Errorf("checking %s after destroy: %w", p, err)
				}
			}
		}
		return nil
	}
}

// uploadConfig renders one object per upload mode.
func uploadConfig(c *acctest.Cluster, u *acctest.User, coll, sourceFile, text, b64 string) string {
	return c.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_data_object" "source" {
  path   = "data://%[1]s/%[2]s/model.bin"
  source = %[3]q
}

resource "algorithmia_data_object" "content" {
  path    = "data://%[1]s/%[2]s/config.json"
  content = %[4]q
}

resource "algorithmia_data_object" "base64" {
  path           = "data://%[1]s/%[2]s/weights.bin"
  content_base64 = %[5]q
}
`, u.Name, coll, sourceFile, text, b64)
}

func TestAccDataObject_uploadModesAndDrift(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	coll := newCollection(t, u, "models")
	dir := t.TempDir()
	file := filepath.Join(dir, "model.bin")
	v1 := []byte("model version 1\x00\x01\x02")
	v2 := []byte("model version 2, a little longer\x00\x01\x02")
	if err := os.WriteFile(file, v1, 0o600); err != nil {
		t.Fatal(err)
	}
	text := `{"threshold": 0.5, "name": "ünïcode"}`
	bin := []byte{0, 1, 2, 250, 251, 252}
	b64 := base64.StdEncoding.EncodeToString(bin)
	cfg := uploadConfig(dev, u, coll, file, text, b64)
	base := "data://" + u.Name + "/" + coll + "/"
	src, content, b64addr := "algorithmia_data_object.source", "algorithmia_data_object.content", "algorithmia_data_object.base64"
	srcTime := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkObjectsDestroyed(u),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(src, plancheck.ResourceActionCreate),
						// Local content is hashed at plan time.
						plancheck.ExpectKnownValue(src, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of(v1))),
						plancheck.ExpectKnownValue(content, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(text)))),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(src, tfjsonpath.New("id"), knownvalue.StringExact(base+"model.bin")),
					statecheck.ExpectKnownValue(src, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(v1)))),
					statecheck.ExpectKnownValue(src, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of(v1))),
					statecheck.ExpectKnownValue(src, tfjsonpath.New("md5"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(src, tfjsonpath.New("last_modified"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(content, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of([]byte(text)))),
					statecheck.ExpectKnownValue(b64addr, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of(bin))),
					srcTime.AddStateValue(src, tfjsonpath.New("last_modified")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkRemoteSHA256(u, base+"model.bin", sha256Of(v1)),
					checkRemoteSHA256(u, base+"config.json", sha256Of([]byte(text))),
					checkRemoteSHA256(u, base+"weights.bin", sha256Of(bin)),
				),
			},
			{
				// The same bytes under another local path: an update that uploads nothing.
				PreConfig: func() {
					time.Sleep(1100 * time.Millisecond) // a new upload would get a later last_modified
					if err := os.WriteFile(filepath.Join(dir, "copy.bin"), v1, 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config: uploadConfig(dev, u, coll, filepath.Join(dir, "copy.bin"), text, b64),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(src, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(src, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of(v1))),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{srcTime.AddStateValue(src, tfjsonpath.New("last_modified"))},
			},
			{
				// Editing the local file shows an update with the new digest.
				PreConfig: func() {
					if err := os.WriteFile(file, v2, 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(src, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(content, plancheck.ResourceActionNoop),
						// The plan shows why: the local file's new digests, not only unknowns.
						plancheck.ExpectKnownValue(src, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Of(v2))),
						plancheck.ExpectKnownValue(src, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of(v2))),
						plancheck.ExpectKnownValue(src, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(v2)))),
						plancheck.ExpectKnownValue(src, tfjsonpath.New("copy_from_md5"), knownvalue.Null()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(src, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(v2)))),
				},
				Check: checkRemoteSHA256(u, base+"model.bin", sha256Of(v2)),
			},
			{
				// A file changed on the cluster is drift: the plan restores the configured content.
				PreConfig: func() { putText(t, u, base+"config.json", "edited by hand") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(content, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(src, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkRemoteSHA256(u, base+"config.json", sha256Of([]byte(text))),
			},
			{
				// A file deleted on the cluster is created again.
				PreConfig: func() {
					if err := u.Client.DeleteObject(context.Background(), algorithmia.DataPath{Owner: u.Name, Collection: coll, File: "weights.bin"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(b64addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkRemoteSHA256(u, base+"weights.bin", sha256Of(bin)),
			},
			{
				// Import reads metadata only; the sha256 is learnt at the next apply.
				ResourceName:            content,
				ImportState:             true,
				ImportStateId:           base + "config.json",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"content", "sha256"},
			},
		},
	})
}

func TestAccDataObject_badInput(t *testing.T) {
	dev, prod := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	pu := prod.NewUser(t, "data")
	coll := newCollection(t, u, "bad")
	other := prod.NewUser(t, "other")
	srcColl := newCollection(t, pu, "src")
	putText(t, pu, "data://"+pu.Name+"/"+srcColl+"/x.txt", "x")
	obj := func(body string) string {
		return dev.ProviderBlock("", u, false) + "resource \"algorithmia_data_object\" \"bad\" {\n" + body + "\n}\n"
	}
	good := fmt.Sprintf("data://%s/%s/", u.Name, coll)
	steps := []resource.TestStep{
		{Config: obj(`path = "` + u.Name + `/` + coll + `/x.txt"` + "\ncontent = \"x\""), ExpectError: wrapped(`must start with data://`)},
		{Config: obj(`path = "` + good + `sub/x.txt"` + "\ncontent = \"x\""), ExpectError: wrapped(`no folders inside a collection`)},
		{Config: obj(`path = "` + good + `../x.txt"` + "\ncontent = \"x\""), ExpectError: wrapped(`no folders inside a collection`)},
		{Config: obj(`path = "data://` + u.Name + `//x.txt"` + "\ncontent = \"x\""), ExpectError: wrapped(`collection is empty`)},
		{Config: obj(`path = "` + good + `.."` + "\ncontent = \"x\""), ExpectError: wrapped(`must not be \. or \.\.`)},
		{Config: obj(`path = "data://` + u.Name + `/` + coll + `"` + "\ncontent = \"x\""), ExpectError: wrapped(`names no file`)},
		{Config: obj(`path = "` + good + `x.txt"`), ExpectError: wrapped(`(?s)Exactly one of these attributes must be configured.*source,content,content_base64,copy_from`)},
		{Config: obj(`path = "` + good + `x.txt"` + "\ncontent = \"x\"\nsource = \"x\""), ExpectError: wrapped(`(?s)Invalid Attribute Combination`)},
		{Config: obj(`path = "` + good + `x.txt"` + "\ncontent_base64 = \"not base64!\""), ExpectError: wrapped(`Invalid base64`)},
		{
			Config:      obj(`path = "` + good + `x.txt"` + "\nsource = \"" + filepath.Join(t.TempDir(), "missing.bin") + "\""),
			ExpectError: wrapped(`(?s)Cannot read source file.*missing.bin`),
		},
		{
			// A key that the source cluster does not know.
			Config: obj(fmt.Sprintf(`path = "%sx.txt"
copy_from = {
  path        = "data://%s/whatever/x.txt"
  api_address = %q
  api_key_wo  = "simNOTAKEY"
}`, good, pu.Name, prod.URL)),
			SkipFunc:    acctest.Lacks(acctest.WriteOnlyArguments),
			ExpectError: wrapped(`(?s)Failed to read the copy source.*HTTP 401.*api_key_wo`),
		},
		{
			// Another cluster needs its own key.
			Config: obj(fmt.Sprintf(`path = "%sx.txt"
copy_from = {
  path        = "data://%s/whatever/x.txt"
  api_address = %q
}`, good, pu.Name, prod.URL)),
			ExpectError: wrapped(`Missing API key for the copy source`),
		},
		{
			// A valid key of another account, which may not read pu's collection.
			Config: obj(fmt.Sprintf(`path = "%sx.txt"
copy_from = {
  path        = "data://%s/%s/x.txt"
  api_address = %q
  api_key_wo  = %q
}`, good, pu.Name, srcColl, prod.URL, other.Key)),
			SkipFunc:    acctest.Lacks(acctest.WriteOnlyArguments),
			ExpectError: wrapped(`(?s)Failed to read the copy source.*HTTP 40[34]`),
		},
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
	files, err := u.Client.ListFiles(context.Background(), algorithmia.DataPath{Owner: u.Name, Collection: coll})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Fatalf("bad input wrote files: %+v", files)
	}
}

// writeRandomFile writes size deterministic pseudo-random (incompressible) bytes
// and returns their sha256.
func writeRandomFile(t testing.TB, name string, size int64, seed uint64) string {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 42})
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, rng, size); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestAccDataObject_crossClusterCopy200MiB(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du, pu := dev.NewUser(t, "data"), prod.NewUser(t, "data")
	devColl, prodColl := newCollection(t, du, "models"), newCollection(t, pu, "models")
	file := filepath.Join(t.TempDir(), "model.bin")
	const size = 200 << 20
	start := time.Now()
	sum := writeRandomFile(t, file, size, 1)
	t.Logf("generated %d MiB in %s", size>>20, time.Since(start))
	devPath := fmt.Sprintf("data://%s/%s/model.bin", du.Name, devColl)
	prodPath := fmt.Sprintf("data://%s/%s/model.bin", pu.Name, prodColl)
	cfg := dev.ProviderBlock("", du, false) + prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + fmt.Sprintf(`
resource "algorithmia_data_object" "dev" {
  path   = %q
  source = %q
}

resource "algorithmia_data_object" "prod" {
  provider = algorithmiaprod
  path     = %q
  copy_from = {
    path        = algorithmia_data_object.dev.id
    api_address = %q
    api_key_wo  = %q
  }
}
`, devPath, file, prodPath, dev.URL, du.Key)
	prodAddr := "algorithmia_data_object.prod"
	sameMD5 := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Needs(acctest.WriteOnlyArguments)},
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkObjectsDestroyed(du, pu),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(prodAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(prodAddr, tfjsonpath.New("sha256"), knownvalue.StringExact(sum)),
					statecheck.ExpectKnownValue(prodAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(size)),
					statecheck.ExpectKnownValue(prodAddr, tfjsonpath.New("copy_from").AtMapKey("api_key_wo"), knownvalue.Null()),
					sameMD5.AddStateValue("algorithmia_data_object.dev", tfjsonpath.New("md5")),
					sameMD5.AddStateValue(prodAddr, tfjsonpath.New("md5")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkRemoteSHA256(du, devPath, sum),
					checkRemoteSHA256(pu, prodPath, sum),
				),
			},
			{
				// The source changes on dev: the copy's plan sees the new ETag (HEAD only) and copies again.
				PreConfig: func() { putText(t, du, devPath, "replaced on dev") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("algorithmia_data_object.dev", plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkRemoteSHA256(pu, prodPath, sum),
			},
		},
	})
}

func md5Of(b []byte) string {
	s := md5.Sum(b) //nolint:gosec // the cluster's ETag
	return hex.EncodeToString(s[:])
}

// priorCheck asserts an attribute's value before a planned change: the refreshed state
// that the plan shows on the left of "->".
type priorCheck struct {
	addr, attr string
	want       any
}

func expectPrior(addr, attr string, want any) plancheck.PlanCheck {
	return priorCheck{addr, attr, want}
}

func (c priorCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == c.addr {
			before, _ := rc.Change.Before.(map[string]any)
			if got := before[c.attr]; fmt.Sprint(got) != fmt.Sprint(c.want) {
				resp.Error = fmt.Errorf("%s.%s is %v before the change, want %v", c.addr, c.attr, got, c.want)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// A copy whose source changed shows why in its plan: copy_from_md5 and copy_from_size
// hold the source's new digest next to the copy's own md5 and size.
func TestAccDataObject_copyPlanShowsTheChangedSource(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "data")
	coll := newCollection(t, u, "copies")
	from := fmt.Sprintf("data://%s/%s/source.txt", u.Name, coll)
	to := fmt.Sprintf("data://%s/%s/copy.txt", u.Name, coll)
	v1, v2 := []byte("first version"), []byte("the second version")
	putText(t, u, from, string(v1))
	addr := "algorithmia_data_object.copy"
	cfg := dev.ProviderBlock("", u, false) + fmt.Sprintf(`
resource "algorithmia_data_object" "copy" {
  path      = %q
  copy_from = { path = %q }
}
`, to, from)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkObjectsDestroyed(u),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("copy_from_md5"), knownvalue.StringExact(md5Of(v1))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("copy_from_size"), knownvalue.Int64Exact(int64(len(v1)))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of(v1))),
				},
				Check: checkRemoteSHA256(u, to, sha256Of(v1)),
			},
			{
				// The source changes on the cluster: the plan shows its new md5 and size as the reason.
				PreConfig: func() { putText(t, u, from, string(v2)) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						expectPrior(addr, "copy_from_md5", md5Of(v2)),
						expectPrior(addr, "copy_from_size", len(v2)),
						expectPrior(addr, "md5", md5Of(v1)),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("md5")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("copy_from_md5"), knownvalue.StringExact(md5Of(v2))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of(v2))),
				},
				Check: checkRemoteSHA256(u, to, sha256Of(v2)),
			},
			{
				// A refresh with an unchanged source: an empty plan.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
