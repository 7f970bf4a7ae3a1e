package localcluster

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

const testAdminKey = "admin-key-for-tests"

// testCluster is one cluster served by httptest on 127.0.0.1:0.
type testCluster struct {
	t   *testing.T
	c   *Cluster
	srv *httptest.Server
	dir string
	// client sends API calls; the contract test swaps in a validating one.
	client *http.Client
}

func newTestCluster(t *testing.T) *testCluster {
	t.Helper()
	return openTestCluster(t, t.TempDir())
}

func openTestCluster(t *testing.T, dir string) *testCluster {
	t.Helper()
	c, err := New(Options{DataDir: dir, AdminKey: testAdminKey, BuildDuration: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{t: t, c: c, srv: newServer(c), dir: dir}
	t.Cleanup(tc.close)
	return tc
}

func newServer(c *Cluster) *httptest.Server { return httptest.NewServer(c.Handler()) }

// close is idempotent, so a test may restart a cluster before cleanup runs.
func (tc *testCluster) close() {
	tc.srv.Close()
	if err := tc.c.Close(); err != nil {
		tc.t.Errorf("close: %v", err)
	}
}

// call sends a JSON request and decodes a JSON answer into out (if non-nil).
func (tc *testCluster) call(method, path, key string, body any, out any) int {
	tc.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tc.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	contentType := ""
	if rd != nil {
		contentType = "application/json"
	}
	resp, raw := tc.exchange(method, path, key, contentType, rd)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			tc.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// exchange makes one request, with key (if any) and contentType (if any), sends it through
// tc.client and returns the answer with its body read.
func (tc *testCluster) exchange(method, path, key, contentType string, body io.Reader) (*http.Response, []byte) {
	tc.t.Helper()
	req, err := http.NewRequest(method, tc.srv.URL+path, body)
	if err != nil {
		tc.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Simple "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := tc.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		tc.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tc.t.Fatal(err)
	}
	return resp, raw
}

// must is call that fails the test unless the status is want.
func (tc *testCluster) must(want int, method, path, key string, body any, out any) {
	tc.t.Helper()
	var raw json.RawMessage
	got := tc.call(method, path, key, body, &raw)
	if got != want {
		tc.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, got, want, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			tc.t.Fatal(err)
		}
	}
}

// apiErr decodes the CONTRACT.md §3.1 envelope.
type apiErr struct {
	Error struct {
		ID      string `json:"id"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (tc *testCluster) wantError(status, code int, method, path, key string, body any) {
	tc.t.Helper()
	var e apiErr
	got := tc.call(method, path, key, body, &e)
	if got != status || e.Error.Code != code {
		tc.t.Fatalf("%s %s: got %d/%d (%q), want %d/%d", method, path, got, e.Error.Code, e.Error.Message, status, code)
	}
}

// addUser creates a user and a standard key with algorithm management whose
// value is "sim-<name>-key".
func (tc *testCluster) addUser(name string) string {
	tc.t.Helper()
	tc.must(200, "POST", "/v1/users", testAdminKey, map[string]any{"username": name, "email": name + "@example.com", "fullname": name}, nil)
	key := "sim" + name + "key0"
	tc.must(200, "POST", "/v1/admin/users/"+name+"/keys", testAdminKey, map[string]any{
		"key_label": "test", "key_type": "AlgorithmKey", "api_key": key,
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": true, "allow_data_write": true, "allow_algo_management": true, "algo_acl": []string{"algo://*"}},
	}, nil)
	return key
}

func pythonAlgo(name string) map[string]any {
	return map[string]any{
		"name":    name,
		"details": map[string]any{"label": "Label of " + name},
		"settings": map[string]any{
			"language": "python3-1", "environment": "cpu", "source_visibility": "closed",
			"license": "apl", "network_access": "full", "pipeline_enabled": true,
		},
	}
}

// addAlgo creates the Python algorithm name under alice, who owns key.
func (tc *testCluster) addAlgo(key, name string) algorithmJSON {
	tc.t.Helper()
	var a algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", key, pythonAlgo(name), &a)
	return a
}

// gitURL is the clone URL of alice's algorithm name with user's Basic
// credentials.
func (tc *testCluster) gitURL(user, key, name string) string {
	return strings.Replace(tc.srv.URL, "http://", "http://"+user+":"+key+"@", 1) + "/git/alice/" + name + ".git"
}

// repeatUntilStopped runs n goroutines that each call fn again and again, until fn
// returns false or the returned stop is called; stop waits for them all.
func repeatUntilStopped(n int, fn func() bool) (stop func()) {
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if !fn() {
					return
				}
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

// cloneAndPush clones alice/hello as alice (key is hers), applies edit,
// commits and pushes; it returns the pushed commit.
func (tc *testCluster) cloneAndPush(key string, edit func(dir string)) string {
	tc.t.Helper()
	dir := tc.t.TempDir()
	gittest.Must(tc.t, dir, "clone", "-q", tc.gitURL("alice", key, "hello"), "w")
	w := filepath.Join(dir, "w")
	edit(w)
	gittest.Must(tc.t, w, "add", "-A")
	gittest.Must(tc.t, w, "commit", "-q", "-m", "change")
	gittest.Must(tc.t, w, "push", "-q", "origin", "master")
	return gittest.Must(tc.t, w, "rev-parse", "HEAD")
}

// waitBuildStatus polls a build of alice/hello until it leaves in-progress.
func (tc *testCluster) waitBuildStatus(key, id string) buildJSON {
	tc.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var b buildJSON
		tc.must(200, "GET", "/v1/algorithms/alice/hello/builds/"+id, key, nil, &b)
		if b.Status != buildInProgress {
			return b
		}
		if time.Now().After(deadline) {
			tc.t.Fatalf("build %s still in progress", id)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
