package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
)

// External Git hosts: each SCM configuration of a local cluster (other than internal) has
// a stand-in for its GitHub, GitLab or Bitbucket at <cluster URL>/ext/<scm id>/. Its
// accounts exist only through the tokens issued here; Git takes a token as the Basic
// password with any user name.

// NewSCM creates an enabled SCM configuration of provider (github, gitlab, bitbucket or
// bitbucket-cloud) with a random id through the admin API, and returns the id.
func (c *Cluster) NewSCM(t testing.TB, provider string) string {
	t.Helper()
	id := strings.ReplaceAll(RandomName(provider), "_", "-")
	body := map[string]any{
		"id": id, "provider": provider,
		"urls": map[string]string{"web": "https://" + provider + ".example", "api": "https://api." + provider + ".example", "ssh": "ssh://git@" + provider + ".example"},
	}
	if status, raw := c.post(t, "/v1/admin/scms", c.AdminKey, body); status != http.StatusCreated {
		t.Fatalf("create SCM %s on %s: %d %s", id, c.Name, status, raw)
	}
	return id
}

// ConnectSCM issues a token for host account login on SCM scm's host and authorises the
// user on that SCM with it (POST /v1/scms/{id}/token/connect); it returns the token,
// which also pushes to login's repositories.
func (u *User) ConnectSCM(t testing.TB, c *Cluster, scm, login string) string {
	t.Helper()
	token := c.ExternalToken(t, scm, login)
	if status, raw := c.post(t, "/v1/scms/"+scm+"/token/connect", u.Key, map[string]string{"token": token}); status != http.StatusOK {
		t.Fatalf("connect %s to SCM %s on %s: %d %s", u.Name, scm, c.Name, status, raw)
	}
	return token
}

// ExternalToken issues a new personal access token of host account login (created on
// first use) on the external host of SCM scm.
func (c *Cluster) ExternalToken(t testing.TB, scm, login string) string {
	t.Helper()
	token, err := c.Local.ExternalToken(scm, login)
	if err != nil {
		t.Fatalf("host token for %s on SCM %s of %s: %v", login, scm, c.Name, err)
	}
	return token
}

// ExternalAdminToken issues a new token of the external host of SCM scm that reads and
// pushes every repository there (for drift: a commit straight to a repository).
func (c *Cluster) ExternalAdminToken(t testing.TB, scm string) string {
	t.Helper()
	token, err := c.Local.ExternalAdminToken(scm)
	if err != nil {
		t.Fatalf("host admin token for SCM %s of %s: %v", scm, c.Name, err)
	}
	return token
}

// ExternalRepoURL is the credential-free HTTPS URL of owner/repo on the external host of
// SCM scm, exactly as algorithms report it in source.repository_https_url (no ".git";
// the host accepts both).
func (c *Cluster) ExternalRepoURL(scm, owner, repo string) string {
	return c.URL + localcluster.ExternalRepoPath(scm, owner, repo)
}

// CreateExternalRepo makes owner/repo on the external host of SCM scm directly, as its
// owner would on GitHub (one README commit on the host's default branch, no algorithm
// linked), and returns its URL. Creating an algorithm on that repository then fails.
func (c *Cluster) CreateExternalRepo(t testing.TB, scm, owner, repo string, private bool) string {
	t.Helper()
	if err := c.Local.CreateExternalRepo(scm, owner, repo, private); err != nil {
		t.Fatalf("create %s/%s on SCM %s of %s: %v", owner, repo, scm, c.Name, err)
	}
	return c.ExternalRepoURL(scm, owner, repo)
}

// ExternalRepo returns the host's view of owner/repo: default branch, its head, and the
// webhooks and deploy keys algorithms installed.
func (c *Cluster) ExternalRepo(t testing.TB, scm, owner, repo string) localcluster.ExternalRepo {
	t.Helper()
	r, err := c.Local.ExternalRepo(scm, owner, repo)
	if err != nil {
		t.Fatalf("repository %s/%s on SCM %s of %s: %v", owner, repo, scm, c.Name, err)
	}
	return r
}

// PushExternalCommit applies cm on top of the default branch (or cm.Branch) of owner/repo
// on the external host of SCM scm, pushing with token, and returns the new commit. A
// push to the default branch of a repository linked to an algorithm starts one build,
// which exists when this returns.
func (c *Cluster) PushExternalCommit(t testing.TB, scm, owner, repo, token string, cm Commit) string {
	t.Helper()
	if cm.Author == "" {
		cm.Author, cm.Email = "Test "+owner, owner+"@example.com"
	}
	sha, err := gitpush.Push(context.Background(), gitpush.Target{URL: c.ExternalRepoURL(scm, owner, repo), Username: "x-access-token", Password: token, CABundle: []byte(c.CAPEM)}, cm)
	if err != nil {
		t.Fatalf("push to %s/%s on SCM %s of %s: %v", owner, repo, scm, c.Name, err)
	}
	return sha
}

// ExternalTreeOf returns the tree hash of a commit of owner/repo on the external host of
// SCM scm, read with token.
func (c *Cluster) ExternalTreeOf(t testing.TB, scm, owner, repo, token, commit string) string {
	t.Helper()
	return treeOf(t, c.ExternalRepoURL(scm, owner, repo), &githttp.BasicAuth{Username: "x-access-token", Password: token}, c.CAPEM, commit)
}

// ExternalLog returns the first-parent history of the default branch of owner/repo on the
// external host of SCM scm, newest first, read with token.
func (c *Cluster) ExternalLog(t testing.TB, scm, owner, repo, token string) []string {
	t.Helper()
	return logOf(t, c.ExternalRepoURL(scm, owner, repo), &githttp.BasicAuth{Username: "x-access-token", Password: token}, c.CAPEM)
}

func treeOf(t testing.TB, url string, auth *githttp.BasicAuth, caPEM, commit string) string {
	t.Helper()
	repo, err := git.CloneContext(context.Background(), memory.NewStorage(), nil, &git.CloneOptions{
		URL: url, Auth: auth, NoCheckout: true, CABundle: []byte(caPEM),
	})
	if err != nil {
		t.Fatalf("clone %s: %v", url, err)
	}
	cm, err := repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		t.Fatalf("commit %s of %s: %v", commit, url, err)
	}
	return cm.TreeHash.String()
}

func logOf(t testing.TB, url string, auth *githttp.BasicAuth, caPEM string) []string {
	t.Helper()
	repo, err := git.CloneContext(context.Background(), memory.NewStorage(), nil, &git.CloneOptions{
		URL: url, Auth: auth, NoCheckout: true, CABundle: []byte(caPEM),
	})
	if err != nil {
		t.Fatalf("clone %s: %v", url, err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatalf("head of %s: %v", url, err)
	}
	var out []string
	for h := head.Hash(); !h.IsZero(); {
		out = append(out, h.String())
		cm, err := repo.CommitObject(h)
		if err != nil {
			t.Fatalf("commit %s: %v", h, err)
		}
		if cm.NumParents() == 0 {
			break
		}
		h = cm.ParentHashes[0]
	}
	return out
}

// post sends one JSON POST to the cluster's API with key and returns the status and
// body; the harness uses it for routes the REST client does not cover.
func (c *Cluster) post(t testing.TB, path, key string, body any) (int, string) {
	const method = http.MethodPost
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Simple "+key)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, c.Name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}
