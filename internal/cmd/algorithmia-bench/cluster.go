package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localproc"
)

const (
	organization   = "acme"
	serviceAccount = "acme_ci"
)

// cluster is one algorithmia-local process behind a counting proxy. URL is the proxy's:
// everything the bench measures goes through it.
type cluster struct {
	name, direct, URL, adminKey, ciKey string
	dataDir                            string
	proc                               *localproc.Process
	proxy                              *proxy
	ci                                 *algorithmia.Client // the service account, through the proxy
}

// startCluster starts a fresh cluster under dir and seeds the organization and its
// service account (a member with a standard key), as bootstrap/ of the example would.
func startCluster(ctx context.Context, bin, dir, name string, build time.Duration) (*cluster, error) {
	c := &cluster{name: name, adminKey: "admin" + localproc.RandomHex(16), ciKey: "sim" + localproc.RandomHex(16), dataDir: filepath.Join(dir, name)}
	var err error
	c.proc, err = localproc.Start(localproc.Options{
		Name: name, Bin: bin, DataDir: c.dataDir, AdminKey: c.adminKey, BuildDuration: build, StartTimeout: 20 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	c.direct = c.proc.URL
	if c.proxy, err = startProxy(c.direct); err != nil {
		c.stop()
		return nil, err
	}
	c.URL = c.proxy.URL
	if os.Getenv("BENCH_TRACE") != "" {
		if c.proxy.trace, err = os.Create(c.dataDir + ".requests"); err != nil {
			c.stop()
			return nil, err
		}
	}
	if err := c.seedAccounts(ctx); err != nil {
		c.stop()
		return nil, fmt.Errorf("seed %s: %w", name, err)
	}
	c.proxy.take()
	return c, nil
}

func (c *cluster) seedAccounts(ctx context.Context) error {
	admin, err := algorithmia.New(algorithmia.Config{BaseURL: c.direct, AdminAPIKey: c.adminKey})
	if err != nil {
		return err
	}
	if _, err := admin.CreateUser(ctx, algorithmia.CreateUserRequest{Username: serviceAccount, Email: "ci@acme.io", Fullname: "Acme CI"}); err != nil {
		return err
	}
	types, err := admin.ListOrganizationTypes(ctx)
	if err != nil {
		return err
	}
	typeID := ""
	for _, t := range types {
		if t.Name == "basic" {
			typeID = t.ID
		}
	}
	if _, err := admin.CreateOrganization(ctx, algorithmia.OrganizationRequest{
		OrgName: organization, OrgLabel: "Acme ML", OrgContactName: "Acme CI", OrgEmail: "ml@acme.io", TypeID: typeID,
	}); err != nil {
		return err
	}
	if _, err := admin.AddOrganizationMember(ctx, organization, serviceAccount); err != nil {
		return err
	}
	if _, err := admin.CreateUserAPIKey(ctx, serviceAccount, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "bench", KeyType: algorithmia.KeyTypeAlgorithm, APIKey: c.ciKey,
		Permissions: &algorithmia.AuthPermissions{AllowAlgoManagement: true, AllowData: true, AllowDataWrite: true, AlgoACL: []string{}},
	}); err != nil {
		return err
	}
	c.ci, err = algorithmia.New(algorithmia.Config{BaseURL: c.URL, APIKey: c.ciKey})
	return err
}

// gitURL is the clone address of an algorithm with the service account's key in it, for
// the git CLI (the clusters are throwaway; the keys are random).
func (c *cluster) gitURL(name string) string {
	return fmt.Sprintf("http://%s:%s@%s/git/%s/%s.git", serviceAccount, c.ciKey, c.URL[len("http://"):], organization, name)
}

func (c *cluster) stop() {
	if c.proxy != nil {
		c.proxy.close()
	}
	c.proc.Stop()
}
