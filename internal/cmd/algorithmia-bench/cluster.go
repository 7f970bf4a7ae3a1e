package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
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
	cmd                                *exec.Cmd
	proxy                              *proxy
	ci                                 *algorithmia.Client // the service account, through the proxy
}

var apiLine = regexp.MustCompile(`Algorithmia API: (\S+)/v1`)

// startCluster starts a fresh cluster under dir and seeds the organization and its
// service account (a member with a standard key), as bootstrap/ of the example would.
func startCluster(ctx context.Context, bin, dir, name string, build time.Duration) (*cluster, error) {
	c := &cluster{name: name, adminKey: "admin" + randomHex(16), ciKey: "sim" + randomHex(16), dataDir: filepath.Join(dir, name)}
	if err := os.RemoveAll(c.dataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(c.dataDir + ".log")
	if err != nil {
		return nil, err
	}
	c.cmd = exec.Command(filepath.Join(bin, "algorithmia-local"), "--listen", "127.0.0.1:0", "--data-dir", c.dataDir,
		"--build-duration", build.String())
	c.cmd.Env = append(os.Environ(), "ALGORITHMIA_LOCAL_ADMIN_KEY="+c.adminKey)
	c.cmd.Stderr = logFile
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start algorithmia-local %s: %w", name, err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := apiLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			c.stop()
			return nil, fmt.Errorf("algorithmia-local %s exited; see %s.log", name, c.dataDir)
		}
		c.direct = u
	case <-time.After(20 * time.Second):
		c.stop()
		return nil, fmt.Errorf("algorithmia-local %s did not start within 20s", name)
	}
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
	if c.cmd == nil || c.cmd.Process == nil || c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
