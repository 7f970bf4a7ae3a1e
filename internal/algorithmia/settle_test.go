package algorithmia

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A POST is sent again after 429 and 503, which say the platform did not take it, and
// never after another 5xx, which may come after it acted.
func TestPostResentOnlyWhenNotTaken(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		wantReqs int
		wantErr  bool
	}{
		{"429 then 503 then created", []int{429, 503, 200}, 3, false},
		{"500 may have acted", []int{500, 200}, 1, true},
		{"502 may have acted", []int{502, 200}, 1, true},
		{"400 is final", []int{400, 200}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
				i := int(n.Add(1)) - 1
				if s := tc.statuses[min(i, len(tc.statuses)-1)]; s != 200 {
					writeJSON(w, s, `{"error":{"code":0,"message":"no"}}`)
					return
				}
				writeJSON(w, 200, `{"username":"alice","email":"alice@example.com"}`)
			})
			c, _ := newTestClient(t, ts.URL, nil)
			_, err := c.CreateUser(context.Background(), CreateUserRequest{Username: "alice", Email: "alice@example.com"})
			if (err != nil) != tc.wantErr {
				t.Fatalf("CreateUser: %v, want error %v", err, tc.wantErr)
			}
			if got := len(ts.requests()); got != tc.wantReqs {
				t.Fatalf("%d requests, want %d", got, tc.wantReqs)
			}
			for _, r := range ts.requests() {
				if r.Method != http.MethodPost {
					t.Fatalf("unexpected %s", r.Method)
				}
			}
		})
	}
}

func TestSettle(t *testing.T) {
	noAnswer := &RequestError{Method: "POST", Path: "/v1/x", Err: io.ErrUnexpectedEOF}
	refused := &APIError{StatusCode: 400, Code: 2015, Message: "in use", Method: "POST", Path: "/v1/x"}
	for _, tc := range []struct {
		name        string
		sends       []error // what each send returns; the last repeats
		settled     []bool  // what each read back says; the last repeats
		wantSends   int
		wantChecks  int
		wantErrText string
	}{
		{"answered", []error{nil}, []bool{false}, 1, 0, ""},
		{"lost answer, it had acted", []error{noAnswer}, []bool{true}, 1, 1, ""},
		{"lost answer, it had not acted, then answered", []error{noAnswer, nil}, []bool{false}, 2, 1, ""},
		{"a refusal is final", []error{refused}, []bool{true}, 1, 0, "in use"},
		{"a 502 may have acted", []error{&APIError{StatusCode: 502, Method: "POST", Path: "/v1/x"}}, []bool{true}, 1, 1, ""},
		{"never answered, never acted", []error{noAnswer}, []bool{false}, 4, 4, "after 4 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, "http://127.0.0.1:1", nil) // MaxRetries 3
			sends, checks := 0, 0
			err := c.Settle(context.Background(), func(context.Context) error {
				sends++
				return tc.sends[min(sends, len(tc.sends))-1]
			}, func(context.Context) (bool, error) {
				checks++
				return tc.settled[min(checks, len(tc.settled))-1], nil
			})
			if sends != tc.wantSends || checks != tc.wantChecks {
				t.Fatalf("sent %d times and read back %d times; want %d and %d", sends, checks, tc.wantSends, tc.wantChecks)
			}
			if tc.wantErrText == "" && err != nil || tc.wantErrText != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErrText)) {
				t.Fatalf("Settle: %v; want error containing %q", err, tc.wantErrText)
			}
		})
	}
	t.Run("a failed read back ends it", func(t *testing.T) {
		c, _ := newTestClient(t, "http://127.0.0.1:1", nil)
		sends := 0
		err := c.Settle(context.Background(), func(context.Context) error { sends++; return noAnswer },
			func(context.Context) (bool, error) { return false, errors.New("cannot read") })
		if sends != 1 || err == nil || !strings.Contains(err.Error(), "cannot read") {
			t.Fatalf("sent %d times, %v; want one send and the read-back error", sends, err)
		}
	})
}

// A publish whose answer is lost after the cluster published adopts that version and
// never publishes the commit twice.
func TestPublishCommitSettlesALostAnswer(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	var published atomic.Bool
	var posts atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/versions"):
			if published.Load() {
				writeJSON(w, 200, `{"results":[{"version_info":{"semantic_version":"0.1.0","git_hash":"`+commit+`"}}]}`)
				return
			}
			writeJSON(w, 200, `{"results":[]}`)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/builds"):
			writeJSON(w, 200, `{"results":[{"build_id":"b1","commit_sha":"`+commit+`","status":"succeeded"}]}`)
		case r.Method == http.MethodGet:
			writeJSON(w, 200, `{"name":"hello","settings":{"license":"apl"},"details":{}}`)
		case r.Method == http.MethodPost:
			posts.Add(1)
			published.Store(true)
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close() // acted, then the answer is lost
		}
	})
	c, _ := newTestClient(t, ts.URL, nil)
	v, err := c.PublishCommit(context.Background(), "acme", "hello", commit, PublishVersionInfo{VersionType: VersionTypeMinor})
	if err != nil {
		t.Fatalf("PublishCommit: %v", err)
	}
	if v.VersionInfo.SemanticVersion != "0.1.0" || posts.Load() != 1 {
		t.Fatalf("got %+v after %d publish requests; want the adopted 0.1.0 after exactly 1", v.VersionInfo, posts.Load())
	}
}
