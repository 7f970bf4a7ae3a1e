package gitserver

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/childbench"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// BenchmarkChunkedPush measures the server process's peak memory while the git CLI pushes
// incompressible data with its default settings (a chunked body above 1 MiB). The body is
// spooled to disk, so the peak must not grow with the push.
func BenchmarkChunkedPush(b *testing.B) {
	for _, mib := range []int{0, 16, 128} {
		b.Run(fmt.Sprintf("%dMiB", mib), func(b *testing.B) {
			var peak int64
			for i := 0; i < b.N; i++ {
				r := childbench.Run[struct{ PeakRSS int64 }](b, "TestChunkedPushChild", map[string]string{"CHUNKED_PUSH_MIB": strconv.Itoa(mib)})
				peak = max(peak, r.PeakRSS)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
		})
	}
}

// TestChunkedPushChild is BenchmarkChunkedPush's child: it serves the repository and
// pushes CHUNKED_PUSH_MIB MiB into it with the git CLI, a separate process whose memory
// is not counted. 0 pushes nothing: the floor.
func TestChunkedPushChild(t *testing.T) {
	s := childbench.Getenv(t, "CHUNKED_PUSH_MIB")
	mib, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	clone, _ := cloneCLI(t, f)
	if mib > 0 {
		rng := rand.NewChaCha8([32]byte{7})
		for i := range mib {
			p := filepath.Join(clone, "data", fmt.Sprintf("blob%04d.bin", i))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.CopyN(out, rng, 1<<20); err != nil {
				t.Fatal(err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
		}
		gittest.Must(t, clone, "add", "-A")
		gittest.Must(t, clone, "commit", "-qm", "data")
		gittest.Must(t, clone, "push", "-q", "origin", "master")
		if f.pushCount() != 1 {
			t.Fatalf("push hook calls %d, want 1", f.pushCount())
		}
	}
	childbench.Report(t, struct{ PeakRSS int64 }{childbench.PeakRSS(t)})
}
