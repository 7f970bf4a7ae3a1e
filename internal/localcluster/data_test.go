package localcluster

import (
	"crypto/md5" //nolint:gosec // the platform's ETag
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// dataResp is one Data API answer with its body read.
type dataResp struct {
	status int
	header http.Header
	body   []byte
}

func (d dataResp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(d.body, v); err != nil {
		t.Fatalf("decode %q: %v", d.body, err)
	}
}

// errMessage is error.message of a Data API error body (CONTRACT.md §3.4).
func (d dataResp) errMessage() string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(d.body, &e)
	return e.Error.Message
}

// data sends one raw request: path goes on the wire as written (no
// cleaning), body may be nil.
func (tc *testCluster) data(method, path, key string, body io.Reader) dataResp {
	tc.t.Helper()
	contentType := ""
	switch {
	case body == nil:
	case method == http.MethodPut:
		contentType = "application/octet-stream"
	default:
		contentType = "application/json"
	}
	resp, raw := tc.exchange(method, path, key, contentType, body)
	return dataResp{status: resp.StatusCode, header: resp.Header, body: raw}
}

// mustData is data that fails the test unless the status is want.
func (tc *testCluster) mustData(want int, method, path, key string, body io.Reader) dataResp {
	tc.t.Helper()
	d := tc.data(method, path, key, body)
	if d.status != want {
		tc.t.Fatalf("%s %s: status %d, want %d; body %s; X-Error-Message %q", method, path, d.status, want, d.body, d.header.Get("X-Error-Message"))
	}
	return d
}

func (tc *testCluster) createCollection(key, owner, name string, acl []string) {
	tc.t.Helper()
	body := map[string]any{"name": name}
	if acl != nil {
		body["acl"] = map[string]any{"read": acl}
	}
	raw, _ := json.Marshal(body)
	d := tc.mustData(200, "POST", "/v1/connector/data/"+owner, key, strings.NewReader(string(raw)))
	var res struct {
		Result string `json:"result"`
	}
	d.json(tc.t, &res)
	if res.Result != "data://"+owner+"/"+name {
		tc.t.Fatalf("create collection: result %q", res.Result)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // the platform's ETag
	return hex.EncodeToString(sum[:])
}

// TestDataFirstSlice walks the basic life of a file through both prefixes.
func TestDataFirstSlice(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "models", nil)
	for _, prefix := range []string{"/v1/data/", "/v1/connector/data/"} {
		file := prefix + "alice/models/a.txt"
		d := tc.mustData(200, "PUT", file, alice, strings.NewReader("hello"))
		if string(d.body) != `{"result":"data://alice/models/a.txt"}`+"\n" {
			t.Fatalf("PUT: %s", d.body)
		}
		d = tc.mustData(200, "GET", file, alice, nil)
		if string(d.body) != "hello" || d.header.Get("X-Data-Type") != "file" || d.header.Get("Content-Length") != "5" {
			t.Fatalf("GET: %q %v", d.body, d.header)
		}
		d = tc.mustData(200, "HEAD", file, alice, nil)
		if d.header.Get("ETag") != md5hex("hello") || d.header.Get("Content-Length") != "5" || d.header.Get("X-Data-Type") != "file" {
			t.Fatalf("HEAD: %v", d.header)
		}
		d = tc.mustData(200, "GET", prefix+"alice/models", alice, nil)
		var l dataListing
		d.json(t, &l)
		if d.header.Get("X-Data-Type") != "directory" || len(l.Files) != 1 || l.Files[0].Filename != "a.txt" || l.Files[0].Size != 5 {
			t.Fatalf("list: %s", d.body)
		}
		d = tc.mustData(200, "DELETE", file, alice, nil)
		if string(d.body) != `{"result":{"deleted":1}}`+"\n" {
			t.Fatalf("DELETE: %s", d.body)
		}
		d = tc.mustData(404, "HEAD", file, alice, nil)
		if d.header.Get("X-Error-Message") == "" {
			t.Fatal("HEAD 404 without X-Error-Message")
		}
		if d = tc.mustData(404, "GET", file, alice, nil); d.errMessage() == "" {
			t.Fatalf("GET 404: %s", d.body)
		}
	}
}

// TestDataConcurrentPuts: uploads racing on one file leave bytes and record
// in step; every GET's ETag matches the bytes it carries.
func TestDataConcurrentPuts(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "c", nil)
	url := tc.srv.URL + "/v1/data/alice/c/f"
	do := func(method string, body io.Reader) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(method, url, body)
		req.Header.Set("Authorization", alice)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		return resp, raw, err
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 5 {
				content := strings.Repeat(fmt.Sprintf("writer %d round %d;", i, j), 1000*(i+1))
				if resp, _, err := do("PUT", strings.NewReader(content)); err != nil || resp.StatusCode != 200 {
					t.Errorf("PUT: %v %v", resp, err)
				}
			}
		})
		wg.Go(func() {
			for range 5 {
				resp, raw, err := do("GET", nil)
				if err != nil {
					t.Errorf("GET: %v", err)
					continue
				}
				if resp.StatusCode == 200 && resp.Header.Get("ETag") != md5hex(string(raw)) {
					t.Errorf("GET: ETag %s for bytes with md5 %s", resp.Header.Get("ETag"), md5hex(string(raw)))
				}
			}
		})
	}
	wg.Wait()
	d := tc.mustData(200, "GET", "/v1/data/alice/c/f", alice, nil)
	h := tc.mustData(200, "HEAD", "/v1/data/alice/c/f", alice, nil).header
	if h.Get("ETag") != md5hex(string(d.body)) || h.Get("Content-Length") != fmt.Sprint(len(d.body)) {
		t.Fatalf("record out of step with the bytes: %v vs %d bytes", h, len(d.body))
	}
}
