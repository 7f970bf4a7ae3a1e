package gitserver

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
	"github.com/go-git/go-billy/v5/memfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// TestHandler_gzipRequestBody proves http-backend inflates gzip request
// bodies itself (the git CLI compresses large upload-pack requests), so the
// Go layer must pass them through untouched.
func TestHandler_gzipRequestBody(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	if _, err := io.WriteString(zw, "0014command=ls-refs\n0000"); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	status, out := postUploadPack(t, f, &body, "gzip")
	if status != 200 || !strings.Contains(out, sha+" refs/heads/master") {
		t.Fatalf("status %d, body %q", status, out)
	}
}

// TestCLI_concurrentPushes races git CLI pushes with go-git pushes on one
// repository: exactly one hook call per push that moved master.
func TestCLI_concurrentPushes(t *testing.T) {
	f := newFixture(t)
	f.createHello(t)
	url := f.url("alice/Hello.git", testUser, testKey)
	const clients, rounds = 4, 2
	accepted := racePushes(t, clients, rounds, func(c, r int) (string, error) {
		if c%2 != 0 {
			repo, err := goClone(t, f.srv.URL+"/git/alice/Hello.git", aliceAuth)
			if err != nil {
				t.Error(err)
				return "", err
			}
			sha := goCommit(t, repo, fmt.Sprintf("go%d.txt", c), fmt.Sprint(r), false).String()
			return sha, goPush(repo, aliceAuth, false, "refs/heads/master:refs/heads/master")
		}
		dir := filepath.Join(t.TempDir(), "c")
		if out, err := gittest.Run(t, filepath.Dir(dir), "clone", "-q", url, "c"); err != nil {
			t.Errorf("clone: %v\n%s", err, out)
			return "", err
		}
		gittest.WriteFile(t, filepath.Join(dir, fmt.Sprintf("cli%d.txt", c)), fmt.Sprint(r))
		for _, args := range [][]string{{"add", "."}, {"commit", "-qm", "cli"}} {
			if out, err := gittest.Run(t, dir, args...); err != nil {
				t.Errorf("%s: %v\n%s", args[0], err, out)
				return "", err
			}
		}
		sha, _ := gittest.Run(t, dir, "rev-parse", "HEAD")
		_, err := gittest.Run(t, dir, "push", "-q", "origin", "master")
		return strings.TrimSpace(sha), err
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.pushes) != len(accepted) || len(accepted) == 0 {
		t.Fatalf("%d hook calls for %d accepted pushes", len(f.pushes), len(accepted))
	}
	for _, p := range f.pushes {
		if !accepted[p.new] {
			t.Fatalf("hook reported %s, which no client saw accepted", p.new)
		}
	}
	t.Logf("%d of %d pushes accepted", len(accepted), clients*rounds)
}

// FuzzParsePath checks that no URL reaches http-backend unless it names a
// valid repository and a whitelisted service, whatever the client sends.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"/git/alice/Hello.git/info/refs", "/git/alice/Hello/1.0.0.git/git-upload-pack",
		"/git/alice/Hello.git/../../x", "/git/.tmp/a.git/HEAD", "/git/a/b/c/d.git/HEAD",
		"/git/alice/Hello.git/objects/ab/" + strings.Repeat("c", 38),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		q, ok := parsePath(p)
		if !ok {
			return
		}
		if validate(q.owner, q.name) != nil || !servicePath.MatchString(q.service) || strings.Contains(p, "..") {
			t.Fatalf("accepted %q as %+v", p, q)
		}
		if q.semver != "" && !semverPattern.MatchString(q.semver) {
			t.Fatalf("accepted version %q", q.semver)
		}
	})
}

func BenchmarkCreate(b *testing.B) {
	repos, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := repos.Create("alice", fmt.Sprintf("A%d", i), template, "init"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoGitPush measures one go-git commit+push round trip through
// http-backend, including the hook bookkeeping.
func BenchmarkGoGitPush(b *testing.B) {
	repos, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := repos.Create("alice", "Hello", template, "init"); err != nil {
		b.Fatal(err)
	}
	pushes := 0
	srv := newBenchServer(repos, func(string, string, string, string) { pushes++ })
	defer srv.Close()
	repo, err := goCloneB(srv.URL + "/git/alice/Hello.git")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if err := commitAndPushB(repo, i); err != nil {
			b.Fatal(err)
		}
	}
	if pushes != b.N {
		b.Fatalf("%d hook calls for %d pushes", pushes, b.N)
	}
}

func newBenchServer(repos *Repos, hook PushHook) *httptest.Server {
	auth := func(user, pass, owner, name string, write bool) error { return nil }
	return httptest.NewServer(repos.Handler(auth, hook))
}

func goCloneB(url string) (*git.Repository, error) {
	return git.Clone(memory.NewStorage(), memfs.New(), &git.CloneOptions{URL: url, Auth: aliceAuth})
}

func commitAndPushB(repo *git.Repository, i int) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	fh, err := wt.Filesystem.Create("bench.txt")
	if err != nil {
		return err
	}
	fmt.Fprint(fh, i)
	fh.Close()
	if _, err := wt.Add("bench.txt"); err != nil {
		return err
	}
	sig := &object.Signature{Name: "Bench", Email: "bench@example.com", When: time.Now()}
	if _, err := wt.Commit(fmt.Sprint(i), &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		return err
	}
	return repo.Push(&git.PushOptions{Auth: aliceAuth})
}
