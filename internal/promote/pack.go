package promote

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1" //nolint:gosec // the pack trailer is SHA-1 by format; it is a checksum here, not an identity
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// A pack made by go-git's encoder inflates every object and deflates it again,
// which costs most of a promotion's CPU, although nearly every object arrived
// in a fetched pack, already compressed. The push pack copies those entries as
// they are, as the git CLI does (see writePackTo): fetched packs are kept as
// pack files with an index, so an entry's bytes run from its offset to the
// next entry's offset. An entry is copied when it is whole, or when it is a
// delta whose base is sent in the same pack (written before it, as a
// REF_DELTA). Anything else is sent whole, inflated once and deflated again:
// the commit the promotion made (a loose object), and deltas whose base the
// destination may not have. No thin pack is sent. Each copied entry is checked
// against the CRC-32 its index records, so a damaged store cannot leak into
// the push.
//
// Memory does not grow with the bytes of the repository: they stream from the
// fetched pack files to the new one. What is held is per object (the indexes
// and the plan, about a hundred bytes each), as in go-git's own store.

// Pack entry types (gitformat-pack).
const (
	packOFSDelta = 6
	packREFDelta = 7
)

// storedPack is one fetched pack and its index.
type storedPack struct {
	file    io.ReaderAt
	closer  io.Closer
	idx     *idxfile.MemoryIndex
	offsets []int64 // entry offsets, sorted
	end     int64   // where the trailer starts
}

// rawEntry is where an object's entry lies in a stored pack.
type rawEntry struct {
	pack       *storedPack
	offset     int64 // of the entry header
	dataOffset int64 // of the compressed data
	end        int64 // the next entry
	typ        byte  // entry type: 1-4 whole, 6 or 7 delta
	size       int64 // inflated size of the object or delta
	base       plumbing.Hash
	crc        uint32
}

// packItem says how one object is written.
type packItem struct {
	hash plumbing.Hash
	raw  *rawEntry // nil: send whole
	// delta is true when raw is a delta whose base comes earlier in this pack.
	delta bool
}

func openStoredPacks(store *filesystem.Storage) ([]*storedPack, error) {
	hashes, err := store.ObjectPacks()
	if err != nil {
		return nil, err
	}
	fs := store.Filesystem()
	var packs []*storedPack
	fail := func(err error) ([]*storedPack, error) {
		closePacks(packs)
		return nil, err
	}
	for _, h := range hashes {
		name := "objects/pack/pack-" + h.String()
		idx := idxfile.NewMemoryIndex()
		f, err := fs.Open(name + ".idx")
		if err != nil {
			return fail(err)
		}
		err = idxfile.NewDecoder(bufio.NewReader(f)).Decode(idx)
		_ = f.Close()
		if err != nil {
			return fail(fmt.Errorf("read %s.idx: %w", name, err))
		}
		pf, err := fs.Open(name + ".pack")
		if err != nil {
			return fail(err)
		}
		p := &storedPack{file: pf, closer: pf, idx: idx}
		packs = append(packs, p)
		fi, err := fs.Stat(name + ".pack")
		if err != nil {
			return fail(err)
		}
		p.end = fi.Size() - int64(len(plumbing.ZeroHash))
		it, err := idx.Entries()
		if err != nil {
			return fail(err)
		}
		for {
			e, err := it.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fail(err)
			}
			p.offsets = append(p.offsets, int64(e.Offset))
		}
		_ = it.Close()
		slices.Sort(p.offsets)
	}
	return packs, nil
}

func closePacks(packs []*storedPack) {
	for _, p := range packs {
		_ = p.closer.Close()
	}
}

// locate finds h's entry in the stored packs, or nil: a whole entry if any
// pack has one (it can always be copied), else the first delta.
func locate(packs []*storedPack, h plumbing.Hash) (*rawEntry, error) {
	var first *rawEntry
	for _, p := range packs {
		off, err := p.idx.FindOffset(h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		e, err := p.entry(h, off)
		if err != nil {
			return nil, err
		}
		if e.typ < packOFSDelta {
			return e, nil
		}
		if first == nil {
			first = e
		}
	}
	return first, nil
}

func (p *storedPack) entry(h plumbing.Hash, off int64) (*rawEntry, error) {
	i, found := slices.BinarySearch(p.offsets, off)
	if !found {
		return nil, fmt.Errorf("object %s: offset %d is not in the pack index", h, off)
	}
	end := p.end
	if i+1 < len(p.offsets) {
		end = p.offsets[i+1]
	}
	var hdr [32]byte
	n, err := p.file.ReadAt(hdr[:min(int64(len(hdr)), end-off)], off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	e := &rawEntry{pack: p, offset: off, end: end}
	bad := func() (*rawEntry, error) { return nil, fmt.Errorf("object %s: bad pack entry header at %d", h, off) }
	b := hdr[:n]
	if len(b) == 0 {
		return bad()
	}
	c := b[0]
	e.typ = (c >> 4) & 7
	e.size = int64(c & 0x0f)
	b = b[1:]
	for shift := 4; c&0x80 != 0; shift += 7 {
		if len(b) == 0 || shift > 56 {
			return bad()
		}
		c, b = b[0], b[1:]
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case byte(plumbing.CommitObject), byte(plumbing.TreeObject), byte(plumbing.BlobObject), byte(plumbing.TagObject):
	case packOFSDelta:
		if len(b) == 0 {
			return bad()
		}
		c, b = b[0], b[1:]
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if len(b) == 0 || rel > 1<<48 {
				return bad()
			}
			c, b = b[0], b[1:]
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return bad()
		}
		if e.base, err = p.idx.FindHash(off - rel); err != nil {
			return nil, fmt.Errorf("object %s: base of delta at %d: %w", h, off, err)
		}
	case packREFDelta:
		if len(b) < len(e.base) {
			return bad()
		}
		copy(e.base[:], b)
		b = b[len(e.base):]
	default:
		return bad()
	}
	e.dataOffset = off + int64(n-len(b))
	if e.dataOffset >= end {
		return bad()
	}
	if e.crc, err = p.idx.FindCRC32(h); err != nil {
		return nil, err
	}
	return e, nil
}

// planPack orders the objects so that every base precedes its deltas, and
// says which entries can be copied.
func planPack(packs []*storedPack, hashes []plumbing.Hash) ([]packItem, error) {
	entries := make(map[plumbing.Hash]*rawEntry, len(hashes))
	for _, h := range hashes {
		e, err := locate(packs, h)
		if err != nil {
			return nil, err
		}
		entries[h] = e // nil when loose
	}
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[plumbing.Hash]int, len(hashes))
	items := make([]packItem, 0, len(hashes))
	var visit func(h plumbing.Hash)
	visit = func(h plumbing.Hash) {
		if state[h] != 0 {
			return
		}
		state[h] = visiting
		it := packItem{hash: h, raw: entries[h]}
		if e := it.raw; e != nil && e.typ >= packOFSDelta {
			_, sent := entries[e.base]
			if sent && state[e.base] == 0 {
				visit(e.base)
			}
			// A base that is not sent, or that is still being visited
			// (a cycle between packs), makes this object whole.
			if sent && state[e.base] == done {
				it.delta = true
			} else {
				it.raw = nil
			}
		}
		state[h] = done
		items = append(items, it)
	}
	for _, h := range hashes {
		visit(h)
	}
	return items, nil
}

// packOut writes the pack and hashes what it writes for the trailer.
type packOut struct {
	w   *bufio.Writer
	sum hash.Hash
	zw  *zlib.Writer
	buf []byte
}

func (o *packOut) Write(p []byte) (int, error) {
	o.sum.Write(p)
	return o.w.Write(p)
}

func (o *packOut) header(typ byte, size int64) error {
	_, err := o.Write(entryHeader(nil, typ, size))
	return err
}

// entryHeader appends an entry's type and inflated size to b.
func entryHeader(b []byte, typ byte, size int64) []byte {
	c := typ<<4 | byte(size&0x0f)
	size >>= 4
	for size != 0 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(b, c)
}

// copyRaw copies the entry's compressed bytes from where to its end,
// checking the whole entry's CRC-32 against the index.
func (o *packOut) copyRaw(e *rawEntry, h plumbing.Hash, from int64) error {
	crc := crc32.NewIEEE()
	if from > e.offset {
		// The header is not copied, but it is part of the CRC.
		hdr := make([]byte, from-e.offset)
		if _, err := e.pack.file.ReadAt(hdr, e.offset); err != nil {
			return err
		}
		crc.Write(hdr)
	}
	r := io.TeeReader(io.NewSectionReader(e.pack.file, from, e.end-from), crc)
	if _, err := io.CopyBuffer(o, r, o.buf); err != nil {
		return err
	}
	if crc.Sum32() != e.crc {
		return fmt.Errorf("object %s: the stored pack entry is damaged (CRC-32 mismatch)", h)
	}
	return nil
}

// whole writes an object inflated from the store and deflated again, in
// the writer's goroutine (objects too large to deflate ahead).
func (o *packOut) whole(store *filesystem.Storage, storeMu *sync.Mutex, h plumbing.Hash) error {
	storeMu.Lock()
	defer storeMu.Unlock()
	obj, err := store.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return fmt.Errorf("object %s: %w", h, err)
	}
	if err := o.header(byte(obj.Type()), obj.Size()); err != nil {
		return err
	}
	r, err := obj.Reader()
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	o.zw.Reset(o)
	if _, err := io.CopyBuffer(o.zw, r, o.buf); err != nil {
		return err
	}
	return o.zw.Close()
}

// Objects sent whole are deflated ahead of the writer on up to two workers
// (deflate costs about four times what inflate does), while the writer
// copies stored entries. At most aheadWindow entries of at most aheadMax
// inflated bytes each wait in memory; larger objects are deflated by the
// writer in turn. go-git's store is not safe for concurrent use, so reading
// an object out of it holds storeMu; only the deflating runs in parallel.
const (
	aheadWindow = 8
	aheadMax    = 1 << 20
)

// deflated is one whole entry compressed ahead: header and zlib stream, or
// nil when the object is too large and the writer must do it.
type deflated struct {
	entry []byte
	err   error
}

type deflater struct {
	results []chan deflated // per item; nil for copied entries
	slots   chan struct{}   // one per entry held in memory
	done    chan struct{}
	wg      sync.WaitGroup
}

func deflateAhead(store *filesystem.Storage, storeMu *sync.Mutex, items []packItem) *deflater {
	d := &deflater{results: make([]chan deflated, len(items)), slots: make(chan struct{}, aheadWindow), done: make(chan struct{})}
	jobs := make(chan int)
	some := false
	for i, it := range items {
		if it.raw == nil {
			d.results[i] = make(chan deflated, 1) // a worker never waits to hand over
			some = true
		}
	}
	if !some {
		return d
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer close(jobs)
		for i, it := range items {
			if it.raw != nil {
				continue
			}
			// In item order: the writer waits only on jobs already handed out.
			select {
			case d.slots <- struct{}{}:
			case <-d.done:
				return
			}
			select {
			case jobs <- i:
			case <-d.done:
				return
			}
		}
	}()
	workers := min(2, max(1, runtime.GOMAXPROCS(0)))
	for range workers {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			var zw *zlib.Writer
			var buf bytes.Buffer
			for i := range jobs {
				d.results[i] <- deflateOne(store, storeMu, items[i].hash, &zw, &buf)
			}
		}()
	}
	return d
}

// deflateOne reads an object (holding storeMu) and deflates it into a new entry.
func deflateOne(store *filesystem.Storage, storeMu *sync.Mutex, h plumbing.Hash, zw **zlib.Writer, buf *bytes.Buffer) deflated {
	storeMu.Lock()
	obj, err := store.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		storeMu.Unlock()
		return deflated{err: fmt.Errorf("object %s: %w", h, err)}
	}
	if obj.Size() > aheadMax {
		storeMu.Unlock()
		return deflated{}
	}
	buf.Reset()
	err = func() error {
		r, err := obj.Reader()
		if err != nil {
			return err
		}
		defer func() { _ = r.Close() }()
		_, err = buf.ReadFrom(r)
		return err
	}()
	storeMu.Unlock()
	if err != nil {
		return deflated{err: fmt.Errorf("object %s: %w", h, err)}
	}
	var out bytes.Buffer
	out.Grow(buf.Len()/2 + 64)
	out.Write(entryHeader(nil, byte(obj.Type()), obj.Size()))
	if *zw == nil {
		*zw = zlib.NewWriter(&out)
	} else {
		(*zw).Reset(&out)
	}
	if _, err := (*zw).Write(buf.Bytes()); err != nil {
		return deflated{err: err}
	}
	if err := (*zw).Close(); err != nil {
		return deflated{err: err}
	}
	return deflated{entry: out.Bytes()}
}

// stop ends the workers; entries not yet taken are dropped.
func (d *deflater) stop() {
	close(d.done)
	d.wg.Wait()
}

// packStats counts how the objects of a pack were written.
type packStats struct {
	Objects int // entries in the pack
	Copied  int // entries copied as stored, deltas included
	Deltas  int // of which deltas against an earlier entry
	Whole   int // inflated from the store and deflated again
}

// writePackTo writes a pack of exactly the given objects to w.
func writePackTo(w io.Writer, store *filesystem.Storage, hashes []plumbing.Hash) (st packStats, err error) {
	packs, err := openStoredPacks(store)
	if err != nil {
		return st, err
	}
	defer closePacks(packs)
	items, err := planPack(packs, hashes)
	if err != nil {
		return st, err
	}
	st.Objects = len(items)
	var storeMu sync.Mutex
	ahead := deflateAhead(store, &storeMu, items)
	defer ahead.stop()
	o := &packOut{w: bufio.NewWriterSize(w, 1<<20), sum: sha1.New(), zw: zlib.NewWriter(io.Discard), buf: make([]byte, 256<<10)} //nolint:gosec // see the import
	var head [12]byte
	copy(head[:], "PACK")
	binary.BigEndian.PutUint32(head[4:], 2)
	binary.BigEndian.PutUint32(head[8:], uint32(len(items)))
	if _, err := o.Write(head[:]); err != nil {
		return st, err
	}
	for i, it := range items {
		e := it.raw
		switch {
		case e == nil:
			st.Whole++
			d := <-ahead.results[i]
			switch {
			case d.err != nil:
				err = d.err
			case d.entry != nil:
				_, err = o.Write(d.entry)
			default:
				err = o.whole(store, &storeMu, it.hash)
			}
			<-ahead.slots
		case it.delta:
			st.Copied++
			st.Deltas++
			if err = o.header(packREFDelta, e.size); err == nil {
				if _, err = o.Write(e.base[:]); err == nil {
					err = o.copyRaw(e, it.hash, e.dataOffset)
				}
			}
		default:
			st.Copied++
			err = o.copyRaw(e, it.hash, e.offset)
		}
		if err != nil {
			return st, err
		}
	}
	if _, err := o.w.Write(o.sum.Sum(nil)); err != nil {
		return st, err
	}
	return st, o.w.Flush()
}
