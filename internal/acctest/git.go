package acctest

import (
	"context"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

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
	if cm.Author == "" {
		cm.Author, cm.Email = "Test "+u.Name, u.Email
	}
	sha, err := gitpush.Push(context.Background(), gitpush.Target{URL: c.GitURL(owner, name), Username: u.Name, Password: u.Key, CABundle: []byte(c.CAPEM)}, cm)
	if err != nil {
		t.Fatalf("push to %s/%s on %s: %v", owner, name, c.Name, err)
	}
	return sha
}

// TreeOf returns the tree hash of a commit of owner/name on this cluster.
func (u *User) TreeOf(t testing.TB, c *Cluster, owner, name, commit string) string {
	t.Helper()
	return treeOf(t, c.GitURL(owner, name), &githttp.BasicAuth{Username: u.Name, Password: u.Key}, c.CAPEM, commit)
}

// Log returns the first-parent history of master of owner/name, newest first.
func (u *User) Log(t testing.TB, c *Cluster, owner, name string) []string {
	t.Helper()
	return logOf(t, c.GitURL(owner, name), &githttp.BasicAuth{Username: u.Name, Password: u.Key}, c.CAPEM)
}
