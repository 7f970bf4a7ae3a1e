package gitserver

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestCreate_templateCommit(t *testing.T) {
	f := newFixture(t)
	sha, err := f.repos.Create("alice", "Hello", template, "Adding Algorithmia files")
	if err != nil {
		t.Fatal(err)
	}
	paths, read, err := f.repos.Tree("alice", "Hello", sha)
	if err != nil {
		t.Fatal(err)
	}
	want := "README.md,algorithmia.conf,requirements.txt,src/Hello.py,src/Hello_test.py,src/__init__.py"
	if strings.Join(paths, ",") != want {
		t.Fatalf("tree %v, want %s", paths, want)
	}
	for p, content := range template {
		got, err := read(p)
		if err != nil || string(got) != string(content) {
			t.Errorf("%s: %q, %v; want %q", p, got, err, content)
		}
	}
	if _, err := read("src/missing.py"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error %v, want fs.ErrNotExist", err)
	}
	// commit "" means master.
	if p2, _, err := f.repos.Tree("alice", "Hello", ""); err != nil || len(p2) != len(paths) {
		t.Errorf("Tree(master): %v, %v", p2, err)
	}

	dir := filepath.Join(f.repos.Root(), "alice", "Hello.git")
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	if c.Author.String() != "Algorithmia <support@algorithmia.com>" || c.Message != "Adding Algorithmia files" || c.NumParents() != 0 {
		t.Fatalf("commit author %q message %q parents %d", c.Author.String(), c.Message, c.NumParents())
	}
	head, _ := os.ReadFile(filepath.Join(dir, "HEAD"))
	if string(head) != "ref: refs/heads/master\n" {
		t.Fatalf("HEAD = %q", head)
	}
	// git itself must find the repository sound (tree order, config).
	gittest.Must(t, dir, "fsck", "--strict", "--no-progress")
	for key, want := range map[string]string{"receive.denyNonFastForwards": "true", "receive.denyDeletes": "true", "http.receivepack": "true"} {
		if got := gittest.Must(t, dir, "config", "--get", key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// Nothing is left in the work area.
	if left, _ := os.ReadDir(filepath.Join(f.repos.Root(), ".tmp")); len(left) != 0 {
		t.Errorf("work area not empty: %v", left)
	}
}

func TestCreate_errors(t *testing.T) {
	repos, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repos.Create("alice", "Hello", template, "init"); err != nil {
		t.Fatal(err)
	}
	if _, err := repos.Create("alice", "Hello", template, "init"); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate create: %v", err)
	}
	for _, bad := range [][2]string{{"..", "x"}, {"alice", "../x"}, {"alice", "a/b"}, {"1abc", "x"}, {"alice", strings.Repeat("a", 31)}, {"", "x"}, {"alice", "x.git"}} {
		if _, err := repos.Create(bad[0], bad[1], template, "init"); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Create(%q, %q): %v", bad[0], bad[1], err)
		}
	}
	if _, err := repos.Create("alice", "Evil", map[string][]byte{"../escape": nil}, "init"); err == nil {
		t.Error("file path escaping the tree accepted")
	}
	if repos.Exists("alice", "Evil") {
		t.Error("failed create left a repository")
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	if err := f.repos.PinVersion("alice", "Hello", "0.1.0", sha); err != nil {
		t.Fatal(err)
	}
	if err := f.repos.Delete("alice", "Hello"); err != nil {
		t.Fatal(err)
	}
	if f.repos.Exists("alice", "Hello") {
		t.Fatal("repository still exists")
	}
	if _, err := f.repos.Head("alice", "Hello"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Head after delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.repos.Root(), "alice", "Hello")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("version directory left behind: %v", err)
	}
	if err := f.repos.Delete("alice", "Hello"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if code, _ := f.get(t, "/git/alice/Hello.git/info/refs?service=git-upload-pack", testUser, testKey); code != http.StatusNotFound {
		t.Fatalf("info/refs after delete: %d", code)
	}
	// The name can be reused at once.
	if _, err := f.repos.Create("alice", "Hello", template, "again"); err != nil {
		t.Fatal(err)
	}
}

func TestPinVersion_errors(t *testing.T) {
	repos, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sha, err := repos.Create("alice", "Hello", template, "init")
	if err != nil {
		t.Fatal(err)
	}
	if err := repos.PinVersion("alice", "Hello", "1.0", sha); !errors.Is(err, ErrInvalidName) {
		t.Errorf("bad semver: %v", err)
	}
	if err := repos.PinVersion("alice", "Hello", "1.0.0", strings.Repeat("0", 40)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown commit: %v", err)
	}
	if err := repos.PinVersion("alice", "Nope", "1.0.0", sha); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown repo: %v", err)
	}
	if err := repos.PinVersion("alice", "Hello", "1.0.0", sha); err != nil {
		t.Fatal(err)
	}
	if err := repos.PinVersion("alice", "Hello", "1.0.0", sha); err != nil {
		t.Errorf("re-pinning the same commit: %v", err)
	}
}

func TestOpen_requiresGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Open(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "git binary is required") {
		t.Fatalf("Open without git: %v", err)
	}
}

// get sends one GET with optional Basic credentials and returns status and
// WWW-Authenticate.
func (f *fixture) get(t *testing.T, path, user, pass string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

func TestHandler_statusCodes(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	if err := f.repos.PinVersion("alice", "Hello", "0.1.0", sha); err != nil {
		t.Fatal(err)
	}
	const up, rp = "?service=git-upload-pack", "?service=git-receive-pack"
	tests := []struct {
		name, path, user, pass string
		code                   int
		lastAuth               string // what the authorizer saw, if called
	}{
		{"read", "/git/alice/Hello.git/info/refs" + up, testUser, testKey, 200, testUser + ":" + testKey + ":r"},
		{"write advertisement", "/git/alice/Hello.git/info/refs" + rp, testUser, testKey, 200, testUser + ":" + testKey + ":w"},
		{"no credentials", "/git/alice/Hello.git/info/refs" + up, "", "", 401, ""},
		{"wrong password", "/git/alice/Hello.git/info/refs" + up, testUser, "wrong", 401, testUser + ":wrong:r"},
		{"reader asks to write", "/git/alice/Hello.git/info/refs" + rp, otherUser, otherKey, 403, otherUser + ":" + otherKey + ":w"},
		{"key sent still encoded", "/git/alice/Hello.git/info/refs" + up, testUser, "simA%2Fb+c", 200, testUser + ":" + testKey + ":r"},
		{"unknown repository", "/git/alice/Nope.git/info/refs" + up, testUser, testKey, 404, ""},
		{"version read", "/git/alice/Hello/0.1.0.git/info/refs" + up, testUser, testKey, 200, ""},
		{"version write", "/git/alice/Hello/0.1.0.git/info/refs" + rp, testUser, testKey, 403, ""},
		{"unknown version", "/git/alice/Hello/9.9.9.git/info/refs" + up, testUser, testKey, 404, ""},
		{"dumb HEAD", "/git/alice/Hello.git/HEAD", testUser, testKey, 200, ""},
		{"traversal", "/git/alice/Hello.git/../../../etc/passwd", testUser, testKey, 404, ""},
		{"work area", "/git/.tmp/x.git/info/refs" + up, testUser, testKey, 404, ""},
		{"not git", "/git/alice/Hello.git/config", testUser, testKey, 404, ""},
		{"bad semver", "/git/alice/Hello/1.0.git/info/refs" + up, testUser, testKey, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, challenge := f.get(t, tc.path, tc.user, tc.pass)
			if code != tc.code {
				t.Fatalf("status %d, want %d", code, tc.code)
			}
			if (code == 401) != (challenge == `Basic realm="Algorithmia"`) {
				t.Fatalf("status %d with WWW-Authenticate %q", code, challenge)
			}
			if tc.lastAuth != "" && f.lastAuth() != tc.lastAuth {
				t.Fatalf("authorizer saw %q, want %q", f.lastAuth(), tc.lastAuth)
			}
		})
	}
}

// TestOpen_reopenAfterCrash simulates a kill -9 during Create: the half-built
// repository sits in the work area, invisible, and the next Open clears it
// while keeping every finished repository.
func TestOpen_reopenAfterCrash(t *testing.T) {
	root := t.TempDir()
	repos, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	sha, err := repos.Create("alice", "Hello", template, "init")
	if err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(root, ".tmp", "create-123")
	if err := os.MkdirAll(filepath.Join(half, "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	again, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(half); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("leftover not cleared: %v", err)
	}
	if h, err := again.Head("alice", "Hello"); err != nil || h != sha {
		t.Fatalf("Head after reopen = %q, %v; want %s", h, err, sha)
	}
}
