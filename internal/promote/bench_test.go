package promote

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/childbench"
)

// BenchmarkPromote promotes generated repositories of incompressible files
// into a fresh destination per iteration (scenario P5: a first promotion).
// Each promotion runs in a child process (this test binary re-executed) so
// its peak RSS (VmHWM) belongs to that promotion alone and excludes the test
// server and data generation. Each iteration also runs the baseline with the
// git CLI against the same server (clone both, copy the tree, commit, push;
// see gitPromote) and reports the ratio of the two wall times.
//
//	go test -run '^$' -bench BenchmarkPromote -benchtime 1x ./internal/promote/
//
// PROMOTE_BENCH_MB sets the sizes (comma-separated MB, default 10,100,500).
// PROMOTE_BENCH_CPUPROFILE names a file for the CPU profile of the child's
// promotion (the last one run).
func BenchmarkPromote(b *testing.B) {
	sizes := []int{10, 100, 500}
	if v := os.Getenv("PROMOTE_BENCH_MB"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			mb, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || mb <= 0 {
				b.Fatalf("PROMOTE_BENCH_MB=%q: want sizes in MB", v)
			}
			sizes = append(sizes, mb)
		}
	}
	for _, mb := range sizes {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			s := newGitServer(b)
			s.newRepo(b, "dev")
			sha := s.commitGenerated(b, "dev", mb<<20)
			var peak, pack int64
			var promote, cli time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dest := fmt.Sprintf("prod%d", i)
				s.newRepo(b, dest)
				s.commit(b, dest, "master", map[string]string{"README.md": "# prod\n"}, "Template")
				b.StartTimer()
				out := childbench.Run[childResult](b, "TestPromoteChild", map[string]string{
					"PROMOTE_CHILD_SOURCE": s.url("dev"), "PROMOTE_CHILD_DEST": s.url(dest),
					"PROMOTE_CHILD_COMMIT": sha, "PROMOTE_CHILD_WORKDIR": b.TempDir(),
					"PROMOTE_CHILD_CPUPROFILE": os.Getenv("PROMOTE_BENCH_CPUPROFILE"),
				})
				b.StopTimer()
				if !out.Pushed {
					b.Fatal("child did not push")
				}
				if got := s.git(b, dest, "rev-parse", "master^{tree}"); got != s.git(b, "dev", "rev-parse", sha+"^{tree}") {
					b.Fatal("destination tree differs from source")
				}
				_ = os.RemoveAll(filepath.Join(s.root, dest+".git"))
				peak, pack = max(peak, out.PeakRSS), out.PackBytes
				promote += time.Duration(out.PromoteNanos)

				// The baseline, into a destination made the same way.
				s.newRepo(b, dest)
				s.commit(b, dest, "master", map[string]string{"README.md": "# prod\n"}, "Template")
				cli += gitPromote(b, s, "dev", dest)
				if got := s.git(b, dest, "rev-parse", "master^{tree}"); got != s.git(b, "dev", "rev-parse", sha+"^{tree}") {
					b.Fatal("git CLI baseline: destination tree differs from source")
				}
				_ = os.RemoveAll(filepath.Join(s.root, dest+".git"))
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(pack)/(1<<20), "pack-MiB")
			b.ReportMetric(float64(peak)/float64(pack), "RSS/pack")
			b.ReportMetric(promote.Seconds()/float64(b.N), "promote-s/op")
			b.ReportMetric(cli.Seconds()/float64(b.N), "git-s/op")
			b.ReportMetric(promote.Seconds()/cli.Seconds(), "promote/git")
		})
	}
}

// gitPromote is the baseline: what the platform's migration documentation
// does with the git CLI. Clone both repositories, replace everything but
// .git in the destination's work tree with the source's, commit, push. It
// returns the wall time of the whole.
func gitPromote(b *testing.B, s *gitServer, src, dest string) time.Duration {
	b.Helper()
	dir := b.TempDir()
	auth := func(repo string) string {
		return strings.Replace(s.url(repo), "://", "://"+testUser+":"+url.QueryEscape(testPass)+"@", 1)
	}
	run := func(wd string, args ...string) {
		cmd := exec.Command("git", append([]string{"-C", wd}, args...)...)
		cmd.Env = append(os.Environ(), gitEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	from, to := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	start := time.Now()
	run(dir, "clone", "-q", auth(src), from)
	run(dir, "clone", "-q", auth(dest), to)
	entries, err := os.ReadDir(to)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != ".git" {
			if err := os.RemoveAll(filepath.Join(to, e.Name())); err != nil {
				b.Fatal(err)
			}
		}
	}
	entries, err = os.ReadDir(from)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == ".git" {
			continue
		}
		src, dst := filepath.Join(from, e.Name()), filepath.Join(to, e.Name())
		if e.IsDir() {
			err = os.CopyFS(dst, os.DirFS(src))
		} else {
			var data []byte
			if data, err = os.ReadFile(src); err == nil {
				err = os.WriteFile(dst, data, 0o644)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	run(to, "add", "-A", ".")
	run(to, "commit", "-q", "-m", "Promote")
	// The test server runs http-backend through net/http/cgi, which refuses
	// chunked bodies: a buffer as large as any pack makes git send a length.
	run(to, "-c", "http.postBuffer=2147483647", "push", "-q", "origin", "master")
	return time.Since(start)
}

// BenchmarkChildBaseline measures the child's peak RSS when it promotes
// nothing, the floor under every figure above.
func BenchmarkChildBaseline(b *testing.B) {
	var peak int64
	for i := 0; i < b.N; i++ {
		out := childbench.Run[childResult](b, "TestPromoteChild", map[string]string{"PROMOTE_CHILD_SOURCE": "none"})
		peak = max(peak, out.PeakRSS)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
}

type childResult struct {
	Pushed       bool
	PackBytes    int64
	PeakRSS      int64
	PromoteNanos int64
}

// TestPromoteChild is the benchmark's child process; it does nothing in a
// normal test run.
func TestPromoteChild(t *testing.T) {
	src := childbench.Getenv(t, "PROMOTE_CHILD_SOURCE")
	var r childResult
	if src != "none" {
		creds := &Credentials{Username: testUser, Password: testPass}
		if p := os.Getenv("PROMOTE_CHILD_CPUPROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = f.Close() }()
			if err := pprof.StartCPUProfile(f); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		res, err := Promote(context.Background(), Request{
			Source: Remote{URL: src, Auth: creds}, SourceCommit: os.Getenv("PROMOTE_CHILD_COMMIT"),
			Dest: Remote{URL: os.Getenv("PROMOTE_CHILD_DEST"), Auth: creds}, WorkDir: os.Getenv("PROMOTE_CHILD_WORKDIR"),
		})
		pprof.StopCPUProfile() // a no-op without a profile
		if err != nil {
			t.Fatal(err)
		}
		r = childResult{Pushed: res.Pushed, PackBytes: res.PackBytes, PromoteNanos: int64(time.Since(start))}
	}
	r.PeakRSS = childbench.PeakRSS(t)
	childbench.Report(t, r)
}

// commitGenerated commits about size bytes of random (incompressible) data
// in 1 MiB files plus a few small ones, straight into the bare repository.
func (s *gitServer) commitGenerated(t testing.TB, repo string, size int) string {
	t.Helper()
	// Loose objects of random data gain nothing from zlib; skipping it
	// keeps generation fast without changing what the client transfers.
	s.git(t, repo, "config", "core.compression", "0")
	work := t.TempDir()
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for i := 0; size > 0; i++ {
		n := min(size, len(buf))
		_, _ = rng.Read(buf[:n])
		p := filepath.Join(work, fmt.Sprintf("data/%02d/blob%04d.bin", i%16, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		size -= n
	}
	for _, name := range []string{"algorithmia.conf", "requirements.txt", "src/hello.py"} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o755)
		if err := os.WriteFile(filepath.Join(work, name), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := s.commitWorkTree(t, repo, "master", work, "generated")
	_ = os.RemoveAll(work)
	return c
}
