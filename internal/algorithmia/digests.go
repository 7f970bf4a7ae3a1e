package algorithmia

import (
	"crypto/md5" //nolint:gosec // md5 is the platform's ETag, used to verify uploads, not for security
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
	"sync/atomic"
)

// Uploads hash every byte twice (md5 for the platform's ETag, sha256 for the
// caller). In series on the goroutine that feeds the request, the two hashes
// cost more CPU than the transfer itself, so digests runs each hash on its own
// goroutine, beside the other and beside the transfer. The bytes are copied
// into at most digestChunks buffers of digestChunk bytes: memory is bounded
// whatever the size, and a writer that gets ahead of the hashes waits for a
// free buffer.
const (
	digestChunk  = 256 << 10
	digestChunks = 4
)

type digestBuf struct {
	b       []byte
	pending atomic.Int32 // hashes that have not read b yet
}

// digests computes the md5 and sha256 of what is written to it, in parallel.
// Write, sums and stop may be called from different goroutines.
type digests struct {
	mu    sync.Mutex // serialises Write, sums and the end of stop
	cur   *digestBuf // being filled
	made  int        // buffers allocated so far
	ended bool       // the work channels are closed
	free  chan *digestBuf
	work  [2]chan *digestBuf
	algo  [2]hash.Hash
	done  chan struct{} // closed by stop: drop what is left
	once  sync.Once
	wg    sync.WaitGroup
}

func newDigests() *digests {
	d := &digests{
		free: make(chan *digestBuf, digestChunks),
		algo: [2]hash.Hash{md5.New(), sha256.New()}, //nolint:gosec // see the import
		done: make(chan struct{}),
	}
	for i := range d.work {
		// Room for every buffer: dispatching never blocks.
		d.work[i] = make(chan *digestBuf, digestChunks)
		d.wg.Add(1)
		go d.run(i)
	}
	return d
}

func (d *digests) run(i int) {
	defer d.wg.Done()
	for c := range d.work[i] {
		select {
		case <-d.done:
		default:
			d.algo[i].Write(c.b)
		}
		if c.pending.Add(-1) == 0 {
			c.b = c.b[:0]
			d.free <- c // never blocks: free has room for every buffer
		}
	}
}

// Write adds p to both hashes. It copies p, so the caller may reuse it at once.
// After sums or stop it does nothing.
func (d *digests) Write(p []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(p) > 0 && !d.ended {
		if d.cur == nil {
			if d.cur = d.buffer(); d.cur == nil {
				return // stopped
			}
		}
		k := min(len(p), cap(d.cur.b)-len(d.cur.b))
		d.cur.b = append(d.cur.b, p[:k]...)
		p = p[k:]
		if len(d.cur.b) == cap(d.cur.b) {
			d.dispatch()
		}
	}
}

// buffer returns a free buffer, allocating up to digestChunks of them, else
// waits for the hashes to release one; nil after stop.
func (d *digests) buffer() *digestBuf {
	select {
	case c := <-d.free:
		return c
	default:
	}
	if d.made < digestChunks {
		d.made++
		return &digestBuf{b: make([]byte, 0, digestChunk)}
	}
	select {
	case c := <-d.free:
		return c
	case <-d.done:
		return nil
	}
}

func (d *digests) dispatch() {
	d.cur.pending.Store(int32(len(d.work)))
	for _, w := range d.work {
		w <- d.cur
	}
	d.cur = nil
}

// sums waits for both hashes and returns them in hex. ok is false after stop.
func (d *digests) sums() (md5Hex, sha256Hex string, ok bool) {
	d.mu.Lock()
	if d.ended {
		d.mu.Unlock()
		return "", "", false
	}
	if d.cur != nil && len(d.cur.b) > 0 {
		d.dispatch()
	}
	d.end()
	d.mu.Unlock()
	d.wg.Wait()
	select {
	case <-d.done:
		return "", "", false
	default:
	}
	return hex.EncodeToString(d.algo[0].Sum(nil)), hex.EncodeToString(d.algo[1].Sum(nil)), true
}

// stop abandons the hashes and ends the goroutines; it may run while a Write
// waits for a buffer, and more than once.
func (d *digests) stop() {
	d.once.Do(func() { close(d.done) })
	d.mu.Lock()
	d.end()
	d.mu.Unlock()
	d.wg.Wait()
}

func (d *digests) end() {
	if !d.ended {
		d.ended = true
		for _, w := range d.work {
			close(w)
		}
	}
}
