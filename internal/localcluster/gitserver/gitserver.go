// Package gitserver owns the local cluster's Git repositories: one bare
// repository per algorithm under a root directory, read-only repositories for
// published versions, and the Git smart HTTP endpoints under /git/.
//
// The protocol itself is spoken by the real `git http-backend` behind
// net/http/cgi, because it is the reference implementation (protocol v2,
// side-band, shallow clones, receive.denyNonFastForwards) and go-git v5 has
// no HTTP server. This package only authenticates in Go, serialises pushes
// per repository and reports pushes that moved master. It never decides who
// may do what (the Authorizer does), never starts builds itself (the
// PushHook does) and never runs user code. `git` is therefore a run-time
// dependency of the local cluster.
//
// Layout under the root:
//
//	OWNER/NAME.git            the algorithm's bare repository (master is built)
//	OWNER/NAME/SEMVER.git     a published version: its objects are borrowed from
//	                          NAME.git through objects/info/alternates, master
//	                          is the published commit, pushes are refused
//	.tmp/                     work area; repositories are assembled here and
//	                          renamed into place so a crash never leaves a half
//	                          repository visible
//
// OpenHost serves the same protocol and push rules for an external Git host
// (a stand-in for GitHub, GitLab or Bitbucket) under a prefix of its own,
// with the hosts' naming rules and a default branch per repository; see
// OpenHost.
//
// Choices the public record left open:
//   - A request without credentials gets 401 and a Basic challenge without
//     consulting the Authorizer, so there is no anonymous access, even to
//     open-source algorithms; the git CLI then asks for credentials.
//   - Writes to a version URL are refused with 403 before authentication:
//     they can never succeed, whoever asks.
//   - A password that the Authorizer rejects and that contains "%" is tried
//     once more percent-decoded, for clients that forward a clone URL's
//     %2F-encoded key verbatim (CONTRACT.md §8.1).
//   - Pushes to branches other than master are accepted but do not call the
//     PushHook, because only master is built (CONTRACT.md §6.3). Deleting any branch and
//     rewriting any history are refused (receive.denyDeletes,
//     receive.denyNonFastForwards).
//   - A request body of unknown length (chunked, as the git CLI sends any
//     request above http.postBuffer) is spooled to a file in the work area
//     and handed to http-backend with CONTENT_LENGTH; bodies above
//     MaxRequestBytes get 413. The platform published no limit.
//   - Stats are in memory and restart from zero with the process.
package gitserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

var (
	// ErrUnauthenticated means the credentials are missing or wrong; the
	// handler answers 401 with a Basic challenge so the git CLI retries.
	ErrUnauthenticated = errors.New("gitserver: authentication required")
	// ErrForbidden means the caller is known but may not do this (403).
	ErrForbidden = errors.New("gitserver: forbidden")
	// ErrNotFound means the repository or version does not exist (404).
	ErrNotFound = errors.New("gitserver: repository not found")
	// ErrExists is returned by Create and PinVersion when the target exists.
	ErrExists = errors.New("gitserver: repository already exists")
	// ErrInvalidName is returned for an owner, name or version that is not
	// allowed; the patterns also guarantee no path can leave the root.
	ErrInvalidName = errors.New("gitserver: invalid owner, algorithm name or version")
)

// Author is the identity of template commits, as the platform used.
var Author = object.Signature{Name: "Algorithmia", Email: "support@algorithmia.com"}

var (
	namePattern   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	semverPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	hashPattern   = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// Repos owns the bare repositories under one root directory. It is safe for
// concurrent use; one Repos must own a root at a time.
type Repos struct {
	root    string
	backend string // path of git-http-backend
	prefix  string // URL path the handler serves: "/git/", or an external host's own prefix
	host    bool   // an external host's layout (OpenHost)

	// ErrorLog receives the CGI layer's errors and http-backend's stderr.
	// nil discards them. Set it before serving; it never sees credentials.
	ErrorLog *log.Logger

	// MaxRequestBytes caps a Git request body; 0 means
	// DefaultMaxRequestBytes. Larger requests get 413.
	MaxRequestBytes int64

	mu    sync.Mutex
	locks map[string]*sync.Mutex
	stats map[string]*Stats
}

// Stats counts the packs served for one algorithm since the process started
// (upload-packs include its version repositories). Tests use it to prove
// that a no-op plan transfers no pack.
type Stats struct {
	UploadPacks  int // POST git-upload-pack except protocol v2 ref listings: fetch negotiations and clones
	ReceivePacks int // POST git-receive-pack: pushes, accepted or not
	// UploadPackBytes is the size of the upload-pack answers (what fetches and clones
	// received, packs included), so tests can tell an incremental fetch from a full one.
	UploadPackBytes int64
}

// Open prepares root (creating it if needed) and checks that the git binary
// is usable, because every Git request runs `git http-backend`.
func Open(root string) (*Repos, error) { return open(root, "/git/", false) }

// OpenHost opens root as the repositories of an external Git host (a stand-in
// for GitHub, GitLab or Bitbucket) served under prefix, such as "/ext/github/".
// Its layout differs from the cluster's: owners and repository names follow
// the hosts' looser rules (letters, digits, ".", "-", "_"), each repository
// has a default branch of its own (CreateOn), which is the branch pushes to
// report to the PushHook, URLs may omit the ".git" suffix (as GitHub's do),
// and there are no version repositories. The push rules are the same.
func OpenHost(root, prefix string) (*Repos, error) {
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") || prefix == "/" {
		return nil, fmt.Errorf("gitserver: host prefix %q must start and end with / and not be /", prefix)
	}
	return open(root, prefix, true)
}

func open(root, prefix string, host bool) (*Repos, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("gitserver: the git binary is required at run time but `git --exec-path` failed: %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("gitserver: git is installed but git-http-backend is missing: %w", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("gitserver: root: %w", err)
	}
	r := &Repos{root: abs, backend: backend, prefix: prefix, host: host, locks: map[string]*sync.Mutex{}, stats: map[string]*Stats{}}
	// Leftovers of a crash are invisible (never renamed into place) but
	// would pile up; nobody else uses the work area, so clear it.
	if err := os.RemoveAll(r.tmpDir()); err != nil {
		return nil, fmt.Errorf("gitserver: clearing work area: %w", err)
	}
	if err := os.MkdirAll(r.tmpDir(), 0o755); err != nil {
		return nil, fmt.Errorf("gitserver: creating root: %w", err)
	}
	return r, nil
}

// Root returns the absolute directory holding the repositories.
func (r *Repos) Root() string { return r.root }

func (r *Repos) tmpDir() string { return filepath.Join(r.root, ".tmp") }

func (r *Repos) repoDir(owner, name string) string {
	return filepath.Join(r.root, owner, name+".git")
}

func (r *Repos) versionDir(owner, name, semver string) string {
	return filepath.Join(r.root, owner, name, semver+".git")
}

func validName(s string) bool { return len(s) <= 30 && namePattern.MatchString(s) }

// hostNamePattern is what external hosts accept as an owner or repository
// name; starting with a letter or digit keeps "." and ".." out.
var hostNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// ValidHostName reports whether s may name an owner or a repository on an
// external host (OpenHost).
func ValidHostName(s string) bool {
	return hostNamePattern.MatchString(s) && !strings.HasSuffix(s, ".git")
}

// validate checks owner and name against the layout's rules.
func (r *Repos) validate(owner, name string) error {
	if !r.host {
		return validate(owner, name)
	}
	if !ValidHostName(owner) || !ValidHostName(name) {
		return ErrInvalidName
	}
	return nil
}

func validate(owner, name string) error {
	if !validName(owner) || !validName(name) {
		return ErrInvalidName
	}
	return nil
}

// lock returns the mutex that serialises writes to one algorithm's
// repositories: receive-pack, Create, Delete and PinVersion.
func (r *Repos) lock(owner, name string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := owner + "/" + name
	m := r.locks[k]
	if m == nil {
		m = &sync.Mutex{}
		r.locks[k] = m
	}
	return m
}

// Stats returns the counters for owner/name (zero if never served).
func (r *Repos) Stats(owner, name string) Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.stats[owner+"/"+name]; s != nil {
		return *s
	}
	return Stats{}
}

func (r *Repos) count(owner, name string, upload bool, uploadBytes int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := owner + "/" + name
	s := r.stats[k]
	if s == nil {
		s = &Stats{}
		r.stats[k] = s
	}
	if upload {
		s.UploadPacks++
		s.UploadPackBytes += uploadBytes
	} else {
		s.ReceivePacks++
	}
}

// Exists reports whether the algorithm's repository exists.
func (r *Repos) Exists(owner, name string) bool {
	if r.validate(owner, name) != nil {
		return false
	}
	fi, err := os.Stat(r.repoDir(owner, name))
	return err == nil && fi.IsDir()
}

// denyRewrites is the start of every repository's config: history is never rewritten
// and branches are never deleted (CONTRACT.md §8.1).
const denyRewrites = `[core]
	repositoryformatversion = 0
	filemode = true
	bare = true
[receive]
	denyNonFastForwards = true
	denyDeletes = true
`

// repoConfig makes http-backend enforce the platform's rules and accept pushes. gc runs
// in the foreground so it finishes while the push still holds the repository lock.
const repoConfig = denyRewrites + `[http]
	receivepack = true
[gc]
	autoDetach = false
`

// versionConfig refuses pushes even if a client reaches http-backend.
const versionConfig = denyRewrites + `[http]
	receivepack = false
`

// Create makes owner/name's bare repository with one commit on master
// holding files, and returns the commit's SHA. The repository appears
// atomically (assembled under .tmp, then renamed), so a crash leaves either
// nothing or a complete repository.
func (r *Repos) Create(owner, name string, files map[string][]byte, message string) (string, error) {
	return r.CreateOn(owner, name, "master", files, message)
}

// CreateOn is Create with another default branch: the repository's HEAD
// names branch, which holds the commit and is the branch builds follow.
func (r *Repos) CreateOn(owner, name, branch string, files map[string][]byte, message string) (string, error) {
	if plumbing.NewBranchReferenceName(branch).Validate() != nil || branch == "" {
		return "", fmt.Errorf("%w: branch %q", ErrInvalidName, branch)
	}
	if err := r.validate(owner, name); err != nil {
		return "", err
	}
	m := r.lock(owner, name)
	m.Lock()
	defer m.Unlock()

	final := r.repoDir(owner, name)
	if _, err := os.Stat(final); err == nil {
		return "", fmt.Errorf("%w: %s/%s", ErrExists, owner, name)
	}
	tmp, err := os.MkdirTemp(r.tmpDir(), "create-")
	if err != nil {
		return "", fmt.Errorf("gitserver: create %s/%s: %w", owner, name, err)
	}
	defer os.RemoveAll(tmp) // no-op once renamed

	sha, err := initWithCommit(tmp, branch, files, message)
	if err != nil {
		return "", fmt.Errorf("gitserver: create %s/%s: %w", owner, name, err)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", fmt.Errorf("gitserver: create %s/%s: %w", owner, name, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("gitserver: create %s/%s: %w", owner, name, err)
	}
	r.mu.Lock()
	delete(r.stats, owner+"/"+name) // a recreated algorithm starts from zero
	r.mu.Unlock()
	return sha, nil
}

func initWithCommit(dir, branch string, files map[string][]byte, message string) (string, error) {
	ref := plumbing.NewBranchReferenceName(branch)
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		Bare:        true,
		InitOptions: git.InitOptions{DefaultBranch: ref},
	})
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(repoConfig), 0o644); err != nil {
		return "", err
	}
	st := repo.Storer
	root := &dirNode{}
	for p, data := range files {
		clean := filepath.ToSlash(filepath.Clean(p))
		if clean == "." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "/") || clean == ".." {
			return "", fmt.Errorf("invalid file path %q", p)
		}
		h, err := writeObject(st, plumbing.BlobObject, data)
		if err != nil {
			return "", err
		}
		root.add(strings.Split(clean, "/"), h)
	}
	treeHash, err := root.write(st)
	if err != nil {
		return "", err
	}
	sig := Author
	sig.When = time.Now().UTC().Truncate(time.Second)
	commit := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: treeHash}
	obj := st.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		return "", err
	}
	h, err := st.SetEncodedObject(obj)
	if err != nil {
		return "", err
	}
	if err := st.SetReference(plumbing.NewHashReference(ref, h)); err != nil {
		return "", err
	}
	return h.String(), nil
}

func writeObject(st storer.EncodedObjectStorer, t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := st.NewEncodedObject()
	obj.SetType(t)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// dirNode is a directory being assembled into Git tree objects.
type dirNode struct {
	files map[string]plumbing.Hash
	dirs  map[string]*dirNode
}

func (d *dirNode) add(parts []string, h plumbing.Hash) {
	if len(parts) == 1 {
		if d.files == nil {
			d.files = map[string]plumbing.Hash{}
		}
		d.files[parts[0]] = h
		return
	}
	if d.dirs == nil {
		d.dirs = map[string]*dirNode{}
	}
	c := d.dirs[parts[0]]
	if c == nil {
		c = &dirNode{}
		d.dirs[parts[0]] = c
	}
	c.add(parts[1:], h)
}

func (d *dirNode) write(st storer.EncodedObjectStorer) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	for n, h := range d.files {
		entries = append(entries, object.TreeEntry{Name: n, Mode: filemode.Regular, Hash: h})
	}
	for n, c := range d.dirs {
		h, err := c.write(st)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: n, Mode: filemode.Dir, Hash: h})
	}
	// Git orders entries as if directory names ended in "/"; any other
	// order makes fsck complain and changes the tree hash.
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
	obj := st.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// Delete removes owner/name's repository and its version repositories. It
// returns an error wrapping ErrNotFound if there was none.
func (r *Repos) Delete(owner, name string) error {
	if err := r.validate(owner, name); err != nil {
		return err
	}
	m := r.lock(owner, name)
	m.Lock()
	defer m.Unlock()
	final := r.repoDir(owner, name)
	if _, err := os.Stat(final); err != nil {
		return fmt.Errorf("%w: %s/%s", ErrNotFound, owner, name)
	}
	// Versions first: they borrow objects from the main repository.
	for _, dir := range []string{filepath.Join(r.root, owner, name), final} {
		if err := removeAtomically(r.tmpDir(), dir); err != nil {
			return fmt.Errorf("gitserver: delete %s/%s: %w", owner, name, err)
		}
	}
	r.mu.Lock()
	delete(r.stats, owner+"/"+name)
	r.mu.Unlock()
	return nil
}

// removeAtomically renames dir into the work area before removing it, so a
// crash mid-removal never leaves a half repository at a served path.
func removeAtomically(tmpRoot, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	tmp, err := os.MkdirTemp(tmpRoot, "delete-")
	if err != nil {
		return err
	}
	if err := os.Rename(dir, filepath.Join(tmp, "x")); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.RemoveAll(tmp)
}

// Head returns the SHA of owner/name's default branch (master on the cluster).
func (r *Repos) Head(owner, name string) (string, error) {
	if err := r.validate(owner, name); err != nil {
		return "", err
	}
	dir := r.repoDir(owner, name)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("%w: %s/%s", ErrNotFound, owner, name)
	}
	return readHead(dir)
}

// DefaultBranch returns the branch owner/name's HEAD names.
func (r *Repos) DefaultBranch(owner, name string) (string, error) {
	if err := r.validate(owner, name); err != nil {
		return "", err
	}
	dir := r.repoDir(owner, name)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("%w: %s/%s", ErrNotFound, owner, name)
	}
	ref, err := headRef(dir)
	return strings.TrimPrefix(ref, "refs/heads/"), err
}

// headRef returns the branch HEAD points at (refs/heads/master when HEAD
// is not symbolic, which no repository of this package has).
func headRef(gitDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", err
	}
	if ref, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "ref: "); ok && strings.HasPrefix(ref, "refs/heads/") {
		return ref, nil
	}
	return "refs/heads/master", nil
}

// readHead reads the default branch (the one HEAD names) straight from the
// files (loose, then packed-refs): it is called twice around every push and a
// process or a full go-git open would cost more than the push's own
// bookkeeping.
func readHead(gitDir string) (string, error) {
	ref, err := headRef(gitDir)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(ref)))
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	f, err := os.Open(filepath.Join(gitDir, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if sha, name, ok := strings.Cut(line, " "); ok && name == ref {
			return sha, nil
		}
	}
	return "", sc.Err()
}

// Tree lists the files of commit (the default branch's head if commit is "") in owner/name's
// repository and returns a reader for them. read's errors wrap
// fs.ErrNotExist for paths that are not files of the tree.
func (r *Repos) Tree(owner, name, commit string) ([]string, func(string) ([]byte, error), error) {
	if err := r.validate(owner, name); err != nil {
		return nil, nil, err
	}
	dir := r.repoDir(owner, name)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s/%s", ErrNotFound, owner, name)
	}
	if commit == "" {
		if commit, err = readHead(dir); err != nil {
			return nil, nil, err
		}
	}
	if !hashPattern.MatchString(commit) {
		return nil, nil, fmt.Errorf("%w: commit %q", ErrNotFound, commit)
	}
	c, err := repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: commit %s in %s/%s", ErrNotFound, commit, owner, name)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("gitserver: tree of %s: %w", commit, err)
	}
	var paths []string
	err = tree.Files().ForEach(func(f *object.File) error {
		paths = append(paths, f.Name)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("gitserver: tree of %s: %w", commit, err)
	}
	sort.Strings(paths)
	read := func(p string) ([]byte, error) {
		f, err := tree.File(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		}
		rd, err := f.Reader()
		if err != nil {
			return nil, err
		}
		defer rd.Close()
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rd)
		return buf.Bytes(), err
	}
	return paths, read, nil
}

// PinVersion makes /git/OWNER/NAME/SEMVER.git clonable, read-only, at
// commit. The version repository borrows objects through a relative
// alternates path (so the data directory can be moved) and needs no copy.
// Pinning the same version to the same commit again is a no-op.
func (r *Repos) PinVersion(owner, name, semver, commit string) error {
	if err := r.validate(owner, name); err != nil {
		return err
	}
	if !semverPattern.MatchString(semver) {
		return fmt.Errorf("%w: version %q", ErrInvalidName, semver)
	}
	if !hashPattern.MatchString(commit) {
		return fmt.Errorf("%w: commit %q", ErrNotFound, commit)
	}
	m := r.lock(owner, name)
	m.Lock()
	defer m.Unlock()
	main := r.repoDir(owner, name)
	repo, err := git.PlainOpen(main)
	if err != nil {
		return fmt.Errorf("%w: %s/%s", ErrNotFound, owner, name)
	}
	if _, err := repo.CommitObject(plumbing.NewHash(commit)); err != nil {
		return fmt.Errorf("%w: commit %s in %s/%s", ErrNotFound, commit, owner, name)
	}
	final := r.versionDir(owner, name, semver)
	if _, err := os.Stat(final); err == nil {
		if cur, _ := readHead(final); cur == commit {
			return nil
		}
		return fmt.Errorf("%w: %s/%s version %s", ErrExists, owner, name, semver)
	}
	tmp, err := os.MkdirTemp(r.tmpDir(), "version-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files := map[string]string{
		"HEAD":                    "ref: refs/heads/master\n",
		"config":                  versionConfig,
		"objects/info/alternates": "../../../" + name + ".git/objects\n",
		"refs/heads/master":       commit + "\n",
	}
	for _, d := range []string{"objects/info", "objects/pack", "refs/heads", "refs/tags"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return err
		}
	}
	for p, content := range files {
		if err := os.WriteFile(filepath.Join(tmp, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}
