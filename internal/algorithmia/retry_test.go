package algorithmia

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryServerErrorThenSuccess(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) < 3 {
			writeJSON(w, 503, `{"error":{"code":5001,"message":"busy"}}`)
			return
		}
		writeJSON(w, 200, `{"id":"u1","name":"hello","details":{"label":"Hello"},"settings":{"license":"apl"}}`)
	})
	c, sink := newTestClient(t, ts.URL, nil)
	algo, err := c.GetAlgorithm(context.Background(), "alice", "hello")
	if err != nil {
		t.Fatalf("GetAlgorithm: %v", err)
	}
	if algo.Name != "hello" || hits.Load() != 3 {
		t.Fatalf("name %q after %d hits, want hello after 3", algo.Name, hits.Load())
	}
	retries := 0
	for _, l := range sink.all() {
		if l.msg == "algorithmia: retrying request" {
			retries++
			if l.fields["status"] != 503 || l.fields["method"] != "GET" || l.fields["path"] != "/v1/algorithms/alice/hello" {
				t.Errorf("retry log fields: %v", l.fields)
			}
		}
	}
	if retries != 2 {
		t.Fatalf("logged %d retries, want 2:\n%s", retries, sink.dump())
	}
}

func TestRetryHonoursRetryAfterSeconds(t *testing.T) {
	var hits atomic.Int32
	var first, second time.Time
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"error":{"code":0,"message":"slow down"}}`)
			return
		}
		second = time.Now()
		writeJSON(w, 200, `[]`)
	})
	// The exponential wait is 1ms, so only Retry-After explains a 1s gap.
	c, sink := newTestClient(t, ts.URL, nil)
	if _, err := c.ListLanguages(context.Background()); err != nil {
		t.Fatalf("ListLanguages: %v", err)
	}
	if gap := second.Sub(first); gap < 900*time.Millisecond {
		t.Fatalf("retried after %v, want about 1s (Retry-After)", gap)
	}
	found := false
	for _, l := range sink.all() {
		if l.msg == "algorithmia: retrying request" && l.fields["wait"] == "1s" && l.fields["status"] == 429 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no retry log with wait=1s:\n%s", sink.dump())
	}
}

// TestBackoff checks what the client's backoff adds to retry.Policy.Backoff (whose own
// test covers the waits and Retry-After): attempt 0 is the first retry, and the client's
// clock reads Retry-After dates.
func TestBackoff(t *testing.T) {
	c, _ := newTestClient(t, "http://example.test", nil)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c.now = func() time.Time { return now }
	retryAt := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {now.Add(3 * time.Second).Format(http.TimeFormat)}}}
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		want    time.Duration
	}{
		{"first exponential", 0, nil, 10 * time.Millisecond},
		{"second exponential", 1, nil, 20 * time.Millisecond},
		{"retry-after date", 0, retryAt, 3 * time.Second},
	}
	for _, tt := range tests {
		if got := c.backoff(10*time.Millisecond, 100*time.Millisecond, tt.attempt, tt.resp); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A POST is never sent again after an answer that leaves open whether it acted (a 5xx
// other than 503): the caller reads back (Settle). 429 and 503: TestPostResentOnlyWhenNotTaken.
func TestPostIsNotRetriedAfterItMayHaveActed(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "0")
		writeJSON(w, 500, `{"error":{"code":5001,"message":"maybe created"}}`)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	_, err := c.CreateAlgorithm(context.Background(), "alice", CreateAlgorithmRequest{Name: "x"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("want 500 APIError, got %v", err)
	}
	if _, err := c.PublishVersion(context.Background(), "alice", "x", VersionRequest{}); err == nil {
		t.Fatal("publish: want error")
	}
	if _, err := c.Compile(context.Background(), "alice", "x"); err == nil {
		t.Fatal("compile: want error")
	}
	if hits.Load() != 3 {
		t.Fatalf("server saw %d requests for 3 POSTs; POST must not be retried", hits.Load())
	}
}

func TestPutAndDeleteAreRetried(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%2 == 1 {
			writeJSON(w, 502, `bad gateway`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	if err := c.UpdateOrganization(context.Background(), "org", OrganizationRequest{OrgName: "org"}); err != nil {
		t.Fatalf("PUT: %v", err)
	}
	if err := c.DeleteOrganization(context.Background(), "org"); err != nil {
		t.Fatalf("DELETE: %v", err)
	}
	reqs := ts.requests()
	if len(reqs) != 4 {
		t.Fatalf("got %d requests, want 4", len(reqs))
	}
	// The retried PUT must resend the same body.
	if string(reqs[0].Body) != string(reqs[1].Body) || len(reqs[1].Body) == 0 {
		t.Fatalf("retried body differs: %q vs %q", reqs[0].Body, reqs[1].Body)
	}
}

func TestMaxRetriesExhaustedReturnsLastAPIError(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		writeJSON(w, 500, fmt.Sprintf(`{"error":{"code":5001,"message":"attempt %d"}}`, n))
	})
	c, sink := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Retry.MaxRetries = 2 })
	_, err := c.GetUser(context.Background(), "bob")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want *APIError, got %T %v", err, err)
	}
	if hits.Load() != 3 || apiErr.Message != "attempt 3" || apiErr.StatusCode != 500 || apiErr.Code != 5001 {
		t.Fatalf("hits %d, err %+v; want 3 attempts and the last error", hits.Load(), apiErr)
	}
	gaveUp := false
	for _, l := range sink.all() {
		if l.msg == "algorithmia: giving up after retries" && l.fields["retries"] == 2 {
			gaveUp = true
		}
	}
	if !gaveUp {
		t.Fatalf("no give-up log:\n%s", sink.dump())
	}
}

// TestZeroOrNegativeMaxRetriesDisablesRetries: a policy of zero retries is one
// attempt (the provider's max_retries = 0 used to mean five retries).
func TestZeroOrNegativeMaxRetriesDisablesRetries(t *testing.T) {
	for _, n := range []int{0, -1} {
		var hits atomic.Int32
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			writeJSON(w, 500, `{}`)
		})
		c, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Retry.MaxRetries = n })
		if _, err := c.GetUser(context.Background(), "bob"); err == nil {
			t.Fatal("want error")
		}
		if hits.Load() != 1 {
			t.Fatalf("MaxRetries %d: hits %d, want 1", n, hits.Load())
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 404, `{"error":{"code":3000,"message":"no user"}}`)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	if _, err := c.GetUser(context.Background(), "bob"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("hits %d, want 1", hits.Load())
	}
}

func TestConnectionErrorIsRetried(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close() // drop the connection without an answer
			}
			return
		}
		writeJSON(w, 200, `{"username":"bob","email":"b@example.com"}`)
	})
	c, sink := newTestClient(t, ts.URL, nil)
	u, err := c.GetUser(context.Background(), "bob")
	if err != nil || u.Username != "bob" {
		t.Fatalf("GetUser: %v %v", u, err)
	}
	found := false
	for _, l := range sink.all() {
		if l.msg == "algorithmia: retrying request" && l.fields["error"] != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("no retry logged for the dropped connection:\n%s", sink.dump())
	}
}

func TestContextCancelStopsRetryWait(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, 429, `{}`)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListLanguages(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("cancellation took %v", time.Since(start))
	}
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Path != "/v1/algorithm-environments/edge/languages" {
		t.Fatalf("want *RequestError naming the path, got %T %v", err, err)
	}
}
