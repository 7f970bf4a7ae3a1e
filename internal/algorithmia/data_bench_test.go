package algorithmia_test

import (
	"context"
	"crypto/md5" //nolint:gosec // the platform's ETag
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/childbench"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// BenchmarkCopyObject copies a 1 GiB object between two local clusters with
// CopyObject (the download piped into the upload, as algorithmia_data_object's
// copy_from does) and, in the same run, with `curl` piped into `curl`. The copy
// runs in a child process (this test binary re-executed) so that its peak RSS
// (VmHWM) is the copy's alone, without the clusters or the data generation.
//
//	go test -run '^$' -bench BenchmarkCopyObject -benchtime 1x ./internal/algorithmia/
//
// DATA_BENCH_MIB changes the size (default 1024).
func BenchmarkCopyObject(b *testing.B) {
	size := int64(1024) << 20
	if v := os.Getenv("DATA_BENCH_MIB"); v != "" {
		mib, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		size = int64(mib) << 20
	}
	dev, err := acctest.StartCluster("bench-dev")
	if err != nil {
		b.Fatal(err)
	}
	defer dev.Close()
	prod, err := acctest.StartCluster("bench-prod")
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	du, pu := dev.NewUser(b, "bench"), prod.NewUser(b, "bench")
	ctx := context.Background()
	for _, u := range []*acctest.User{du, pu} {
		if err := u.Client.CreateCollection(ctx, u.Name, "models", nil); err != nil {
			b.Fatal(err)
		}
	}
	from := algorithmia.DataPath{Owner: du.Name, Collection: "models", File: "model.bin"}
	start := time.Now()
	src, err := du.Client.PutObject(ctx, from, func(context.Context) (io.ReadCloser, int64, error) {
		return io.NopCloser(io.LimitReader(rand.NewChaCha8([32]byte{7}), size)), size, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d MiB on dev in %s", size>>20, time.Since(start).Round(time.Millisecond))
	base := childbench.Run[copyChildResult](b, "TestCopyObjectChild", map[string]string{"DATA_COPY_CHILD": "baseline"})

	var copyDur, curlDur, copyCPU, curlCPU time.Duration
	var peak int64
	curlRSS := int64(-1)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		to := algorithmia.DataPath{Owner: pu.Name, Collection: "models", File: fmt.Sprintf("copy-%d.bin", i)}
		out := childbench.Run[copyChildResult](b, "TestCopyObjectChild", map[string]string{
			"DATA_COPY_CHILD": "copy",
			"DATA_COPY_SRC":   dev.URL, "DATA_COPY_SRC_KEY": du.Key, "DATA_COPY_FROM": from.String(),
			"DATA_COPY_DST": prod.URL, "DATA_COPY_DST_KEY": pu.Key, "DATA_COPY_TO": to.String(),
		})
		b.StopTimer()
		if out.MD5 != src.MD5 || out.Bytes != size {
			b.Fatalf("copy has md5 %s and %d bytes, source %s and %d", out.MD5, out.Bytes, src.MD5, size)
		}
		copyDur += time.Duration(out.CopyNanos)
		copyCPU += time.Duration(out.CPUNanos - base.CPUNanos)
		peak = max(peak, out.PeakRSS)

		// The baseline: curl download | curl upload, between the same clusters.
		if _, err := exec.LookPath("curl"); err != nil {
			b.Log("curl not found: skipping the curl | curl baseline")
		} else {
			curlTo := algorithmia.DataPath{Owner: pu.Name, Collection: "models", File: fmt.Sprintf("curl-%d.bin", i)}
			d, cpu, rss := curlCopy(b, dev.URL+"/v1/data/"+strings.TrimPrefix(from.String(), "data://"), du.Key,
				prod.URL+"/v1/data/"+strings.TrimPrefix(curlTo.String(), "data://"), pu.Key)
			info, err := pu.Client.HeadObject(ctx, curlTo)
			if err != nil || info.ETag != src.MD5 {
				b.Fatalf("curl copy: %+v, %v", info, err)
			}
			curlDur += d
			curlCPU += cpu
			curlRSS = max(curlRSS, rss)
		}
		b.StartTimer()
	}
	mibps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / (1 << 20) / d.Seconds() }
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(base.PeakRSS)/(1<<20), "child-baseline-RSS-MiB")
	b.ReportMetric(mibps(copyDur), "copy-MiB/s")
	b.ReportMetric(copyCPU.Seconds()/float64(b.N), "copy-CPU-s")
	if curlDur > 0 {
		b.ReportMetric(mibps(curlDur), "curl-MiB/s")
		b.ReportMetric(mibps(copyDur)/mibps(curlDur), "copy/curl")
		b.ReportMetric(float64(curlRSS)/(1<<20), "curl-max-RSS-MiB")
		b.ReportMetric(curlCPU.Seconds()/float64(b.N), "curl-CPU-s")
	}
}

// curlCopy pipes `curl GET` into `curl PUT` (chunked upload from stdin) and returns
// the wall time, the CPU time (user and system) of both and the larger peak RSS of the two.
func curlCopy(b *testing.B, srcURL, srcKey, dstURL, dstKey string) (time.Duration, time.Duration, int64) {
	b.Helper()
	get := exec.Command("curl", "-sS", "-f", "-H", "Authorization: Simple "+srcKey, srcURL)
	put := exec.Command("curl", "-sS", "-f", "-o", "/dev/null", "-X", "PUT", "-T", "-",
		"-H", "Authorization: Simple "+dstKey, "-H", "Content-Type: application/octet-stream", dstURL)
	pipe, err := get.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	put.Stdin = pipe
	var getErr, putErr strings.Builder
	get.Stderr, put.Stderr = &getErr, &putErr
	start := time.Now()
	if err := put.Start(); err != nil {
		b.Fatal(err)
	}
	if err := get.Start(); err != nil {
		b.Fatal(err)
	}
	if err := get.Wait(); err != nil {
		b.Fatalf("curl GET: %v: %s", err, getErr.String())
	}
	if err := put.Wait(); err != nil {
		b.Fatalf("curl PUT: %v: %s", err, putErr.String())
	}
	d := time.Since(start)
	cpu := get.ProcessState.UserTime() + get.ProcessState.SystemTime() + put.ProcessState.UserTime() + put.ProcessState.SystemTime()
	return d, cpu, max(maxRSS(get), maxRSS(put))
}

// maxRSS is a finished child's peak RSS in bytes (ru_maxrss is in KiB on Linux).
func maxRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return -1
}

type copyChildResult struct {
	Bytes     int64
	MD5       string
	CopyNanos int64
	CPUNanos  int64 // user and system time of the whole child
	PeakRSS   int64
}

// TestCopyObjectChild is BenchmarkCopyObject's child process; it does nothing in
// a normal test run.
func TestCopyObjectChild(t *testing.T) {
	mode := childbench.Getenv(t, "DATA_COPY_CHILD")
	var r copyChildResult
	if mode == "copy" {
		src, err := algorithmia.New(algorithmia.Config{BaseURL: os.Getenv("DATA_COPY_SRC"), APIKey: os.Getenv("DATA_COPY_SRC_KEY")})
		if err != nil {
			t.Fatal(err)
		}
		dst, err := algorithmia.New(algorithmia.Config{BaseURL: os.Getenv("DATA_COPY_DST"), APIKey: os.Getenv("DATA_COPY_DST_KEY")})
		if err != nil {
			t.Fatal(err)
		}
		from, err := algorithmia.ParseDataPath(os.Getenv("DATA_COPY_FROM"))
		if err != nil {
			t.Fatal(err)
		}
		to, err := algorithmia.ParseDataPath(os.Getenv("DATA_COPY_TO"))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res, err := algorithmia.CopyObject(context.Background(), src, from, dst, to, algorithmia.CopyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r = copyChildResult{Bytes: res.Size, MD5: res.MD5, CopyNanos: int64(time.Since(start))}
	}
	r.PeakRSS = childbench.PeakRSS(t)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	r.CPUNanos = ru.Utime.Nano() + ru.Stime.Nano()
	childbench.Report(t, r)
}

// BenchmarkPutObjectHashing measures the client alone: an upload from memory
// to a server that discards the body, so what limits it is the client's own
// work per byte (md5 and sha256 above all), not a cluster or a disk.
//
//	go test -run '^$' -bench BenchmarkPutObjectHashing ./internal/algorithmia/
func BenchmarkPutObjectHashing(b *testing.B) {
	const size = 256 << 20
	block := make([]byte, 1<<20)
	_, _ = rand.NewChaCha8([32]byte{3}).Read(block)
	sum := md5.New() //nolint:gosec // the platform's ETag
	for range size / len(block) {
		sum.Write(block)
	}
	etag := hex.EncodeToString(sum.Sum(nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{"result":"data://bench/c/f"}`)
			return
		}
		w.Header().Set("ETag", `"`+etag+`"`)
		w.Header().Set("X-Data-Type", "file")
		w.Header().Set("Content-Length", strconv.Itoa(size))
	}))
	defer srv.Close()
	c, err := algorithmia.New(algorithmia.Config{BaseURL: srv.URL, APIKey: "simBenchKey"})
	if err != nil {
		b.Fatal(err)
	}
	p := algorithmia.DataPath{Owner: "bench", Collection: "c", File: "f"}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		res, err := c.PutObject(context.Background(), p, func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(&repeatReader{block: block, left: size}), size, nil
		})
		if err != nil || res.MD5 != etag {
			b.Fatalf("%+v, %v", res, err)
		}
	}
}

// repeatReader serves block over and over, left bytes in all.
type repeatReader struct {
	block []byte
	off   int
	left  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.left)], r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	r.left -= n
	return n, nil
}
