package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// TestMaxRetriesZeroMeansOneAttempt: max_retries = 0 turns retries off for the REST client
// (it used to mean the client's default of five retries).
func TestMaxRetriesZeroMeansOneAttempt(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error":{"message":"busy"}}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	cc := &clusterClient{retry: retry.Policy{MaxRetries: 0}, timeout: 10 * time.Second}
	client, err := cc.newClient(srv.URL, "key", "", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.GetAlgorithm(ctx, "alice", "hello"); err == nil {
		t.Fatal("want an error from a 503")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("max_retries = 0 made %d requests, want 1", n)
	}
}
