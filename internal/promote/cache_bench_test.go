package promote

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkRepromote is scenario P3 of issue 12: a repository of PROMOTE_BENCH_MB MiB
// (default 20) of incompressible files is promoted once, then each iteration commits one
// 10 KiB file to the source and promotes again. It reports the bytes each re-promotion
// sent and fetched (HTTP bodies, both repositories) for the engine with a Cache, without
// one (a temporary store per call, as before the cache), and for the migration script's
// way with the git CLI (keep both clones: pull, copy all but .git, commit, push).
//
//	PROMOTE_BENCH_MB=200 go test -run '^$' -bench BenchmarkRepromote -benchtime 5x ./internal/promote/
func BenchmarkRepromote(b *testing.B) {
	mb := 20
	if v := os.Getenv("PROMOTE_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("PROMOTE_BENCH_MB=%q is not a positive number of MiB", v)
		}
		mb = n
	}
	for _, variant := range []string{"cache", "no-cache", "git-cli"} {
		b.Run(fmt.Sprintf("%dMB/%s", mb, variant), func(b *testing.B) {
			s := newGitServer(b)
			s.newRepo(b, "source")
			s.newRepo(b, "prod")
			s.commitGenerated(b, "source", mb<<20)
			s.commit(b, "prod", "master", map[string]string{"README.md": "# prod\n"}, "Template")
			var promote func()
			switch variant {
			case "git-cli":
				promote = scriptPromoter(b, s)
			default:
				var cache *Cache
				if variant == "cache" {
					cache = &Cache{Dir: b.TempDir()}
				}
				promote = func() {
					src, dest := s.remote("source"), s.remote("prod")
					src.Cache, dest.Cache = cache, cache
					head := s.git(b, "source", "rev-parse", "master")
					if _, err := Promote(context.Background(), Request{Source: src, SourceCommit: head, Dest: dest, WorkDir: b.TempDir()}); err != nil {
						b.Fatal(err)
					}
				}
			}
			promote() // the first promotion, not measured
			traffic := func() (sent, fetched int64) {
				ds, df, _ := s.traffic("source")
				ps, pf, _ := s.traffic("prod")
				return ds + ps, df + pf
			}
			var sent, fetched int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s.addFile(b, "source", fmt.Sprintf("src/change%04d.bin", i), randomBytes(10<<10, byte(i)))
				s0, f0 := traffic()
				b.StartTimer()
				promote()
				b.StopTimer()
				s1, f1 := traffic()
				sent, fetched = sent+s1-s0, fetched+f1-f0
				if got, want := s.git(b, "prod", "rev-parse", "master^{tree}"), s.git(b, "source", "rev-parse", "master^{tree}"); got != want {
					b.Fatalf("prod tree %s, want dev's %s", got, want)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(sent)/float64(b.N)/1024, "sent-KiB/op")
			b.ReportMetric(float64(fetched)/float64(b.N)/1024, "fetched-KiB/op")
		})
	}
}

// scriptPromoter does what the platform's migration script does on a repeat run: it keeps
// clones of both repositories, pulls the source, copies every file but .git over the
// destination's work tree, commits and pushes.
func scriptPromoter(b *testing.B, s *gitServer) func() {
	work := b.TempDir()
	withAuth := func(repo string) string {
		u, _ := url.Parse(s.url(repo))
		u.User = url.UserPassword(testUser, testPass)
		return u.String()
	}
	run := func(dir string, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), gitEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	dev, prod := filepath.Join(work, "source"), filepath.Join(work, "prod")
	run(work, "clone", "-q", withAuth("source"), dev)
	run(work, "clone", "-q", withAuth("prod"), prod)
	return func() {
		run(dev, "pull", "-q", "--ff-only")
		entries, err := os.ReadDir(prod)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries { // like rsync --delete: the destination ends up with dev's files only
			if e.Name() != ".git" {
				_ = os.RemoveAll(filepath.Join(prod, e.Name()))
			}
		}
		if err := copyTree(dev, prod); err != nil {
			b.Fatal(err)
		}
		run(prod, "add", "-A", ".")
		run(prod, "commit", "-q", "-m", "promote")
		// A Content-Length instead of chunks: net/http/cgi, under the test server, refuses chunked bodies.
		run(prod, "-c", "http.postBuffer=2000000000", "push", "-q", "origin", "HEAD:master")
	}
}

// copyTree copies every file of src except .git into dst, like `cp -r src/. dst/`.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = in.Close() }()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			_ = out.Close()
			return err
		}
		return out.Close()
	})
}
