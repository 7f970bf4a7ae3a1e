// Package gitpush makes a commit of given files on top of a branch of a remote repository
// and pushes it, over smart HTTP with basic auth. It serves the test harness and the demo,
// which seed algorithm repositories the way a developer would with git. It never
// force-pushes and keeps nothing on disk.
package gitpush

import (
	"context"
	"fmt"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Commit describes one commit: files to write (nil content deletes a file), the message,
// an optional tag, and an optional branch other than the default one.
type Commit struct {
	Files   map[string][]byte
	Message string
	Tag     string
	Branch  string
	Author  string
	Email   string
}

// Target is the repository to push to and how to reach it.
type Target struct {
	URL                string
	Username, Password string
	// CABundle holds extra PEM certificate authorities to trust for URL.
	CABundle []byte
}

// Push clones the target (in memory), applies c on top of its branch, pushes, and returns
// the new commit's SHA.
func Push(ctx context.Context, to Target, c Commit) (string, error) {
	auth := &githttp.BasicAuth{Username: to.Username, Password: to.Password}
	fs := memfs.New()
	repo, err := git.CloneContext(ctx, memory.NewStorage(), fs, &git.CloneOptions{URL: to.URL, Auth: auth, CABundle: to.CABundle})
	if err != nil {
		return "", fmt.Errorf("clone: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	branch := c.Branch
	if branch != "" {
		if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: true}); err != nil {
			return "", fmt.Errorf("checkout %s: %w", branch, err)
		}
	} else {
		// The cloned default branch: master on the cluster, main or
		// master on an external host.
		head, err := repo.Head()
		if err != nil {
			return "", fmt.Errorf("head: %w", err)
		}
		branch = head.Name().Short()
	}
	for path, content := range c.Files {
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
	msg, author, email := c.Message, c.Author, c.Email
	if msg == "" {
		msg = "Update source"
	}
	if author == "" {
		author, email = to.Username, to.Username+"@example.com"
	}
	sig := &object.Signature{Name: author, Email: email, When: time.Now()}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	specs := []config.RefSpec{config.RefSpec(fmt.Sprintf("refs/heads/%s:refs/heads/%s", branch, branch))}
	if c.Tag != "" {
		if _, err := repo.CreateTag(c.Tag, h, nil); err != nil {
			return "", fmt.Errorf("tag: %w", err)
		}
		specs = append(specs, config.RefSpec("refs/tags/"+c.Tag+":refs/tags/"+c.Tag))
	}
	if err := repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", Auth: auth, RefSpecs: specs, CABundle: to.CABundle}); err != nil {
		return "", fmt.Errorf("push: %w", err)
	}
	return h.String(), nil
}
