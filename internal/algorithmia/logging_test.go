package algorithmia

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// secretForms are every spelling of the test keys that must never leak.
func secretForms(keys ...string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k, url.QueryEscape(k), url.PathEscape(k))
	}
	return out
}

func assertNoSecret(t *testing.T, where, s string, secrets []string) {
	t.Helper()
	for _, k := range secrets {
		if strings.Contains(s, k) {
			t.Fatalf("%s leaks secret %q:\n%s", where, k, s)
		}
	}
}

func TestRedaction(t *testing.T) {
	imported := "simIMPORTED/key+value"
	secrets := secretForms(testAPIKey, testAdminKey, imported)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/admin/users/"):
			// A careless server echoing the imported key and the caller's key.
			writeJSON(w, 400, fmt.Sprintf(`{"error":{"code":6001,"message":"bad key %s (caller %s)"}}`, imported, auth))
		case r.URL.Path == "/v1/users/bob":
			writeJSON(w, 500, "internal error for "+auth+" "+url.QueryEscape(testAdminKey))
		case r.URL.Path == "/v1/algorithms/alice/hello":
			writeJSON(w, 200, fmt.Sprintf(`{"error":{"message":"key %s is bad"}}`, url.PathEscape(testAPIKey)))
		default:
			writeJSON(w, 404, `{"error":"nope"}`)
		}
	})
	c, sink := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Retry.MaxRetries = 1 })
	ctx := context.Background()
	var errs []error
	_, err := c.CreateUserAPIKey(ctx, "bob", CreateAPIKeyRequest{KeyType: KeyTypeAlgorithm, APIKey: imported})
	errs = append(errs, err)
	_, err = c.GetUser(ctx, "bob")
	errs = append(errs, err)
	_, err = c.GetAlgorithm(ctx, "alice", "hello")
	errs = append(errs, err)
	// A transport error carries the full URL in its text.
	c2, sink2 := newTestClient(t, "http://127.0.0.1:1", func(cfg *Config) { cfg.Retry.MaxRetries = -1 })
	_, err = c2.GetAlgorithm(ctx, testAPIKey, "x")
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d: want an error", i)
		}
		assertNoSecret(t, fmt.Sprintf("error %d", i), err.Error(), secrets)
		assertNoSecret(t, fmt.Sprintf("error %d (%%#v)", i), fmt.Sprintf("%+v", err), secrets)
	}
	if !strings.Contains(errs[0].Error(), Redacted) {
		t.Fatalf("imported key should be replaced by %s: %v", Redacted, errs[0])
	}

	lines := append(sink.all(), sink2.all()...)
	if len(lines) < 4 {
		t.Fatalf("expected request logs, got %d lines", len(lines))
	}
	for _, l := range lines {
		assertNoSecret(t, "log line", fmt.Sprintf("%s %#v", l.msg, l.fields), secrets)
	}
	// The header dump is present and hides Authorization.
	sawDump := false
	for _, l := range sink.all() {
		if h, ok := l.fields["request_headers"].(map[string]string); ok {
			sawDump = true
			if h["Authorization"] != Redacted {
				t.Fatalf("Authorization in dump = %q", h["Authorization"])
			}
			if h["User-Agent"] == "" {
				t.Fatalf("header dump lacks User-Agent: %v", h)
			}
		}
	}
	if !sawDump {
		t.Fatal("no header dump logged")
	}
}

func TestRequestLogFields(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"logs":"done"}`)
	})
	c, sink := newTestClient(t, ts.URL, nil)
	if _, err := c.GetBuildLogs(context.Background(), "alice", "hello", "b1"); err != nil {
		t.Fatal(err)
	}
	lines := sink.all()
	if len(lines) != 1 {
		t.Fatalf("want one line per request, got:\n%s", sink.dump())
	}
	f := lines[0].fields
	if f["method"] != "GET" || f["path"] != "/v1/algorithms/alice/hello/builds/b1/logs" || f["status"] != 200 || f["attempt"] != 1 {
		t.Fatalf("fields: %v", f)
	}
	if _, ok := f["duration_ms"].(int64); !ok {
		t.Fatalf("duration_ms missing: %v", f)
	}
}

func TestNilLogfIsSilentAndWorks(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	c, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Logf = nil })
	if _, err := c.ListLanguages(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSecretsHiddenWhenPrinted(t *testing.T) {
	k := APIKey{Username: "bob", APIKey: "simSECRET"}
	r := CreateAPIKeyRequest{KeyType: KeyTypeAlgorithm, APIKey: "simSECRET2"}
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v", &k), fmt.Sprint(r)} {
		if strings.Contains(s, "simSECRET") {
			t.Fatalf("printed secret: %s", s)
		}
	}
}
