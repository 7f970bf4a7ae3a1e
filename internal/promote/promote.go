// Package promote copies one commit's tree from a source Git repository onto
// the master branch of a destination repository, over smart HTTP, as a single
// fast-forward commit.
//
// It owns: resolving refs from the ref advertisement, fetching into an
// on-disk object store (temporary, or a repository's directory in a Cache,
// which keeps objects between calls so only new ones are fetched),
// building the promotion commit, streaming the pack to the destination,
// retrying when a concurrent push wins,
// retrying every exchange under the remote's retry policy (a push whose
// answer was lost is settled by reading the branch back first), and
// redacting credentials from every error it returns.
//
// It never: force-pushes or rewrites history, copies a work tree (only tree
// objects move, so a ".git" directory cannot be copied), keeps anything on
// disk after a call returns other than a Cache's objects and lock files
// (never a credential), logs or returns a password, or imports anything
// from Terraform.
//
// Memory stays roughly flat with repository size: fetched packs go to an
// on-disk store, blobs over 1 MiB are streamed rather than
// inflated, and the push pack is written to a file and streamed to the
// server (go-git's own HTTP push would buffer the whole pack in memory).
// BenchmarkPromote backs this.
package promote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Signature names the author or committer of the promotion commit.
type Signature struct {
	Name  string
	Email string
	When  time.Time // zero means the time of the commit
}

// DefaultSignature is used when Request leaves Author or Committer empty.
var DefaultSignature = Signature{Name: "Algorithmia promotion", Email: "promote@algorithmia.invalid"}

// DefaultMaxAttempts bounds retries after losing a push race.
const DefaultMaxAttempts = 5

// Request describes one promotion.
type Request struct {
	Source       Remote
	SourceCommit string // full 40-character SHA, resolved earlier (see ResolveRef)
	Dest         Remote
	DestBranch   string // default master
	// ExpectDestHead, when set, is the commit the destination branch must be at: any other
	// head fails with ErrDestMoved before anything is pushed (no retry). A caller that
	// promised "nothing to push" from an earlier read uses it to keep that promise.
	ExpectDestHead string
	Message        string // default names the source URL (no credentials) and SHA
	Author         Signature
	Committer      Signature
	MaxAttempts    int                                     // default DefaultMaxAttempts
	WorkDir        string                                  // parent of the temporary object store; default os.TempDir()
	Logf           func(msg string, fields map[string]any) // progress; nil means silent
}

// DefaultMessage is the promotion commit's message when Request.Message is empty: it names
// the source (without credentials) and the full SHA, with trailers that tools can parse.
func DefaultMessage(sourceURL, sha string) string {
	src := RedactURL(sourceURL)
	return fmt.Sprintf("Promote %.12s from %s\n\nSource-Commit: %s\nSource-Repository: %s\n", sha, src, sha, src)
}

// Result reports what a promotion did.
type Result struct {
	SourceCommit     string
	SourceTree       string
	DestCommit       string // the new commit, or the existing head when nothing was pushed
	PreviousDestHead string // empty when the destination branch did not exist
	Pushed           bool
	Attempts         int   // destination fetches made, including the successful one
	PackBytes        int64 // size of the pushed pack, 0 when nothing was pushed
}

var fullSHARE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// errRace is internal: the destination branch moved between fetch and push.
var errRace = errors.New("destination branch moved")

// Promote makes the destination branch's tree equal to the source commit's
// tree with at most one new fast-forward commit, retrying a bounded number of
// times when a concurrent push moves the branch. Equal trees mean no commit
// and no push, so calling it again after success is safe.
func Promote(ctx context.Context, req Request) (*Result, error) {
	secrets := append(req.Source.secrets(), req.Dest.secrets()...)
	if err := req.Source.Validate(); err != nil {
		return nil, err
	}
	if err := req.Dest.Validate(); err != nil {
		return nil, err
	}
	sha := strings.ToLower(strings.TrimSpace(req.SourceCommit))
	if !fullSHARE.MatchString(sha) {
		return nil, newError("promote", ErrCommitNotFound, "source commit %q is not a full 40-character SHA; resolve it with ResolveRef first", req.SourceCommit)
	}
	branch := req.DestBranch
	if branch == "" {
		branch = DefaultBranch
	}
	attempts := req.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	msg := req.Message
	if msg == "" {
		msg = DefaultMessage(req.Source.URL, sha)
	}
	log := logger(req.Logf, secrets)

	ws, err := newWorkspace(ctx, req.WorkDir, req.Dest, log)
	if err != nil {
		return nil, err
	}
	defer ws.close(log)
	p := promotion{req: req, sha: sha, branch: branch, attempts: attempts, msg: msg, secrets: secrets, log: log}
	res, err := p.run(ctx, ws)
	if err != nil && ws.corrupt {
		log("the Git cache of the destination is damaged; rebuilding it and starting again", map[string]any{"dest": RedactURL(req.Dest.URL)})
		if rerr := ws.reset(); rerr != nil {
			return nil, err
		}
		res, err = p.run(ctx, ws)
	}
	return res, err
}

// promotion is one Promote call's validated inputs; run may be called twice on one
// workspace when the first run finds the cached objects damaged.
type promotion struct {
	req              Request
	sha, branch, msg string
	attempts         int
	secrets          []string
	log              logFunc
}

func (p promotion) run(ctx context.Context, ws *workspace) (*Result, error) {
	req, sha, branch, attempts, msg, secrets, log := p.req, p.sha, p.branch, p.attempts, p.msg, p.secrets, p.log
	want := plumbing.NewHash(sha)
	if err := ws.fetchSource(ctx, req.Source, want, log); err != nil {
		return nil, err
	}
	src, err := object.GetCommit(ws.store, want)
	if err != nil {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			ws.note(ctx, err) // present but unreadable
		}
		return nil, newError("fetch source", ErrCommitNotFound, "commit %s is not reachable from any branch or tag of %s", sha, RedactURL(req.Source.URL))
	}
	if err := checkTree(ws.store, src.TreeHash, ""); err != nil {
		// The tree came with the commit: failing to read it means a damaged store.
		ws.corrupt = ws.repo != nil && !errors.Is(err, ErrUnsafeTree) && ctx.Err() == nil
		return nil, err
	}
	res := &Result{SourceCommit: sha, SourceTree: src.TreeHash.String()}

	for res.Attempts < attempts {
		res.Attempts++
		head, err := ws.fetchBranch(ctx, req.Dest, "dest", branch, 0, log)
		if err != nil {
			return nil, err
		}
		if req.ExpectDestHead != "" && head.String() != req.ExpectDestHead {
			return nil, newError("promote", ErrDestMoved, "%s of %s is at %s, expected %s", branch, RedactURL(req.Dest.URL), head, req.ExpectDestHead)
		}
		res.PreviousDestHead, res.DestCommit = "", ""
		var parents []plumbing.Hash
		if !head.IsZero() {
			res.PreviousDestHead = head.String()
			destCommit, err := object.GetCommit(ws.store, head)
			if err != nil {
				ws.note(ctx, err)
				return nil, scrub("read destination head", err, secrets...)
			}
			if destCommit.TreeHash == src.TreeHash {
				res.DestCommit = head.String()
				log("destination already has the source tree; nothing to push", map[string]any{"dest_head": head.String(), "tree": res.SourceTree})
				return res, nil
			}
			parents = []plumbing.Hash{head}
		}
		commit, err := ws.writeCommit(src.TreeHash, parents, msg, req.Author, req.Committer)
		if err != nil {
			ws.corrupt = ws.repo != nil
			return nil, err
		}
		log("pushing promotion commit", map[string]any{"attempt": res.Attempts, "commit": commit.String(), "parent": res.PreviousDestHead, "dest": RedactURL(req.Dest.URL)})
		n, err := ws.push(ctx, req.Dest, branch, head, commit, log)
		if errors.Is(err, errRace) {
			log("destination moved during the push; fetching again", map[string]any{"attempt": res.Attempts})
			continue
		}
		if err != nil {
			ws.note(ctx, err)
			return nil, scrub("push to "+RedactURL(req.Dest.URL), err, secrets...)
		}
		// The store holds every object of the new head: the next fetch finds it up to date.
		_ = ws.store.SetReference(plumbing.NewHashReference(destRef(branch), commit))
		res.DestCommit, res.Pushed, res.PackBytes = commit.String(), true, n
		log("pushed", map[string]any{"commit": commit.String(), "pack_bytes": n})
		return res, nil
	}
	return nil, newError("push", ErrNonFastForward, "%s of %s kept moving; gave up after %d attempts", branch, RedactURL(req.Dest.URL), attempts)
}

// HeadTree returns a branch's head commit (default master) and its tree hash.
// Without a cache it fetches with depth 1, because go-git cannot ask for the commit
// object alone, into a temporary directory removed before return. With r.Cache it
// fetches the branch's history into the cache, which usually holds all but the newest
// commits already.
func HeadTree(ctx context.Context, r Remote, branch string) (commit, tree string, err error) {
	if err := r.Validate(); err != nil {
		return "", "", err
	}
	if branch == "" {
		branch = DefaultBranch
	}
	ws, err := newWorkspace(ctx, "", r, noLog)
	if err != nil {
		return "", "", err
	}
	defer ws.close(noLog)
	depth := 1
	if ws.repo != nil {
		depth = 0 // a shallow cache could not tell the server what it has
	}
	read := func() (string, string, error) {
		head, err := ws.fetchBranch(ctx, r, "dest", branch, depth, noLog)
		if err != nil {
			return "", "", err
		}
		if head.IsZero() {
			return "", "", newError("head tree", ErrRefNotFound, "branch %q does not exist in %s", branch, RedactURL(r.URL))
		}
		c, err := object.GetCommit(ws.store, head)
		if err != nil {
			ws.note(ctx, err)
			return "", "", scrub("head tree", err, r.secrets()...)
		}
		return head.String(), c.TreeHash.String(), nil
	}
	commit, tree, err = read()
	if err != nil && ws.corrupt && ws.reset() == nil {
		commit, tree, err = read()
	}
	return commit, tree, err
}

// workspace is a bare on-disk object store: objects are streamed to pack
// files there instead of memory, so memory does not grow with the repository.
// The store is a temporary directory, or a repository's directory in a Cache
// (then dir is only scratch space, for the push pack).
type workspace struct {
	dir   string
	store *filesystem.Storage
	repo  *cachedRepo // nil: the store is temporary
	// corrupt records that the cached store failed in a way only damage explains; the
	// caller may reset and start again, and close removes the cached repository.
	corrupt bool
	// grew records that objects were written, so the cache may have outgrown its bound.
	grew bool
}

// largeObject is the size above which go-git streams a blob from its pack
// instead of inflating it into memory.
const largeObject = 1 << 20

// newWorkspace opens r's cache (locked until close) when r.Cache is set, else a
// temporary store; root is the parent of the temporary directory (default os.TempDir()).
func newWorkspace(ctx context.Context, root string, r Remote, log logFunc) (*workspace, error) {
	dir, err := os.MkdirTemp(root, "promote-*")
	if err != nil {
		return nil, newError("workspace", nil, "create temporary directory: %v", err)
	}
	w := &workspace{dir: dir}
	storeDir := dir
	if r.Cache != nil {
		repo, err := r.Cache.lockRepo(ctx, r.URL, log)
		switch {
		case err == nil:
			w.repo, storeDir = repo, repo.dir
		case ctx.Err() != nil:
			_ = os.RemoveAll(dir)
			return nil, err
		default:
			// The cache only saves traffic: a cache directory that cannot be used (read-only,
			// full, removed) leaves the temporary store, as without a cache.
			log("the Git cache cannot be used; fetching into a temporary directory", map[string]any{"error": err.Error()})
		}
	}
	w.store = openStore(storeDir)
	return w, nil
}

func openStore(dir string) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(16*cache.MiByte),
		filesystem.Options{ExclusiveAccess: true, LargeObjectThreshold: largeObject})
}

func (w *workspace) close(log logFunc) {
	_ = w.store.Close()
	_ = os.RemoveAll(w.dir)
	if w.repo != nil {
		w.repo.release(w.corrupt, w.grew, log)
	}
}

// reset empties a damaged cached store, keeping the lock, so the call can start again.
func (w *workspace) reset() error {
	if w.repo == nil {
		return errors.New("not a cached store")
	}
	_ = w.store.Close()
	if err := os.RemoveAll(w.repo.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(w.repo.dir, 0o700); err != nil {
		return err
	}
	w.store, w.corrupt = openStore(w.repo.dir), false
	return nil
}

// note marks a cached store corrupt when err, from reading or writing it, says so
// (never for a network failure or a cancelled call: rebuilding would not help).
func (w *workspace) note(ctx context.Context, err error) {
	if w.repo == nil || ctx.Err() != nil || !isCorrupt(err) {
		return
	}
	if _, transient := transientFailure(ctx, err); !transient {
		w.corrupt = true
	}
}

// sourceRefs is where a source's refs go in the store: the destination's cache may
// hold several sources, and each must keep its own refs for the next negotiation.
func sourceRefs(sourceURL string) string {
	return "refs/promote/source/" + cacheKey(sourceURL)[:16] + "/"
}

// destRef is where the destination branch goes in the store.
func destRef(branch string) plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/promote/dest/" + branch)
}

// fetchSource brings the source commit into the store. When an advertised
// ref points exactly at it, only that ref is fetched; otherwise every branch
// and tag is, because servers need not honour a want for an arbitrary SHA.
func (w *workspace) fetchSource(ctx context.Context, r Remote, want plumbing.Hash, log logFunc) error {
	refs, err := listRefs(ctx, r, log)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return newError("fetch source", ErrCommitNotFound, "%s is empty", RedactURL(r.URL))
	}
	prefix := sourceRefs(r.URL)
	specs := tipSpec(refs, want, prefix)
	if specs == nil {
		specs = []config.RefSpec{
			config.RefSpec("+refs/heads/*:" + prefix + "heads/*"),
			config.RefSpec("+refs/tags/*:" + prefix + "tags/*"),
		}
	}
	log("fetching source", map[string]any{"source": RedactURL(r.URL), "refspecs": len(specs), "cached": w.repo != nil})
	return w.fetch(ctx, r, "source", specs, 0, log)
}

// tipSpec is the refspec of a branch (preferred: it carries no tag object) or tag whose
// tip is want, stored under prefix, or nil when no advertised ref points exactly at it.
func tipSpec(refs map[string]plumbing.Hash, want plumbing.Hash, prefix string) []config.RefSpec {
	var specs []config.RefSpec
	for name, h := range refs {
		branchOrTag := strings.HasPrefix(name, "refs/heads/") || strings.HasPrefix(name, "refs/tags/")
		if h != want || !branchOrTag {
			continue
		}
		name = strings.TrimSuffix(name, "^{}")
		specs = []config.RefSpec{config.RefSpec("+" + name + ":" + prefix + strings.TrimPrefix(name, "refs/"))}
		if strings.HasPrefix(name, "refs/heads/") {
			break
		}
	}
	return specs
}

// CommitTree returns the tree hash of commit sha when an advertised branch or tag points
// exactly at it, fetching that ref (go-git cannot ask for one commit object): with depth 1
// into a temporary store, or into r.Cache, which answers after the ref advertisement alone
// when it holds the commit already (a commit's tree never changes). ok is false, with no
// error, when neither finds it: finding it would need the history, which only Promote fetches.
func CommitTree(ctx context.Context, r Remote, sha string) (tree string, ok bool, err error) {
	if !fullSHARE.MatchString(sha) {
		return "", false, newError("commit tree", ErrCommitNotFound, "%q is not a full 40-character SHA", sha)
	}
	if err := r.Validate(); err != nil {
		return "", false, err
	}
	// The ref advertisement comes first even with a cache: it checks the credentials, so
	// the cache never tells a caller what the server would not.
	refs, err := listRefs(ctx, r, noLog)
	if err != nil {
		return "", false, err
	}
	want := plumbing.NewHash(sha)
	ws, err := newWorkspace(ctx, "", r, noLog)
	if err != nil {
		return "", false, err
	}
	defer ws.close(noLog)
	depth := 1
	if ws.repo != nil {
		if c, err := object.GetCommit(ws.store, want); err == nil {
			return c.TreeHash.String(), true, nil
		}
		depth = 0
	}
	specs := tipSpec(refs, want, sourceRefs(r.URL))
	if specs == nil {
		return "", false, nil
	}
	read := func() (string, bool, error) {
		if err := ws.fetch(ctx, r, "source", specs, depth, noLog); err != nil {
			return "", false, scrub("commit tree", err, r.secrets()...)
		}
		if c, err := object.GetCommit(ws.store, want); err == nil {
			return c.TreeHash.String(), true, nil
		}
		return "", false, nil // the ref moved between the advertisement and the fetch
	}
	tree, ok, err = read()
	if err != nil && ws.corrupt && ws.reset() == nil {
		tree, ok, err = read()
	}
	return tree, ok, err
}

// fetchBranch fetches one branch and returns its head, or the zero hash when
// the repository is empty or has no such branch.
func (w *workspace) fetchBranch(ctx context.Context, r Remote, name, branch string, depth int, log logFunc) (plumbing.Hash, error) {
	local := destRef(branch)
	if name != "dest" {
		local = plumbing.ReferenceName("refs/promote/" + name + "/" + branch)
	}
	spec := config.RefSpec("+refs/heads/" + branch + ":" + local.String())
	err := w.fetch(ctx, r, name, []config.RefSpec{spec}, depth, log)
	var noMatch git.NoMatchingRefSpecError
	if errors.Is(err, transport.ErrEmptyRemoteRepository) || errors.As(err, &noMatch) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	ref, err := w.store.Reference(local)
	if err != nil {
		w.note(ctx, err)
		return plumbing.ZeroHash, scrub("fetch "+name, err, r.secrets()...)
	}
	return ref.Hash(), nil
}

// fetch runs one fetch, retried under r.Retry (a fetch only reads, so running it
// again is safe). It returns go-git's sentinel for an empty repository or a
// missing ref unchanged so callers can test for them; everything else is scrubbed.
// Into a cached store, go-git sends the commits the store's refs point at (and their
// recent ancestors) as haves, so the server sends only what is new.
func (w *workspace) fetch(ctx context.Context, r Remote, name string, specs []config.RefSpec, depth int, log logFunc) error {
	rem := git.NewRemote(w.store, &config.RemoteConfig{Name: name, URLs: []string{r.URL}, Fetch: specs})
	err := withRetries(ctx, r.Retry, log, "fetch "+name, func() error {
		return rem.FetchContext(ctx, &git.FetchOptions{RemoteName: name, RefSpecs: specs, Auth: r.auth(), Tags: git.NoTags, Depth: depth,
			CABundle: r.CABundle, InsecureSkipTLS: r.InsecureSkipTLS})
	})
	var noMatch git.NoMatchingRefSpecError
	switch {
	case err == nil:
		w.grew = true
		return nil
	case errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, transport.ErrEmptyRemoteRepository), errors.As(err, &noMatch):
		return err
	}
	w.note(ctx, err)
	return scrub("fetch "+name+" from "+RedactURL(r.URL), err, r.secrets()...)
}

func (w *workspace) writeCommit(tree plumbing.Hash, parents []plumbing.Hash, msg string, author, committer Signature) (plumbing.Hash, error) {
	now := time.Now()
	c := &object.Commit{
		Author:       author.sig(now),
		Committer:    committer.sig(now),
		Message:      msg,
		TreeHash:     tree,
		ParentHashes: parents,
	}
	obj := w.store.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, newError("commit", nil, "encode commit: %v", err)
	}
	h, err := w.store.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, newError("commit", nil, "store commit: %v", err)
	}
	return h, nil
}

func (s Signature) sig(now time.Time) object.Signature {
	if s.Name == "" && s.Email == "" {
		s.Name, s.Email = DefaultSignature.Name, DefaultSignature.Email
	}
	if s.When.IsZero() {
		s.When = now
	}
	return object.Signature{Name: s.Name, Email: s.Email, When: s.When}
}

// checkTree refuses a tree with a ".git" entry at any depth (any case, as
// on case-insensitive file systems): checked out, it would be taken for a
// repository directory. Only tree objects are read, never blobs.
func checkTree(s *filesystem.Storage, h plumbing.Hash, prefix string) error {
	t, err := object.GetTree(s, h)
	if err != nil {
		return newError("check tree", nil, "read tree %s: %v", h, err)
	}
	for _, e := range t.Entries {
		if strings.EqualFold(e.Name, ".git") {
			return newError("check tree", ErrUnsafeTree, "source tree contains %q", prefix+e.Name)
		}
		if e.Mode == 0o040000 {
			if err := checkTree(s, e.Hash, prefix+e.Name+"/"); err != nil {
				return err
			}
		}
	}
	return nil
}

type logFunc func(msg string, fields map[string]any)

// noLog is the logFunc of calls that take no logger (Head, ResolveRef, HeadTree).
func noLog(string, map[string]any) {}

// logger redacts every string field so a URL with userinfo or a password
// passed by mistake never reaches the caller's log.
func logger(f func(string, map[string]any), secrets []string) logFunc {
	if f == nil {
		return noLog
	}
	return func(msg string, fields map[string]any) {
		for k, v := range fields {
			if s, ok := v.(string); ok {
				fields[k] = Redact(s, secrets...)
			}
		}
		f(Redact(msg, secrets...), fields)
	}
}
