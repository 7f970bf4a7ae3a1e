package acctest

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestExternalHostHelpers drives the external-host helpers the way SCM acceptance tests
// do, over HTTPS: an SCM, a connected user, an SCM-backed algorithm whose repository
// URL is ExternalRepoURL, a drift commit with the host admin token that builds once,
// and a repository made directly on the host.
func TestExternalHostHelpers(t *testing.T) {
	c, err := StartTLSCluster("scm")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u := c.NewUser(t, "scm")
	scm := c.NewSCM(t, "github")
	token := u.ConnectSCM(t, c, scm, "octo")

	status, raw := c.post(t, "/v1/algorithms/"+u.Name, u.Key, map[string]any{
		"name": "hello", "details": map[string]string{"label": "Hello"},
		"settings": map[string]any{"language": "python3-1", "environment": "cpu", "source_visibility": "closed", "license": "apl", "network_access": "full", "pipeline_enabled": true},
		"source":   map[string]string{"scm": scm, "repository_name": "hello"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create SCM-backed algorithm: %d %s", status, raw)
	}
	var a struct {
		Source struct {
			URL string `json:"repository_https_url"`
		} `json:"source"`
	}
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		t.Fatal(err)
	}
	if want := c.ExternalRepoURL(scm, "octo", "hello"); a.Source.URL != want {
		t.Fatalf("repository_https_url = %q, ExternalRepoURL = %q", a.Source.URL, want)
	}
	repo := c.ExternalRepo(t, scm, "octo", "hello")
	if repo.DefaultBranch != "main" || len(repo.Webhooks) != 1 {
		t.Fatalf("repository = %+v", repo)
	}

	admin := c.ExternalAdminToken(t, scm)
	sha := c.PushExternalCommit(t, scm, "octo", "hello", admin, Commit{Files: map[string][]byte{"drift.txt": []byte("drift\n")}, Message: "drift"})
	u.WaitForBuilds(t, "hello")
	if log := c.ExternalLog(t, scm, "octo", "hello", token); len(log) != 2 || log[0] != sha {
		t.Fatalf("history = %v, want the template commit and %s", log, sha)
	}
	if tree := c.ExternalTreeOf(t, scm, "octo", "hello", token, sha); len(tree) != 40 {
		t.Fatalf("tree = %q", tree)
	}
	if got := c.ExternalRepo(t, scm, "octo", "hello").Head; got != sha {
		t.Fatalf("head = %s, want %s", got, sha)
	}

	url := c.CreateExternalRepo(t, scm, "octo", "taken", true)
	if url != c.ExternalRepoURL(scm, "octo", "taken") {
		t.Fatalf("CreateExternalRepo URL = %q", url)
	}
	status, raw = c.post(t, "/v1/algorithms/"+u.Name, u.Key, map[string]any{
		"name": "taken", "details": map[string]string{"label": "Taken"},
		"settings": map[string]any{"language": "python3-1", "environment": "cpu", "source_visibility": "closed", "license": "apl", "network_access": "full", "pipeline_enabled": true},
		"source":   map[string]string{"scm": scm, "repository_name": "taken"},
	})
	if status != http.StatusBadRequest {
		t.Fatalf("algorithm on an existing repository: %d %s", status, raw)
	}
}
