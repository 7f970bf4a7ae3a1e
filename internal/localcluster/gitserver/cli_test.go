package gitserver

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

var template = map[string][]byte{
	"algorithmia.conf":  []byte(`{"username":"alice","algoname":"Hello","language":"python3"}`),
	"requirements.txt":  []byte("algorithmia>=1.0.0,<2.0\n"),
	"src/__init__.py":   nil,
	"src/Hello.py":      []byte("def apply(input):\n    return input\n"),
	"src/Hello_test.py": []byte("from . import Hello\n"),
	"README.md":         []byte("# Hello\n"),
}

func TestCLI_cloneAndPushRunsHookBeforeReturning(t *testing.T) {
	f := newFixture(t)
	sha, err := f.repos.Create("alice", "Hello", template, "Adding Algorithmia files")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	gittest.Must(t, work, "clone", f.url("alice/Hello.git", testUser, testKey), "c")
	clone := filepath.Join(work, "c")
	if got := gittest.Must(t, clone, "rev-parse", "HEAD"); got != sha {
		t.Fatalf("cloned HEAD %s, created %s", got, sha)
	}
	gittest.WriteFile(t, filepath.Join(clone, "src/Hello.py"), "def apply(input):\n    return 'hi ' + input\n")
	gittest.Must(t, clone, "commit", "-qam", "change")
	newSHA := gittest.Must(t, clone, "rev-parse", "HEAD")
	gittest.Must(t, clone, "push", "-q", "origin", "master")
	// The hook must already have run when push returned.
	if n := f.pushCount(); n != 1 {
		t.Fatalf("hook calls after push returned = %d, want 1", n)
	}
	if p := f.pushes[0]; p != (pushRecord{"alice", "Hello", sha, newSHA}) {
		t.Fatalf("hook got %+v", p)
	}
	if h, _ := f.repos.Head("alice", "Hello"); h != newSHA {
		t.Fatalf("Head = %s, want %s", h, newSHA)
	}
	if !strings.HasSuffix(f.lastAuth(), ":w") || !strings.HasPrefix(f.lastAuth(), testUser+":"+testKey+":") {
		t.Fatalf("authorizer got %q, want decoded key with write", f.lastAuth())
	}
}

// cloneCLI creates alice/Hello and clones it with the git CLI.
func cloneCLI(t *testing.T, f *fixture) (clone, sha string) {
	t.Helper()
	sha, err := f.repos.Create("alice", "Hello", template, "Adding Algorithmia files")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	gittest.Must(t, work, "clone", "-q", f.url("alice/Hello.git", testUser, testKey), "c")
	return filepath.Join(work, "c"), sha
}

func TestCLI_forcePushRejected(t *testing.T) {
	f := newFixture(t)
	clone, sha := cloneCLI(t, f)
	gittest.WriteFile(t, filepath.Join(clone, "x.txt"), "x")
	gittest.Must(t, clone, "add", "x.txt")
	gittest.Must(t, clone, "commit", "-q", "--amend", "-m", "rewritten")
	out, err := gittest.Run(t, clone, "push", "--force", "origin", "master")
	if err == nil {
		t.Fatalf("force push succeeded:\n%s", out)
	}
	if !strings.Contains(out, "non-fast-forward") {
		t.Errorf("push output does not name the reason:\n%s", out)
	}
	if h, _ := f.repos.Head("alice", "Hello"); h != sha {
		t.Fatalf("master moved to %s", h)
	}
	if n := f.pushCount(); n != 0 {
		t.Fatalf("hook called %d times for a rejected push", n)
	}
	if s := f.repos.Stats("alice", "Hello"); s.ReceivePacks != 1 || s.UploadPacks != 1 {
		t.Fatalf("stats %+v, want one clone and one push", s)
	}
}

func TestCLI_branchDeletionRejected(t *testing.T) {
	f := newFixture(t)
	clone, sha := cloneCLI(t, f)
	// Other branches may be pushed; they do not move master, so no build.
	gittest.Must(t, clone, "push", "-q", "origin", "master:feature")
	if n := f.pushCount(); n != 0 {
		t.Fatalf("hook called for a push to feature")
	}
	for _, ref := range []string{":feature", ":master"} {
		out, err := gittest.Run(t, clone, "push", "origin", ref)
		if err == nil || !strings.Contains(out, "deletion prohibited") {
			t.Fatalf("push %s: err %v\n%s", ref, err, out)
		}
	}
	if h, _ := f.repos.Head("alice", "Hello"); h != sha {
		t.Fatalf("master moved to %q", h)
	}
	if out := gittest.Must(t, clone, "ls-remote", "origin"); !strings.Contains(out, "refs/heads/feature") {
		t.Fatalf("feature was deleted:\n%s", out)
	}
}

func TestCLI_authFailures(t *testing.T) {
	f := newFixture(t)
	f.createHello(t)
	work := t.TempDir()
	tests := []struct {
		name, url, want string
	}{
		{"wrong password", f.url("alice/Hello.git", testUser, "nope"), "Authentication failed"},
		{"no credentials", f.srv.URL + "/git/alice/Hello.git", "could not read Username"},
		{"unknown repository", f.url("alice/Nope.git", testUser, testKey), "not found"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := gittest.Run(t, work, "clone", tc.url, "c"+string(rune('0'+i)))
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("clone: err %v, output lacks %q:\n%s", err, tc.want, out)
			}
			if strings.Contains(out, "nope") || strings.Contains(out, "simA") {
				t.Fatalf("git printed a credential:\n%s", out)
			}
		})
	}
	// A reader who may not write: clone works, push is refused with 403.
	gittest.Must(t, work, "clone", "-q", f.url("alice/Hello.git", otherUser, otherKey), "m")
	clone := filepath.Join(work, "m")
	commitFileCLI(t, clone, "y.txt", "y")
	out, err := gittest.Run(t, clone, "push", "origin", "master")
	if err == nil || !strings.Contains(out, "403") {
		t.Fatalf("push by a reader: err %v\n%s", err, out)
	}
	if f.pushCount() != 0 {
		t.Fatal("hook called for a refused push")
	}
}

func TestCLI_publishedVersion(t *testing.T) {
	f := newFixture(t)
	clone, sha := cloneCLI(t, f)
	if err := f.repos.PinVersion("alice", "Hello", "0.1.0", sha); err != nil {
		t.Fatal(err)
	}
	commitFileCLI(t, clone, "later.txt", "later")
	gittest.Must(t, clone, "push", "-q", "origin", "master")

	work := t.TempDir()
	gittest.Must(t, work, "clone", "-q", f.url("alice/Hello/0.1.0.git", testUser, testKey), "v")
	v := filepath.Join(work, "v")
	if got := gittest.Must(t, v, "rev-parse", "HEAD"); got != sha {
		t.Fatalf("version clone at %s, want pinned %s", got, sha)
	}
	if out := gittest.Must(t, v, "ls-files"); strings.Contains(out, "later.txt") {
		t.Fatalf("version clone has later files:\n%s", out)
	}
	gittest.Must(t, v, "fsck", "--no-progress")

	commitFileCLI(t, v, "z.txt", "z")
	out, err := gittest.Run(t, v, "push", "origin", "master")
	if err == nil || !strings.Contains(out, "403") {
		t.Fatalf("push to a version: err %v\n%s", err, out)
	}
	if f.pushCount() != 1 {
		t.Fatalf("hook calls %d, want 1 (the push to master only)", f.pushCount())
	}
}
