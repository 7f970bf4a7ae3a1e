package promote

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// DefaultBranch is the only branch the platform builds (CONTRACT.md §8.1).
const DefaultBranch = "master"

// Credentials are HTTP Basic credentials: an account name and an API key or password.
type Credentials struct {
	Username string
	Password string
}

// Remote is a Git repository reachable over smart HTTP(S).
type Remote struct {
	URL  string       // must not embed credentials: they would end up in logs and state
	Auth *Credentials // nil for anonymous access
	// CABundle holds extra PEM certificate authorities to trust (a private cluster CA).
	CABundle []byte
	// InsecureSkipTLS turns off certificate verification; only for throwaway test clusters.
	InsecureSkipTLS bool
	// HTTPClient sends the requests the engine makes itself (the streamed push); it must
	// trust what CABundle and InsecureSkipTLS say, which go-git's own requests (ref
	// advertisements, fetches) follow. Nil builds one from them with httpclient.New.
	HTTPClient *http.Client
	// Retry is how every request to this remote is retried on 429, 5xx and connection
	// errors; the zero value makes one attempt.
	Retry retry.Policy
	// Cache, when non-nil, keeps this repository's objects on disk between calls so
	// later fetches bring only new objects (see Cache). Nil fetches into a temporary
	// store removed before the call returns. Promote uses the destination's.
	Cache *Cache
}

// endpoint is the go-git endpoint of r, carrying its TLS settings.
func (r Remote) endpoint() (*transport.Endpoint, error) {
	ep, err := transport.NewEndpoint(r.URL)
	if err != nil {
		return nil, err
	}
	ep.CaBundle, ep.InsecureSkipTLS = r.CABundle, r.InsecureSkipTLS
	return ep, nil
}

// httpClient is the client for requests the engine sends itself (the streamed push):
// r.HTTPClient, or one with r's TLS settings that honours proxies from the environment
// like go-git's does.
func (r Remote) httpClient() (*http.Client, error) {
	if r.HTTPClient != nil {
		return r.HTTPClient, nil
	}
	if len(r.CABundle) == 0 && !r.InsecureSkipTLS {
		return defaultHTTPClient, nil
	}
	c, err := httpclient.New(r.CABundle, r.InsecureSkipTLS)
	if err != nil {
		return nil, newError("tls", ErrInvalidRemote, "no PEM certificate could be parsed from the CA bundle")
	}
	return c, nil
}

var defaultHTTPClient = &http.Client{Transport: http.DefaultTransport}

// secrets are what redaction must hide for r: the password, and the Basic auth token
// (base64 of user:password) that a server or proxy may echo into an error body, which
// go-git copies into its errors.
func (r Remote) secrets() []string {
	if r.Auth == nil || r.Auth.Password == "" {
		return nil
	}
	return []string{r.Auth.Password, base64.StdEncoding.EncodeToString([]byte(r.Auth.Username + ":" + r.Auth.Password))}
}

func (r Remote) auth() transport.AuthMethod {
	if r.Auth == nil {
		return nil
	}
	return &githttp.BasicAuth{Username: r.Auth.Username, Password: r.Auth.Password}
}

// Validate rejects URLs that are not http(s) or that embed credentials.
func (r Remote) Validate() error {
	return ValidateURL(r.URL)
}

// ValidateURL rejects a Git URL that is not http(s), has no host, or embeds
// credentials; the error never repeats the userinfo.
func ValidateURL(raw string) error {
	_, err := httpclient.CheckURL(raw)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, httpclient.ErrCredentials):
		return newError("validate url", ErrInvalidRemote, "git URL %q must not embed credentials; pass them separately", RedactURL(raw))
	case errors.Is(err, httpclient.ErrScheme):
		return newError("validate url", ErrInvalidRemote, "git URL %q must use http or https", RedactURL(raw))
	case errors.Is(err, httpclient.ErrNoHost):
		return newError("validate url", ErrInvalidRemote, "git URL %q has no host", RedactURL(raw))
	}
	return newError("validate url", ErrInvalidRemote, "cannot parse git URL")
}

// listRefs performs one ref advertisement (what `git ls-remote` does), retried
// under r.Retry, and returns every ref name with its hash; annotated tags also
// appear peeled as "refs/tags/x^{}". No pack is transferred.
func listRefs(ctx context.Context, r Remote, log logFunc) (map[string]plumbing.Hash, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{r.URL}})
	var refs []*plumbing.Reference
	err := withRetries(ctx, r.Retry, log, "list refs", func() (err error) {
		refs, err = rem.ListContext(ctx, &git.ListOptions{Auth: r.auth(), PeelingOption: git.AppendPeeled,
			CABundle: r.CABundle, InsecureSkipTLS: r.InsecureSkipTLS})
		return err
	})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[string]plumbing.Hash{}, nil
	}
	if err != nil {
		return nil, scrub("list refs of "+RedactURL(r.URL), err, r.secrets()...)
	}
	out := make(map[string]plumbing.Hash, len(refs))
	symbolic := map[string]string{}
	for _, ref := range refs {
		if ref.Type() == plumbing.SymbolicReference {
			symbolic[ref.Name().String()] = ref.Target().String()
			continue
		}
		out[ref.Name().String()] = ref.Hash()
	}
	for name, target := range symbolic {
		if h, ok := out[target]; ok {
			out[name] = h
		}
	}
	return out, nil
}

var hexRE = regexp.MustCompile(`^[0-9a-fA-F]{4,40}$`)

// ResolveRef resolves a branch, tag, full ref name, or full/short commit SHA
// to a commit using the ref advertisement only (no clone). Annotated tags
// resolve to the commit they point to. A full SHA that no ref advertises is
// returned as-is: only a fetch can tell whether it exists, and Promote does
// that check. A name that is both a branch and a tag with different commits
// is an error rather than a silent pick, because the plan must show what ships.
func ResolveRef(ctx context.Context, r Remote, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", newError("resolve ref", ErrRefNotFound, "empty ref")
	}
	refs, err := listRefs(ctx, r, noLog)
	if err != nil {
		return "", err
	}
	commitOf := func(name string) (plumbing.Hash, bool) {
		if h, ok := refs[name+"^{}"]; ok {
			return h, true
		}
		h, ok := refs[name]
		return h, ok
	}

	if strings.HasPrefix(ref, "refs/") || ref == "HEAD" {
		if h, ok := commitOf(ref); ok {
			return h.String(), nil
		}
	} else {
		branch, isBranch := commitOf("refs/heads/" + ref)
		tag, isTag := commitOf("refs/tags/" + ref)
		switch {
		case isBranch && isTag && branch != tag:
			return "", newError("resolve ref", ErrRefNotFound, "ref %q is ambiguous: branch at %s, tag at %s; use refs/heads/%s or refs/tags/%s", ref, branch, tag, ref, ref)
		case isTag:
			return tag.String(), nil
		case isBranch:
			return branch.String(), nil
		}
	}

	if hexRE.MatchString(ref) {
		want := strings.ToLower(ref)
		matches := map[string]bool{}
		for name, h := range refs {
			// A non-peeled annotated tag hash is a tag object, not a commit.
			if _, peeled := refs[name+"^{}"]; peeled {
				continue
			}
			if strings.HasPrefix(h.String(), want) {
				matches[h.String()] = true
			}
		}
		if len(matches) == 1 {
			for h := range matches {
				return h, nil
			}
		}
		if len(matches) > 1 {
			list := make([]string, 0, len(matches))
			for h := range matches {
				list = append(list, h)
			}
			sort.Strings(list)
			return "", newError("resolve ref", ErrRefNotFound, "short SHA %q is ambiguous: %s", ref, strings.Join(list, ", "))
		}
		if len(want) == 40 {
			return want, nil
		}
		return "", newError("resolve ref", ErrRefNotFound, "short SHA %q matches no advertised ref; use the full 40-character SHA", ref)
	}
	return "", newError("resolve ref", ErrRefNotFound, "no branch or tag %q in %s", ref, RedactURL(r.URL))
}

// Head returns the commit a branch (default master) points to, from the ref
// advertisement alone. A missing branch or an empty repository is ErrRefNotFound.
func Head(ctx context.Context, r Remote, branch string) (string, error) {
	if branch == "" {
		branch = DefaultBranch
	}
	refs, err := listRefs(ctx, r, noLog)
	if err != nil {
		return "", err
	}
	h, ok := refs["refs/heads/"+branch]
	if !ok {
		return "", newError("head", ErrRefNotFound, "branch %q does not exist in %s", branch, RedactURL(r.URL))
	}
	return h.String(), nil
}
