package gitserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

func TestOpenHostPrefix(t *testing.T) {
	for _, p := range []string{"", "/", "ext/gh/", "/ext/gh"} {
		if _, err := OpenHost(t.TempDir(), p); err == nil {
			t.Errorf("OpenHost(%q) succeeded", p)
		}
	}
}

func TestHostParse(t *testing.T) {
	r, err := OpenHost(t.TempDir(), "/ext/gh/")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path        string
		ok          bool
		owner, name string
	}{
		{"/ext/gh/octo-cat/my.repo/info/refs", true, "octo-cat", "my.repo"},
		{"/ext/gh/octo/repo.git/git-upload-pack", true, "octo", "repo"},
		{"/ext/gh/octo/repo/HEAD", true, "octo", "repo"},
		{"/ext/gh/octo/../info/refs", false, "", ""},
		{"/ext/gh/.tmp/x/info/refs", false, "", ""},
		{"/ext/gh/octo/repo/config", false, "", ""},
		{"/ext/gh/octo/info/refs", false, "", ""},
		{"/git/octo/repo.git/info/refs", false, "", ""},
		{"/ext/gh/octo/repo/1.0.0.git/info/refs", false, "", ""},
	} {
		q, ok := r.parse(c.path)
		if ok != c.ok || (ok && (q.owner != c.owner || q.name != c.name)) {
			t.Errorf("parse(%q) = %+v, %v; want %s/%s, %v", c.path, q, ok, c.owner, c.name, c.ok)
		}
	}
	for name, want := range map[string]bool{"a": true, "A-b_c.d": true, "-a": false, ".a": false, "a.git": false, "a/b": false, strings.Repeat("a", 101): false} {
		if ValidHostName(name) != want {
			t.Errorf("ValidHostName(%q) = %v", name, !want)
		}
	}
}

// TestHostDefaultBranch: the push hook follows the repository's own default
// branch, and URLs work with and without ".git".
func TestHostDefaultBranch(t *testing.T) {
	r, err := OpenHost(t.TempDir(), "/ext/gh/")
	if err != nil {
		t.Fatal(err)
	}
	sha, err := r.CreateOn("octo", "repo", "main", map[string][]byte{"README.md": []byte("hi\n")}, "Initial commit")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := r.DefaultBranch("octo", "repo"); err != nil || b != "main" {
		t.Fatalf("DefaultBranch = %q, %v", b, err)
	}
	if h, err := r.Head("octo", "repo"); err != nil || h != sha {
		t.Fatalf("Head = %q, %v; want %s", h, err, sha)
	}
	var (
		mu     sync.Mutex
		pushes []string
	)
	srv := httptest.NewServer(r.Handler(func(_, pass, _, _ string, _ bool) error {
		if pass != "tok" {
			return ErrUnauthenticated
		}
		return nil
	}, func(_, _, _, newHead string) {
		mu.Lock()
		pushes = append(pushes, newHead)
		mu.Unlock()
	}))
	defer srv.Close()
	dir := t.TempDir()
	url := strings.Replace(srv.URL, "http://", "http://u:tok@", 1) + "/ext/gh/octo/repo"
	gittest.Must(t, dir, "clone", "-q", url, "w")
	w := dir + "/w"
	gittest.Must(t, w, "commit", "-q", "--allow-empty", "-m", "on main")
	gittest.Must(t, w, "push", "-q", "origin", "main")
	gittest.Must(t, w, "push", "-q", url+".git", "main:feature")
	head := gittest.Must(t, w, "rev-parse", "HEAD")
	if len(pushes) != 1 || pushes[0] != head {
		t.Fatalf("push hook calls = %v, want one for main's %s", pushes, head)
	}
	resp, err := http.Get(srv.URL + "/ext/gh/octo/repo/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d", resp.StatusCode)
	}
}
