package acctest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// TestClusterFaults is the pattern tests with faults follow: a cluster started
// with faults, switched off to seed, switched on again for the run.
func TestClusterFaults(t *testing.T) {
	c, err := StartClusterOpts("faulty", Options{Faults: localcluster.FaultConfig{
		Rate: 1, Kinds: []localcluster.FaultKind{localcluster.FaultReset}, Methods: []string{http.MethodPost},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	name := RandomName("reset")
	if _, err := c.CreateUser(ctx, name); err == nil {
		t.Fatal("creating a user through reset POSTs succeeded")
	}
	if _, err := c.Admin.GetUser(ctx, name); !errors.Is(err, algorithmia.ErrNotFound) {
		t.Fatalf("a reset POST reached the cluster: %v", err)
	}
	if c.Faults()[localcluster.FaultReset] == 0 {
		t.Fatal("no reset counted")
	}

	c.SetFaults(t, localcluster.FaultConfig{})
	u := c.NewUser(t, "seeded")

	c.SetFaults(t, localcluster.FaultConfig{Rate: 1, Kinds: []localcluster.FaultKind{localcluster.FaultRateLimited}, Methods: []string{http.MethodPost}})
	// A POST is sent again after a 429 (the cluster did not take it): once, with this policy.
	admin, err := algorithmia.New(algorithmia.Config{BaseURL: c.URL, AdminAPIKey: c.AdminKey, HTTPClient: c.server.Client(),
		Retry: &retry.Policy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.CreateUser(ctx, algorithmia.CreateUserRequest{Username: RandomName("limited"), Email: "l@example.com", Fullname: "L"})
	var ae *algorithmia.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("POST under 429 faults: %v", err)
	}
	if _, err := u.Client.GetAlgorithm(ctx, u.Name, "none"); !errors.Is(err, algorithmia.ErrNotFound) {
		t.Fatalf("GETs are not faulted by a POST-only configuration: %v", err)
	}
	if n := c.Faults()[localcluster.FaultRateLimited]; n != 2 {
		t.Fatalf("429 faults counted: %d, want 2 (the POST and its one resend)", n)
	}
	c.SetFaults(t, localcluster.FaultConfig{})
}
