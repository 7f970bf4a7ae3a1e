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
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/childbench"
)

// BenchmarkPromote promotes generated repositories of incompressible files
// into a fresh destination per iteration. Each promotion runs in a child
// process (this test binary re-executed) so its peak RSS (VmHWM) belongs to
// that promotion alone and excludes the test server and data generation.
//
//	go test -run '^$' -bench BenchmarkPromote -benchtime 1x ./internal/promote/
func BenchmarkPromote(b *testing.B) {
	for _, mb := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			s := newGitServer(b)
			s.newRepo(b, "dev")
			sha := s.commitGenerated(b, "dev", mb<<20)
			var peak, pack int64
			var promote time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dest := fmt.Sprintf("prod%d", i)
				s.newRepo(b, dest)
				s.commit(b, dest, "master", map[string]string{"README.md": "# prod\n"}, "Template")
				b.StartTimer()
				out := runChild(b, map[string]string{
					"PROMOTE_CHILD_SOURCE": s.url("dev"), "PROMOTE_CHILD_DEST": s.url(dest),
					"PROMOTE_CHILD_COMMIT": sha, "PROMOTE_CHILD_WORKDIR": b.TempDir(),
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
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(pack)/(1<<20), "pack-MiB")
			b.ReportMetric(float64(peak)/float64(pack), "RSS/pack")
			b.ReportMetric(promote.Seconds()/float64(b.N), "promote-s/op")
		})
	}
}

// BenchmarkChildBaseline measures the child's peak RSS when it promotes
// nothing, the floor under every figure above.
func BenchmarkChildBaseline(b *testing.B) {
	var peak int64
	for i := 0; i < b.N; i++ {
		out := runChild(b, map[string]string{"PROMOTE_CHILD_SOURCE": "none"})
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

func runChild(b *testing.B, env map[string]string) childResult {
	b.Helper()
	var r childResult
	childbench.Run(b, "TestPromoteChild", env, &r)
	return r
}

// TestPromoteChild is the benchmark's child process; it does nothing in a
// normal test run.
func TestPromoteChild(t *testing.T) {
	src := os.Getenv("PROMOTE_CHILD_SOURCE")
	if src == "" {
		t.Skip("only run as BenchmarkPromote's child process")
	}
	var r childResult
	if src != "none" {
		creds := &Credentials{Username: testUser, Password: testPass}
		start := time.Now()
		res, err := Promote(context.Background(), Request{
			Source: Remote{URL: src, Auth: creds}, SourceCommit: os.Getenv("PROMOTE_CHILD_COMMIT"),
			Dest: Remote{URL: os.Getenv("PROMOTE_CHILD_DEST"), Auth: creds}, WorkDir: os.Getenv("PROMOTE_CHILD_WORKDIR"),
		})
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
	work, idx := t.TempDir(), filepath.Join(t.TempDir(), "index")
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
	gitDir := filepath.Join(s.root, repo+".git")
	run := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"--git-dir=" + gitDir, "--work-tree=" + work}, args...)...)
		cmd.Env = append(os.Environ(), append(gitEnv, "GIT_INDEX_FILE="+idx)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("add", "-A", ".")
	c := run("commit-tree", run("write-tree"), "-m", "generated")
	run("update-ref", "refs/heads/master", c)
	_ = os.RemoveAll(work)
	return c
}
