package gitserver

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// Credentials the test authorizer accepts. The key contains "/" on purpose:
// clone URLs carry it as %2F (CONTRACT.md §8.1).
const (
	testUser  = "alice"
	testKey   = "simA/b+c"
	otherUser = "mallory"
	otherKey  = "simOther"
)

// racePushes runs clients goroutines that each call push rounds times, and returns the
// commits whose push was accepted (push returned a nil error). A client stops once the
// test has failed.
func racePushes(t *testing.T, clients, rounds int, push func(c, r int) (sha string, err error)) map[string]bool {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted = map[string]bool{}
	)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for r := 0; r < rounds && !t.Failed(); r++ {
				if sha, err := push(c, r); err == nil {
					mu.Lock()
					accepted[sha] = true
					mu.Unlock()
				}
			}
		}(c)
	}
	wg.Wait()
	return accepted
}

// createHello creates alice/Hello from the template and returns its master commit.
func (f *fixture) createHello(t *testing.T) string {
	t.Helper()
	sha, err := f.repos.Create("alice", "Hello", template, "init")
	if err != nil {
		t.Fatal(err)
	}
	return sha
}

// pushRecord is one PushHook call.
type pushRecord struct{ owner, name, old, new string }

// fixture is a Repos behind an httptest server with a recording authorizer
// and push hook.
type fixture struct {
	t     *testing.T
	repos *Repos
	srv   *httptest.Server

	mu     sync.Mutex
	pushes []pushRecord
	auths  []string // "user:password:write" as the authorizer received them
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	repos, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, repos: repos}
	auth := func(user, pass, owner, name string, write bool) error {
		f.mu.Lock()
		f.auths = append(f.auths, user+":"+pass+":"+map[bool]string{true: "w", false: "r"}[write])
		f.mu.Unlock()
		switch {
		case user == testUser && pass == testKey:
			if owner != testUser {
				return ErrForbidden
			}
			return nil
		case user == otherUser && pass == otherKey:
			if write {
				return ErrForbidden
			}
			return nil
		}
		return ErrUnauthenticated
	}
	hook := func(owner, name, oldHead, newHead string) {
		f.mu.Lock()
		f.pushes = append(f.pushes, pushRecord{owner, name, oldHead, newHead})
		f.mu.Unlock()
	}
	f.srv = httptest.NewServer(repos.Handler(auth, hook))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) pushCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pushes)
}

func (f *fixture) lastAuth() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.auths) == 0 {
		return ""
	}
	return f.auths[len(f.auths)-1]
}

// url is the clone URL of a repository path such as "alice/Hello.git", with
// the key percent-encoded the way the platform documented.
func (f *fixture) url(path, user, key string) string {
	u := strings.Replace(f.srv.URL, "http://", "http://"+user+":"+strings.ReplaceAll(strings.ReplaceAll(key, "/", "%2F"), "+", "%2B")+"@", 1)
	return u + "/git/" + path
}

// commitFileCLI writes text to file in the git CLI clone dir and commits it with text as
// the message.
func commitFileCLI(t *testing.T, dir, file, text string) {
	t.Helper()
	gittest.WriteFile(t, filepath.Join(dir, file), text)
	gittest.Must(t, dir, "add", file)
	gittest.Must(t, dir, "commit", "-qm", text)
}
