package algorithmia

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

const (
	testAPIKey   = "simTESTkey/with+odd=chars"
	testAdminKey = "adminSECRETkey/42"
)

// logLine is one captured Logf call.
type logLine struct {
	msg    string
	fields map[string]any
}

// logSink captures Logf output for assertions.
type logSink struct {
	mu    sync.Mutex
	lines []logLine
}

func (s *logSink) logf(_ context.Context, msg string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, logLine{msg, fields})
}

func (s *logSink) all() []logLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]logLine(nil), s.lines...)
}

// dump renders every captured line, so tests can search for leaked secrets.
func (s *logSink) dump() string {
	out := ""
	for _, l := range s.all() {
		out += fmt.Sprintf("%s %v\n", l.msg, l.fields)
	}
	return out
}

// seen is what the test server received.
type seen struct {
	Method, Path, RawQuery, Auth, UserAgent, ContentType string
	Body                                                 []byte
}

// testServer records requests and answers with handler.
type testServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func (s *testServer) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func newTestServer(t *testing.T, handler http.HandlerFunc) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.reqs = append(ts.reqs, seen{
			Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), UserAgent: r.Header.Get("User-Agent"),
			ContentType: r.Header.Get("Content-Type"), Body: body,
		})
		ts.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// newTestClient builds a client with both keys, fast retries and a log sink.
func newTestClient(t *testing.T, url string, mod func(*Config)) (*Client, *logSink) {
	t.Helper()
	sink := &logSink{}
	cfg := Config{
		BaseURL:     url,
		APIKey:      testAPIKey,
		AdminAPIKey: testAdminKey,
		Retry:       &retry.Policy{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond},
		UserAgent:   "terraform-provider-algorithmia/test (+https://www.terraform.io) Terraform/1.9.0",
		Logf:        sink.logf,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, sink
}

// writeJSON answers with status and a raw JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
