package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/seed"
)

// Pipeline is the promotion pipeline of examples/promote-dev-to-prod on two clusters of
// its own: dev seeded through its API (users, an organization with a service account,
// published algorithms and a data collection), and the example's two configurations
// (bootstrap/ with admin keys, then the promotion with the service account's keys) in
// working directories that use the built provider. The reliability tests run it with
// faults, lost responses and killed runs, and then check what must always hold.
type Pipeline struct {
	Dev, Prod *Cluster
	// Org owns the algorithms and the collection on both clusters.
	Org string
	// ServiceAccount pushes and publishes; it is a member of Org on both clusters.
	ServiceAccount string
	// Algorithms maps each algorithm to the dev commit of its published version 1.0.0.
	Algorithms map[string]string
	// Files maps "collection/file" to the sha256 of its bytes on dev.
	Files map[string]string
	// Bootstrap and Promote are the example's two configurations.
	Bootstrap, Promote *Workdir

	devKey, prodKey string
	dev, prodSvc    *algorithmia.Client
}

// PipelineCollection is the data collection the pipeline copies.
const PipelineCollection = "models"

// NewPipeline seeds dev with algorithms published algorithms and files data files of
// fileSize bytes each, and prepares the two working directories. Prod starts empty.
func NewPipeline(t testing.TB, dev, prod *Cluster, algorithms, files int, fileSize int64) *Pipeline {
	t.Helper()
	ctx := context.Background()
	p := &Pipeline{
		Dev: dev, Prod: prod, Org: seed.Acme.Organization.OrgName, ServiceAccount: seed.Acme.ServiceAccount,
		Algorithms: map[string]string{}, Files: map[string]string{},
		devKey: "sim" + randomHex(20), prodKey: "sim" + randomHex(20),
	}
	if err := seed.Acme.Create(ctx, dev.Admin, p.devKey); err != nil {
		t.Fatalf("seed the team on dev: %v", err)
	}
	var err error
	if p.dev, err = algorithmia.New(algorithmia.Config{BaseURL: dev.URL, APIKey: p.devKey, HTTPClient: dev.server.Client()}); err != nil {
		t.Fatal(err)
	}
	envID := p.devUser().EnvironmentID(t, dev, "python3", "Python 3.8")
	for i := range algorithms {
		name := fmt.Sprintf("algo%02d", i+1)
		p.Algorithms[name] = p.seedAlgorithm(t, name, envID)
	}
	if err := p.dev.CreateCollection(ctx, p.Org, PipelineCollection, nil); err != nil {
		t.Fatalf("seed data://%s/%s: %v", p.Org, PipelineCollection, err)
	}
	for i := range files {
		name := fmt.Sprintf("part-%02d.bin", i+1)
		n := uint64(i + 1)
		res, err := p.dev.PutObject(ctx, algorithmia.DataPath{Owner: p.Org, Collection: PipelineCollection, File: name},
			func(context.Context) (io.ReadCloser, int64, error) {
				return io.NopCloser(io.LimitReader(seed.NewPatternReader(n), fileSize)), fileSize, nil
			})
		if err != nil {
			t.Fatalf("seed %s: %v", name, err)
		}
		p.Files[PipelineCollection+"/"+name] = res.SHA256
	}
	return p.WithProd(t, prod)
}

// WithProd is the same pipeline (dev as seeded) promoting into another prod cluster, with
// fresh working directories: the tests seed dev once and run many pipelines.
func (p *Pipeline) WithProd(t testing.TB, prod *Cluster) *Pipeline {
	t.Helper()
	q := *p
	p = &q
	p.Prod = prod
	var err error
	if p.prodSvc, err = algorithmia.New(algorithmia.Config{BaseURL: prod.URL, APIKey: p.prodKey, HTTPClient: prod.server.Client()}); err != nil {
		t.Fatal(err)
	}
	p.Bootstrap = CopyWorkdir(t, filepath.Join(ExamplesDir(), "promote-dev-to-prod", "bootstrap"))
	p.Promote = CopyWorkdir(t, filepath.Join(ExamplesDir(), "promote-dev-to-prod"))
	for k, v := range map[string]string{
		"dev_api_address": p.Dev.URL, "dev_admin_api_key": p.Dev.AdminKey,
		"prod_api_address": prod.URL, "prod_admin_api_key": prod.AdminKey,
		"organization": p.Org, "service_account": p.ServiceAccount, "prod_service_api_key": p.prodKey,
	} {
		p.Bootstrap.Setenv("TF_VAR_"+k, v)
	}
	algos := map[string]map[string]string{}
	for name := range p.Algorithms {
		algos[name] = map[string]string{"version": "1.0.0", "language": "python3", "environment": "Python 3.8"}
	}
	algosJSON, _ := json.Marshal(algos)
	for k, v := range map[string]string{
		"dev_api_address": p.Dev.URL, "dev_username": p.ServiceAccount, "dev_api_key": p.devKey,
		"prod_api_address": prod.URL, "prod_username": p.ServiceAccount, "prod_api_key": p.prodKey,
		"organization": p.Org, "algorithms": string(algosJSON),
		"data_collections": fmt.Sprintf("[%q]", PipelineCollection),
	} {
		p.Promote.Setenv("TF_VAR_"+k, v)
	}
	return p
}

// ExamplesDir is the repository's examples/ directory.
func ExamplesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples")
}

// seedAlgorithm publishes an organization-owned Python algorithm on dev as the service
// account (version 1.0.0) and returns its commit.
func (p *Pipeline) seedAlgorithm(t testing.TB, name, envID string) string {
	t.Helper()
	src := fmt.Sprintf("import Algorithmia\n\ndef apply(input):\n    return \"%s says hello to {}\".format(input)\n", name)
	return p.devUser().SeedAlgorithm(t, p.Dev, p.Org, name, envID, map[string][]byte{
		"src/" + name + ".py": []byte(src), "requirements.txt": []byte("algorithmia>=1.0.0,<2.0\n"),
	})
}

func (p *Pipeline) devUser() *User {
	return &User{Name: p.ServiceAccount, Email: "ci@acme.io", Key: p.devKey, Client: p.dev}
}

// DevUser is the service account on dev, with its key: it publishes new dev versions.
func (p *Pipeline) DevUser() *User { return p.devUser() }

// ProdUser is the service account on prod, with the key bootstrap gave it there.
func (p *Pipeline) ProdUser() *User {
	return &User{Name: p.ServiceAccount, Email: "ci@acme.io", Key: p.prodKey, Client: p.prodSvc}
}

// Apply runs terraform apply in w and returns its output and exit code.
func (p *Pipeline) Apply(t testing.TB, w *Workdir) (string, int) {
	t.Helper()
	return w.Run(t, "apply", "-auto-approve", "-input=false")
}

// Check fails the test unless prod holds exactly what the pipeline promises: every dev
// account and the organization with the service account as a member; for every algorithm
// the dev commit's tree on master and exactly one published version of the commit that
// carries it, and no published commit twice; every file with dev's bytes.
func (p *Pipeline) Check(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	users, err := p.Prod.Admin.ListAllUsers(ctx)
	if err != nil {
		t.Fatalf("list prod users: %v", err)
	}
	names := map[string]int{}
	for _, u := range users {
		names[u.Username]++
	}
	for _, want := range []string{"alice", "bob", p.ServiceAccount} {
		if names[want] != 1 {
			t.Errorf("prod has %d users named %s, want 1", names[want], want)
		}
	}
	members, err := p.Prod.Admin.ListAllOrganizationMembers(ctx, p.Org)
	if err != nil {
		t.Fatalf("members of %s on prod: %v", p.Org, err)
	}
	found := false
	for _, m := range members {
		found = found || m.Username == p.ServiceAccount
	}
	if !found {
		t.Errorf("%s is not a member of %s on prod", p.ServiceAccount, p.Org)
	}

	devUser := p.devUser()
	prodUser := p.ProdUser()
	for _, name := range sortedKeys(p.Algorithms) {
		devCommit := p.Algorithms[name]
		head := prodUser.Log(t, p.Prod, p.Org, name)[0]
		if got, want := prodUser.TreeOf(t, p.Prod, p.Org, name, head), devUser.TreeOf(t, p.Dev, p.Org, name, devCommit); got != want {
			t.Errorf("%s: prod master %s has tree %s, want dev's %s", name, head, got, want)
		}
		published, err := p.prodSvc.ListAllVersions(ctx, p.Org, name, algorithmia.VersionFilter{Published: boolPtr(true)})
		if err != nil {
			t.Fatalf("versions of %s on prod: %v", name, err)
		}
		perCommit := map[string]int{}
		for _, v := range published {
			perCommit[v.VersionInfo.GitHash]++
		}
		for commit, n := range perCommit {
			if n > 1 {
				t.Errorf("%s: commit %s is published %d times on prod", name, commit, n)
			}
		}
		if perCommit[head] != 1 || len(published) != 1 {
			t.Errorf("%s: want exactly one published version, of prod's head %s; got %d: %v", name, head, len(published), perCommit)
		}
	}

	for key, want := range p.Files {
		collection, file, _ := strings.Cut(key, "/")
		got := prodUser.ObjectSHA256(t, p.Prod, algorithmia.DataPath{Owner: p.Org, Collection: collection, File: file})
		if got != want {
			t.Errorf("%s: prod sha256 %s, dev %s", key, got, want)
		}
	}
}

// StateFile is the path of w's local state.
func (w *Workdir) StateFile() string { return filepath.Join(w.Dir, "terraform.tfstate") }

// TruncateState empties w's state file, as a kill while Terraform rewrites it in place does.
func (w *Workdir) TruncateState(t testing.TB) {
	t.Helper()
	if err := os.Truncate(w.StateFile(), 0); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// SetAsideUnreadableState is the step an unattended pipeline runs before each apply: a
// kill while Terraform rewrites its local state in place can leave a file cut short, which
// Terraform refuses to read. Such a file is renamed aside (never deleted), so the apply
// starts from no state and, with adopt_existing, adopts what exists. It reports whether it
// found one.
func (w *Workdir) SetAsideUnreadableState(t testing.TB) bool {
	t.Helper()
	b, err := os.ReadFile(w.StateFile())
	if err != nil || len(b) == 0 || json.Valid(b) {
		return false
	}
	aside := w.StateFile() + ".unreadable"
	if err := os.Rename(w.StateFile(), aside); err != nil {
		t.Fatal(err)
	}
	t.Logf("the kill left %d bytes of unreadable state; set aside as %s", len(b), filepath.Base(aside))
	return true
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func boolPtr(b bool) *bool { return &b }
