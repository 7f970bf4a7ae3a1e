package promote

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestErrorsHideEchoedBasicAuth: go-git puts the body of a 401, 403 or 404 answer into its
// error, so a server or proxy that echoes the request's Authorization header would put
// base64(user:password) into a diagnostic. Every entry point must scrub that form too.
func TestErrorsHideEchoedBasicAuth(t *testing.T) {
	const user, pass = "ci", "k3y/with+sym=="
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				http.Error(w, "auth required", http.StatusUnauthorized)
				return
			}
			http.Error(w, "refused credentials "+r.Header.Get("Authorization"), status)
		}))
		remote := Remote{URL: srv.URL + "/git/a/b.git", Auth: &Credentials{Username: user, Password: pass}}
		calls := map[string]func() error{
			"ResolveRef": func() error { _, err := ResolveRef(context.Background(), remote, "master"); return err },
			"Head":       func() error { _, err := Head(context.Background(), remote, "master"); return err },
			"HeadTree":   func() error { _, _, err := HeadTree(context.Background(), remote, "master"); return err },
			"Promote": func() error {
				_, err := Promote(context.Background(), Request{Source: remote, Dest: remote,
					SourceCommit: strings.Repeat("a", 40), WorkDir: t.TempDir()})
				return err
			},
		}
		for name, call := range calls {
			err := call()
			if err == nil {
				t.Fatalf("%s against a refusing server (%d): no error", name, status)
			}
			if msg := err.Error(); strings.Contains(msg, basic) || strings.Contains(msg, pass) {
				t.Errorf("%s (%d): the error leaks the Basic credentials: %s", name, status, msg)
			}
		}
		srv.Close()
	}
}
