package localcluster

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// TestAuthorizationMatrix calls every route as {no key, unknown key, other
// user's key, admin key, owner's key}. For admin routes the "owner" is the
// admin; a standard key there is a caller without rights.
func TestAuthorizationMatrix(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	bob := tc.addUser("bob")
	tc.must(200, "POST", "/v1/users", testAdminKey, map[string]any{"username": "victim", "email": "victim@example.com"}, nil)
	a := tc.addAlgo(alice, "hello")
	tc.addAlgo(alice, "doomed")
	tc.addAlgo(alice, "pub")
	var compiled algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/compile", alice, nil, &compiled)
	tc.must(200, "POST", "/v1/algorithms/alice/pub/compile", alice, nil, nil)
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds", alice, nil, &builds)
	build := builds.Results[0].BuildID
	var types []orgType
	tc.must(200, "GET", "/v1/organization/types", testAdminKey, nil, &types)
	org := func(name string) map[string]any {
		return map[string]any{"org_name": name, "org_label": "L", "org_contact_name": "c", "org_email": "o@example.com", "type_id": "basic"}
	}
	tc.must(200, "POST", "/v1/organizations", testAdminKey, org("acme"), nil)
	tc.must(200, "POST", "/v1/organizations", testAdminKey, org("gone"), nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/victim", testAdminKey, nil, nil)
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh"), nil)
	goneScm := githubScm("gonescm")
	goneScm["enabled"] = false
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, goneScm, nil)
	perms := map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "algo_acl": []string{}}

	const (
		admin    = "admin"    // admin keys only
		standard = "standard" // the owner's standard key only
		anyKey   = "any"      // any valid key
	)
	algo := "/v1/algorithms/alice/hello"
	byID := "/v1/algorithms/" + a.ID
	routes := []struct {
		kind         string
		method, path string
		body         any
		ok           int
	}{
		{standard, "POST", "/v1/algorithms/alice", pythonAlgo("fresh"), 201},
		{standard, "GET", algo, nil, 200},
		{standard, "GET", byID, nil, 200},
		{standard, "PUT", algo, map[string]any{"details": map[string]any{"label": "x"}}, 200},
		{standard, "PUT", byID, map[string]any{"details": map[string]any{"label": "y"}}, 200},
		{standard, "GET", algo + "/builds", nil, 200},
		{standard, "GET", byID + "/builds", nil, 200},
		{standard, "GET", algo + "/builds/" + build, nil, 200},
		{standard, "GET", algo + "/builds/" + build + "/logs", nil, 200},
		{standard, "POST", algo + "/compile", nil, 200},
		{standard, "GET", algo + "/versions", nil, 200},
		{standard, "GET", algo + "/versions/" + compiled.VersionInfo.GitHash, nil, 200},
		{standard, "POST", "/v1/algorithms/alice/pub/versions", map[string]any{}, 200},
		{standard, "GET", algo + "/scm/status", nil, 200},
		{standard, "GET", algo + "/errors", nil, 200},
		{standard, "DELETE", "/v1/algorithms/alice/doomed", nil, 204},
		{admin, "GET", "/v1/users", nil, 200},
		{admin, "POST", "/v1/users", map[string]any{"username": "carol", "email": "carol@example.com"}, 200},
		{admin, "GET", "/v1/users/alice", nil, 200},
		{admin, "PUT", "/v1/users/alice", map[string]any{"username": "alice", "email": "alice@example.com", "fullname": "A"}, 200},
		{admin, "POST", "/v1/admin/users/alice/keys", map[string]any{"key_type": "AlgorithmKey", "permissions": perms}, 200},
		{admin, "GET", "/v1/organizations", nil, 200},
		{admin, "POST", "/v1/organizations", org("neworg"), 200},
		{admin, "GET", "/v1/organizations/acme", nil, 200},
		{admin, "PUT", "/v1/organizations/acme", org("acme"), 204},
		{admin, "GET", "/v1/organizations/acme/members", nil, 200},
		{admin, "PUT", "/v1/organizations/acme/members/bob", nil, 201},
		{admin, "DELETE", "/v1/organizations/acme/members/victim", nil, 204},
		{admin, "POST", "/v1/organizations/acme/members/alice/keys", map[string]any{"key_type": "AlgorithmKey", "permissions": perms}, 201},
		{admin, "DELETE", "/v1/organizations/gone", nil, 204},
		{admin, "POST", "/v1/organization/types", map[string]any{"name": "gold"}, 200},
		{admin, "DELETE", "/v1/organization/types/pro", nil, 204},
		{admin, "DELETE", "/v1/users/victim", nil, 204},
		{anyKey, "GET", "/v1/organization/types", nil, 200},
		{anyKey, "GET", "/v1/algorithm-environments/edge/languages", nil, 200},
		{anyKey, "GET", "/v1/algorithm-environments/edge/languages/python3/environments", nil, 200},
		{anyKey, "GET", "/v1/scms", nil, 200},
		{anyKey, "GET", "/v1/scms/gh", nil, 200},
		{admin, "POST", "/v1/admin/scms", githubScm("matrix"), 201},
		{admin, "PATCH", "/v1/admin/scms/gh", map[string]any{"enabled": true}, 200},
		{admin, "POST", "/v1/admin/scms/internal/default", nil, 204},
		{admin, "DELETE", "/v1/admin/scms/gonescm", nil, 204},
		{anyKey, "GET", "/v1/organizations/acme/errors", nil, 200},
	}
	for _, r := range routes {
		name := fmt.Sprintf("%s %s", r.method, r.path)
		type attempt struct {
			who, key   string
			status     int
			code       int
			successful bool
		}
		var attempts []attempt
		attempts = append(attempts,
			attempt{"no key", "", 401, codeNotAuthenticated, false},
			attempt{"unknown key", "simNOSUCHKEY", 401, codeNotAuthenticated, false})
		switch r.kind {
		case admin:
			attempts = append(attempts,
				attempt{"other user's key", bob, 403, codeNotAuthorized, false},
				attempt{"owner's standard key", alice, 403, codeNotAuthorized, false},
				attempt{"admin key", testAdminKey, r.ok, 0, true})
		case standard:
			attempts = append(attempts,
				attempt{"other user's key", bob, 403, codeNotAuthorized, false},
				attempt{"admin key", testAdminKey, 403, codeNotAuthorized, false},
				attempt{"owner's key", alice, r.ok, 0, true})
		case anyKey:
			attempts = append(attempts,
				attempt{"other user's key", bob, r.ok, 0, true},
				attempt{"admin key", testAdminKey, r.ok, 0, true},
				attempt{"owner's key", alice, r.ok, 0, true})
		}
		for _, at := range attempts {
			var raw json.RawMessage
			var e apiErr
			got := tc.call(r.method, r.path, at.key, r.body, &raw)
			_ = json.Unmarshal(raw, &e)
			if got != at.status || (!at.successful && e.Error.Code != at.code) {
				t.Errorf("%s as %s: got %d/%d (%s), want %d/%d", name, at.who, got, e.Error.Code, e.Error.Message, at.status, at.code)
			}
			if at.successful && got >= 300 {
				t.Errorf("%s as %s: %d %s", name, at.who, got, e.Error.Message)
			}
		}
	}
}

// TestKeyPermissionsAndOrgMembers checks that algorithm management needs the
// key permission, and that organization members manage the organization's
// algorithms.
func TestKeyPermissionsAndOrgMembers(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	bob := tc.addUser("bob")
	readOnly := "simalicereadonly"
	tc.must(200, "POST", "/v1/admin/users/alice/keys", testAdminKey, map[string]any{
		"key_type": "AlgorithmKey", "api_key": readOnly,
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "algo_acl": []string{}},
	}, nil)
	tc.addAlgo(alice, "hello")
	tc.must(200, "GET", "/v1/algorithms/alice/hello", readOnly, nil, nil)
	for _, c := range []struct{ method, path string }{
		{"POST", "/v1/algorithms/alice"},
		{"PUT", "/v1/algorithms/alice/hello"},
		{"POST", "/v1/algorithms/alice/hello/compile"},
		{"POST", "/v1/algorithms/alice/hello/versions"},
		{"DELETE", "/v1/algorithms/alice/hello"},
	} {
		tc.wantError(http.StatusForbidden, codeNotAuthorized, c.method, c.path, readOnly, pythonAlgo("x"))
	}
	// Bare keys and Bearer are accepted as well as Simple.
	for _, h := range []string{alice, "Bearer " + alice} {
		req, _ := http.NewRequest("GET", tc.srv.URL+"/v1/algorithms/alice/hello", nil)
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("Authorization %q...: %d", h[:6], resp.StatusCode)
		}
	}
	// Org members manage org algorithms; non-members do not.
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "Acme", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "basic"}, nil)
	tc.wantError(403, codeNotAuthorized, "POST", "/v1/algorithms/acme", alice, pythonAlgo("orgalgo"))
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	tc.must(201, "POST", "/v1/algorithms/acme", alice, pythonAlgo("orgalgo"), nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	tc.must(200, "POST", "/v1/algorithms/acme/orgalgo/compile", bob, nil, nil)
	tc.must(204, "DELETE", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	tc.wantError(403, codeNotAuthorized, "GET", "/v1/algorithms/acme/orgalgo", bob, nil)
	// A key issued by the organization acts for it.
	var k apiKeyJSON
	tc.must(201, "POST", "/v1/organizations/acme/members/alice/keys", testAdminKey, map[string]any{
		"key_type":    "AlgorithmKey",
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "allow_algo_management": true, "algo_acl": []string{}},
	}, &k)
	if k.OwnerName != "acme" || k.Username != "alice" || k.APIKey == "" || k.APIKeyMask == k.APIKey {
		t.Fatalf("org key: %+v", k)
	}
	tc.must(200, "GET", "/v1/algorithms/acme/orgalgo", k.APIKey, nil, nil)
}
