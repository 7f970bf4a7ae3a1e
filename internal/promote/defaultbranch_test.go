package promote

import (
	"context"
	"errors"
	"testing"
)

// TestDefaultBranchOf reads the branch HEAD points to, whatever its name, and names an
// empty repository as such.
func TestDefaultBranchOf(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	for _, branch := range []string{"main", "master", "trunk"} {
		repo := "r" + branch
		s.newRepo(t, repo)
		s.git(t, repo, "symbolic-ref", "HEAD", "refs/heads/"+branch)
		s.commit(t, repo, "other", map[string]string{"a": "1"}, "other")
		s.commit(t, repo, branch, map[string]string{"a": "2"}, "default")
		got, err := DefaultBranchOf(ctx, s.remote(repo))
		if err != nil || got != branch {
			t.Fatalf("%s: got %q, %v", branch, got, err)
		}
	}
	s.newRepo(t, "empty")
	if _, err := DefaultBranchOf(ctx, s.remote("empty")); !errors.Is(err, ErrRefNotFound) {
		t.Fatalf("empty repository: %v", err)
	}
}
