package gitserver

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

var (
	aliceAuth = &githttp.BasicAuth{Username: testUser, Password: testKey}
	otherAuth = &githttp.BasicAuth{Username: otherUser, Password: otherKey}
)

func goClone(t *testing.T, url string, auth transport.AuthMethod) (*git.Repository, error) {
	t.Helper()
	return git.Clone(memory.NewStorage(), memfs.New(), &git.CloneOptions{URL: url, Auth: auth})
}

// goCommit writes one file in the clone's worktree and commits it.
func goCommit(t *testing.T, repo *git.Repository, path, content string, amend bool) plumbing.Hash {
	t.Helper()
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	fh, err := wt.Filesystem.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add(path); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Tester", Email: "tester@example.com", When: time.Now()}
	h, err := wt.Commit("change "+path, &git.CommitOptions{Author: sig, Committer: sig, Amend: amend})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func goPush(repo *git.Repository, auth transport.AuthMethod, force bool, spec string) error {
	return repo.Push(&git.PushOptions{Auth: auth, Force: force, RefSpecs: []config.RefSpec{config.RefSpec(spec)}})
}

func TestGoGit_cloneAndPush(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	url := f.srv.URL + "/git/alice/Hello.git"
	repo, err := goClone(t, url, aliceAuth)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := repo.Head()
	if head.Hash().String() != sha || head.Name() != plumbing.Master {
		t.Fatalf("clone HEAD %v, want master at %s", head, sha)
	}
	h := goCommit(t, repo, "src/Hello.py", "def apply(x): return x\n", false)
	if err := goPush(repo, aliceAuth, false, "refs/heads/master:refs/heads/master"); err != nil {
		t.Fatal(err)
	}
	if n := f.pushCount(); n != 1 {
		t.Fatalf("hook calls after Push returned = %d, want 1", n)
	}
	if p := f.pushes[0]; p.old != sha || p.new != h.String() {
		t.Fatalf("hook got %+v", p)
	}
	// An up-to-date push sends no pack and must not build.
	if err := goPush(repo, aliceAuth, false, "refs/heads/master:refs/heads/master"); !errors.Is(err, git.NoErrAlreadyUpToDate) {
		t.Fatalf("second push: %v", err)
	}
	if n := f.pushCount(); n != 1 {
		t.Fatalf("hook calls = %d after a no-op push", n)
	}

	// Force push of rewritten history is refused; master and hook unchanged.
	goCommit(t, repo, "other.txt", "rewrite", true)
	if err := goPush(repo, aliceAuth, true, "+refs/heads/master:refs/heads/master"); err == nil {
		t.Fatal("force push accepted")
	}
	if got, _ := f.repos.Head("alice", "Hello"); got != h.String() || f.pushCount() != 1 {
		t.Fatalf("after rejected force push: master %s, hook calls %d", got, f.pushCount())
	}
	// Deleting master is refused.
	if err := goPush(repo, aliceAuth, false, ":refs/heads/master"); err == nil {
		t.Fatal("deletion of master accepted")
	}
	if got, _ := f.repos.Head("alice", "Hello"); got != h.String() {
		t.Fatalf("master is %q after deletion attempt", got)
	}
}

func TestGoGit_authErrors(t *testing.T) {
	f := newFixture(t)
	f.createHello(t)
	url := f.srv.URL + "/git/alice/Hello.git"
	tests := []struct {
		name string
		auth transport.AuthMethod
		want error
	}{
		{"wrong password", &githttp.BasicAuth{Username: testUser, Password: "wrong"}, transport.ErrAuthenticationRequired},
		{"no credentials", nil, transport.ErrAuthenticationRequired},
		{"forbidden", &githttp.BasicAuth{Username: testUser, Password: testKey}, transport.ErrAuthorizationFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := url
			if tc.name == "forbidden" {
				// alice may not read another owner's repository.
				if _, err := f.repos.Create("bob", "Secret", template, "init"); err != nil {
					t.Fatal(err)
				}
				u = f.srv.URL + "/git/bob/Secret.git"
			}
			_, err := goClone(t, u, tc.auth)
			if !errors.Is(err, tc.want) {
				t.Fatalf("clone error %v, want %v", err, tc.want)
			}
		})
	}
	// A reader may clone but not push.
	repo, err := goClone(t, url, otherAuth)
	if err != nil {
		t.Fatal(err)
	}
	goCommit(t, repo, "m.txt", "m", false)
	if err := goPush(repo, otherAuth, false, "refs/heads/master:refs/heads/master"); !errors.Is(err, transport.ErrAuthorizationFailed) {
		t.Fatalf("push by reader: %v", err)
	}
}

func TestGoGit_publishedVersion(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	repo, err := goClone(t, f.srv.URL+"/git/alice/Hello.git", aliceAuth)
	if err != nil {
		t.Fatal(err)
	}
	goCommit(t, repo, "v2.txt", "two", false)
	if err := goPush(repo, aliceAuth, false, "refs/heads/master:refs/heads/master"); err != nil {
		t.Fatal(err)
	}
	if err := f.repos.PinVersion("alice", "Hello", "1.0.0", sha); err != nil {
		t.Fatal(err)
	}
	v, err := goClone(t, f.srv.URL+"/git/alice/Hello/1.0.0.git", aliceAuth)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := v.Head()
	if head.Hash().String() != sha {
		t.Fatalf("version clone at %s, want %s", head.Hash(), sha)
	}
	goCommit(t, v, "z.txt", "z", false)
	if err := goPush(v, aliceAuth, false, "refs/heads/master:refs/heads/master"); !errors.Is(err, transport.ErrAuthorizationFailed) {
		t.Fatalf("push to a version: %v", err)
	}
}

// TestGoGit_concurrentPushes races clients pushing to one repository. Each
// push that moved master must produce exactly one hook call, and the hook
// calls must chain: each starts where the previous one ended.
func TestGoGit_concurrentPushes(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	url := f.srv.URL + "/git/alice/Hello.git"
	const clients, rounds = 4, 3
	accepted := racePushes(t, clients, rounds, func(c, r int) (string, error) {
		repo, err := goClone(t, url, aliceAuth)
		if err != nil {
			t.Error(err)
			return "", err
		}
		h := goCommit(t, repo, fmt.Sprintf("c%d.txt", c), fmt.Sprintf("round %d", r), false)
		return h.String(), goPush(repo, aliceAuth, false, "refs/heads/master:refs/heads/master")
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(accepted) == 0 {
		t.Fatal("no push succeeded")
	}
	if len(f.pushes) != len(accepted) {
		t.Fatalf("%d hook calls for %d accepted pushes", len(f.pushes), len(accepted))
	}
	prev := sha
	for _, p := range f.pushes {
		if p.old != prev || !accepted[p.new] {
			t.Fatalf("hook chain broken at %+v (previous head %s)", p, prev)
		}
		prev = p.new
	}
	if head, _ := f.repos.Head("alice", "Hello"); head != prev {
		t.Fatalf("master %s, last hook head %s", head, prev)
	}
	if s := f.repos.Stats("alice", "Hello"); s.ReceivePacks < len(accepted) || s.UploadPacks != clients*rounds {
		t.Fatalf("stats %+v", s)
	}
	t.Logf("%d of %d pushes accepted", len(accepted), clients*rounds)
}
