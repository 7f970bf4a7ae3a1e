package algorithmia

import (
	"crypto/md5" //nolint:gosec // compared with the platform's ETag
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

func TestDigestsEqualSerialHashes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, digestChunk - 1, digestChunk, digestChunk + 1, digestChunks*digestChunk + 12345, 5 << 20} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		d := newDigests()
		// Writes of random sizes, and the writer's buffer reused at once.
		buf := make([]byte, 70<<10)
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(len(buf)))
			copy(buf, rest[:n])
			d.Write(buf[:n])
			clear(buf)
			rest = rest[n:]
		}
		gotMD5, gotSHA, ok := d.sums()
		wantMD5, wantSHA := md5.Sum(data), sha256.Sum256(data) //nolint:gosec // see the import
		if !ok || gotMD5 != hex.EncodeToString(wantMD5[:]) || gotSHA != hex.EncodeToString(wantSHA[:]) {
			t.Errorf("size %d: got %s %s %v, want %x %x", size, gotMD5, gotSHA, ok, wantMD5, wantSHA)
		}
		d.stop() // after sums: harmless
	}
}

// stop may come from another goroutine while a Write waits for a free buffer
// (an abandoned attempt), and it leaves no goroutine behind.
func TestDigestsStopWhileWriting(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		d := newDigests()
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			chunk := make([]byte, digestChunk)
			for range 64 {
				d.Write(chunk)
			}
		}()
		d.stop()
		<-wrote
		if _, _, ok := d.sums(); ok {
			t.Fatal("sums after stop reported ok")
		}
		d.Write([]byte("late")) // ignored, no panic
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines before, %d after", before, n)
	}
}
