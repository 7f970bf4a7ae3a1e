package promote

import (
	"context"
	"errors"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// DefaultBranchOf returns the branch a repository's HEAD points to (its default branch),
// from one ref advertisement. External SCM hosts differ (new GitHub repositories use main,
// GitLab and Bitbucket master), and the platform builds only the default branch. A server
// that advertises HEAD without its target is answered by the branch at the same commit,
// main before master; an empty repository or one without HEAD is ErrRefNotFound.
func DefaultBranchOf(ctx context.Context, r Remote) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{r.URL}})
	var refs []*plumbing.Reference
	err := withRetries(ctx, r.Retry, noLog, "list refs", func() (err error) {
		refs, err = rem.ListContext(ctx, &git.ListOptions{Auth: r.auth(), CABundle: r.CABundle, InsecureSkipTLS: r.InsecureSkipTLS})
		return err
	})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return "", newError("default branch", ErrRefNotFound, "%s is empty", RedactURL(r.URL))
	}
	if err != nil {
		return "", scrub("list refs of "+RedactURL(r.URL), err, r.secrets()...)
	}
	var head plumbing.Hash
	branches := map[string]plumbing.Hash{}
	for _, ref := range refs {
		name := ref.Name().String()
		switch {
		case name == "HEAD" && ref.Type() == plumbing.SymbolicReference:
			if t := ref.Target().String(); strings.HasPrefix(t, "refs/heads/") {
				return strings.TrimPrefix(t, "refs/heads/"), nil
			}
		case name == "HEAD":
			head = ref.Hash()
		case strings.HasPrefix(name, "refs/heads/"):
			branches[strings.TrimPrefix(name, "refs/heads/")] = ref.Hash()
		}
	}
	for _, b := range []string{"main", DefaultBranch} {
		if h, ok := branches[b]; ok && (head.IsZero() || h == head) {
			return b, nil
		}
	}
	return "", newError("default branch", ErrRefNotFound, "%s advertises no default branch", RedactURL(r.URL))
}
