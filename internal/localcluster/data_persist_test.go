package localcluster

import (
	"crypto/md5" //nolint:gosec // the platform's ETag
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// TestDataContract validates the spec'd data operations with kin-openapi.
func TestDataContract(t *testing.T) {
	specPath(t)
	tc := newTestCluster(t)
	ct := newContractTransport(t, tc.srv.URL)
	alice := tc.addUser("alice")
	tc.client = &http.Client{Transport: dataContractTransport{ct}}
	const base = "/v1/connector/data/"

	tc.mustData(200, "POST", base+"alice", alice, jsonBody(map[string]any{"name": "c", "acl": map[string]any{"read": []string{"user://*"}}}))
	tc.mustData(200, "PUT", base+"alice/c/f.txt", alice, strings.NewReader("hello"))
	tc.mustData(200, "GET", base+"alice/c/f.txt", alice, nil)
	tc.mustData(200, "HEAD", base+"alice/c/f.txt", alice, nil)
	tc.mustData(200, "GET", base+"alice/c?acl=true", alice, nil)
	tc.mustData(200, "GET", base+"alice", alice, nil)
	tc.mustData(200, "PATCH", base+"alice/c", alice, jsonBody(map[string]any{"acl": map[string]any{"read": []string{}}}))
	tc.mustData(404, "GET", base+"alice/c/nope", alice, nil)
	tc.mustData(400, "DELETE", base+"alice/c", alice, nil)
	tc.mustData(200, "DELETE", base+"alice/c/f.txt", alice, nil)
	tc.mustData(200, "DELETE", base+"alice/c?force=true", alice, nil)

	var missing []string
	for _, op := range []string{"createDirectory", "uploadFile", "getFileOrDirectory", "verifyFileExistence", "updateDirectoryAcl", "deleteFileOrDirectory"} {
		if !ct.seen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("data operations never validated: %s", strings.Join(missing, ", "))
	}
}

// dataContractTransport is contractTransport for /v1/connector/data paths
// deeper than one segment, which kin-openapi's router cannot match to the
// spec's single {connectorPath} parameter: the copy that is validated has
// the path's inner slashes turned into "_", and everything else (method,
// query, headers, bodies, status) as sent and received.
type dataContractTransport struct{ ct *contractTransport }

func (d dataContractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return d.ct.roundTrip(req, func(vreq *http.Request) {
		const prefix = "/v1/connector/data/"
		if rest, ok := strings.CutPrefix(vreq.URL.Path, prefix); ok {
			vreq.URL.Path = prefix + strings.ReplaceAll(rest, "/", "_")
			vreq.URL.RawPath = ""
		}
	})
}

// TestDataRestart checks that files, records and ACLs survive a restart, and
// that the start-up reconciliation repairs what a kill -9 can leave behind.
func TestDataRestart(t *testing.T) {
	dir := t.TempDir()
	tc := openTestCluster(t, dir)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "keep", []string{"user://*"})
	tc.createCollection(alice, "alice", "gone", nil)
	tc.mustData(200, "PUT", "/v1/data/alice/keep/a", alice, strings.NewReader("alpha"))
	tc.mustData(200, "PUT", "/v1/data/alice/keep/b", alice, strings.NewReader("beta"))
	tc.mustData(200, "PUT", "/v1/data/alice/keep/c", alice, strings.NewReader("gamma"))
	tc.close()

	// What a crash leaves: an unfinished upload, a file renamed into place
	// whose record was never committed (new and replaced), a deleted file
	// whose record survived, and a directory whose collection is gone.
	keep := filepath.Join(dir, "data", "alice", "keep")
	gittest.WriteFile(t, filepath.Join(keep, uploadPrefix+"123"), "torn")
	gittest.WriteFile(t, filepath.Join(keep, "new"), "renamed, not recorded")
	gittest.WriteFile(t, filepath.Join(keep, "b"), "beta, replaced")
	if err := os.Remove(filepath.Join(keep, "c")); err != nil {
		t.Fatal(err)
	}
	gittest.WriteFile(t, filepath.Join(dir, "data", "alice", "orphan", "x"), "x")
	gittest.WriteFile(t, filepath.Join(dir, "data", "ghost", "coll", "x"), "x")

	tc = openTestCluster(t, dir)
	d := tc.mustData(200, "GET", "/v1/data/alice/keep?acl=true", alice, nil)
	var l dataListing
	d.json(t, &l)
	var names []string
	for _, f := range l.Files {
		names = append(names, f.Filename)
	}
	if strings.Join(names, ",") != "a,b,new" || l.ACL == nil || len(l.ACL.Read) != 1 || l.ACL.Read[0] != aclPublic {
		t.Fatalf("after restart: %s", d.body)
	}
	for name, content := range map[string]string{"a": "alpha", "b": "beta, replaced", "new": "renamed, not recorded"} {
		h := tc.mustData(200, "HEAD", "/v1/data/alice/keep/"+name, alice, nil).header
		if h.Get("ETag") != md5hex(content) || h.Get("Content-Length") != strconv.Itoa(len(content)) {
			t.Errorf("HEAD %s after restart: %v", name, h)
		}
		if g := tc.mustData(200, "GET", "/v1/data/alice/keep/"+name, alice, nil); string(g.body) != content {
			t.Errorf("GET %s after restart: %q", name, g.body)
		}
	}
	tc.mustData(404, "HEAD", "/v1/data/alice/keep/c", alice, nil)
	tc.mustData(200, "GET", "/v1/data/alice/gone", alice, nil)
	for _, p := range []string{filepath.Join(keep, uploadPrefix+"123"), filepath.Join(dir, "data", "alice", "orphan"), filepath.Join(dir, "data", "ghost")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived the restart: %v", p, err)
		}
	}
}

// failingBody yields n bytes and then fails, like a client that dies mid-upload.
type failingBody struct{ n int }

func (f *failingBody) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("client gave up")
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'X'
	}
	f.n -= k
	return k, nil
}

// TestDataPutAtomic: an upload that fails midway leaves the previous
// content (or no file) visible, never a partial one, and no temporary file.
func TestDataPutAtomic(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "c", nil)
	tc.mustData(200, "PUT", "/v1/data/alice/c/f", alice, strings.NewReader("old content"))
	for _, name := range []string{"f", "fresh"} {
		for _, declared := range []int64{-1, 4 << 20} { // chunked, and a Content-Length never reached
			req, _ := http.NewRequest("PUT", tc.srv.URL+"/v1/data/alice/c/"+name, &failingBody{n: 1 << 20})
			req.ContentLength = declared
			req.Header.Set("Authorization", alice)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("PUT %s with a failing body succeeded: %d", name, resp.StatusCode)
			}
			// The handler notices the broken body on its own time.
			deadline := time.Now().Add(5 * time.Second)
			for {
				entries, _ := os.ReadDir(tc.c.collectionDir("alice", "c"))
				var tmp []string
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), uploadPrefix) {
						tmp = append(tmp, e.Name())
					}
				}
				if len(tmp) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("temporary files left: %v", tmp)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	if d := tc.mustData(200, "GET", "/v1/data/alice/c/f", alice, nil); string(d.body) != "old content" || d.header.Get("ETag") != md5hex("old content") {
		t.Fatalf("after failed uploads: %q %v", d.body, d.header)
	}
	tc.mustData(404, "HEAD", "/v1/data/alice/c/fresh", alice, nil)
	var l dataListing
	tc.mustData(200, "GET", "/v1/data/alice/c", alice, nil).json(t, &l)
	if len(l.Files) != 1 {
		t.Fatalf("listing after failed uploads: %+v", l)
	}
}

// patternReader yields size deterministic bytes (a 1 MiB + 7 pseudo-random
// block, repeated unaligned) without holding more than that block.
type patternReader struct {
	block []byte
	off   int
	left  int64
}

func newPatternReader(size int64) *patternReader {
	b := make([]byte, 1<<20+7)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return &patternReader{block: b, left: size}
}

func (p *patternReader) Read(buf []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	if int64(len(buf)) > p.left {
		buf = buf[:p.left]
	}
	n := copy(buf, p.block[p.off:])
	p.off = (p.off + n) % len(p.block)
	p.left -= int64(n)
	return n, nil
}

// TestDataLargeFileBoundedMemory streams 256 MiB through PUT and GET and
// checks that the heap (client and server share this process) grows by far
// less than the file: no whole-file buffering either way.
func TestDataLargeFileBoundedMemory(t *testing.T) {
	const size = 256 << 20
	const budget = 32 << 20
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "big", nil)
	url := tc.srv.URL + "/v1/data/alice/big/model.bin"

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()

	src := newPatternReader(size)
	sent := md5.New() //nolint:gosec // the platform's ETag
	req, _ := http.NewRequest("PUT", url, io.TeeReader(src, sent))
	req.ContentLength = size
	req.Header.Set("Authorization", alice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	put := time.Since(start)
	want := hex.EncodeToString(sent.Sum(nil))

	req, _ = http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", alice)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got := md5.New() //nolint:gosec // the platform's ETag
	n, err := io.Copy(got, resp.Body)
	resp.Body.Close()
	if err != nil || n != size || resp.Header.Get("Content-Length") != strconv.Itoa(size) {
		t.Fatalf("GET: %d bytes, %v, Content-Length %q", n, err, resp.Header.Get("Content-Length"))
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	close(stop)
	<-sampled

	if hex.EncodeToString(got.Sum(nil)) != want || resp.Header.Get("ETag") != want {
		t.Fatalf("md5: sent %s, got %x, ETag %s", want, got.Sum(nil), resp.Header.Get("ETag"))
	}
	if h := tc.mustData(200, "HEAD", "/v1/data/alice/big/model.bin", alice, nil).header; h.Get("ETag") != want || h.Get("Content-Length") != strconv.Itoa(size) {
		t.Fatalf("HEAD: %v", h)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	growth := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("256 MiB PUT %v + GET %v: TotalAlloc delta %.1f MiB, peak HeapInuse growth %.1f MiB (HeapInuse before %.1f MiB)",
		put.Round(time.Millisecond), (time.Since(start) - put).Round(time.Millisecond),
		float64(alloc)/(1<<20), float64(growth)/(1<<20), float64(before.HeapInuse)/(1<<20))
	if alloc > budget || growth > budget {
		t.Fatalf("memory grew with the file: TotalAlloc delta %d, peak HeapInuse growth %d (budget %d)", alloc, growth, budget)
	}
}

// TestDataAccountDeletion: deleting a user or an organization deletes its
// collections and files, so a new account with the name starts empty.
func TestDataAccountDeletion(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	victim := tc.addUser("victim")
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "A", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "basic"}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	tc.createCollection(victim, "victim", "c", nil)
	tc.mustData(200, "PUT", "/v1/data/victim/c/f", victim, strings.NewReader("x"))
	tc.createCollection(alice, "acme", "c", nil)
	tc.mustData(200, "PUT", "/v1/data/acme/c/f", alice, strings.NewReader("x"))
	tc.createCollection(alice, "alice", "c", nil)
	tc.mustData(200, "PUT", "/v1/data/alice/c/f", alice, strings.NewReader("x"))

	tc.must(204, "DELETE", "/v1/users/victim", testAdminKey, nil, nil)
	tc.must(204, "DELETE", "/v1/organizations/acme", testAdminKey, nil, nil)
	// Deleting an organization that does not exist touches nobody's data.
	tc.must(204, "DELETE", "/v1/organizations/alice", testAdminKey, nil, nil)

	entries, _ := os.ReadDir(filepath.Join(tc.dir, "data"))
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	if strings.Join(left, ",") != "alice" {
		t.Fatalf("data directories after deletions: %v", left)
	}
	tc.mustData(200, "GET", "/v1/data/alice/c/f", alice, nil)
	victim = tc.addUser("victim")
	if d := tc.mustData(200, "GET", "/v1/data/victim", victim, nil); strings.TrimSpace(string(d.body)) != "{}" {
		t.Fatalf("new victim inherits data: %s", d.body)
	}
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "A", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "basic"}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	if d := tc.mustData(200, "GET", "/v1/data/acme", alice, nil); strings.TrimSpace(string(d.body)) != "{}" {
		t.Fatalf("new acme inherits data: %s", d.body)
	}
}
