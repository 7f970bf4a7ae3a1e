package acctest

import (
	"context"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
)

// SCM is an external SCM configuration seeded on a cluster, with the stand-in Git host the
// cluster serves for it.
type SCM struct {
	ID       string
	Provider string
	c        *Cluster
}

// SeedSCM creates an SCM configuration of provider (github, gitlab, ...) with a random id
// through the admin API. It is not made the default, so tests sharing the cluster are not
// affected.
func (c *Cluster) SeedSCM(t testing.TB, provider string, enabled bool) *SCM {
	t.Helper()
	id := RandomName("scm")
	web := c.URL + "/ext/" + id
	if _, err := c.Admin.CreateSCM(context.Background(), algorithmia.CreateSCMRequest{
		ID: id, Provider: provider, Enabled: enabled, URLs: algorithmia.SCMURLs{Web: web, API: web, SSH: "ssh://git@127.0.0.1"},
	}); err != nil {
		t.Fatalf("seed SCM %s on %s: %v", id, c.Name, err)
	}
	return &SCM{ID: id, Provider: provider, c: c}
}

// Token issues a personal access token of account login on the SCM's host.
func (s *SCM) Token(t testing.TB, login string) string {
	t.Helper()
	tok, err := s.c.Local.ExternalToken(s.ID, login)
	if err != nil {
		t.Fatalf("token of %s on %s: %v", login, s.ID, err)
	}
	return tok
}

// RepoURL is the HTTPS URL of owner/name on the SCM's host (the repository_https_url).
func (s *SCM) RepoURL(owner, name string) string {
	return s.c.URL + localcluster.ExternalRepoPath(s.ID, owner, name)
}

// Repo returns the host's record of owner/name (default branch, head, webhooks).
func (s *SCM) Repo(t testing.TB, owner, name string) localcluster.ExternalRepo {
	t.Helper()
	r, err := s.c.Local.ExternalRepo(s.ID, owner, name)
	if err != nil {
		t.Fatalf("repository %s/%s on %s: %v", owner, name, s.ID, err)
	}
	return r
}

// Push commits files on top of the repository's default branch (or cm.Branch, a new one) with token, as someone
// pushing straight to GitHub would, and returns the commit.
func (s *SCM) Push(t testing.TB, owner, name, token string, cm Commit) string {
	t.Helper()
	if cm.Author == "" {
		cm.Author, cm.Email = "Someone", "someone@example.test"
	}
	sha, err := gitpush.Push(context.Background(), gitpush.Target{URL: s.RepoURL(owner, name), Username: "x", Password: token, CABundle: []byte(s.c.CAPEM)}, cm)
	if err != nil {
		t.Fatalf("push to %s/%s on %s: %v", owner, name, s.ID, err)
	}
	return sha
}

// Log returns the first-parent history of the default branch of owner/name, newest first.
func (s *SCM) Log(t testing.TB, owner, name, token string) []string {
	t.Helper()
	repo := s.clone(t, owner, name, token)
	var out []string
	for h := plumbing.NewHash(s.Repo(t, owner, name).Head); !h.IsZero(); {
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

// TreeOf returns the tree hash of a commit of owner/name on the SCM's host.
func (s *SCM) TreeOf(t testing.TB, owner, name, token, commit string) string {
	t.Helper()
	cm, err := s.clone(t, owner, name, token).CommitObject(plumbing.NewHash(commit))
	if err != nil {
		t.Fatalf("commit %s of %s/%s on %s: %v", commit, owner, name, s.ID, err)
	}
	return cm.TreeHash.String()
}

func (s *SCM) clone(t testing.TB, owner, name, token string) *git.Repository {
	t.Helper()
	repo, err := git.CloneContext(context.Background(), memory.NewStorage(), nil, &git.CloneOptions{
		URL: s.RepoURL(owner, name), Auth: &githttp.BasicAuth{Username: "x", Password: token}, NoCheckout: true, CABundle: []byte(s.c.CAPEM),
	})
	if err != nil {
		t.Fatalf("clone %s/%s on %s: %v", owner, name, s.ID, err)
	}
	return repo
}
