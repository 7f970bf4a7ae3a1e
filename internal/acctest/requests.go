package acctest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// RequestLog records the requests a counted view of a cluster served, as "METHOD path" with
// the query when there is one, in the order they arrived.
type RequestLog struct {
	mu       sync.Mutex
	requests []string
}

// Reset forgets what was recorded so far.
func (l *RequestLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = nil
}

// Requests returns what was recorded since the last Reset.
func (l *RequestLog) Requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...)
}

// CountRequests returns a view of c whose URL goes through a proxy that records every
// request, so a test can say how many requests of which kind an operation costs. The
// proxy stops with the test.
func CountRequests(t testing.TB, c *Cluster) (*Cluster, *RequestLog) {
	t.Helper()
	log := &RequestLog{}
	handler := c.Local.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.Method + " " + r.URL.Path
		if r.URL.RawQuery != "" {
			line += "?" + r.URL.RawQuery
		}
		log.mu.Lock()
		log.requests = append(log.requests, line)
		log.mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	view := *c
	view.URL = srv.URL
	return &view, log
}
