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

// TestSCMs pins the SCM calls of CONTRACT.md §11 and §8.4: paths, keys, bodies, the error codes
// the provider branches on, and the token and OAuth client secret never reaching an error,
// a log line or a printed request.
func TestSCMs(t *testing.T) {
	const token = "ghp_secret/token+value="
	const clientSecret = "oauth-secret/xyz"
	gh := `{"id":"gh","name":"GitHub","provider":"github","default":false,"enabled":true,"scm":{"client_id":"cid"},` +
		`"urls":{"web":"https://web","api":"https://api","ssh":"ssh://git@web"}}`
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /v1/scms":
			writeJSON(w, 200, `{"results":[{"id":"internal","provider":"internal","default":true,"enabled":true,"name":""},`+gh+`]}`)
		case "GET /v1/scms/gh":
			writeJSON(w, 200, gh)
		case "GET /v1/scms/nope":
			writeJSON(w, 404, `{"error":{"code":4009,"message":"SCM configuration not found"}}`)
		case "POST /v1/admin/scms":
			writeJSON(w, 409, `{"error":{"code":4044,"message":"conflict; secret was `+clientSecret+`"}}`)
		case "PATCH /v1/admin/scms/gh":
			writeJSON(w, 400, `{"error":{"code":4041,"message":"Cannot disable the default SCM"}}`)
		case "DELETE /v1/admin/scms/gh":
			writeJSON(w, 400, `{"error":{"code":4043,"message":"SCM is in use"}}`)
		case "POST /v1/admin/scms/gh/default":
			w.WriteHeader(204)
		case "POST /v1/scms/gh/token/connect":
			writeJSON(w, 400, `{"error":{"code":4081,"message":"bad token `+token+`"}}`)
		case "GET /v1/scms/gh/token/status":
			writeJSON(w, 200, `{"authorization_status":"authorized","scm_username":"octo","scm_organizations":[{"scm_org_username":"acme","access_level":"MEMBER"}]}`)
		case "GET /v1/scms/gh/oauth/status":
			writeJSON(w, 200, `{"authorization_status":"unauthorized"}`)
		case "POST /v1/scms/gh/oauth/revoke":
			w.WriteHeader(204)
		default:
			writeJSON(w, 404, `{"error":{"code":5005,"message":"not here"}}`)
		}
	})
	c, sink := newTestClient(t, ts.URL, nil)
	ctx := context.Background()

	list, err := c.ListSCMs(ctx)
	if err != nil || len(list) != 2 || list[0].ID != SCMInternal || list[1].ClientID() != "cid" || list[1].URLs.SSH != "ssh://git@web" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if s, err := c.GetSCM(ctx, "gh"); err != nil || s.Provider != SCMProviderGitHub || !s.Enabled || s.Default {
		t.Fatalf("get: %+v %v", s, err)
	}
	if _, err := c.GetSCM(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing SCM: %v", err)
	}
	create := CreateSCMRequest{ID: "gh", Enabled: true, Provider: "github", URLs: SCMURLs{Web: "w", API: "a", SSH: "s"},
		OAuth: &SCMClient{ClientID: "cid", ClientSecret: clientSecret}}
	_, createErr := c.CreateSCM(ctx, create)
	if !errors.Is(createErr, ErrAlreadyExists) {
		t.Fatalf("duplicate SCM: %v", createErr)
	}
	var apiErr *APIError
	off := false
	if _, err := c.UpdateSCM(ctx, "gh", UpdateSCMRequest{Enabled: &off}); !errors.As(err, &apiErr) || apiErr.Code != CodeSCMDefault {
		t.Fatalf("disable default: %v", err)
	}
	if err := c.DeleteSCM(ctx, "gh"); !errors.As(err, &apiErr) || apiErr.Code != CodeSCMInUse {
		t.Fatalf("delete in use: %v", err)
	}
	if err := c.SetDefaultSCM(ctx, "gh"); err != nil {
		t.Fatal(err)
	}
	connectErr := c.ConnectSCMToken(ctx, "gh", token)
	if !errors.Is(connectErr, ErrSCMUnauthorized) {
		t.Fatalf("wrong token: %v", connectErr)
	}
	st, err := c.SCMTokenStatus(ctx, "gh")
	if err != nil || st.AuthorizationStatus != SCMAuthorized || st.SCMUsername != "octo" || st.SCMOrganizations[0].SCMOrgUsername != "acme" {
		t.Fatalf("token status: %+v %v", st, err)
	}
	if st, err := c.SCMOAuthStatus(ctx, "gh"); err != nil || st.AuthorizationStatus != SCMUnauthorized {
		t.Fatalf("oauth status: %+v %v", st, err)
	}
	if err := c.RevokeSCMAuthorization(ctx, "gh"); err != nil {
		t.Fatal(err)
	}

	byPath := map[string]seen{}
	for _, r := range ts.requests() {
		byPath[r.Method+" "+r.Path] = r
	}
	for call, wantKey := range map[string]string{
		"GET /v1/scms": testAPIKey, "POST /v1/admin/scms": testAdminKey, "PATCH /v1/admin/scms/gh": testAdminKey,
		"DELETE /v1/admin/scms/gh": testAdminKey, "POST /v1/admin/scms/gh/default": testAdminKey,
		"POST /v1/scms/gh/token/connect": testAPIKey, "GET /v1/scms/gh/token/status": testAPIKey, "POST /v1/scms/gh/oauth/revoke": testAPIKey,
	} {
		if got := byPath[call].Auth; got != "Simple "+wantKey {
			t.Errorf("%s sent key %q", call, got)
		}
	}
	var sent map[string]any
	if err := json.Unmarshal(byPath["POST /v1/scms/gh/token/connect"].Body, &sent); err != nil || sent["token"] != token {
		t.Fatalf("connect body %s", byPath["POST /v1/scms/gh/token/connect"].Body)
	}
	if b := string(byPath["PATCH /v1/admin/scms/gh"].Body); b != `{"enabled":false}` {
		t.Fatalf("PATCH body %s: nil fields must be left out", b)
	}
	if err := json.Unmarshal(byPath["POST /v1/admin/scms"].Body, &sent); err != nil || sent["provider"] != "github" {
		t.Fatalf("create body %s", byPath["POST /v1/admin/scms"].Body)
	}

	secrets := secretForms(token, clientSecret)
	for i, err := range []error{createErr, connectErr} {
		assertNoSecret(t, fmt.Sprintf("error %d", i), err.Error(), secrets)
		if !strings.Contains(err.Error(), Redacted) {
			t.Errorf("error %d should show the echoed secret as %s: %v", i, Redacted, err)
		}
	}
	assertNoSecret(t, "log", sink.dump(), secrets)
	for _, s := range []string{fmt.Sprint(create), fmt.Sprintf("%+v", create), fmt.Sprint(SCMTokenConnectRequest{Token: token})} {
		assertNoSecret(t, "printed request", s, secrets)
	}
}

// TestCreateAlgorithmWithSource pins the source of a create body and the source read back.
func TestCreateAlgorithmWithSource(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 201, `{"id":"`+testAlgoID+`","name":"hello","details":{"label":"Hello"},"settings":{},`+
			`"source":{"scm":{"id":"gh","provider":"github","default":false,"enabled":true},"repository_owner":"octo",`+
			`"repository_name":"hello","repository_https_url":"https://host/octo/hello","repository_ssh_url":"ssh://git@host:octo/hello.git"}}`)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	a, err := c.CreateAlgorithm(context.Background(), "alice", CreateAlgorithmRequest{Name: "hello", Details: Details{Label: "Hello"},
		Source: &SourceCreate{SCM: "gh", RepositoryOwner: "octo", RepositoryName: "hello"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Source == nil || a.Source.SCM.ID != "gh" || a.Source.RepositoryHTTPSURL != "https://host/octo/hello" || a.Source.RepositoryOwner != "octo" {
		t.Fatalf("source read back: %+v", a.Source)
	}
	var sent struct {
		Source map[string]string `json:"source"`
	}
	if err := json.Unmarshal(ts.requests()[0].Body, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Source["scm"] != "gh" || sent.Source["repository_owner"] != "octo" || sent.Source["repository_name"] != "hello" {
		t.Fatalf("source sent: %v", sent.Source)
	}
}
