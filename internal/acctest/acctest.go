// Package acctest is the one harness of the acceptance tests: it starts local Algorithmia
// clusters in-process, seeds accounts and keys through their APIs, and renders provider
// blocks. Tests never build clusters or accounts by hand. It is test support only: the
// provider itself never imports it.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/seed"
)

// BuildDuration is how long builds of the test clusters stay in progress: short, so the
// tests are quick, and not zero, so waiting for a build is really exercised.
const BuildDuration = 150 * time.Millisecond

// Cluster is one local Algorithmia cluster running in this process.
type Cluster struct {
	// Name is a label for messages, such as "dev" or "prod".
	Name string
	// URL is the API and Git address (both are served on one listener).
	URL string
	// AdminKey is the cluster's admin API key.
	AdminKey string
	// Admin is a client that uses the admin key.
	Admin *algorithmia.Client
	// Local gives tests access to cluster internals such as Git counters.
	Local *localcluster.Cluster

	// CAPEM is the PEM of the certificate that signs the cluster's HTTPS endpoint, when it
	// serves HTTPS (StartTLSCluster); clients must be told to trust it.
	CAPEM string

	dataDir    string
	server     *httptest.Server
	maxRetries int // max_retries in provider blocks
}

// User is an account seeded on a cluster, with a standard key that may manage algorithms and data.
type User struct {
	Name   string
	Email  string
	Key    string
	Client *algorithmia.Client
}

// StartCluster starts a local cluster on 127.0.0.1 with a fresh data directory.
func StartCluster(name string) (*Cluster, error) {
	return StartClusterOpts(name, Options{})
}

// StartTLSCluster starts a cluster that serves HTTPS with a certificate no system trusts.
func StartTLSCluster(name string) (*Cluster, error) {
	return StartClusterOpts(name, Options{TLS: true})
}

// Options are the settings of StartClusterOpts; the zero value is StartCluster's.
type Options struct {
	// BuildDuration is how long builds stay in progress; 0 means the package's BuildDuration.
	BuildDuration time.Duration
	// TLS serves HTTPS with a certificate no system trusts (see Cluster.CAPEM).
	TLS bool
	// Faults is the cluster's fault injection from the start. Seeding accounts through
	// a faulty cluster fails at random, so tests usually start without faults, seed,
	// and then call Cluster.SetFaults.
	Faults localcluster.FaultConfig
	// ProviderMaxRetries is the max_retries of the cluster's provider blocks; 0 means 1.
	// Tests under faults raise it, so a retried request that meets a fault again still
	// succeeds.
	ProviderMaxRetries int
	// PageSize and DataPageSize shrink the cluster's pages (localcluster.Options), so
	// listing tests cross page boundaries without seeding hundreds of objects.
	PageSize, DataPageSize int
}

// StartClusterOpts starts a local cluster on 127.0.0.1 with a fresh data directory.
func StartClusterOpts(name string, o Options) (*Cluster, error) {
	if o.BuildDuration == 0 {
		o.BuildDuration = BuildDuration
	}
	dir, err := os.MkdirTemp("", "algorithmia-acc-"+name+"-")
	if err != nil {
		return nil, err
	}
	adminKey := "admin" + randomHex(16)
	local, err := localcluster.New(localcluster.Options{
		DataDir:       dir,
		AdminKey:      adminKey,
		BuildDuration: o.BuildDuration,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Faults:        o.Faults,
		PageSize:      o.PageSize,
		DataPageSize:  o.DataPageSize,
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start local cluster %s: %w", name, err)
	}
	var srv *httptest.Server
	caPEM := ""
	if o.TLS {
		srv = httptest.NewTLSServer(local.Handler())
		caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	} else {
		srv = httptest.NewServer(local.Handler())
	}
	admin, err := algorithmia.New(algorithmia.Config{BaseURL: srv.URL, AdminAPIKey: adminKey, HTTPClient: srv.Client()})
	if err != nil {
		srv.Close()
		_ = local.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if o.ProviderMaxRetries == 0 {
		o.ProviderMaxRetries = 1
	}
	return &Cluster{Name: name, URL: srv.URL, AdminKey: adminKey, Admin: admin, Local: local, CAPEM: caPEM, dataDir: dir, server: srv, maxRetries: o.ProviderMaxRetries}, nil
}

// NewCluster starts a cluster of the test's own (see StartClusterOpts) and stops it when
// the test ends; it fails the test if the cluster does not start.
func NewCluster(t testing.TB, name string, o Options) *Cluster {
	t.Helper()
	c, err := StartClusterOpts(name, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// SetFaults switches the cluster's fault injection to cfg while it serves (the zero
// FaultConfig switches it off), failing the test on an invalid configuration. Shared
// clusters serve other tests too: give those tests a cluster of their own.
func (c *Cluster) SetFaults(t testing.TB, cfg localcluster.FaultConfig) {
	t.Helper()
	if err := c.Local.SetFaults(cfg); err != nil {
		t.Fatalf("faults on %s: %v", c.Name, err)
	}
}

// Faults returns how many faults of each kind the cluster injected so far.
func (c *Cluster) Faults() map[localcluster.FaultKind]int { return c.Local.Faults() }

// Close stops the cluster and removes its data.
func (c *Cluster) Close() {
	c.server.Close()
	_ = c.Local.Close()
	_ = os.RemoveAll(c.dataDir)
}

// NewUser creates a user whose name starts with prefix, and gives it a standard key
// with algorithm management and read-write data rights.
func (c *Cluster) NewUser(t testing.TB, prefix string) *User {
	t.Helper()
	u, err := c.CreateUser(context.Background(), RandomName(prefix))
	if err != nil {
		t.Fatalf("seed user on %s: %v", c.Name, err)
	}
	return u
}

// CreateUser creates the named user and a standard key for it.
func (c *Cluster) CreateUser(ctx context.Context, name string) (*User, error) {
	email := strings.ToLower(name) + "@example.com"
	if _, err := c.Admin.CreateUser(ctx, algorithmia.CreateUserRequest{
		Username: name, Email: email, Fullname: "Test " + name,
	}); err != nil {
		return nil, fmt.Errorf("create user %s: %w", name, err)
	}
	key := "sim" + randomHex(20)
	if _, err := c.Admin.CreateUserAPIKey(ctx, name, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "acceptance-tests",
		KeyType:  "AlgorithmKey",
		APIKey:   key,
		Permissions: &algorithmia.AuthPermissions{
			AllowAlgo: true, AllowAlgoManagement: true, AllowData: true, AllowDataWrite: true,
			AlgoACL: []string{"algo://*"},
		},
	}); err != nil {
		return nil, fmt.Errorf("create key for %s: %w", name, err)
	}
	client, err := algorithmia.New(algorithmia.Config{BaseURL: c.URL, APIKey: key, HTTPClient: c.server.Client()})
	if err != nil {
		return nil, err
	}
	return &User{Name: name, Email: email, Key: key, Client: client}, nil
}

// ProviderBlock renders a provider block for this cluster. alias may be empty; u may be
// nil for an admin-only configuration; withAdmin adds the admin key.
func (c *Cluster) ProviderBlock(alias string, u *User, withAdmin bool) string {
	return c.NamedProviderBlock("algorithmia", alias, u, withAdmin)
}

// NamedProviderBlock is ProviderBlock for another provider local name (see the provider
// tests for why a second cluster in one configuration uses its own name).
func (c *Cluster) NamedProviderBlock(localName, alias string, u *User, withAdmin bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %q {\n", localName)
	if alias != "" {
		fmt.Fprintf(&b, "  alias         = %q\n", alias)
	}
	fmt.Fprintf(&b, "  api_address   = %q\n", c.URL)
	if u != nil {
		fmt.Fprintf(&b, "  username      = %q\n", u.Name)
		fmt.Fprintf(&b, "  api_key       = %q\n", u.Key)
	}
	if withAdmin {
		fmt.Fprintf(&b, "  admin_api_key = %q\n", c.AdminKey)
	}
	if c.CAPEM != "" {
		fmt.Fprintf(&b, "  ca_cert_pem   = %q\n", c.CAPEM)
	}
	fmt.Fprintf(&b, "  max_retries   = %d\n}\n", c.maxRetries)
	return b.String()
}

var (
	sharedOnce sync.Once
	sharedDev  *Cluster
	sharedProd *Cluster
	sharedErr  error
)

// Shared returns the package-wide "dev" and "prod" clusters, starting them on first use.
// Tests that share them use random names, so they never collide.
func Shared(t testing.TB) (dev, prod *Cluster) {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDev, sharedErr = StartCluster("dev")
		if sharedErr != nil {
			return
		}
		sharedProd, sharedErr = StartCluster("prod")
	})
	if sharedErr != nil {
		t.Fatalf("start shared local clusters: %v", sharedErr)
	}
	return sharedDev, sharedProd
}

// StopShared stops the shared clusters; TestMain calls it after the tests ran.
func StopShared() {
	if sharedDev != nil {
		sharedDev.Close()
	}
	if sharedProd != nil {
		sharedProd.Close()
	}
}

// GitCacheEnv is the environment variable of the provider's git_cache_dir.
const GitCacheEnv = "ALGORITHMIA_GIT_CACHE_DIR"

// IsolateGitCache points the provider's Git object cache, in this process and in every
// Terraform run it starts, at a fresh temporary directory instead of the user's cache
// directory (unless GitCacheEnv is set already), and returns the function that removes it.
// TestMain calls it, so tests and the demo never write into the real user cache.
func IsolateGitCache() (cleanup func(), err error) {
	if os.Getenv(GitCacheEnv) != "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "algorithmia-git-cache-*")
	if err != nil {
		return nil, err
	}
	if err := os.Setenv(GitCacheEnv, dir); err != nil {
		return nil, err
	}
	return func() { _ = os.RemoveAll(dir) }, nil
}

// RandomName returns prefix plus a random suffix that is a valid platform name.
func RandomName(prefix string) string {
	return prefix + "_" + randomHex(5)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux; a failure here is not recoverable.
	}
	return hex.EncodeToString(b)
}

// CreateAlgorithm creates a python3-1 algorithm owned by the user, with details, on the
// CPU environment with the pipeline enabled and closed source, as a user outside Terraform
// would. It returns the created algorithm object.
func (u *User) CreateAlgorithm(t testing.TB, name string, details algorithmia.Details) *algorithmia.Algorithm {
	t.Helper()
	a, err := u.Client.CreateAlgorithm(context.Background(), u.Name, algorithmia.CreateAlgorithmRequest{
		Name:    name,
		Details: details,
		Settings: algorithmia.CreateSettings{
			Language: "python3-1", Environment: "cpu", License: "apl", NetworkAccess: "full",
			PipelineEnabled: true, SourceVisibility: "closed",
		},
	})
	if err != nil {
		t.Fatalf("seed algorithm %s: %v", name, err)
	}
	return a
}

// PublishAlgorithm creates a python3-1 algorithm owned by the user (see CreateAlgorithm),
// builds its template commit, waits for the build, and publishes it as a minor version. It
// returns the published algorithm object.
func (u *User) PublishAlgorithm(t testing.TB, name string) *algorithmia.Algorithm {
	t.Helper()
	ctx := context.Background()
	u.CreateAlgorithm(t, name, algorithmia.Details{Label: "Seeded " + name, Tagline: "seeded by the test harness"})
	if _, err := u.Client.Compile(ctx, u.Name, name); err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	u.WaitForBuilds(t, name)
	v, err := u.Client.PublishVersion(ctx, u.Name, name, algorithmia.VersionRequest{
		VersionInfo: algorithmia.PublishVersionInfo{VersionType: algorithmia.VersionTypeMinor, ReleaseNotes: "seeded"},
	})
	if err != nil {
		t.Fatalf("publish %s: %v", name, err)
	}
	return v
}

// WaitForBuilds waits until no build of the algorithm is in progress, and fails the test
// if the newest one failed.
func (u *User) WaitForBuilds(t testing.TB, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		page, err := u.Client.ListBuilds(context.Background(), u.Name, name, algorithmia.ListOptions{Limit: 1})
		if err != nil {
			t.Fatalf("list builds of %s: %v", name, err)
		}
		if len(page.Results) > 0 && page.Results[0].Finished() {
			if page.Results[0].Status != "succeeded" {
				t.Fatalf("build %s of %s: %s", page.Results[0].BuildID, name, page.Results[0].Status)
			}
			return
		}
		time.Sleep(BuildDuration / 3)
	}
	t.Fatalf("builds of %s did not finish in 30s", name)
}

// NewOrganization creates an organization of type basic with the given members.
func (c *Cluster) NewOrganization(t testing.TB, name string, members ...*User) {
	t.Helper()
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.Name
	}
	if err := seed.Organization(context.Background(), c.Admin, algorithmia.OrganizationRequest{
		OrgName: name, OrgLabel: "Test " + name, OrgContactName: "Test", OrgEmail: strings.ToLower(name) + "@example.com",
	}, names...); err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
}
