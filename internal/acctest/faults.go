package acctest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// DropResponses returns a view of c whose URL goes through a proxy that, for every request
// drop approves, lets the cluster act on it and then closes the connection without an
// answer: the client sees a connection error although the cluster did what was asked. The
// proxy stops with the test.
func DropResponses(t testing.TB, c *Cluster, drop func(*http.Request) bool) *Cluster {
	t.Helper()
	handler := c.Local.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !drop(r) {
			handler.ServeHTTP(w, r)
			return
		}
		handler.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot drop the answer: "+err.Error(), http.StatusInternalServerError)
			return
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	view := *c
	view.URL = srv.URL
	return &view
}
