package promote

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/revlist"
)

// text is n lines of deterministic, compressible text.
func text(seed uint64, lines int) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"alpha", "beta", "gamma", "delta", "model", "input", "return", "def", "apply", "self"}
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "%05d", i)
		for range 8 {
			b.WriteString(" " + words[rng.IntN(len(words))])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// deltaHistory makes "dev" with two commits whose files git stores as deltas:
// two near-copies in the same tree, and a file changed by one line between
// the commits (so one version is a delta whose base the other commit lacks).
// The repository is repacked so upload-pack serves those deltas.
func deltaHistory(t *testing.T, s *gitServer) (v1, v2 string) {
	t.Helper()
	s.newRepo(t, "dev")
	big := text(1, 6000)
	files := map[string]string{
		"algorithmia.conf": `{"language":"python3"}`,
		"src/model.txt":    big,
		"src/copy.txt":     strings.Replace(big, "00042", "forty-two", 1),
		"src/hello.py":     "def apply(input):\n    return input\n",
	}
	v1 = s.commit(t, "dev", "master", files, "v1")
	v2 = s.commit(t, "dev", "master", with(files, "src/model.txt", strings.Replace(big, "01000", "one thousand", 1)), "v2")
	s.git(t, "dev", "repack", "-adf", "-q", "--window=50", "--depth=50")
	return v1, v2
}

// verifyPack indexes a pack with the git CLI (which inflates and hashes every
// object and resolves every delta; strict: and finds every object the pack's
// trees and commits name) and returns its delta entries.
func gitVerifyPack(t *testing.T, pack string, strict bool) (objects, deltas int) {
	t.Helper()
	if strict {
		runGit(t, "", "index-pack", "--strict", pack)
	} else {
		runGit(t, "", "index-pack", pack)
	}
	out := runGit(t, "", "verify-pack", "-v", strings.TrimSuffix(pack, ".pack")+".idx")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && len(f[0]) == 40 {
			objects++
			if len(f) == 7 {
				deltas++
			}
		}
	}
	return objects, deltas
}

func TestWritePack_copiesFetchedEntries(t *testing.T) {
	s := newGitServer(t)
	v1, v2 := deltaHistory(t, s)
	ws := fetchedWorkspace(t, s.remote("dev"), v2)
	for _, tc := range []struct {
		name   string
		tip    string
		ignore []plumbing.Hash
	}{
		{"first commit alone", v1, nil},
		{"second commit alone", v2, nil},
		{"second on top of first", v2, []plumbing.Hash{plumbing.NewHash(v1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, hashes, st := writeTestPack(t, ws, tc.tip, tc.ignore)
			if st.Objects != len(hashes) || st.Copied+st.Whole != st.Objects {
				t.Fatalf("stats %+v for %d objects", st, len(hashes))
			}
			// Everything was fetched in one pack: an object is deflated again
			// only when it is a delta whose base is not sent.
			if st.Copied == 0 {
				t.Errorf("no entry was copied: %+v", st)
			}
			objects, deltas := gitVerifyPack(t, path, tc.ignore == nil)
			if objects != len(hashes) || deltas != st.Deltas {
				t.Errorf("git counts %d objects and %d deltas; writer says %+v", objects, deltas, st)
			}
		})
	}
	// With both commits sent, the near-copies and both versions can stay deltas.
	hashes, err := revlist.Objects(ws.store, []plumbing.Hash{plumbing.NewHash(v2)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := writePackTo(devNull{}, ws.store, hashes)
	if err != nil || st.Deltas == 0 {
		t.Errorf("no delta reused within one tree: %+v, %v", st, err)
	}
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

func TestWritePack_refusesDamagedStore(t *testing.T) {
	s := newGitServer(t)
	_, v2 := deltaHistory(t, s)
	ws := fetchedWorkspace(t, s.remote("dev"), v2)
	hashes, err := revlist.Objects(ws.store, []plumbing.Hash{plumbing.NewHash(v2)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	packs, err := filepath.Glob(filepath.Join(ws.dir, "objects", "pack", "*.pack"))
	if err != nil || len(packs) != 1 {
		t.Fatalf("stored packs: %v, %v", packs, err)
	}
	// Flip one bit in the middle of the stored pack, inside some entry.
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x10
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = writePackTo(devNull{}, ws.store, hashes)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("err = %v, want a damaged entry", err)
	}
}

// The destination must accept the pack as git does: a clone of it passes
// `git fsck --full`, and its tree is the source's. A second promotion sends
// only what changed, on top of objects the destination already has.
func TestPromote_packPassesGitFsck(t *testing.T) {
	s := newGitServer(t)
	v1, v2 := deltaHistory(t, s)
	s.newRepo(t, "prod")
	s.commit(t, "prod", "master", map[string]string{"README.md": "# prod\n"}, "Template")
	ctx := testCtx(t)
	for _, sha := range []string{v1, v2} {
		res, err := Promote(ctx, Request{Source: s.remote("dev"), SourceCommit: sha, Dest: s.remote("prod"), WorkDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Pushed {
			t.Fatalf("%s: nothing pushed", sha)
		}
		if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), s.git(t, "dev", "rev-parse", sha+"^{tree}"); got != want {
			t.Fatalf("destination tree %s, source tree %s", got, want)
		}
		s.git(t, "prod", "fsck", "--full", "--strict")
		clone := filepath.Join(t.TempDir(), "clone")
		u := strings.Replace(s.url("prod"), "://", "://"+testUser+":"+strings.ReplaceAll(testPass, "/", "%2F")+"@", 1)
		cmd := exec.Command("git", "clone", "-q", "--bare", u, clone)
		cmd.Env = append(os.Environ(), gitEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git clone: %v\n%s", err, out)
		}
		runGit(t, clone, "fsck", "--full", "--strict")
	}
}

// Objects whose stored entry is a delta against an object not sent are
// deflated again, ahead of the writer on workers, or by the writer itself
// when large; the pack keeps the planned order either way.
func TestWritePack_deflatesWholeObjectsInOrder(t *testing.T) {
	s := newGitServer(t)
	s.newRepo(t, "dev")
	v1Files, v2Files := map[string]string{}, map[string]string{}
	for i := range 40 {
		body := text(uint64(i)+10, 300)
		v1Files[fmt.Sprintf("src/f%02d.txt", i)] = body
		v2Files[fmt.Sprintf("src/f%02d.txt", i)] = body + "one more line\n"
	}
	large := text(99, 30000) // above aheadMax
	v1Files["model.txt"], v2Files["model.txt"] = large, large+"one more line\n"
	v1 := s.commit(t, "dev", "master", v1Files, "v1")
	v2 := s.commit(t, "dev", "master", v2Files, "v2")
	s.git(t, "dev", "repack", "-adf", "-q", "--window=50", "--depth=50")
	ws := fetchedWorkspace(t, s.remote("dev"), v2)
	// The older version alone: git stores it as deltas against the newer one.
	path, hashes, st := writeTestPack(t, ws, v1, nil)
	if st.Whole <= aheadWindow {
		t.Errorf("only %d objects were deflated again; the test wants more than the window: %+v", st.Whole, st)
	}
	if objects, _ := gitVerifyPack(t, path, true); objects != len(hashes) {
		t.Errorf("git counts %d objects, want %d", objects, len(hashes))
	}
}

// An object stored as a delta in one fetched pack and whole in another is
// copied whole, not deflated again.
func TestWritePack_prefersWholeEntries(t *testing.T) {
	s := newGitServer(t)
	s.newRepo(t, "dev")
	s.newRepo(t, "copy")
	v1Files, v2Files := map[string]string{}, map[string]string{}
	for i := range 10 {
		body := text(uint64(i)+10, 300)
		v1Files[fmt.Sprintf("src/f%02d.txt", i)] = body
		v2Files[fmt.Sprintf("src/f%02d.txt", i)] = body + "one more line\n"
	}
	s.commit(t, "dev", "master", v1Files, "v1")
	v2 := s.commit(t, "dev", "master", v2Files, "v2")
	s.git(t, "dev", "repack", "-adf", "-q", "--window=50", "--depth=50")
	// The same tree alone in another repository: there it has no delta base.
	v1 := s.commit(t, "copy", "master", v1Files, "v1 copied")
	// The copy first: dev does not know its commit, so it sends everything.
	ws := fetchedWorkspace(t, s.remote("copy"), v1)
	if err := ws.fetchSource(testCtx(t), s.remote("dev"), plumbing.NewHash(v2), noLog); err != nil {
		t.Fatal(err)
	}
	hashes, err := revlist.Objects(ws.store, []plumbing.Hash{plumbing.NewHash(v1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	packs, err := openStoredPacks(ws.store)
	if err != nil {
		t.Fatal(err)
	}
	defer closePacks(packs)
	if len(packs) != 2 {
		t.Fatalf("%d stored packs, want 2", len(packs))
	}
	// Whichever pack is looked at first.
	for _, order := range [][]*storedPack{packs, {packs[1], packs[0]}} {
		deltas := 0
		for _, h := range hashes {
			for _, p := range order {
				if off, err := p.idx.FindOffset(h); err == nil {
					if e, err := p.entry(h, off); err == nil && e.typ >= packOFSDelta {
						deltas++
					}
				}
			}
			e, err := locate(order, h)
			if err != nil || e == nil || e.typ >= packOFSDelta {
				t.Fatalf("%s: located %+v, %v; want a whole entry", h, e, err)
			}
		}
		if deltas == 0 {
			t.Fatal("no object is a delta in either pack: the test proves nothing")
		}
	}
	st, err := writePackTo(devNull{}, ws.store, hashes)
	if err != nil {
		t.Fatal(err)
	}
	if st.Whole != 0 || st.Copied != len(hashes) {
		t.Errorf("%+v: want all %d objects copied", st, len(hashes))
	}
}

// writeTestPack writes the pack that sends tip and what it needs, less what ignore
// reaches, to a file, and returns the file's path, the objects and the stats.
func writeTestPack(t *testing.T, ws *workspace, tip string, ignore []plumbing.Hash) (string, []plumbing.Hash, packStats) {
	t.Helper()
	hashes, err := revlist.Objects(ws.store, []plumbing.Hash{plumbing.NewHash(tip)}, ignore)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "push.pack")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := writePackTo(f, ws.store, hashes)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	return path, hashes, st
}

// fetchedWorkspace is a workspace, closed when the test ends, that has fetched tip from
// remote.
func fetchedWorkspace(t *testing.T, remote Remote, tip string) *workspace {
	t.Helper()
	ws, err := newWorkspace(context.Background(), t.TempDir(), Remote{}, noLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.close(noLog) })
	if err := ws.fetchSource(testCtx(t), remote, plumbing.NewHash(tip), noLog); err != nil {
		t.Fatal(err)
	}
	return ws
}
