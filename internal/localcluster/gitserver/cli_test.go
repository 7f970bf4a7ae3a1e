package gitserver

import (
	"path/filepath"
	"strings"
	"testing"
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
	mustGit(t, work, "clone", f.url("alice/Hello.git", testUser, testKey), "c")
	clone := filepath.Join(work, "c")
	if got := mustGit(t, clone, "rev-parse", "HEAD"); got != sha {
		t.Fatalf("cloned HEAD %s, created %s", got, sha)
	}
	writeFile(t, filepath.Join(clone, "src/Hello.py"), "def apply(input):\n    return 'hi ' + input\n")
	mustGit(t, clone, "commit", "-qam", "change")
	newSHA := mustGit(t, clone, "rev-parse", "HEAD")
	mustGit(t, clone, "push", "-q", "origin", "master")
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
