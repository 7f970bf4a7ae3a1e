package promote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var devFiles = map[string]string{
	"algorithmia.conf":         `{"username":"dev","algoname":"hello","language":"python3"}`,
	"requirements.txt":         "algorithmia>=1.0.0,<2.0\n",
	"src/__init__.py":          "",
	"src/hello.py":             "def apply(input):\n    return 'hello ' + input\n",
	".gitignore":               "*.pyc\n",
	".github/workflows/ci.yml": "on: push\n",
	"docs/.git-keep":           "",
	"deep/nested/dir/file.txt": "x",
}

func with(files map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// setup makes "dev" with two commits and "prod" with one template commit.
func setup(t *testing.T) (s *gitServer, devHead, prodHead string) {
	s = newGitServer(t)
	s.newRepo(t, "dev")
	s.newRepo(t, "prod")
	s.commit(t, "dev", "master", map[string]string{"README.md": "# hello\n"}, "Initial commit")
	devHead = s.commit(t, "dev", "master", devFiles, "Adding Algorithmia files")
	prodHead = s.commit(t, "prod", "master", map[string]string{"README.md": "# prod\n", "src/prod.py": "x"}, "Template")
	return s, devHead, prodHead
}

type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestPromote_firstThenNoopThenNewer(t *testing.T) {
	s, devHead, prodHead := setup(t)
	ctx := testCtx(t)
	work := t.TempDir()
	logs := &logRecorder{}
	req := Request{
		Source: s.remote("dev"), SourceCommit: devHead,
		Dest:    s.remote("prod"),
		Message: "Promote " + devHead + " from " + s.url("dev"),
		WorkDir: work,
		Logf:    logs.logf,
	}

	res, err := Promote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.Attempts != 1 || res.PreviousDestHead != prodHead || res.SourceCommit != devHead || res.PackBytes <= 0 {
		t.Fatalf("unexpected result %+v", res)
	}
	if got := s.git(t, "prod", "rev-parse", "master"); got != res.DestCommit {
		t.Fatalf("prod master = %s, result says %s", got, res.DestCommit)
	}
	wantTree := s.git(t, "dev", "rev-parse", devHead+"^{tree}")
	if got := s.git(t, "prod", "rev-parse", "master^{tree}"); got != wantTree || res.SourceTree != wantTree {
		t.Fatalf("prod tree = %s (result %s), want dev tree %s", got, res.SourceTree, wantTree)
	}
	if got := s.git(t, "prod", "rev-parse", "master^"); got != prodHead {
		t.Fatalf("parent = %s, want previous prod head %s", got, prodHead)
	}
	if got := s.git(t, "prod", "log", "-1", "--format=%B", "master"); got != req.Message {
		t.Fatalf("message = %q, want %q", got, req.Message)
	}
	if got := s.git(t, "prod", "rev-list", "--count", "master"); got != "2" {
		t.Fatalf("prod history has %s commits, want 2 (template + promotion)", got)
	}
	if got := s.git(t, "dev", "rev-parse", "master"); got != devHead {
		t.Fatalf("dev master moved to %s", got)
	}
	s.git(t, "prod", "fsck", "--strict")
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Fatalf("work dir not cleaned: %v", entries)
	}
	if recv, _ := s.counts("prod"); recv != 1 {
		t.Fatalf("receive-pack POSTs = %d, want 1", recv)
	}
	if l := logs.String(); strings.Contains(l, testPass) || !strings.Contains(l, "pushed") {
		t.Fatalf("logs leak the password or miss progress:\n%s", l)
	}

	// Same commit again: trees are equal, so nothing is committed or pushed.
	again, err := Promote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again.Pushed || again.DestCommit != res.DestCommit || again.PackBytes != 0 {
		t.Fatalf("second promotion should be a no-op, got %+v", again)
	}
	if recv, _ := s.counts("prod"); recv != 1 {
		t.Fatalf("no-op promotion pushed: receive-pack POSTs = %d", recv)
	}

	// A newer dev commit lands on top, keeping the first promotion in history.
	newer := s.commit(t, "dev", "master", with(devFiles, "src/hello.py", "def apply(input):\n    return 'hi ' + input\n"), "Say hi")
	req.SourceCommit = newer
	third, err := Promote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !third.Pushed || third.PreviousDestHead != res.DestCommit {
		t.Fatalf("newer promotion %+v should sit on %s", third, res.DestCommit)
	}
	if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), s.git(t, "dev", "rev-parse", newer+"^{tree}"); got != want {
		t.Fatalf("prod tree %s, want %s", got, want)
	}
	if got := s.git(t, "prod", "rev-list", "--count", "master"); got != "3" {
		t.Fatalf("prod history has %s commits, want 3", got)
	}
}

func TestPromote_defaultMessageAndSignature(t *testing.T) {
	s, devHead, _ := setup(t)
	res, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: strings.ToUpper(devHead), Dest: s.remote("prod")})
	if err != nil {
		t.Fatal(err)
	}
	msg := s.git(t, "prod", "log", "-1", "--format=%B", res.DestCommit)
	if !strings.Contains(msg, devHead) || !strings.Contains(msg, s.url("dev")) || strings.Contains(msg, testPass) {
		t.Fatalf("default message %q should name the source URL and SHA only", msg)
	}
	if !strings.Contains(msg, "Source-Commit: "+devHead+"\n") || !strings.HasSuffix(msg, "Source-Repository: "+s.url("dev")) {
		t.Fatalf("default message %q lacks the Source-Commit and Source-Repository trailers", msg)
	}
	if got := s.git(t, "prod", "log", "-1", "--format=%an <%ae>|%cn", res.DestCommit); got != DefaultSignature.Name+" <"+DefaultSignature.Email+">|"+DefaultSignature.Name {
		t.Fatalf("signature = %q", got)
	}
}

func TestResolveRef(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	first := s.git(t, "dev", "rev-parse", "master^")
	s.git(t, "dev", "tag", "-a", "v1.0.0", "-m", "release", first)
	s.git(t, "dev", "tag", "light", devHead)
	feature := s.commit(t, "dev", "feature", with(devFiles, "feature.txt", "f"), "Feature work")
	// "both" is a branch and a tag at different commits.
	s.git(t, "dev", "update-ref", "refs/heads/both", devHead)
	s.git(t, "dev", "tag", "both", first)
	r := s.remote("dev")

	cases := []struct {
		ref, want string
		err       error
	}{
		{"master", devHead, nil},
		{"refs/heads/master", devHead, nil},
		{"HEAD", devHead, nil},
		{"v1.0.0", first, nil}, // annotated: the peeled commit, not the tag object
		{"refs/tags/v1.0.0", first, nil},
		{"light", devHead, nil},
		{"feature", feature, nil},
		{devHead[:10], devHead, nil},
		{strings.ToUpper(devHead), devHead, nil},
		{"refs/heads/both", devHead, nil},
		{"refs/tags/both", first, nil},
		{"both", "", ErrRefNotFound},
		{"nope", "", ErrRefNotFound},
		{"deadbeef", "", ErrRefNotFound},
		{"", "", ErrRefNotFound},
		// Not advertised but well-formed: returned for Promote to verify.
		{strings.Repeat("ab", 20), strings.Repeat("ab", 20), nil},
	}
	for _, c := range cases {
		got, err := ResolveRef(ctx, r, c.ref)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ResolveRef(%q) error = %v, want %v", c.ref, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ResolveRef(%q) = %q, %v; want %q", c.ref, got, err, c.want)
		}
	}

	// Promote by tag and by a commit reachable only from a non-default branch.
	for _, ref := range []string{"v1.0.0", "feature"} {
		sha, err := ResolveRef(ctx, r, ref)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Promote(ctx, Request{Source: r, SourceCommit: sha, Dest: s.remote("prod")})
		if err != nil {
			t.Fatalf("promote %s: %v", ref, err)
		}
		if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), s.git(t, "dev", "rev-parse", sha+"^{tree}"); got != want || res.SourceTree != want {
			t.Fatalf("promote %s: prod tree %s, want %s", ref, got, want)
		}
	}
}

func TestPromote_commitOnlyInAncestry(t *testing.T) {
	// A commit that no ref points at directly but that a branch reaches.
	s, _, _ := setup(t)
	first := s.git(t, "dev", "rev-parse", "master^")
	_, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: first, Dest: s.remote("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), s.git(t, "dev", "rev-parse", first+"^{tree}"); got != want {
		t.Fatalf("prod tree %s, want %s", got, want)
	}
}

func TestPromote_unknownCommit(t *testing.T) {
	s, devHead, prodHead := setup(t)
	ctx := testCtx(t)
	// A dangling commit exists on the server but no ref reaches it.
	dangling := s.commit(t, "dev", "tmp", map[string]string{"x": "y"}, "dangling")
	s.git(t, "dev", "update-ref", "-d", "refs/heads/tmp")
	for _, sha := range []string{strings.Repeat("0123456789", 4), dangling, devHead[:12], "not-a-sha"} {
		_, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: sha, Dest: s.remote("prod")})
		if !errors.Is(err, ErrCommitNotFound) {
			t.Errorf("Promote(%q) error = %v, want ErrCommitNotFound", sha, err)
		}
	}
	if got := s.git(t, "prod", "rev-parse", "master"); got != prodHead {
		t.Fatalf("prod moved to %s after failures", got)
	}
}

func TestPromote_authErrorsNeverLeakPassword(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	wrong := Remote{URL: s.url("dev"), Auth: &Credentials{Username: testUser, Password: "wrong-P@ss/word"}}
	reader := Remote{URL: s.url("prod"), Auth: &Credentials{Username: readerUser, Password: readerPass}}
	check := func(name string, err error, secret string) {
		t.Helper()
		if !errors.Is(err, ErrAuth) {
			t.Errorf("%s: error = %v, want ErrAuth", name, err)
			return
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error leaks the password: %v", name, err)
		}
	}
	_, err := ResolveRef(ctx, wrong, "master")
	check("ResolveRef", err, wrong.Auth.Password)
	_, err = Head(ctx, wrong, "")
	check("Head", err, wrong.Auth.Password)
	_, err = Promote(ctx, Request{Source: wrong, SourceCommit: devHead, Dest: s.remote("prod")})
	check("Promote source", err, wrong.Auth.Password)
	_, err = Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: Remote{URL: s.url("prod"), Auth: wrong.Auth}})
	check("Promote dest", err, wrong.Auth.Password)
	_, err = Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: reader})
	check("Promote read-only dest (403)", err, readerPass)
}

func TestPromote_missingRepository(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	if _, err := ResolveRef(ctx, s.remote("gone"), "master"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ResolveRef error = %v, want ErrNotFound", err)
	}
	if _, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("gone")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Promote error = %v, want ErrNotFound", err)
	}
}

func TestCredentialsInURLRejected(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	bad := Remote{URL: strings.Replace(s.url("dev"), "://", "://"+testUser+":"+"hunter2@", 1)}
	checks := map[string]error{}
	_, checks["ResolveRef"] = ResolveRef(ctx, bad, "master")
	_, checks["Head"] = Head(ctx, bad, "")
	_, _, checks["HeadTree"] = HeadTree(ctx, bad, "")
	_, checks["Promote source"] = Promote(ctx, Request{Source: bad, SourceCommit: devHead, Dest: s.remote("prod")})
	_, checks["Promote dest"] = Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: bad})
	for name, err := range checks {
		if !errors.Is(err, ErrInvalidRemote) || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "credentials") {
			t.Errorf("%s: error = %v, want ErrInvalidRemote without the password", name, err)
		}
	}
	if err := ValidateURL("ssh://git@example.com/x.git"); !errors.Is(err, ErrInvalidRemote) {
		t.Errorf("ssh URL accepted: %v", err)
	}
	if recv, up := s.counts("dev"); recv+up != 0 {
		t.Errorf("a rejected URL still reached the server")
	}
}

// raceOnce moves prod's master once, from the server side, at the moment
// the hook fires.
func raceOnce(t *testing.T, s *gitServer, files map[string]string) (hook func(string), winner func() string) {
	var once sync.Once
	var sha string
	return func(repo string) {
			if repo == "prod" {
				once.Do(func() { sha = s.commit(t, "prod", "master", files, "concurrent push") })
			}
		}, func() string {
			return sha
		}
}

func TestPromote_concurrentPushRetries(t *testing.T) {
	for _, stage := range []string{"advertisement", "receive-pack"} {
		t.Run(stage, func(t *testing.T) {
			s, devHead, prodHead := setup(t)
			hook, winner := raceOnce(t, s, map[string]string{"README.md": "hotfix\n"})
			if stage == "advertisement" {
				s.setHooks(hook, nil) // caught by the engine's pre-push check
			} else {
				s.setHooks(nil, hook) // refused by the server's ref update
			}
			res, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("prod"), MaxAttempts: 3})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Pushed || res.Attempts != 2 || res.PreviousDestHead != winner() {
				t.Fatalf("result %+v; want 2 attempts on top of the concurrent commit %s", res, winner())
			}
			// No commit lost: promotion -> concurrent push -> template.
			chain := strings.Fields(s.git(t, "prod", "rev-list", "--first-parent", "master"))
			if len(chain) != 3 || chain[0] != res.DestCommit || chain[1] != winner() || chain[2] != prodHead {
				t.Fatalf("prod history %v, want [%s %s %s]", chain, res.DestCommit, winner(), prodHead)
			}
			if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), res.SourceTree; got != want {
				t.Fatalf("prod tree %s, want %s", got, want)
			}
		})
	}
}

func TestPromote_concurrentPusherAlreadyShippedTree(t *testing.T) {
	s, devHead, _ := setup(t)
	hook, winner := raceOnce(t, s, devFiles) // the other pusher ships the same tree
	s.setHooks(hook, nil)
	res, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pushed || res.DestCommit != winner() || res.Attempts != 2 {
		t.Fatalf("result %+v; want no push and the concurrent head %s", res, winner())
	}
}

func TestPromote_raceExhaustsAttempts(t *testing.T) {
	s, devHead, _ := setup(t)
	n := 0
	s.setHooks(func(repo string) {
		n++
		s.commit(t, "prod", "master", map[string]string{"n": fmt.Sprint(n)}, "busy")
	}, nil)
	_, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("prod"), MaxAttempts: 2})
	if !errors.Is(err, ErrNonFastForward) {
		t.Fatalf("error = %v, want ErrNonFastForward", err)
	}
	if n != 2 {
		t.Fatalf("push attempts = %d, want 2", n)
	}
	if strings.Contains(s.git(t, "prod", "log", "--format=%s", "master"), "Promote") {
		t.Fatal("a promotion commit landed despite the error")
	}
}

func TestPromote_emptyDestination(t *testing.T) {
	s, devHead, _ := setup(t)
	s.newRepo(t, "empty")
	res, err := Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("empty")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.PreviousDestHead != "" {
		t.Fatalf("result %+v", res)
	}
	if got := s.git(t, "empty", "rev-list", "--parents", "master"); got != res.DestCommit {
		t.Fatalf("empty destination history %q, want one parentless commit %s", got, res.DestCommit)
	}
	if got := s.git(t, "empty", "rev-parse", "master^{tree}"); got != res.SourceTree {
		t.Fatalf("tree %s, want %s", got, res.SourceTree)
	}

	// A repository with branches but no master is treated the same way.
	s.newRepo(t, "nomaster")
	other := s.commit(t, "nomaster", "other", map[string]string{"a": "b"}, "other branch")
	res, err = Promote(testCtx(t), Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("nomaster")})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.git(t, "nomaster", "rev-list", "--parents", "master"); got != res.DestCommit {
		t.Fatalf("history %q, want one parentless commit", got)
	}
	if got := s.git(t, "nomaster", "rev-parse", "other"); got != other {
		t.Fatal("other branch moved")
	}
}

func TestPromote_treeCopiedExactlyAndGitDirRefused(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	res, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("prod")})
	if err != nil {
		t.Fatal(err)
	}
	want := s.git(t, "dev", "ls-tree", "-r", "--full-tree", devHead)
	got := s.git(t, "prod", "ls-tree", "-r", "--full-tree", res.DestCommit)
	if got != want {
		t.Fatalf("prod tree listing differs:\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(got, "\n") {
		if path := line[strings.IndexByte(line, '\t')+1:]; path == ".git" || strings.HasPrefix(path, ".git/") || strings.Contains(path, "/.git/") {
			t.Fatalf("a .git path was copied: %s", path)
		}
	}

	// A hand-made source tree with a ".GIT" directory deep inside is refused.
	blob := s.git(t, "dev", "hash-object", "-w", "--stdin")
	inner := mktree(t, s, "dev", "100644 blob "+blob+"\tconfig")
	evil := mktree(t, s, "dev", "040000 tree "+inner+"\t.GIT")
	top := mktree(t, s, "dev", "040000 tree "+evil+"\tsub", "100644 blob "+blob+"\tok.txt")
	c := s.git(t, "dev", "commit-tree", top, "-m", "evil")
	s.git(t, "dev", "update-ref", "refs/heads/evil", c)
	_, err = Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: c, Dest: s.remote("prod")})
	if !errors.Is(err, ErrUnsafeTree) || !strings.Contains(err.Error(), "sub/.GIT") {
		t.Fatalf("error = %v, want ErrUnsafeTree naming sub/.GIT", err)
	}
}

func mktree(t *testing.T, s *gitServer, repo string, entries ...string) string {
	t.Helper()
	cmd := execGit(s, repo, "mktree")
	cmd.Stdin = strings.NewReader(strings.Join(entries, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mktree: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestHeadAndHeadTree(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	head, err := Head(ctx, s.remote("dev"), "")
	if err != nil || head != devHead {
		t.Fatalf("Head = %s, %v; want %s", head, err, devHead)
	}
	_, before := s.counts("dev")
	commit, tree, err := HeadTree(ctx, s.remote("dev"), "master")
	if err != nil {
		t.Fatal(err)
	}
	if commit != devHead || tree != s.git(t, "dev", "rev-parse", "master^{tree}") {
		t.Fatalf("HeadTree = %s %s", commit, tree)
	}
	if _, after := s.counts("dev"); after != before+1 {
		t.Fatalf("HeadTree made %d upload-pack requests, want 1", after-before)
	}
	if _, up := s.counts("prod"); up != 0 {
		t.Fatal("unrelated repo fetched")
	}

	s.newRepo(t, "empty")
	if _, err := Head(ctx, s.remote("empty"), ""); !errors.Is(err, ErrRefNotFound) {
		t.Errorf("Head(empty) error = %v, want ErrRefNotFound", err)
	}
	if _, _, err := HeadTree(ctx, s.remote("empty"), ""); !errors.Is(err, ErrRefNotFound) {
		t.Errorf("HeadTree(empty) error = %v, want ErrRefNotFound", err)
	}
	if _, err := Head(ctx, s.remote("dev"), "nope"); !errors.Is(err, ErrRefNotFound) {
		t.Errorf("Head(nope) error = %v, want ErrRefNotFound", err)
	}
}

func TestCommitTree(t *testing.T) {
	s, devHead, _ := setup(t)
	ctx := testCtx(t)
	first := s.git(t, "dev", "rev-parse", "master~1")
	s.git(t, "dev", "tag", "-a", "-m", "first", "v1", first)

	for _, c := range []struct {
		name, sha string
		ok        bool
	}{
		{"branch tip", devHead, true},
		{"annotated tag", first, true},
	} {
		tree, ok, err := CommitTree(ctx, s.remote("dev"), c.sha)
		if err != nil || ok != c.ok || tree != s.git(t, "dev", "rev-parse", c.sha+"^{tree}") {
			t.Errorf("%s: CommitTree = %q, %v, %v; want the tree of %s", c.name, tree, ok, err, c.sha)
		}
	}
	s.git(t, "dev", "tag", "-d", "v1")
	if tree, ok, err := CommitTree(ctx, s.remote("dev"), first); err != nil || ok || tree != "" {
		t.Errorf("a commit no ref points at: CommitTree = %q, %v, %v; want not ok and no error", tree, ok, err)
	}
	if _, _, err := CommitTree(ctx, s.remote("gone"), devHead); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing repository: error = %v, want ErrNotFound", err)
	}
}

func TestPromote_expectDestHead(t *testing.T) {
	s, devHead, prodHead := setup(t)
	ctx := testCtx(t)
	req := Request{Source: s.remote("dev"), SourceCommit: devHead, Dest: s.remote("prod"), ExpectDestHead: strings.Repeat("1", 40)}
	if _, err := Promote(ctx, req); !errors.Is(err, ErrDestMoved) {
		t.Fatalf("Promote with a stale ExpectDestHead: error = %v, want ErrDestMoved", err)
	}
	if receive, _ := s.counts("prod"); receive != 0 || s.git(t, "prod", "rev-parse", "master") != prodHead {
		t.Fatalf("a stale ExpectDestHead pushed (%d receive-packs)", receive)
	}
	req.ExpectDestHead = prodHead
	res, err := Promote(ctx, req)
	if err != nil || !res.Pushed || res.PreviousDestHead != prodHead {
		t.Fatalf("Promote with the current head = %+v, %v; want a push on top of %s", res, err, prodHead)
	}
}
