package promote

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpcount"
)

// The test server is the reference implementation, `git http-backend`,
// behind HTTP Basic auth checked in Go, so the engine is tested against the
// same protocol a real Git host speaks (and its non-fast-forward refusal).

var gitEnv []string // isolates every git process from the machine's config

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "promote-gitenv-*")
	if err != nil {
		panic(err)
	}
	global := filepath.Join(dir, "gitconfig")
	if err := os.WriteFile(global, []byte("[init]\n\tdefaultBranch = master\n"), 0o600); err != nil {
		panic(err)
	}
	gitEnv = []string{
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + global, "HOME=" + dir,
		"GIT_AUTHOR_NAME=Test Author", "GIT_AUTHOR_EMAIL=author@example.test",
		"GIT_COMMITTER_NAME=Test Committer", "GIT_COMMITTER_EMAIL=committer@example.test",
		"GIT_TERMINAL_PROMPT=0",
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testUser   = "alice"
	testPass   = "s3cret-key/with+chars"
	readerUser = "reader"
	readerPass = "r3ad-only"
)

type gitServer struct {
	root    string
	srv     *httptest.Server
	backend string

	mu           sync.Mutex
	receivePacks map[string]int // POSTs to git-receive-pack per repo
	uploadPacks  map[string]int
	requests     map[string]int   // every request per repo
	sent         map[string]int64 // request body bytes per repo (client to server)
	fetched      map[string]int64 // response body bytes per repo (server to client)
	// hooks run before the request reaches http-backend, so a test can move
	// a branch at an exact protocol step.
	beforeReceiveAdv  func(repo string)
	beforeReceivePack func(repo string)
}

func newGitServer(t testing.TB) *gitServer {
	t.Helper()
	execPath := strings.TrimSpace(runGit(t, "", "--exec-path"))
	s := &gitServer{
		root:         t.TempDir(),
		backend:      filepath.Join(execPath, "git-http-backend"),
		receivePacks: map[string]int{},
		uploadPacks:  map[string]int{},
		requests:     map[string]int{},
		sent:         map[string]int64{},
		fetched:      map[string]int64{},
	}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *gitServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	known := (user == testUser && pass == testPass) || (user == readerUser && pass == readerPass)
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	repo, _, found := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), ".git/")
	if !found {
		http.NotFound(w, r)
		return
	}
	if _, err := os.Stat(filepath.Join(s.root, repo+".git")); err != nil {
		http.NotFound(w, r)
		return
	}
	isReceiveAdv := r.URL.Query().Get("service") == "git-receive-pack"
	isReceive := strings.HasSuffix(r.URL.Path, "/git-receive-pack")
	if (isReceiveAdv || isReceive) && user != testUser {
		http.Error(w, "read-only account", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	s.requests[repo]++
	var hook func(string)
	switch {
	case isReceive:
		s.receivePacks[repo]++
		hook = s.beforeReceivePack
	case isReceiveAdv:
		hook = s.beforeReceiveAdv
	case strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
		s.uploadPacks[repo]++
	}
	s.mu.Unlock()
	if hook != nil {
		hook(repo)
	}
	h := &cgi.Handler{
		Path: s.backend,
		Env:  append([]string{"GIT_PROJECT_ROOT=" + s.root, "GIT_HTTP_EXPORT_ALL=1", "REMOTE_USER=" + user}, gitEnv...),
	}
	body := httpcount.NewReader(r.Body)
	r.Body = body
	cw := httpcount.NewWriter(w)
	h.ServeHTTP(cw, r)
	s.mu.Lock()
	s.sent[repo] += body.N()
	s.fetched[repo] += cw.N()
	s.mu.Unlock()
}

// traffic is what the server received from and sent to clients for repo, bodies only.
func (s *gitServer) traffic(repo string) (sent, fetched int64, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[repo], s.fetched[repo], s.requests[repo]
}

func (s *gitServer) url(repo string) string { return s.srv.URL + "/" + repo + ".git" }

func (s *gitServer) remote(repo string) Remote {
	return Remote{URL: s.url(repo), Auth: &Credentials{Username: testUser, Password: testPass}}
}

func (s *gitServer) counts(repo string) (receive, upload int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.receivePacks[repo], s.uploadPacks[repo]
}

func (s *gitServer) setHooks(adv, recv func(string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beforeReceiveAdv, s.beforeReceivePack = adv, recv
}

// newRepo creates an empty bare repository that refuses non-fast-forwards,
// like the platform's.
func (s *gitServer) newRepo(t testing.TB, repo string) {
	t.Helper()
	dir := filepath.Join(s.root, repo+".git")
	runGit(t, "", "init", "-q", "--bare", "-b", "master", dir)
	s.git(t, repo, "config", "receive.denyNonFastForwards", "true")
	s.git(t, repo, "config", "receive.denyDeletes", "true")
}

func (s *gitServer) git(t testing.TB, repo string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(runGit(t, filepath.Join(s.root, repo+".git"), args...))
}

// commit writes a commit whose tree is exactly files on top of branch (if it
// exists) straight into the bare repository, as another pusher would.
func (s *gitServer) commit(t testing.TB, repo, branch string, files map[string]string, msg string) string {
	t.Helper()
	work := t.TempDir()
	for name, content := range files {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s.commitWorkTree(t, repo, branch, work, msg)
}

// commitWorkTree writes a commit whose tree is exactly the files under work on top of
// branch (if it exists) straight into the bare repository.
func (s *gitServer) commitWorkTree(t testing.TB, repo, branch, work, msg string) string {
	t.Helper()
	idx := filepath.Join(t.TempDir(), "index")
	gitDir := filepath.Join(s.root, repo+".git")
	withIndex := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"--git-dir=" + gitDir, "--work-tree=" + work}, args...)...)
		cmd.Env = append(os.Environ(), append(gitEnv, "GIT_INDEX_FILE="+idx)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	withIndex("add", "-A", ".")
	tree := withIndex("write-tree")
	args := []string{"commit-tree", tree, "-m", msg}
	parent, err := s.tryGit(repo, "rev-parse", "--verify", "-q", "refs/heads/"+branch)
	if err == nil {
		args = append(args, "-p", parent)
	}
	c := s.git(t, repo, args...)
	s.git(t, repo, "update-ref", "refs/heads/"+branch, c, parent)
	return c
}

func (s *gitServer) tryGit(repo string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"--git-dir=" + filepath.Join(s.root, repo+".git")}, args...)...)
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

func runGit(t testing.TB, gitDir string, args ...string) string {
	t.Helper()
	if gitDir != "" {
		args = append([]string{"--git-dir=" + gitDir}, args...)
	}
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestGitServerRejectsBadPassword(t *testing.T) {
	s := newGitServer(t)
	s.newRepo(t, "x")
	resp, err := http.Get(s.url("x") + "/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", resp.StatusCode)
	}
}

func execGit(s *gitServer, repo string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"--git-dir=" + filepath.Join(s.root, repo+".git")}, args...)...)
	cmd.Env = append(os.Environ(), gitEnv...)
	return cmd
}
