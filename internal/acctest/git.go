package acctest

import (
	"context"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
)

// GitURL is the credential-free clone URL of owner/name on this cluster.
func (c *Cluster) GitURL(owner, name string) string {
	return c.URL + "/git/" + owner + "/" + name + ".git"
}

// Commit describes one commit PushCommit makes (see gitpush.Commit).
type Commit = gitpush.Commit

// PushCommit clones owner/name from the cluster as this user, applies the commit on top
// of master (or Branch), pushes it (which starts a build when it moves master), and
// returns the new commit SHA.
func (u *User) PushCommit(t testing.TB, c *Cluster, owner, name string, cm Commit) string {
	t.Helper()
	sha, err := gitpush.Push(context.Background(), u.gitTarget(c, owner, name), u.commit(cm))
	if err != nil {
		t.Fatalf("push to %s/%s on %s: %v", owner, name, c.Name, err)
	}
	return sha
}

// gitTarget is owner/name on c, reached as this user.
func (u *User) gitTarget(c *Cluster, owner, name string) gitpush.Target {
	return gitpush.Target{URL: c.GitURL(owner, name), Username: u.Name, Password: u.Key, CABundle: []byte(c.CAPEM)}
}

// commit is cm authored by this user unless it names an author.
func (u *User) commit(cm Commit) Commit {
	if cm.Author == "" {
		cm.Author, cm.Email = "Test "+u.Name, u.Email
	}
	return cm
}

// TreeOf returns the tree hash of a commit of owner/name on this cluster.
func (u *User) TreeOf(t testing.TB, c *Cluster, owner, name, commit string) string {
	t.Helper()
	repo, err := git.CloneContext(context.Background(), memory.NewStorage(), nil, &git.CloneOptions{
		URL: c.GitURL(owner, name), Auth: &githttp.BasicAuth{Username: u.Name, Password: u.Key}, NoCheckout: true, CABundle: []byte(c.CAPEM),
	})
	if err != nil {
		t.Fatalf("clone %s/%s: %v", owner, name, err)
	}
	cm, err := repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		t.Fatalf("commit %s of %s/%s: %v", commit, owner, name, err)
	}
	return cm.TreeHash.String()
}

// Log returns the first-parent history of master of owner/name, newest first.
func (u *User) Log(t testing.TB, c *Cluster, owner, name string) []string {
	t.Helper()
	repo, err := git.CloneContext(context.Background(), memory.NewStorage(), nil, &git.CloneOptions{
		URL: c.GitURL(owner, name), Auth: &githttp.BasicAuth{Username: u.Name, Password: u.Key}, NoCheckout: true, CABundle: []byte(c.CAPEM),
	})
	if err != nil {
		t.Fatalf("clone %s/%s: %v", owner, name, err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatalf("head of %s/%s: %v", owner, name, err)
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
