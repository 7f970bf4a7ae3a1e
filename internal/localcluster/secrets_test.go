package localcluster

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

type secretList struct {
	Results []secretJSON `json:"results"`
}

func (tc *testCluster) defaultProvider(key string) providerInfoJSON {
	tc.t.Helper()
	var ps []providerInfoJSON
	tc.must(200, "GET", "/v1/secret-provider", key, nil, &ps)
	for _, p := range ps {
		if p.IsDefault {
			return p
		}
	}
	tc.t.Fatalf("no default secret provider in %+v", ps)
	return providerInfoJSON{}
}

// TestSecretRoutes pins CONTRACT.md §13's secret routes: shapes, the value never coming
// back, rotation visible as a new default_secret_value_id, and the codes.
func TestSecretRoutes(t *testing.T) {
	var logBuf lockedBuffer
	c, err := New(Options{DataDir: t.TempDir(), AdminKey: testAdminKey, Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{t: t, c: c, srv: newServer(c)}
	t.Cleanup(tc.close)
	key := tc.addUser("alice")
	a := tc.addAlgo(key, "hello")
	base := "/v1/algorithms/" + a.ID + "/secrets"
	p := tc.defaultProvider(key)
	if !uuidPattern.MatchString(p.ID) || !p.IsEnabled {
		t.Fatalf("default provider: %+v", p)
	}

	const value = "s3cr3t-value-one"
	var s secretJSON
	tc.must(200, "POST", base, key, map[string]any{
		"owner_type": "algorithm", "owner_id": a.ID, "short_name": "DB_PASSWORD", "secret_key": "DB_PASSWORD",
		"secret_value": value, "description": "database", "provider_id": p.ID,
	}, &s)
	if s.ShortName != "DB_PASSWORD" || s.Description != "database" || s.OwnerID != a.ID || s.OwnerType != "algorithm" ||
		s.ProviderID != p.ID || !uuidPattern.MatchString(s.ID) || s.DefaultSecretValueID == "" {
		t.Fatalf("created secret: %+v", s)
	}
	// Without provider_id the default provider is used; without secret_key, short_name.
	var s2 secretJSON
	tc.must(200, "POST", base, key, map[string]any{"short_name": "API_TOKEN", "secret_value": "tok", "description": ""}, &s2)
	if s2.ProviderID != p.ID || s2.SecretKey != "API_TOKEN" {
		t.Fatalf("defaults: %+v", s2)
	}

	var list secretList
	tc.must(200, "GET", base, key, nil, &list)
	if len(list.Results) != 2 || list.Results[0].ShortName != "API_TOKEN" || list.Results[1].ID != s.ID {
		t.Fatalf("list: %+v", list)
	}
	if got, ok := tc.c.SecretValue("alice", "hello", "DB_PASSWORD"); !ok || got != value {
		t.Fatalf("stored value %q %v", got, ok)
	}

	// Editing the description keeps the value and its id; a new value changes both.
	var e secretJSON
	tc.must(200, "PUT", base+"/"+s.ID, key, map[string]any{"short_name": "DB_PASSWORD", "description": "changed"}, &e)
	if e.Description != "changed" || e.DefaultSecretValueID != s.DefaultSecretValueID {
		t.Fatalf("edit description: %+v", e)
	}
	tc.must(200, "PUT", base+"/"+s.ID, key, map[string]any{"short_name": "DB_PASSWORD", "description": "changed", "secret_value": "s3cr3t-value-two"}, &e)
	if e.DefaultSecretValueID == s.DefaultSecretValueID {
		t.Fatal("a new value must get a new default_secret_value_id")
	}
	if got, _ := tc.c.SecretValue("alice", "hello", "DB_PASSWORD"); got != "s3cr3t-value-two" {
		t.Fatalf("rotated value %q", got)
	}

	// Errors.
	tc.wantError(400, codeMalformedSecretRequest, "POST", base, key, "{not json")
	tc.wantError(400, codeSecretConstraintViolation, "POST", base, key, map[string]any{"short_name": "API_TOKEN", "secret_value": "x"})
	tc.wantError(400, codeSecretConstraintViolation, "POST", base, key, map[string]any{"short_name": "has space", "secret_value": "x"})
	tc.wantError(400, codeSecretConstraintViolation, "POST", base, key, map[string]any{"short_name": "OK", "owner_id": "00000000-0000-0000-0000-000000000000", "secret_value": "x"})
	tc.wantError(400, codeCreateRequiresSecretValue, "POST", base, key, map[string]any{"short_name": "NO_VALUE"})
	tc.wantError(400, codeSecretProviderNotFound, "POST", base, key, map[string]any{"short_name": "X", "secret_value": "x", "provider_id": "00000000-0000-0000-0000-000000000000"})
	tc.wantError(400, codeSecretConstraintViolation, "PUT", base+"/"+s.ID, key, map[string]any{"short_name": "API_TOKEN"})
	tc.wantError(404, codeSecretNotFound, "PUT", base+"/00000000-0000-0000-0000-000000000000", key, map[string]any{"short_name": "X"})
	tc.wantError(404, codeSecretNotFound, "DELETE", base+"/00000000-0000-0000-0000-000000000000", key, nil)
	tc.wantError(404, codeInvalidRequest, "GET", "/v1/algorithms/alice/hello/secrets", key, nil)
	tc.wantError(404, codeAlgorithmIDDoesNotExist, "GET", "/v1/algorithms/00000000-0000-0000-0000-000000000000/secrets", key, nil)
	tc.wantError(401, codeNotAuthenticated, "GET", "/v1/secret-provider", "", nil)

	tc.must(204, "DELETE", base+"/"+s2.ID, key, nil, nil)
	tc.must(200, "GET", base, key, nil, &list)
	if len(list.Results) != 1 {
		t.Fatalf("after delete: %+v", list)
	}

	// No answer and no log line ever holds a value.
	var body json.RawMessage
	tc.must(200, "GET", base, key, nil, &body)
	for _, v := range []string{value, "s3cr3t-value-two"} {
		if strings.Contains(string(body), v) || strings.Contains(logBuf.String(), v) {
			t.Errorf("a secret value is in an answer (%s) or the log", body)
		}
	}
}

// TestSecretAuthorization: owner and organization members with algorithm
// management change secrets; others, admin keys and keys without management
// cannot, and nobody but members lists them, even on a public algorithm.
func TestSecretAuthorization(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	bob := tc.addUser("bob")
	a := tc.addAlgo(alice, "hello")
	tc.must(200, "PUT", "/v1/algorithms/alice/hello", alice, map[string]any{
		"settings": map[string]any{"algorithm_callability": "public", "source_visibility": "open", "license": "mit", "network_access": "isolated", "pipeline_enabled": false, "environment": "cpu"},
	}, nil)
	base := "/v1/algorithms/" + a.ID + "/secrets"
	var s secretJSON
	tc.must(200, "POST", base, alice, map[string]any{"short_name": "K", "secret_value": "v"}, &s)

	readOnly := "simalicereadonly"
	tc.must(200, "POST", "/v1/admin/users/alice/keys", testAdminKey, map[string]any{
		"key_label": "ro", "key_type": "AlgorithmKey", "api_key": readOnly,
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "allow_algo_management": false, "algo_acl": []string{}},
	}, nil)

	tc.wantError(403, codeNotAuthorized, "GET", base, bob, nil)
	tc.wantError(403, codeNotAuthorized, "POST", base, bob, map[string]any{"short_name": "B", "secret_value": "v"})
	tc.wantError(403, codeNotAuthorized, "PUT", base+"/"+s.ID, bob, map[string]any{"description": "x"})
	tc.wantError(403, codeNotAuthorized, "DELETE", base+"/"+s.ID, bob, nil)
	tc.wantError(403, codeNotAuthorized, "GET", base, testAdminKey, nil)
	tc.wantError(403, codeNotAuthorized, "POST", base, readOnly, map[string]any{"short_name": "B", "secret_value": "v"})
	tc.must(200, "GET", base, readOnly, nil, nil)
	tc.wantError(401, codeNotAuthenticated, "POST", base, "", map[string]any{"short_name": "B", "secret_value": "v"})

	// An organization's algorithm: a member with management may manage its secrets.
	var types []orgType
	tc.must(200, "GET", "/v1/organization/types", alice, nil, &types)
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "Acme", "org_contact_name": "alice", "org_email": "ops@acme.com", "type_id": types[0].ID}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	var orgAlgo algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/acme", bob, pythonAlgo("shared"), &orgAlgo)
	tc.must(200, "POST", "/v1/algorithms/"+orgAlgo.ID+"/secrets", bob, map[string]any{"short_name": "K", "secret_value": "v"}, nil)
	tc.wantError(403, codeNotAuthorized, "GET", "/v1/algorithms/"+orgAlgo.ID+"/secrets", alice, nil)
}

// TestSecretsPersistAndGoWithTheAlgorithm: secrets survive a restart, and
// deleting the algorithm deletes them (a new algorithm of the same name
// starts with none).
func TestSecretsPersistAndGoWithTheAlgorithm(t *testing.T) {
	dir := t.TempDir()
	tc := openTestCluster(t, dir)
	key := tc.addUser("alice")
	a := tc.addAlgo(key, "hello")
	provider := tc.defaultProvider(key)
	tc.must(200, "POST", "/v1/algorithms/"+a.ID+"/secrets", key, map[string]any{"short_name": "K", "secret_value": "v1"}, nil)
	tc.close()

	tc = openTestCluster(t, dir)
	if got := tc.defaultProvider(key); got.ID != provider.ID {
		t.Fatalf("provider id changed across a restart: %s -> %s", provider.ID, got.ID)
	}
	var list secretList
	tc.must(200, "GET", "/v1/algorithms/"+a.ID+"/secrets", key, nil, &list)
	if len(list.Results) != 1 {
		t.Fatalf("after restart: %+v", list)
	}
	if v, _ := tc.c.SecretValue("alice", "hello", "K"); v != "v1" {
		t.Fatalf("value after restart %q", v)
	}
	tc.must(204, "DELETE", "/v1/algorithms/alice/hello", key, nil, nil)
	if _, ok := tc.c.SecretValue("alice", "hello", "K"); ok {
		t.Fatal("deleting the algorithm left its secret behind")
	}
	b := tc.addAlgo(key, "hello")
	tc.must(200, "GET", "/v1/algorithms/"+b.ID+"/secrets", key, nil, &list)
	if len(list.Results) != 0 {
		t.Fatalf("a new algorithm of the same name inherited secrets: %+v", list)
	}
}
