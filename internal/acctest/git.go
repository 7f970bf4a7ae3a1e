package acctest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// GitURL is the credential-free clone URL of owner/name on this cluster.
func (c *Cluster) GitURL(owner, name string) string {
	return c.URL + "/git/" + owner + "/" + name + ".git"
}

// Commit describes one commit PushCommit makes: files to write (nil content deletes a
// file), an optional tag, and an optional branch other than master.
type Commit struct {
	Files   map[string][]byte
	Message string
	Tag     string
	Branch  string
}

// PushCommit clones owner/name from the cluster as this user, applies the commit on top
// of master (or Branch), pushes it (which starts a build when it moves master), and
// returns the new commit SHA.
func (u *User) PushCommit(t testing.TB, c *Cluster, owner, name string, cm Commit) string {
	t.Helper()
	sha, err := u.pushCommit(context.Background(), c, owner, name, cm)
	if err != nil {
		t.Fatalf("push to %s/%s on %s: %v", owner, name, c.Name, err)
	}
	return sha
}

func (u *User) pushCommit(ctx context.Context, c *Cluster, owner, name string, cm Commit) (string, error) {
	auth := &githttp.BasicAuth{Username: u.Name, Password: u.Key}
	fs := memfs.New()
	repo, err := git.CloneContext(ctx, memory.NewStorage(), fs, &git.CloneOptions{URL: c.GitURL(owner, name), Auth: auth})
	if err != nil {
		return "", fmt.Errorf("clone: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	branch := cm.Branch
	if branch != "" {
		if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: true}); err != nil {
			return "", fmt.Errorf("checkout %s: %w", branch, err)
		}
	} else {
		branch = "master"
	}
	for path, content := range cm.Files {
		if content == nil {
			if _, err := wt.Remove(path); err != nil {
				return "", fmt.Errorf("remove %s: %w", path, err)
			}
			continue
		}
		f, err := fs.Create(path)
		if err != nil {
			return "", err
		}
		if _, err := f.Write(content); err != nil {
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		if _, err := wt.Add(path); err != nil {
			return "", err
		}
	}
	msg := cm.Message
	if msg == "" {
		msg = "Change made by an acceptance test"
	}
	sig := &object.Signature{Name: "Test " + u.Name, Email: u.Email, When: time.Now()}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	specs := []config.RefSpec{config.RefSpec(fmt.Sprintf("refs/heads/%s:refs/heads/%s", branch, branch))}
	if cm.Tag != "" {
		if _, err := repo.CreateTag(cm.Tag, h, nil); err != nil {
			return "", fmt.Errorf("tag: %w", err)
		}
		specs = append(specs, config.RefSpec("refs/tags/"+cm.Tag+":refs/tags/"+cm.Tag))
	}
	if err := repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", Auth: auth, RefSpecs: specs}); err != nil {
		return "", fmt.Errorf("push: %w", err)
	}
	return h.String(), nil
}

// TreeOf returns the tree hash of a commit of owner/name on this cluster.
func (u *User) TreeOf(t testing.TB, c *Cluster, owner, name, commit string) string {
	t.Helper()
	repo, err := git.CloneContext(context.Background(), memory.NewStorage(), nil, &git.CloneOptions{
		URL: c.GitURL(owner, name), Auth: &githttp.BasicAuth{Username: u.Name, Password: u.Key}, NoCheckout: true,
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
		URL: c.GitURL(owner, name), Auth: &githttp.BasicAuth{Username: u.Name, Password: u.Key}, NoCheckout: true,
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
