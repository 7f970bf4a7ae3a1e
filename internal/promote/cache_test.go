package promote

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/childbench"
)

// addFile commits one more file on top of repo's master (the rest of the tree kept),
// as a developer's small change would.
func (s *gitServer) addFile(t testing.TB, repo, name string, content []byte) string {
	t.Helper()
	gitDir, idx := filepath.Join(s.root, repo+".git"), filepath.Join(t.TempDir(), "index")
	run := func(stdin []byte, args ...string) string {
		cmd := exec.Command("git", append([]string{"--git-dir=" + gitDir}, args...)...)
		cmd.Env = append(os.Environ(), append(gitEnv, "GIT_INDEX_FILE="+idx)...)
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	parent := run(nil, "rev-parse", "refs/heads/master")
	run(nil, "read-tree", parent)
	blob := run(content, "hash-object", "-w", "--stdin")
	run(nil, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+name)
	c := run(nil, "commit-tree", run(nil, "write-tree"), "-p", parent, "-m", "change "+name)
	run(nil, "update-ref", "refs/heads/master", c, parent)
	return c
}

func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// cacheSetup makes "dev" with about size bytes of incompressible files and "prod" with
// a template commit.
func cacheSetup(t *testing.T, size int) (s *gitServer, devHead string) {
	t.Helper()
	s = newGitServer(t)
	s.newRepo(t, "dev")
	s.newRepo(t, "prod")
	devHead = s.commitGenerated(t, "dev", size)
	s.commit(t, "prod", "master", map[string]string{"README.md": "# prod\n"}, "Template")
	return s, devHead
}

// repromote promotes dev's head, adds a 10 KB file to dev, and promotes again; it returns
// the bytes the second promotion sent and fetched (both repositories, bodies only).
func repromote(t *testing.T, s *gitServer, cache *Cache, seed byte) (sent, fetched int64) {
	t.Helper()
	ctx := testCtx(t)
	promote := func() {
		t.Helper()
		src, dest := s.remote("dev"), s.remote("prod")
		src.Cache, dest.Cache = cache, cache
		head := s.git(t, "dev", "rev-parse", "master")
		res, err := Promote(ctx, Request{Source: src, SourceCommit: head, Dest: dest})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Pushed || s.git(t, "prod", "rev-parse", "master^{tree}") != s.git(t, "dev", "rev-parse", "master^{tree}") {
			t.Fatalf("promotion of %s did not ship the source tree: %+v", head, res)
		}
	}
	promote()
	s.addFile(t, "dev", "src/change.bin", randomBytes(10<<10, seed))
	ds0, df0, _ := s.traffic("dev")
	ps0, pf0, _ := s.traffic("prod")
	promote()
	ds, df, _ := s.traffic("dev")
	ps, pf, _ := s.traffic("prod")
	return ds - ds0 + ps - ps0, df - df0 + pf - pf0
}

func TestPromote_cacheFetchesOnlyNewObjects(t *testing.T) {
	const size = 4 << 20
	s, _ := cacheSetup(t, size)
	cache := &Cache{Dir: t.TempDir()}
	sent, fetched := repromote(t, s, cache, 1)
	t.Logf("with a cache, re-promotion after a 10 KiB change: sent %d bytes, fetched %d bytes", sent, fetched)
	if fetched > 64<<10 || sent > 64<<10 {
		t.Errorf("with a cache the re-promotion sent %d and fetched %d bytes; want each under 64 KiB for a 10 KiB change", sent, fetched)
	}

	// The same scenario without a cache fetches both histories again: the bound above
	// is what the cache buys, not a property of the server.
	s2, _ := cacheSetup(t, size)
	_, fetchedWithout := repromote(t, s2, nil, 1)
	if fetchedWithout < size {
		t.Errorf("without a cache the re-promotion fetched only %d bytes; want the whole repository (%d) or more", fetchedWithout, size)
	}
}

func TestPromote_cacheNegotiatesAfterAnotherPusher(t *testing.T) {
	s, devHead := cacheSetup(t, 1<<20)
	ctx := testCtx(t)
	cache := &Cache{Dir: t.TempDir()}
	src, dest := s.remote("dev"), s.remote("prod")
	dest.Cache = cache
	if _, err := Promote(ctx, Request{Source: src, SourceCommit: devHead, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	// Someone else adds 1 MiB to prod; the next promotion's fetch of prod brings that
	// commit but not prod's history again.
	s.addFile(t, "prod", "other.bin", randomBytes(1<<20, 2))
	next := s.addFile(t, "dev", "small.txt", []byte("small change\n"))
	_, pf0, _ := s.traffic("prod")
	_, df0, _ := s.traffic("dev")
	res, err := Promote(ctx, Request{Source: src, SourceCommit: next, Dest: dest})
	if err != nil || !res.Pushed {
		t.Fatalf("Promote = %+v, %v", res, err)
	}
	_, pf, _ := s.traffic("prod")
	_, df, _ := s.traffic("dev")
	if got := pf - pf0; got > (1<<20)+(64<<10) {
		t.Errorf("fetched %d bytes from prod; want about the other pusher's 1 MiB", got)
	}
	if got := df - df0; got > 32<<10 {
		t.Errorf("fetched %d bytes from dev for a one-line change", got)
	}
}

// checkRacedPromotions asserts that after promotions of devHead raced into prod and prod2
// through the cache in cacheDir, both hold dev's tree, each received exactly one push (the
// first pushes, the others find the tree there) and neither cache is damaged.
func checkRacedPromotions(t *testing.T, s *gitServer, devHead, cacheDir string) {
	t.Helper()
	want := s.git(t, "dev", "rev-parse", devHead+"^{tree}")
	for _, repo := range []string{"prod", "prod2"} {
		if got := s.git(t, repo, "rev-parse", "master^{tree}"); got != want {
			t.Errorf("%s tree = %s, want %s", repo, got, want)
		}
		if receive, _ := s.counts(repo); receive != 1 {
			t.Errorf("%s received %d pushes, want 1", repo, receive)
		}
		if reason := verifyRepo(filepath.Join(cacheDir, cacheKey(s.url(repo)))); reason != "" {
			t.Errorf("cache of %s damaged: %s", repo, reason)
		}
	}
}

func TestPromote_cacheSharedByConcurrentCalls(t *testing.T) {
	s, devHead := cacheSetup(t, 512<<10)
	s.newRepo(t, "prod2")
	ctx := testCtx(t)
	cache := &Cache{Dir: t.TempDir()}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dest := s.remote([]string{"prod", "prod2"}[i%2])
			dest.Cache = cache
			_, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: dest})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	checkRacedPromotions(t, s, devHead, cache.Dir)
}

func TestPromote_cacheLockWaitEndsWithContext(t *testing.T) {
	s, devHead := cacheSetup(t, 1<<10)
	cache := &Cache{Dir: t.TempDir()}
	// Another process holds prod's lock.
	other := flock.New(filepath.Join(cache.Dir, cacheKey(s.url("prod"))+".lock"))
	if err := other.Lock(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Unlock() }()
	dest := s.remote("prod")
	dest.Cache = cache
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: dest})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the context's deadline while waiting for the lock", err)
	}
	if _, up := s.counts("prod"); up != 0 {
		t.Error("fetched from prod without holding its cache lock")
	}
}

// cachePacks returns the pack files of repo's cache, failing the test when there are none.
func cachePacks(t *testing.T, cache *Cache, s *gitServer, repo string) []string {
	t.Helper()
	packs, err := filepath.Glob(filepath.Join(cache.Dir, cacheKey(s.url(repo)), "objects", "pack", "*.pack"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no pack in the cache of %s (%v)", repo, err)
	}
	return packs
}

func TestPromote_cacheRebuiltWhenDamaged(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, pack string)
	}{
		{"truncated pack", func(t *testing.T, pack string) {
			info, _ := os.Stat(pack)
			if err := os.Truncate(pack, info.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"pack body overwritten, checksums intact", func(t *testing.T, pack string) {
			b, err := os.ReadFile(pack)
			if err != nil {
				t.Fatal(err)
			}
			for i := 12; i < len(b)-20; i++ {
				b[i] = 0
			}
			if err := os.WriteFile(pack, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, devHead := cacheSetup(t, 256<<10)
			ctx := testCtx(t)
			cache := &Cache{Dir: t.TempDir()}
			dest := s.remote("prod")
			dest.Cache = cache
			if _, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			for _, p := range cachePacks(t, cache, s, "prod") {
				c.damage(t, p)
			}
			next := s.addFile(t, "dev", "more.txt", []byte("more\n"))
			var log logRecorder
			res, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: next, Dest: dest, Logf: log.logf})
			if err != nil || !res.Pushed {
				t.Fatalf("Promote over a damaged cache = %+v, %v\n%s", res, err, &log)
			}
			if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), s.git(t, "dev", "rev-parse", next+"^{tree}"); got != want {
				t.Fatalf("prod tree = %s, want %s", got, want)
			}
			if !strings.Contains(log.String(), "rebuilding") {
				t.Errorf("the log does not say the cache was rebuilt:\n%s", &log)
			}
			if reason := verifyRepo(filepath.Join(cache.Dir, cacheKey(s.url("prod")))); reason != "" {
				t.Errorf("cache still damaged after the call: %s", reason)
			}
		})
	}
}

func TestPromote_cacheHoldsNoCredential(t *testing.T) {
	s, devHead := cacheSetup(t, 64<<10)
	ctx := testCtx(t)
	cache := &Cache{Dir: t.TempDir()}
	src, dest := s.remote("dev"), s.remote("prod")
	src.Cache, dest.Cache = cache, cache
	if _, err := Promote(ctx, Request{Source: src, SourceCommit: devHead, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := HeadTree(ctx, dest, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := CommitTree(ctx, src, devHead); err != nil {
		t.Fatal(err)
	}
	forbidden := [][]byte{[]byte(testPass), []byte(base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPass))), []byte(testUser + ":")}
	files := 0
	err := filepath.WalkDir(cache.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, f := range forbidden {
			if bytes.Contains(b, f) {
				t.Errorf("%s holds %q", p, f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 || len(cachePacks(t, cache, s, "prod")) == 0 || len(cachePacks(t, cache, s, "dev")) == 0 {
		t.Fatalf("the cache is empty (%d files)", files)
	}
}

func TestHeadTreeAndCommitTree_cached(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	cache := &Cache{Dir: t.TempDir()}
	dev := s.remote("dev")
	dev.Cache = cache
	wantTree := s.git(t, "dev", "rev-parse", devHead+"^{tree}")
	if commit, tree, err := HeadTree(ctx, dev, ""); err != nil || commit != devHead || tree != wantTree {
		t.Fatalf("HeadTree = %s, %s, %v", commit, tree, err)
	}
	// The cache holds the commits now: their trees are known without a fetch, even for a
	// commit no ref points at.
	first := s.git(t, "dev", "rev-parse", "master~1")
	_, _, before := s.traffic("dev")
	for _, sha := range []string{devHead, first} {
		tree, ok, err := CommitTree(ctx, dev, sha)
		if err != nil || !ok || tree != s.git(t, "dev", "rev-parse", sha+"^{tree}") {
			t.Errorf("CommitTree(%s) = %s, %v, %v", sha, tree, ok, err)
		}
	}
	// One ref advertisement each (it checks the credentials), and no fetch.
	if _, _, after := s.traffic("dev"); after-before != 2 {
		t.Errorf("CommitTree of two cached commits made %d requests, want 2 ref advertisements", after-before)
	}
	if _, up := s.counts("dev"); up != 1 {
		t.Errorf("%d fetches from dev, want only HeadTree's", up)
	}
	// A commit the cache lacks is fetched once, then cached.
	next := s.addFile(t, "dev", "n.txt", []byte("n\n"))
	if tree, ok, err := CommitTree(ctx, dev, next); err != nil || !ok || tree != s.git(t, "dev", "rev-parse", next+"^{tree}") {
		t.Errorf("CommitTree(new) = %s, %v, %v", tree, ok, err)
	}
}

func TestCache_evictsLeastRecentlyUsed(t *testing.T) {
	s, _ := cacheSetup(t, 256<<10)
	s.newRepo(t, "prod2")
	s.newRepo(t, "prod3")
	ctx := testCtx(t)
	cache := &Cache{Dir: t.TempDir(), MaxBytes: 1 << 40}
	dir := func(repo string) string { return filepath.Join(cache.Dir, cacheKey(s.url(repo))) }
	promoteTo := func(repo string) {
		t.Helper()
		dest := s.remote(repo)
		dest.Cache = cache
		head := s.git(t, "dev", "rev-parse", "master")
		if _, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: head, Dest: dest}); err != nil {
			t.Fatal(err)
		}
	}
	promoteTo("prod")
	one := dirSize(dir("prod"))
	// Make prod the oldest for certain, whatever the file system's time resolution.
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(dir("prod"), old, old)

	// Room for two repositories: promoting to a second one keeps both.
	cache.MaxBytes = one*2 + one/2
	promoteTo("prod2")
	for _, repo := range []string{"prod", "prod2"} {
		if _, err := os.Stat(dir(repo)); err != nil {
			t.Fatalf("%s evicted while the cache was under its bound: %v", repo, err)
		}
	}
	// A third one does not fit: the least recently used (prod) goes, unless it is in use.
	lock := flock.New(dir("prod") + ".lock")
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	promoteTo("prod3")
	if _, err := os.Stat(dir("prod")); err != nil {
		t.Fatal("a repository another call holds was evicted")
	}
	if _, err := os.Stat(dir("prod2")); err == nil {
		t.Fatal("prod in use, so prod2 should have gone instead")
	}
	_ = lock.Unlock()
	// Room for one: a promotion that adds objects to prod3 keeps it, and the least recently
	// used (prod) goes.
	cache.MaxBytes = dirSize(dir("prod3")) + one/2
	s.addFile(t, "dev", "next.txt", []byte("next\n"))
	promoteTo("prod3")
	if _, err := os.Stat(dir("prod")); err == nil {
		t.Error("the least recently used repository was not evicted")
	}
	if _, err := os.Stat(dir("prod3")); err != nil {
		t.Errorf("the repository just used was evicted: %v", err)
	}
	if got := dirSize(cache.Dir); got > cache.MaxBytes {
		t.Errorf("cache holds %d bytes, bound %d", got, cache.MaxBytes)
	}
}

func TestCacheKey(t *testing.T) {
	base := cacheKey("https://git.example.com/git/alice/hello.git")
	for _, same := range []string{
		"https://GIT.example.com/git/alice/hello.git",
		"https://git.example.com/git/alice/hello.git/",
		"https://bob:secret@git.example.com/git/alice/hello.git",
	} {
		if cacheKey(same) != base {
			t.Errorf("cacheKey(%q) differs from the plain URL's", same)
		}
	}
	for _, other := range []string{
		"http://git.example.com/git/alice/hello.git",
		"https://git.example.com/git/alice/Hello.git",
		"https://git.example.com:8443/git/alice/hello.git",
	} {
		if cacheKey(other) == base {
			t.Errorf("cacheKey(%q) equals another repository's", other)
		}
	}
	if len(base) != 32 {
		t.Errorf("key %q is not 32 hex digits", base)
	}
}

// TestPromote_cacheSharedByConcurrentProcesses runs promotions in separate processes (this
// test binary re-executed) on one cache, as parallel Terraform runs would: the lock file
// serializes them per repository.
func TestPromote_cacheSharedByConcurrentProcesses(t *testing.T) {
	s, devHead := cacheSetup(t, 512<<10)
	s.newRepo(t, "prod2")
	dir := t.TempDir()
	var wg sync.WaitGroup
	outs := make([]string, 4)
	errs := make([]error, 4)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCacheChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "CACHE_CHILD_DIR="+dir, "CACHE_CHILD_SOURCE="+s.url("dev"),
				"CACHE_CHILD_DEST="+s.url([]string{"prod", "prod2"}[i%2]), "CACHE_CHILD_COMMIT="+devHead)
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || !strings.Contains(outs[i], "--- PASS: TestCacheChild") {
			t.Errorf("child %d: %v\n%s", i, err, outs[i])
		}
	}
	checkRacedPromotions(t, s, devHead, dir)
}

// TestCacheChild is TestPromote_cacheSharedByConcurrentProcesses's child process; it does
// nothing in a normal test run.
func TestCacheChild(t *testing.T) {
	dir := childbench.Getenv(t, "CACHE_CHILD_DIR")
	creds := &Credentials{Username: testUser, Password: testPass}
	cache := &Cache{Dir: dir}
	_, err := Promote(testCtx(t), Request{
		Source:       Remote{URL: os.Getenv("CACHE_CHILD_SOURCE"), Auth: creds, Cache: cache},
		SourceCommit: os.Getenv("CACHE_CHILD_COMMIT"),
		Dest:         Remote{URL: os.Getenv("CACHE_CHILD_DEST"), Auth: creds, Cache: cache},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPromote_unusableCacheFallsBackToTemporaryStore(t *testing.T) {
	s, devHead := cacheSetup(t, 1<<10)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dest := s.remote("prod")
	dest.Cache = &Cache{Dir: filepath.Join(blocker, "cache")} // under a file: cannot be created
	var log logRecorder
	res, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: dest, Logf: log.logf})
	if err != nil || !res.Pushed {
		t.Fatalf("Promote = %+v, %v", res, err)
	}
	if !strings.Contains(log.String(), "cannot be used") {
		t.Errorf("the log does not say the cache was skipped:\n%s", &log)
	}
}
