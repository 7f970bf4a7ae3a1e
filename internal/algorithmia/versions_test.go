package algorithmia

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// LatestPublishedVersion asks for one published version and is nil when there is none.
func TestLatestPublishedVersion(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/none/") {
			writeJSON(w, 200, `{"marker":null,"next_link":null,"results":[]}`)
			return
		}
		writeJSON(w, 200, `{"marker":"x","next_link":"y","results":[{"name":"hello","version_info":{"semantic_version":"1.2.0","git_hash":"abc"}}]}`)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	v, err := c.LatestPublishedVersion(context.Background(), "alice", "hello")
	if err != nil || v == nil || v.VersionInfo.SemanticVersion != "1.2.0" || v.VersionInfo.GitHash != "abc" {
		t.Fatalf("LatestPublishedVersion: %+v, %v", v, err)
	}
	if q := ts.requests()[0].RawQuery; q != "limit=1&published=true" {
		t.Fatalf("query %q, want limit=1&published=true", q)
	}
	if v, err := c.LatestPublishedVersion(context.Background(), "none", "x"); err != nil || v != nil {
		t.Fatalf("without a published version: %+v, %v; want nil, nil", v, err)
	}
}
