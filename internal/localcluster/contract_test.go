package localcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// specPath finds ../shared/algorithmia/openapispec.yml next to the repository
// root (the directory holding go.mod).
func specPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("contract tests skipped: no go.mod above the test directory, so the repository root is unknown")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", "algorithmia", "openapispec.yml")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("contract tests skipped: the Algorithmia OpenAPI spec is not at %s (it ships in ../shared beside the repository, which a plain clone lacks)", p)
	}
	return p
}

// contractTransport validates every /v1 request it carries, and its
// response, against the spec, and records which operations were exercised.
type contractTransport struct {
	t      *testing.T
	router routers.Router
	mu     sync.Mutex
	seen   map[string]bool
}

func newContractTransport(t *testing.T, serverURL string) *contractTransport {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(specPath(t))
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	fixSecretRequestSchemas(doc)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &contractTransport{t: t, router: router, seen: map[string]bool{}}
}

func (ct *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return ct.roundTrip(req, nil)
}

// roundTrip carries req and validates a copy of it, which adjust (if not nil) may change
// first, with the response.
func (ct *contractTransport) roundTrip(req *http.Request, adjust func(vreq *http.Request)) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if adjust != nil {
		adjust(vreq)
	}
	ct.validate(vreq, resp, respBody)
	return resp, nil
}

// validate checks one exchange against the spec, reporting mismatches
// through ct.t; req's body must be readable and resp's already read into
// respBody.
func (ct *contractTransport) validate(req *http.Request, resp *http.Response, respBody []byte) {
	route, params, err := ct.router.FindRoute(req)
	if err != nil {
		return // not in the spec (CONTRACT.md §9 and friends); covered by table tests
	}
	op := route.Operation.OperationID
	// The spec names /v1/algorithms/{username} with a user-name pattern but
	// serves GET/PUT by algorithm id there (its own TODO), so an id fails the
	// pattern; only the response of those calls can be checked.
	skipRequest := (op == "getAlgorithmById" || op == "updateAlgorithmById") && uuidPattern.MatchString(params["username"])
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if !skipRequest {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			ct.t.Errorf("%s %s (%s): request does not match the spec: %v", req.Method, req.URL.Path, op, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(specShape(respBody))), Options: opts,
	}
	if errorListOps[op] {
		// The spec types these as one AlgorithmErrorEntry object; the
		// platform's mock and clients use a list (CHOICES.md). Checked by
		// TestErrorListRoutes instead.
	} else if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		ct.t.Errorf("%s %s (%s) -> %d: response does not match the spec: %v\nbody: %s", req.Method, req.URL.Path, op, resp.StatusCode, err, respBody)
	}
	ct.mu.Lock()
	ct.seen[op] = true
	ct.mu.Unlock()
}

// fixSecretRequestSchemas repairs the required lists of the secret request
// bodies: the spec requires "id" and "secretKey", which are not among their
// properties (the field is secret_key, and the id is in the path), so no body
// could pass. The rest of each schema is still validated.
func fixSecretRequestSchemas(doc *openapi3.T) {
	for _, name := range []string{"AlgorithmSecretCreateRequest", "AlgorithmSecretEditRequest"} {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		var req []string
		for _, r := range ref.Value.Required {
			switch r {
			case "id":
			case "secretKey":
				req = append(req, "secret_key")
			default:
				req = append(req, r)
			}
		}
		ref.Value.Required = req
	}
}

var errorListOps = map[string]bool{
	"getAlgorithmErrorsByUserId": true, "getAlgorithmErrorsByAlgorithmId": true, "getAlgorithmErrorsByAlgorithmName": true,
}

// specShape drops a top-level "marker": null and "next_link": null. CONTRACT.md §4
// (DOCS) says the last page carries both as null, which the spec's schemas
// do not allow; the cluster follows DOCS (CHOICES.md), everything else of
// the page is still validated.
func specShape(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	changed := false
	for _, k := range []string{"marker", "next_link"} {
		if v, ok := m[k]; ok && string(v) == "null" {
			delete(m, k)
			changed = true
		}
	}
	if !changed {
		return body
	}
	out, _ := json.Marshal(m)
	return out
}

// TestContract drives every implemented route the spec covers, validating
// each request and response with kin-openapi.
func TestContract(t *testing.T) {
	specPath(t)
	tc := newTestCluster(t)
	ct := newContractTransport(t, tc.srv.URL)
	tc.client = &http.Client{Transport: ct}

	// Users and keys.
	key := tc.addUser("alice")
	bobKey := tc.addUser("bob")
	var u userJSON
	tc.must(200, "GET", "/v1/users/alice", testAdminKey, nil, &u)
	tc.must(200, "GET", "/v1/users?limit=1", testAdminKey, nil, nil)
	tc.must(200, "PUT", "/v1/users/alice", testAdminKey, map[string]any{"username": "alice", "email": "alice@example.com", "fullname": "Alice A", "company_name": "Acme", "company_role": "dev"}, nil)
	tc.wantError(409, codeUsernameTaken, "POST", "/v1/users", testAdminKey, map[string]any{"username": "alice", "email": "x@example.com", "fullname": "x"})
	tc.must(200, "GET", "/v1/users/"+u.ID+"/errors", key, nil, nil)

	// Algorithms.
	a := tc.addAlgo(key, "hello")
	tc.wantError(400, codeAlgorithmNameTaken, "POST", "/v1/algorithms/alice", key, pythonAlgo("hello"))
	tc.must(200, "GET", "/v1/algorithms/alice/hello", key, nil, nil)
	tc.must(200, "GET", "/v1/algorithms/"+a.ID, key, nil, nil)
	upd := map[string]any{
		"details":  map[string]any{"label": "Hello!"},
		"settings": map[string]any{"environment": "cpu", "source_visibility": "open", "license": "mit", "network_access": "isolated", "pipeline_enabled": false},
	}
	tc.must(200, "PUT", "/v1/algorithms/alice/hello", key, upd, nil)
	tc.must(200, "PUT", "/v1/algorithms/"+a.ID, key, upd, nil)
	tc.must(200, "GET", "/v1/users/alice/algorithms", key, nil, nil)
	tc.must(200, "GET", "/v1/algorithms/alice/hello/scm/status", key, nil, nil)

	// Builds and versions.
	var compiled algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/compile", key, map[string]any{}, &compiled)
	tc.must(200, "POST", "/v1/algorithms/"+a.ID+"/compile", key, map[string]any{}, nil)
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds?limit=1", key, nil, &builds)
	if builds.NextLink == nil {
		t.Fatal("two builds, limit 1: want a next_link")
	}
	tc.must(200, "GET", "/v1/algorithms/"+a.ID+"/builds", key, nil, nil)
	id := builds.Results[0].BuildID
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds/"+id, key, nil, nil)
	tc.must(200, "GET", "/v1/algorithms/"+a.ID+"/builds/"+id, key, nil, nil)
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds/"+id+"/logs", key, nil, nil)
	tc.must(200, "GET", "/v1/algorithms/"+a.ID+"/builds/"+id+"/logs", key, nil, nil)
	tc.must(200, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{
		"details":      map[string]any{"label": "Hello"},
		"settings":     map[string]any{"algorithm_callability": "private", "royalty_microcredits": 0},
		"version_info": map[string]any{"version_type": "revision", "release_notes": "n", "sample_input": "x"},
	}, nil)
	tc.wantError(400, codeVersionAlreadyPublished, "POST", "/v1/algorithms/"+a.ID+"/versions", key, map[string]any{})
	tc.must(200, "GET", "/v1/algorithms/alice/hello/versions?published=true&callable=false&limit=5", key, nil, nil)
	tc.must(200, "GET", "/v1/algorithms/alice/hello/versions/"+compiled.VersionInfo.GitHash, key, nil, nil)
	tc.wantError(403, codeNotAuthorized, "GET", "/v1/algorithms/alice/hello", bobKey, nil)
	tc.wantError(401, codeNotAuthenticated, "GET", "/v1/algorithms/alice/hello", "nope-nope", nil)

	// Organizations, members, types.
	var types []orgType
	tc.must(200, "GET", "/v1/organization/types", key, nil, &types)
	tc.must(200, "POST", "/v1/organization/types", testAdminKey, map[string]any{"id": "0b7c5a4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d", "name": "custom"}, nil)
	tc.must(204, "DELETE", "/v1/organization/types/custom", testAdminKey, nil, nil)
	org := map[string]any{"org_name": "acme", "org_label": "Acme", "org_contact_name": "alice", "org_email": "ops@acme.com", "type_id": types[0].ID, "org_url": "https://acme.example"}
	tc.must(200, "POST", "/v1/organizations", testAdminKey, org, nil)
	tc.wantError(409, codeOrganizationExists, "POST", "/v1/organizations", testAdminKey, org)
	tc.must(200, "GET", "/v1/organizations?limit=10", testAdminKey, nil, nil)
	tc.must(200, "GET", "/v1/organizations/acme", testAdminKey, nil, nil)
	org["org_label"] = "Acme Inc"
	tc.must(204, "PUT", "/v1/organizations/acme", testAdminKey, org, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	tc.must(200, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	tc.must(200, "GET", "/v1/organizations/acme/members", testAdminKey, nil, nil)
	tc.must(201, "POST", "/v1/organizations/acme/members/bob/keys", testAdminKey, map[string]any{
		"key_label": "org", "key_type": "AlgorithmKey",
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "algo_acl": []string{}},
	}, nil)
	tc.must(200, "GET", "/v1/organizations/acme/errors", key, nil, nil)
	tc.must(204, "DELETE", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	tc.must(204, "DELETE", "/v1/organizations/acme", testAdminKey, nil, nil)
	tc.must(200, "GET", "/v1/scms", key, nil, nil)
	tc.must(200, "GET", "/v1/scms/internal", key, nil, nil)

	// SCM configurations, authorisation, an SCM-backed algorithm (CONTRACT.md §8.4, §11).
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh"), nil)
	tc.wantError(409, codeScmConflict, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh"))
	tc.must(200, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": true, "urls": githubScm("gh")["urls"]}, nil)
	tc.must(204, "POST", "/v1/admin/scms/gh/default", testAdminKey, nil, nil)
	tc.wantError(400, codeScmDefault, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": false})
	tc.must(204, "POST", "/v1/admin/scms/internal/default", testAdminKey, nil, nil)
	tc.must(200, "GET", "/v1/scms/gh", key, nil, nil)
	tc.must(200, "GET", "/v1/scms/gh/token/status", key, nil, nil)
	token, err := tc.c.ExternalToken("gh", "alice-gh")
	if err != nil {
		t.Fatal(err)
	}
	tc.must(200, "POST", "/v1/scms/gh/token/connect", key, map[string]any{"token": token}, nil)
	tc.must(200, "GET", "/v1/scms/gh/oauth/status", key, nil, nil)
	tc.must(201, "POST", "/v1/algorithms/alice", key, scmAlgo("ext", "gh", map[string]any{"repository_name": "ext-repo"}), nil)
	tc.must(200, "GET", "/v1/algorithms/alice/ext", key, nil, nil)
	var hook scmConnectionStatusJSON
	tc.must(200, "GET", "/v1/algorithms/alice/ext/scm/status", key, nil, &hook)
	var ext algorithmJSON
	tc.must(200, "GET", "/v1/algorithms/alice/ext", key, nil, &ext)
	head, err := tc.c.ExternalRepo("gh", "alice-gh", "ext-repo")
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"ref":"refs/heads/main","after":"` + head.Head + `"}`)
	for _, d := range []struct {
		path, event string
		want        int
	}{
		{"/v1/algorithms/alice/ext/scm/webhook", "ping", 202},
		{"/v1/algorithms/" + ext.ID + "/scm/webhook", "push", 204},
	} {
		req, _ := http.NewRequest("POST", tc.srv.URL+d.path, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", d.event)
		req.Header.Set("X-Hub-Signature-256", signed(hook.WebhookSecret, payload))
		resp, err := tc.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != d.want {
			t.Fatalf("webhook %s %s: %d, want %d", d.event, d.path, resp.StatusCode, d.want)
		}
	}
	tc.must(200, "POST", "/v1/algorithms/alice/ext/compile", key, map[string]any{}, nil)
	tc.must(204, "POST", "/v1/scms/gh/oauth/revoke", key, nil, nil)
	tc.must(204, "DELETE", "/v1/algorithms/alice/ext", key, nil, nil)
	tc.must(200, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": false}, nil)
	tc.must(204, "DELETE", "/v1/admin/scms/gh", testAdminKey, nil, nil)

	// Secrets (CONTRACT.md §13).
	tc.must(200, "GET", "/v1/secret-provider", key, nil, nil)
	provider := tc.defaultProvider(key)
	secrets := "/v1/algorithms/" + a.ID + "/secrets"
	var sec secretJSON
	tc.must(200, "POST", secrets, key, map[string]any{
		"owner_type": "algorithm", "owner_id": a.ID, "short_name": "TOKEN", "secret_key": "TOKEN",
		"secret_value": "v", "description": "d", "provider_id": provider.ID,
	}, &sec)
	tc.must(200, "GET", secrets, key, nil, nil)
	tc.must(200, "PUT", secrets+"/"+sec.ID, key, map[string]any{"short_name": "TOKEN", "secret_key": "TOKEN", "description": "d2", "secret_value": "w"}, nil)
	tc.wantError(403, codeNotAuthorized, "POST", secrets, bobKey, map[string]any{
		"owner_type": "algorithm", "owner_id": a.ID, "short_name": "X", "secret_key": "X", "secret_value": "v", "description": "",
	})
	tc.must(204, "DELETE", secrets+"/"+sec.ID, key, nil, nil)

	// Deletions last.
	tc.must(204, "DELETE", "/v1/algorithms/alice/hello", key, nil, nil)
	tc.must(204, "DELETE", "/v1/users/bob", testAdminKey, nil, nil)

	want := []string{
		"importApiKey", "createUser", "getUsers", "getUser", "updateUser", "deleteUser", "getAlgorithmErrorsByUserId",
		"createAlgorithm", "getAlgorithm", "getAlgorithmById", "updateAlgorithm", "updateAlgorithmById", "deleteAlgorithm",
		"listAlgorithmsForUser", "getAlgorithmScmConnectionStatus",
		"compileAlgorithm", "compileAlgorithmById", "getAlgorithmBuilds", "getAlgorithmByIdBuilds",
		"getAlgorithmBuildById", "getAlgorithmByIdBuildById", "getAlgorithmBuildLogs", "getAlgorithmByIdBuildLogs",
		"publishAlgorithm", "publishAlgorithmById", "getAlgorithmVersions", "getAlgorithmHashVersion",
		"getAllOrganizationTypes", "create", "deleteByName",
		"createOrganization", "getOrganizations", "getOrganization", "edit", "deleteOrganization",
		"listMembers", "addOrganizationMember", "removeOrganizationMember", "addOrganizationApiKey",
		"listScms", "getScm", "createScm", "updateScm", "deleteScm", "setDefaultScm",
		"addScmConnection", "scmTokenStatus", "getScmStatus", "revokeScmAuthorization",
		"receiveScmRepositoryEvent", "receiveAlgorithmByIdScmRepositoryEvent",
		"listSecretProviders", "getAlgorithmSecrets", "createAlgorithmSecret", "editAlgorithmSecret", "deleteAlgorithmSecret",
	}
	var missing []string
	for _, op := range want {
		if !ct.seen[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations never validated: %s", strings.Join(missing, ", "))
	}
}
