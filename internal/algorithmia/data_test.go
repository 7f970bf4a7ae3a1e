package algorithmia

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // the platform's ETag
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseDataPath(t *testing.T) {
	tests := []struct {
		in      string
		want    DataPath
		wantErr string
	}{
		{"data://alice", DataPath{Owner: "alice"}, ""},
		{"data://alice/models", DataPath{Owner: "alice", Collection: "models"}, ""},
		{"data://alice/models/model v1.bin", DataPath{Owner: "alice", Collection: "models", File: "model v1.bin"}, ""},
		{"data://.my/models/a..b", DataPath{Owner: ".my", Collection: "models", File: "a..b"}, ""},
		{"data://alice/models/ünïcode%3F", DataPath{Owner: "alice", Collection: "models", File: "ünïcode%3F"}, ""},
		{"alice/models/x", DataPath{}, "must start with data://"},
		{"s3://bucket/x", DataPath{}, "must start with data://"},
		{"data://", DataPath{}, "owner is empty"},
		{"data://alice/models/", DataPath{}, "file name is empty"},
		{"data://alice//x", DataPath{}, "collection is empty"},
		{"data://alice/models/sub/x", DataPath{}, "no folders inside a collection"},
		{"data://alice/models/../x", DataPath{}, "no folders inside a collection"},
		{"data://alice/../x", DataPath{}, "collection must not be . or .."},
		{"data://alice/models/..", DataPath{}, "file name must not be . or .."},
		{"data://alice/models/.", DataPath{}, "must not be . or .."},
		{"data://alice/models/a\\..\\b", DataPath{}, "backslash"},
		{"data://alice/models/a\nb", DataPath{}, "control characters"},
		{"data://alice/models/\xff", DataPath{}, "UTF-8"},
	}
	for _, tt := range tests {
		got, err := ParseDataPath(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidDataPath) {
				t.Errorf("%q: err %v, want ErrInvalidDataPath containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.in {
			t.Errorf("%q: String() = %q", tt.in, got.String())
		}
	}
}

func FuzzParseDataPath(f *testing.F) {
	for _, s := range []string{"data://a/b/c", "data://a/../b", "data://a//b", "data://a/b/c/d", "data://.my/x/%2e%2e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseDataPath(s)
		if err != nil {
			return
		}
		// A valid path round-trips, and its API path never climbs out of /v1/data.
		if p.String() != s {
			t.Fatalf("%q round-trips to %q", s, p.String())
		}
		for _, seg := range strings.Split(strings.TrimPrefix(p.apiPath(), "/v1/data/"), "/") {
			if seg == ".." || seg == "." || seg == "" {
				t.Fatalf("%q gives API path %q", s, p.apiPath())
			}
		}
	})
}

// fakeFile is one file of fakeData.
type fakeFile struct {
	size    int64
	md5     string
	content []byte // nil unless the fake keeps contents
	mod     time.Time
}

// fakeData is a minimal CONTRACT.md §12 server: one collection level, files kept in memory
// (or only their digests), listings paged by pageSize.
type fakeData struct {
	mu       sync.Mutex
	keep     bool
	pageSize int
	acl      map[string][]string // collection path → read ACL
	files    map[string]*fakeFile
	puts     atomic.Int32
	gets     atomic.Int32
	// failPuts answers that many PUTs with 503 after reading their body.
	failPuts atomic.Int32
	// breakGets cuts that many GET bodies off in the middle.
	breakGets atomic.Int32
	// badETag makes HEAD report a wrong ETag.
	badETag bool
	// firstBytes is closed when a PUT body's first bytes arrived.
	firstBytes chan struct{}
	firstOnce  sync.Once
}

func newFakeData(keep bool) *fakeData {
	return &fakeData{keep: keep, pageSize: 1000, acl: map[string][]string{}, files: map[string]*fakeFile{}, firstBytes: make(chan struct{})}
}

func (d *fakeData) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, "/v1/data/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	segs := strings.Split(p, "/")
	switch {
	case r.Method == http.MethodPost && len(segs) == 1:
		var body struct {
			Name string   `json:"name"`
			ACL  *DataACL `json:"acl"`
		}
		if err := decodeJSON(r.Body, &body); err != nil {
			writeJSON(w, 400, `{"error":{"message":"bad json"}}`)
			return
		}
		key := segs[0] + "/" + body.Name
		d.mu.Lock()
		defer d.mu.Unlock()
		if _, ok := d.acl[key]; ok {
			writeJSON(w, 409, `{"error":{"message":"collection exists"}}`)
			return
		}
		d.acl[key] = []string{ACLMyAlgorithms}
		if body.ACL != nil {
			d.acl[key] = body.ACL.Read
		}
		writeJSON(w, 200, `{"result":"data://`+key+`"}`)
	case r.Method == http.MethodPatch && len(segs) == 2:
		var body struct {
			ACL DataACL `json:"acl"`
		}
		_ = decodeJSON(r.Body, &body)
		d.mu.Lock()
		d.acl[p] = body.ACL.Read
		d.mu.Unlock()
		w.WriteHeader(200)
	case r.Method == http.MethodGet && len(segs) == 2:
		d.list(w, r, p)
	case r.Method == http.MethodDelete && len(segs) == 2:
		d.mu.Lock()
		defer d.mu.Unlock()
		n := 0
		for k := range d.files {
			if strings.HasPrefix(k, p+"/") {
				n++
			}
		}
		if n > 0 && r.URL.Query().Get("force") != "true" {
			writeJSON(w, 400, `{"error":{"message":"directory not empty"}}`)
			return
		}
		for k := range d.files {
			if strings.HasPrefix(k, p+"/") {
				delete(d.files, k)
			}
		}
		delete(d.acl, p)
		writeJSON(w, 200, fmt.Sprintf(`{"result":{"deleted":%d}}`, n))
	case r.Method == http.MethodPut && len(segs) == 3:
		d.put(w, r, p)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(segs) == 3:
		d.get(w, r, p)
	case r.Method == http.MethodDelete && len(segs) == 3:
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.files[p] == nil {
			writeJSON(w, 404, `{"error":{"message":"file not found"}}`)
			return
		}
		delete(d.files, p)
		writeJSON(w, 200, `{"result":{"deleted":1}}`)
	default:
		writeJSON(w, 400, `{"error":{"message":"unsupported"}}`)
	}
}

func decodeJSON(r io.Reader, v any) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (d *fakeData) put(w http.ResponseWriter, r *http.Request, p string) {
	d.puts.Add(1)
	h := md5.New() //nolint:gosec // the platform's ETag
	var buf bytes.Buffer
	dst := io.Writer(h)
	if d.keep {
		dst = io.MultiWriter(h, &buf)
	}
	first := make([]byte, 1)
	n0, err := io.ReadFull(r.Body, first)
	if n0 == 1 {
		d.firstOnce.Do(func() { close(d.firstBytes) })
		_, _ = dst.Write(first)
	}
	var n int64
	if err == nil {
		n, err = io.Copy(dst, r.Body)
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return
	}
	if d.failPuts.Load() > 0 {
		d.failPuts.Add(-1)
		writeJSON(w, 503, `{"error":{"message":"try again"}}`)
		return
	}
	f := &fakeFile{size: n + int64(n0), md5: hex.EncodeToString(h.Sum(nil)), mod: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	if d.keep {
		f.content = buf.Bytes()
	}
	d.mu.Lock()
	d.files[p] = f
	d.mu.Unlock()
	writeJSON(w, 200, `{"result":"data://`+p+`"}`)
}

func (d *fakeData) get(w http.ResponseWriter, r *http.Request, p string) {
	d.mu.Lock()
	f := d.files[p]
	d.mu.Unlock()
	if f == nil {
		if r.Method == http.MethodHead {
			w.Header().Set("X-Error-Message", "file does not exist")
			w.WriteHeader(404)
			return
		}
		writeJSON(w, 404, `{"error":{"message":"file does not exist"}}`)
		return
	}
	etag := f.md5
	if d.badETag {
		etag = strings.Repeat("0", 32)
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	w.Header().Set("X-Data-Type", "file")
	w.Header().Set("Last-Modified", f.mod.Format(http.TimeFormat))
	w.Header().Set("Content-Length", strconv.FormatInt(f.size, 10))
	if r.Method == http.MethodHead {
		return
	}
	d.gets.Add(1)
	body := f.content
	if d.breakGets.Load() > 0 {
		d.breakGets.Add(-1)
		_, _ = w.Write(body[:len(body)/2])
		// Hijack and close: the client sees a body shorter than Content-Length.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, _ := hj.Hijack()
			conn.Close()
		}
		return
	}
	_, _ = w.Write(body)
}

func (d *fakeData) list(w http.ResponseWriter, r *http.Request, p string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	acl, ok := d.acl[p]
	if !ok {
		writeJSON(w, 404, `{"error":{"message":"collection does not exist"}}`)
		return
	}
	var names []string
	for k := range d.files {
		if name, ok := strings.CutPrefix(k, p+"/"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	start := 0
	if m := r.URL.Query().Get("marker"); m != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(m, "m"))
	}
	end := min(start+d.pageSize, len(names))
	dir := DataDirectory{}
	for _, n := range names[start:end] {
		f := d.files[p+"/"+n]
		dir.Files = append(dir.Files, DataFile{Filename: n, Size: f.size, LastModified: f.mod.Format("2006-01-02T15:04:05.000Z")})
	}
	if end < len(names) {
		dir.Marker = "m" + strconv.Itoa(end)
	}
	if r.URL.Query().Get("acl") == "true" {
		dir.ACL = &DataACL{Read: acl}
	}
	w.Header().Set("X-Data-Type", "directory")
	raw, _ := json.Marshal(dir)
	writeJSON(w, 200, string(raw))
}

func newDataClient(t *testing.T, d *fakeData) (*Client, *logSink) {
	t.Helper()
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL, nil)
}

// openBytes is a BodyOpener over a byte slice that counts its calls.
func openBytes(b []byte, calls *atomic.Int32) BodyOpener {
	return func(context.Context) (io.ReadCloser, int64, error) {
		calls.Add(1)
		return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
	}
}

func TestDataCollections(t *testing.T) {
	d := newFakeData(true)
	d.pageSize = 7
	c, sink := newDataClient(t, d)
	ctx := context.Background()

	if err := c.CreateCollection(ctx, "alice", "models", &DataACL{}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateCollection(ctx, "alice", "models", nil); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("second create: %v, want ErrAlreadyExists", err)
	}
	col, err := c.GetCollection(ctx, "alice", "models")
	if err != nil || col.ACL == nil || len(col.ACL.Read) != 0 || !col.Empty {
		t.Fatalf("GetCollection: %+v, %v; want private and empty", col, err)
	}
	if err := c.UpdateCollectionACL(ctx, "alice", "models", DataACL{Read: []string{ACLPublic}}); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	for i := range 20 {
		p := DataPath{Owner: "alice", Collection: "models", File: fmt.Sprintf("f%02d.txt", i)}
		if _, err := c.PutObject(ctx, p, openBytes([]byte(p.File), &calls)); err != nil {
			t.Fatal(err)
		}
	}
	col, err = c.GetCollection(ctx, "alice", "models")
	if err != nil || col.ACL == nil || len(col.ACL.Read) != 1 || col.ACL.Read[0] != ACLPublic || col.Empty {
		t.Fatalf("GetCollection after PATCH and uploads: %+v, %v", col, err)
	}
	files, err := c.ListFiles(ctx, DataPath{Owner: "alice", Collection: "models"})
	if err != nil || len(files) != 20 || files[19].Filename != "f19.txt" || files[3].Size != 7 {
		t.Fatalf("ListFiles over 3 pages: %d files, %v", len(files), err)
	}
	if got := files[0].ModTime(); !got.Equal(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)) {
		t.Fatalf("ModTime %v", got)
	}
	f, err := c.FindFile(ctx, DataPath{Owner: "alice", Collection: "models", File: "f15.txt"})
	if err != nil || f == nil || f.Filename != "f15.txt" {
		t.Fatalf("FindFile: %+v, %v", f, err)
	}
	if _, err := c.DeleteCollection(ctx, "alice", "models", false); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("delete without force: %v", err)
	}
	n, err := c.DeleteCollection(ctx, "alice", "models", true)
	if err != nil || n != 20 {
		t.Fatalf("delete with force: %d, %v", n, err)
	}
	if _, err := c.GetCollection(ctx, "alice", "models"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetCollection after delete: %v", err)
	}
	if strings.Contains(sink.dump(), testAPIKey) {
		t.Fatal("a log line carries the API key")
	}
}

func TestDataRequests(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodHead:
			w.Header().Set("X-Data-Type", "directory")
			w.WriteHeader(200)
		default:
			writeJSON(w, 200, `{"result":"ok"}`)
		}
	})
	c, _ := newTestClient(t, ts.URL, nil)
	ctx := context.Background()
	odd := DataPath{Owner: "alice", Collection: "models", File: "a b?c#d%e"}
	if err := c.DeleteObject(ctx, odd); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateCollection(ctx, "alice", "models", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateCollectionACL(ctx, "alice", "models", DataACL{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(ctx, odd); !errors.Is(err, ErrNotAFile) {
		t.Fatalf("HEAD of a directory: %v, want ErrNotAFile", err)
	}
	reqs := ts.requests()
	want := []seen{
		{Method: "DELETE", Path: "/v1/data/alice/models/a%20b%3Fc%23d%25e", Body: []byte{}},
		{Method: "POST", Path: "/v1/data/alice", Body: []byte(`{"name":"models"}`)},
		{Method: "PATCH", Path: "/v1/data/alice/models", Body: []byte(`{"acl":{"read":[]}}`)},
		{Method: "HEAD", Path: "/v1/data/alice/models/a%20b%3Fc%23d%25e", Body: []byte{}},
	}
	for i, w := range want {
		got := reqs[i]
		if got.Method != w.Method || got.Path != w.Path || string(got.Body) != string(w.Body) || got.Auth != "Simple "+testAPIKey {
			t.Errorf("request %d: %s %s %s (auth %q), want %s %s %s", i, got.Method, got.Path, got.Body, got.Auth, w.Method, w.Path, w.Body)
		}
	}
}

func TestHeadObject(t *testing.T) {
	d := newFakeData(true)
	c, _ := newDataClient(t, d)
	ctx := context.Background()
	p := DataPath{Owner: "alice", Collection: "models", File: "x.txt"}
	_, err := c.HeadObject(ctx, p)
	var apiErr *APIError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Message != "file does not exist" {
		t.Fatalf("HEAD of a missing file: %v; want ErrNotFound with X-Error-Message", err)
	}
	var calls atomic.Int32
	res, err := c.PutObject(ctx, p, openBytes([]byte("hello\n"), &calls))
	if err != nil {
		t.Fatal(err)
	}
	if res.MD5 != "b1946ac92492d2347c6235b4d2611184" || res.SHA256 != "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" || res.Size != 6 {
		t.Fatalf("PutResult %+v", res)
	}
	info, err := c.HeadObject(ctx, p)
	if err != nil || info.Size != 6 || info.ETag != res.MD5 || info.DataType != "file" ||
		!info.LastModified.Equal(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)) {
		t.Fatalf("HEAD: %+v, %v", info, err)
	}
}

func TestPutObjectRetriesByReopening(t *testing.T) {
	d := newFakeData(true)
	d.failPuts.Store(2)
	c, sink := newDataClient(t, d)
	var calls atomic.Int32
	p := DataPath{Owner: "alice", Collection: "models", File: "x.bin"}
	if _, err := c.PutObject(context.Background(), p, openBytes(bytes.Repeat([]byte("ab"), 100_000), &calls)); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || d.puts.Load() != 3 {
		t.Fatalf("opened %d times, %d PUTs; want 3 of each", calls.Load(), d.puts.Load())
	}
	if got := len(d.files[p.Owner+"/"+p.Collection+"/"+p.File].content); got != 200_000 {
		t.Fatalf("stored %d bytes", got)
	}
	if !strings.Contains(sink.dump(), "retrying request") || strings.Contains(sink.dump(), testAPIKey) {
		t.Fatalf("logs:\n%s", sink.dump())
	}

	// Once retries run out the platform's answer is the error.
	d.failPuts.Store(10)
	calls.Store(0)
	_, err := c.PutObject(context.Background(), p, openBytes([]byte("x"), &calls))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Message != "try again" || calls.Load() != 4 {
		t.Fatalf("err %v after %d opens; want the 503 after 1+3 attempts", err, calls.Load())
	}
}

func TestPutObjectPermanentFailures(t *testing.T) {
	d := newFakeData(true)
	c, _ := newDataClient(t, d)
	ctx := context.Background()
	p := DataPath{Owner: "alice", Collection: "models", File: "x.bin"}

	// A source that cannot be opened is not retried.
	var opens atomic.Int32
	_, err := c.PutObject(ctx, p, func(context.Context) (io.ReadCloser, int64, error) {
		opens.Add(1)
		return nil, 0, errors.New("no such file")
	})
	if err == nil || !strings.Contains(err.Error(), "no such file") || opens.Load() != 1 {
		t.Fatalf("err %v after %d opens", err, opens.Load())
	}

	// A source shorter or longer than announced changed under us.
	for _, tc := range []struct {
		size int64
		body string
	}{{10, "12345"}, {3, "12345"}} {
		opens.Store(0)
		_, err = c.PutObject(ctx, p, func(context.Context) (io.ReadCloser, int64, error) {
			opens.Add(1)
			return io.NopCloser(strings.NewReader(tc.body)), tc.size, nil
		})
		if !errors.Is(err, ErrSourceChanged) || opens.Load() != 1 {
			t.Fatalf("size %d: err %v after %d opens; want ErrSourceChanged at once", tc.size, err, opens.Load())
		}
	}

	// A stored ETag other than the md5 sent fails the upload.
	d.badETag = true
	_, err = c.PutObject(ctx, p, openBytes([]byte("abc"), &opens))
	if !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("bad ETag: %v", err)
	}

	// Without a key, nothing is sent.
	noKey, _ := newTestClient(t, "http://127.0.0.1:1", func(cfg *Config) { cfg.APIKey = "" })
	if _, err := noKey.PutObject(ctx, p, openBytes([]byte("abc"), &opens)); !errors.Is(err, ErrAPIKeyRequired) {
		t.Fatalf("no key: %v", err)
	}
}

// gatedReader produces size bytes but blocks after the first chunk until gate is
// closed: an upload that buffered its body before sending would never finish.
type gatedReader struct {
	size, n int64
	gate    <-chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.n >= g.size {
		return 0, io.EOF
	}
	if g.n > 0 {
		select {
		case <-g.gate:
		case <-time.After(10 * time.Second):
			return 0, errors.New("the server saw no byte before the client finished reading: the body was buffered")
		}
	}
	n := int(min(int64(len(p)), g.size-g.n, 64<<10))
	for i := range n {
		p[i] = byte(g.n + int64(i))
	}
	g.n += int64(n)
	return n, nil
}

func TestPutObjectStreamsBeforeReadingAll(t *testing.T) {
	d := newFakeData(false)
	c, _ := newDataClient(t, d)
	const size = 8 << 20
	res, err := c.PutObject(context.Background(), DataPath{Owner: "a", Collection: "b", File: "c"},
		func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(&gatedReader{size: size, gate: d.firstBytes}), size, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != size {
		t.Fatalf("sent %d bytes", res.Size)
	}
}

// patternReader yields n deterministic bytes without holding them.
type patternReader struct{ n, off int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), r.n-r.off))
	for i := range k {
		p[i] = byte((r.off + int64(i)) * 7)
	}
	r.off += int64(k)
	return k, nil
}

func TestPutObjectBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 256 MiB")
	}
	d := newFakeData(false)
	c, _ := newDataClient(t, d)
	const size = 256 << 20
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := c.PutObject(context.Background(), DataPath{Owner: "a", Collection: "b", File: "big"},
		func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(&patternReader{n: size}), size, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	// TotalAlloc counts every allocation (client and test server together):
	// buffering the body even once would add 256 MiB.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Fatalf("a %d MiB upload allocated %d MiB", size>>20, grew>>20)
	}
	h := sha256.New()
	_, _ = io.Copy(h, &patternReader{n: size})
	if res.SHA256 != hex.EncodeToString(h.Sum(nil)) || res.Size != size {
		t.Fatalf("PutResult %+v", res)
	}
}

func TestCopyObject(t *testing.T) {
	src, dst := newFakeData(true), newFakeData(true)
	srcClient, _ := newDataClient(t, src)
	dstClient, _ := newDataClient(t, dst)
	ctx := context.Background()
	from := DataPath{Owner: "dev", Collection: "models", File: "m.bin"}
	to := DataPath{Owner: "prod", Collection: "models", File: "m.bin"}
	content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	var opens atomic.Int32
	if _, err := srcClient.PutObject(ctx, from, openBytes(content, &opens)); err != nil {
		t.Fatal(err)
	}

	// The first download breaks in the middle: the copy starts a new one.
	src.breakGets.Store(1)
	res, err := CopyObject(ctx, srcClient, from, dstClient, to, CopyOptions{ExpectETag: src.files["dev/models/m.bin"].md5})
	if err != nil {
		t.Fatal(err)
	}
	if src.gets.Load() != 2 || dst.puts.Load() != 2 {
		t.Fatalf("%d GETs, %d PUTs; want 2 of each", src.gets.Load(), dst.puts.Load())
	}
	sum := sha256.Sum256(content)
	if res.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(dst.files["prod/models/m.bin"].content, content) {
		t.Fatal("the copy differs from the source")
	}

	// A source that changed since the plan is not copied.
	_, err = CopyObject(ctx, srcClient, from, dstClient, to, CopyOptions{ExpectETag: strings.Repeat("a", 32)})
	if !errors.Is(err, ErrSourceChanged) {
		t.Fatalf("changed source: %v", err)
	}
	// A missing source is reported as such, and nothing is written.
	puts := dst.puts.Load()
	_, err = CopyObject(ctx, srcClient, DataPath{Owner: "dev", Collection: "models", File: "nope"}, dstClient, to, CopyOptions{})
	if !errors.Is(err, ErrNotFound) || dst.puts.Load() != puts {
		t.Fatalf("missing source: %v (%d PUTs)", err, dst.puts.Load()-puts)
	}
}

func TestGetObject(t *testing.T) {
	d := newFakeData(true)
	c, _ := newDataClient(t, d)
	ctx := context.Background()
	p := DataPath{Owner: "a", Collection: "b", File: "c"}
	var opens atomic.Int32
	if _, err := c.PutObject(ctx, p, openBytes([]byte("payload"), &opens)); err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	if err != nil || string(b) != "payload" || obj.Info.Size != 7 || obj.Info.ETag != d.files["a/b/c"].md5 {
		t.Fatalf("GET: %q %+v %v", b, obj.Info, err)
	}
	if _, err := c.GetObject(ctx, DataPath{Owner: "a", Collection: "b", File: "missing"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func TestStreamIdleTimeout(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.Header().Set("X-Data-Type", "file")
		_, _ = w.Write([]byte("12345"))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		<-r.Context().Done() // stall
	}))
	defer ts.Close()
	c, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.RequestTimeout = 200 * time.Millisecond })
	obj, err := c.GetObject(context.Background(), DataPath{Owner: "a", Collection: "b", File: "c"})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	start := time.Now()
	_, err = io.ReadAll(obj.Body)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("a stalled download ended with %v after %s", err, time.Since(start))
	}
}

func TestCaller(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		wantErr          bool
	}{
		{"first folder is the caller", `{"folders":[{"name":"alice"},{"name":"acme"}]}`, "alice", false},
		{"no folder", `{"folders":[]}`, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Data-Type", "directory")
				_, _ = io.WriteString(w, tc.body)
			})
			c, _ := newTestClient(t, ts.URL, nil)
			got, err := c.Caller(context.Background())
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("Caller = %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
			if r := ts.requests(); len(r) != 1 || r[0].Method != http.MethodGet || r[0].Path != "/v1/data/" || r[0].Auth != "Simple "+testAPIKey {
				t.Fatalf("requests %+v; want one GET of the data root with the standard key", r)
			}
		})
	}
}

func TestMaskAPIKey(t *testing.T) {
	for in, want := range map[string]string{"": "", "short": "*****", "simABCDEFGHIJ1234": "sim**********1234"} {
		if got := MaskAPIKey(in); got != want {
			t.Errorf("MaskAPIKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// ListCollections asks for the ACLs, follows markers, prefers the standard key and
// falls back to the admin key.
func TestListCollections(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Data-Type", "directory")
		if r.URL.Query().Get("marker") == "" {
			writeJSON(w, 200, `{"folders":[{"name":"a","acl":{"read":[]}},{"name":"b"}],"marker":"Yg"}`)
			return
		}
		writeJSON(w, 200, `{"folders":[{"name":"c","acl":{"read":["user://*"]}}]}`)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	folders, err := c.ListCollections(context.Background(), "alice")
	if err != nil || len(folders) != 3 {
		t.Fatalf("ListCollections: %+v, %v; want 3 folders", folders, err)
	}
	if folders[0].ACL == nil || len(folders[0].ACL.Read) != 0 || folders[1].ACL != nil || folders[2].ACL.Read[0] != ACLPublic {
		t.Fatalf("ACLs: %+v %+v %+v", folders[0].ACL, folders[1].ACL, folders[2].ACL)
	}
	reqs := ts.requests()
	if len(reqs) != 2 || reqs[1].RawQuery != "acl=true&marker=Yg" {
		t.Fatalf("requests: %+v; want two, the second with acl=true&marker=Yg", reqs)
	}
	for i, r := range reqs {
		if r.Path != "/v1/data/alice" || r.Auth != "Simple "+testAPIKey {
			t.Errorf("request %d: %s (auth %q), want /v1/data/alice with the standard key", i, r.Path, r.Auth)
		}
	}
	adminOnly, _ := newTestClient(t, ts.URL, func(c *Config) { c.APIKey = "" })
	if _, err := adminOnly.ListCollections(context.Background(), "alice"); err != nil {
		t.Fatalf("with only the admin key: %v", err)
	}
	if got := ts.requests()[2].Auth; got != "Simple "+testAdminKey {
		t.Fatalf("with only the admin key, auth %q", got)
	}
}

// The admin listing of an account's collections follows markers and uses the admin key.
func TestListCollectionsAsAdmin(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Data-Type", "directory")
		if r.URL.Query().Get("marker") == "" {
			writeJSON(w, 200, `{"folders":[{"name":"a"},{"name":"b"}],"marker":"Yg"}`)
			return
		}
		writeJSON(w, 200, `{"folders":[{"name":"c"}]}`)
	})
	c, sink := newTestClient(t, ts.URL, nil)
	names, err := c.ListCollectionsAsAdmin(context.Background(), "alice")
	if err != nil || strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("ListCollectionsAsAdmin: %v, %v; want a,b,c", names, err)
	}
	for i, r := range ts.requests() {
		if r.Method != "GET" || r.Path != "/v1/data/alice" || r.Auth != "Simple "+testAdminKey {
			t.Errorf("request %d: %s %s (auth %q), want GET /v1/data/alice with the admin key", i, r.Method, r.Path, r.Auth)
		}
	}
	if strings.Contains(sink.dump(), testAdminKey) {
		t.Fatal("a log line carries the admin key")
	}
	noAdmin, _ := newTestClient(t, ts.URL, func(c *Config) { c.AdminAPIKey = "" })
	if _, err := noAdmin.ListCollectionsAsAdmin(context.Background(), "alice"); !errors.Is(err, ErrAdminKeyRequired) {
		t.Fatalf("without an admin key: %v, want ErrAdminKeyRequired", err)
	}
}
