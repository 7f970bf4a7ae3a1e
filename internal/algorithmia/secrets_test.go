package algorithmia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const testAlgoID = "11111111-2222-3333-4444-555555555555"

// TestAlgorithmSecrets pins the secret calls: paths, bodies, both list
// shapes of CONTRACT.md §13, and the value never reaching an error, a log line or
// a printed request.
func TestAlgorithmSecrets(t *testing.T) {
	const value = "hunter2/very+secret="
	listShape := "results"
	var ts *testServer
	ts = newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		item := `{"id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","short_name":"DB","description":"d","secret_key":"DB","owner_type":"algorithm","owner_id":"` + testAlgoID + `","provider_id":"p1","default_secret_value_id":"v1"}`
		switch {
		case r.URL.Path == "/v1/secret-provider":
			writeJSON(w, 200, `[{"id":"p0","name":"vault","isEnabled":true,"isDefault":false},{"id":"p1","name":"internal","isEnabled":true,"isDefault":true}]`)
		case r.Method == http.MethodGet:
			writeJSON(w, 200, `{"`+listShape+`":[`+item+`]}`)
		case r.Method == http.MethodPost:
			reqs := ts.requests() // the body was read into the record
			var b map[string]any
			_ = json.Unmarshal(reqs[len(reqs)-1].Body, &b)
			if b["short_name"] == "BAD" {
				// A careless server echoing the value.
				writeJSON(w, 400, fmt.Sprintf(`{"error":{"code":8001,"message":"bad value %v"}}`, b["secret_value"]))
				return
			}
			writeJSON(w, 200, item)
		case r.Method == http.MethodPut:
			writeJSON(w, 500, `{"error":{"code":8007,"message":"edit failed for `+value+`"}}`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"error":{"code":8008,"message":"Secret not found"}}`))
		}
	})
	c, sink := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Retry.MaxRetries = 1 })
	ctx := context.Background()

	p, err := c.DefaultSecretProvider(ctx)
	if err != nil || p.ID != "p1" {
		t.Fatalf("default provider: %+v %v", p, err)
	}
	for _, shape := range []string{"results", "secrets"} {
		listShape = shape
		s, err := c.FindAlgorithmSecret(ctx, testAlgoID, "DB")
		if err != nil || s.DefaultSecretValueID != "v1" || s.ProviderID != "p1" {
			t.Fatalf("%s shape: %+v %v", shape, s, err)
		}
	}
	if _, err := c.FindAlgorithmSecret(ctx, testAlgoID, "NOPE"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing secret: %v", err)
	}

	req := CreateAlgorithmSecretRequest{ShortName: "DB", SecretKey: "DB", SecretValue: value, Description: "d", ProviderID: "p1"}
	if _, err := c.CreateAlgorithmSecret(ctx, testAlgoID, req); err != nil {
		t.Fatal(err)
	}
	last := ts.requests()[len(ts.requests())-1]
	var sent map[string]any
	if err := json.Unmarshal(last.Body, &sent); err != nil {
		t.Fatal(err)
	}
	if last.Path != "/v1/algorithms/"+testAlgoID+"/secrets" || sent["owner_type"] != "algorithm" || sent["owner_id"] != testAlgoID || sent["secret_value"] != value {
		t.Fatalf("create sent %s %v", last.Path, sent)
	}

	var errs []error
	req.ShortName = "BAD"
	_, err = c.CreateAlgorithmSecret(ctx, testAlgoID, req)
	errs = append(errs, err)
	_, err = c.UpdateAlgorithmSecret(ctx, testAlgoID, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", UpdateAlgorithmSecretRequest{ShortName: "DB", SecretValue: value})
	errs = append(errs, err)
	secrets := secretForms(value)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d: want an error", i)
		}
		assertNoSecret(t, fmt.Sprintf("error %d", i), err.Error(), secrets)
	}
	if !strings.Contains(errs[0].Error(), Redacted) {
		t.Fatalf("the echoed value should read %s: %v", Redacted, errs[0])
	}
	if err := c.DeleteAlgorithmSecret(ctx, testAlgoID, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of a missing secret: %v", err)
	}
	// Every attempt of the PUT (retried on 500) was logged, none with the value.
	if !strings.Contains(sink.dump(), "retrying request") {
		t.Fatalf("expected a retry log line:\n%s", sink.dump())
	}
	assertNoSecret(t, "log", sink.dump(), secrets)
	for _, s := range []string{fmt.Sprint(req), fmt.Sprintf("%+v", req), fmt.Sprint(UpdateAlgorithmSecretRequest{SecretValue: value})} {
		assertNoSecret(t, "printed request", s, secrets)
	}
}
