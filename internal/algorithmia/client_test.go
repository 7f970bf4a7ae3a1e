package algorithmia

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestNewValidatesBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{"https://api.example.com", "https://api.example.com", ""},
		{"https://api.example.com/", "https://api.example.com", ""},
		{"https://api.example.com/v1", "https://api.example.com", ""},
		{"https://api.example.com/v1/", "https://api.example.com", ""},
		{"http://127.0.0.1:8080/prefix/v1", "http://127.0.0.1:8080/prefix", ""},
		{"  https://api.example.com  ", "https://api.example.com", ""},
		{"", "", "empty"},
		{"api.example.com", "", "http:// or https://"},
		{"ftp://api.example.com", "", "http:// or https://"},
		{"https://", "", "no host"},
		{"https://user:simKEY@api.example.com", "", "credentials"},
		{"https://api.example.com?x=1", "", "query"},
		{"://bad", "", "not a valid URL"},
	}
	for _, tt := range tests {
		c, err := New(Config{BaseURL: tt.in})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want containing %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "simKEY") {
				t.Errorf("%q: error leaks the URL's password: %v", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if c.BaseURL() != tt.want {
			t.Errorf("%q: BaseURL %q, want %q", tt.in, c.BaseURL(), tt.want)
		}
	}
}

func TestBaseURLPrefixAndPathEscaping(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"name":"x"}`) })
	c, _ := newTestClient(t, ts.URL+"/prefix/v1/", nil)
	if _, err := c.GetAlgorithm(context.Background(), "alice", "a/b?c"); err != nil {
		t.Fatal(err)
	}
	got := ts.requests()[0]
	if got.Path != "/prefix/v1/algorithms/alice/a%2Fb%3Fc" || got.RawQuery != "" {
		t.Fatalf("path %q query %q", got.Path, got.RawQuery)
	}
}

func TestKeySelectionAndHeaders(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/environments"):
			writeJSON(w, 200, `{"environments":[]}`)
		case r.URL.Path == "/v1/users" || r.URL.Path == "/v1/organizations" || strings.HasSuffix(r.URL.Path, "/builds") || strings.HasSuffix(r.URL.Path, "/versions") || strings.HasSuffix(r.URL.Path, "/members"):
			if r.Method == http.MethodGet {
				writeJSON(w, 200, `{"marker":null,"next_link":null,"results":[]}`)
				return
			}
			writeJSON(w, 200, `{}`)
		case r.Method == http.MethodGet && (strings.HasSuffix(r.URL.Path, "/languages") || strings.HasSuffix(r.URL.Path, "/types") || strings.HasSuffix(r.URL.Path, "/algorithms")):
			writeJSON(w, 200, `[]`)
		default:
			writeJSON(w, 200, `{"name":"n","username":"u","org_name":"o"}`)
		}
	})
	ctx := context.Background()
	c, _ := newTestClient(t, ts.URL, nil)
	std, admin := "Simple "+testAPIKey, "Simple "+testAdminKey
	calls := []struct {
		name string
		call func() error
		want string
	}{
		{"CreateAlgorithm", func() error { _, e := c.CreateAlgorithm(ctx, "o", CreateAlgorithmRequest{}); return e }, std},
		{"GetAlgorithm", func() error { _, e := c.GetAlgorithm(ctx, "o", "n"); return e }, std},
		{"GetAlgorithmByID", func() error { _, e := c.GetAlgorithmByID(ctx, "2938ca9f-54c8-48cd-b0d0-0fb7f2255cdc"); return e }, std},
		{"UpdateAlgorithm", func() error { _, e := c.UpdateAlgorithm(ctx, "o", "n", UpdateAlgorithmRequest{}); return e }, std},
		{"DeleteAlgorithm", func() error { return c.DeleteAlgorithm(ctx, "o", "n") }, std},
		{"ListUserAlgorithms", func() error { _, e := c.ListUserAlgorithms(ctx, "o"); return e }, std},
		{"Compile", func() error { _, e := c.Compile(ctx, "o", "n"); return e }, std},
		{"ListBuilds", func() error { _, e := c.ListBuilds(ctx, "o", "n", ListOptions{}); return e }, std},
		{"GetBuild", func() error { _, e := c.GetBuild(ctx, "o", "n", "b"); return e }, std},
		{"PublishVersion", func() error { _, e := c.PublishVersion(ctx, "o", "n", VersionRequest{}); return e }, std},
		{"ListVersions", func() error { _, e := c.ListVersions(ctx, "o", "n", VersionFilter{}, ListOptions{}); return e }, std},
		{"GetVersion", func() error { _, e := c.GetVersion(ctx, "o", "n", "abc"); return e }, std},
		{"ListLanguages", func() error { _, e := c.ListLanguages(ctx); return e }, std},
		{"ListEnvironments", func() error { _, e := c.ListEnvironments(ctx, "python3"); return e }, std},
		{"CreateUser", func() error { _, e := c.CreateUser(ctx, CreateUserRequest{}); return e }, admin},
		{"GetUser", func() error { _, e := c.GetUser(ctx, "u"); return e }, admin},
		{"UpdateUser", func() error { _, e := c.UpdateUser(ctx, "u", UpdateUserRequest{}); return e }, admin},
		{"DeleteUser", func() error { return c.DeleteUser(ctx, "u") }, admin},
		{"ListUsers", func() error { _, e := c.ListUsers(ctx, ListOptions{}); return e }, admin},
		{"CreateUserAPIKey", func() error { _, e := c.CreateUserAPIKey(ctx, "u", CreateAPIKeyRequest{}); return e }, admin},
		{"CreateOrganizationMemberAPIKey", func() error { _, e := c.CreateOrganizationMemberAPIKey(ctx, "o", "u", CreateAPIKeyRequest{}); return e }, admin},
		{"CreateOrganization", func() error { _, e := c.CreateOrganization(ctx, OrganizationRequest{}); return e }, admin},
		{"GetOrganization", func() error { _, e := c.GetOrganization(ctx, "o"); return e }, admin},
		{"UpdateOrganization", func() error { return c.UpdateOrganization(ctx, "o", OrganizationRequest{}) }, admin},
		{"DeleteOrganization", func() error { return c.DeleteOrganization(ctx, "o") }, admin},
		{"ListOrganizations", func() error { _, e := c.ListOrganizations(ctx, ListOptions{}); return e }, admin},
		{"ListOrganizationTypes", func() error { _, e := c.ListOrganizationTypes(ctx); return e }, admin},
		{"CreateOrganizationType", func() error { _, e := c.CreateOrganizationType(ctx, OrganizationType{Name: "x"}); return e }, admin},
		{"AddOrganizationMember", func() error { _, e := c.AddOrganizationMember(ctx, "o", "u"); return e }, admin},
		{"RemoveOrganizationMember", func() error { return c.RemoveOrganizationMember(ctx, "o", "u") }, admin},
		{"ListOrganizationMembers", func() error { _, e := c.ListOrganizationMembers(ctx, "o", ListOptions{}); return e }, admin},
	}
	for i, tc := range calls {
		if err := tc.call(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ts.requests()[i]
		if got.Auth != tc.want {
			t.Errorf("%s: Authorization %q, want %q", tc.name, got.Auth, tc.want)
		}
		if got.UserAgent != "terraform-provider-algorithmia/test (+https://www.terraform.io) Terraform/1.9.0" {
			t.Errorf("%s: User-Agent %q", tc.name, got.UserAgent)
		}
		if len(got.Body) > 0 && got.ContentType != "application/json" {
			t.Errorf("%s: Content-Type %q", tc.name, got.ContentType)
		}
	}
}

func TestMissingKeyMakesNoRequest(t *testing.T) {
	var hits atomic.Int32
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	ctx := context.Background()
	onlyStd, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.AdminAPIKey = "" })
	onlyAdmin, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.APIKey = "" })
	none, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.APIKey, cfg.AdminAPIKey = "", "" })

	tests := []struct {
		name     string
		call     func() error
		sentinel error
		wantMsg  string
	}{
		{"user with standard key only", func() error { _, e := onlyStd.GetUser(ctx, "bob"); return e }, ErrAdminKeyRequired, "GET /v1/users/bob is an admin endpoint and needs the admin API key"},
		{"org with standard key only", func() error { return onlyStd.DeleteOrganization(ctx, "o") }, ErrAdminKeyRequired, "admin API key"},
		{"member with standard key only", func() error { _, e := onlyStd.AddOrganizationMember(ctx, "o", "u"); return e }, ErrAdminKeyRequired, "admin API key"},
		{"import key with standard key only", func() error {
			_, e := onlyStd.CreateUserAPIKey(ctx, "u", CreateAPIKeyRequest{})
			return e
		}, ErrAdminKeyRequired, "POST /v1/admin/users/u/keys"},
		{"algorithm with admin key only", func() error { _, e := onlyAdmin.GetAlgorithm(ctx, "o", "n"); return e }, ErrAPIKeyRequired, "GET /v1/algorithms/o/n needs a standard API key"},
		{"publish with admin key only", func() error { _, e := onlyAdmin.PublishVersion(ctx, "o", "n", VersionRequest{}); return e }, ErrAPIKeyRequired, "standard API key"},
		{"org types with no key", func() error { _, e := none.ListOrganizationTypes(ctx); return e }, ErrAdminKeyRequired, "admin API key"},
		{"user algorithms with no key", func() error { _, e := none.ListUserAlgorithms(ctx, "u"); return e }, ErrAPIKeyRequired, "standard API key"},
	}
	for _, tt := range tests {
		err := tt.call()
		var mk *MissingKeyError
		if !errors.As(err, &mk) || !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: got %v, want MissingKeyError matching %v", tt.name, err, tt.sentinel)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("%s: message %q lacks %q", tt.name, err.Error(), tt.wantMsg)
		}
		other := ErrAPIKeyRequired
		if errors.Is(tt.sentinel, ErrAPIKeyRequired) {
			other = ErrAdminKeyRequired
		}
		if errors.Is(err, other) {
			t.Errorf("%s: also matches %v", tt.name, other)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("server saw %d requests; a missing key must stop the call first", hits.Load())
	}
	if !onlyStd.HasAPIKey() || onlyStd.HasAdminAPIKey() || onlyAdmin.HasAPIKey() || !onlyAdmin.HasAdminAPIKey() {
		t.Fatal("HasAPIKey/HasAdminAPIKey disagree with the config")
	}
}

func TestFallbackKeys(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	ctx := context.Background()
	onlyStd, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.AdminAPIKey = "" })
	onlyAdmin, _ := newTestClient(t, ts.URL, func(cfg *Config) { cfg.APIKey = "" })
	if _, err := onlyStd.ListOrganizationTypes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := onlyAdmin.ListUserAlgorithms(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	reqs := ts.requests()
	if reqs[0].Auth != "Simple "+testAPIKey || reqs[1].Auth != "Simple "+testAdminKey {
		t.Fatalf("fallback keys: %q, %q", reqs[0].Auth, reqs[1].Auth)
	}
}

// pagedHandler serves items in pages of two, with base64-free markers "m1", "m2"...
func pagedHandler(items []string, field string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := 0
		if m := r.URL.Query().Get("marker"); m != "" {
			if _, err := fmt.Sscanf(m, "m%d", &start); err != nil {
				writeJSON(w, 400, `{"error":{"code":5002,"message":"invalid marker"}}`)
				return
			}
		}
		end := min(start+2, len(items))
		var results []string
		for _, it := range items[start:end] {
			results = append(results, fmt.Sprintf(`{%q:%q}`, field, it))
		}
		marker, next := "null", "null"
		if end < len(items) {
			marker = fmt.Sprintf(`"m%d"`, end)
			next = fmt.Sprintf(`"http://x%s?marker=m%d"`, r.URL.Path, end)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"marker":%s,"next_link":%s,"results":[%s]}`, marker, next, strings.Join(results, ",")))
	}
}

func TestPagingWalksAllPages(t *testing.T) {
	users := []string{"a", "b", "c", "d", "e"}
	ts := newTestServer(t, pagedHandler(users, "username"))
	c, _ := newTestClient(t, ts.URL, nil)
	got, err := c.ListAllUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range got {
		names = append(names, u.Username)
	}
	if strings.Join(names, ",") != "a,b,c,d,e" {
		t.Fatalf("got %v", names)
	}
	reqs := ts.requests()
	if len(reqs) != 3 || reqs[0].RawQuery != "" || reqs[1].RawQuery != "marker=m2" || reqs[2].RawQuery != "marker=m4" {
		t.Fatalf("requests: %+v", reqs)
	}
}

func TestPagingHelpersForEveryCollection(t *testing.T) {
	items := []string{"1", "2", "3"}
	ctx := context.Background()
	check := func(name string, field string, call func(c *Client) (int, error)) {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, pagedHandler(items, field))
			c, _ := newTestClient(t, ts.URL, nil)
			n, err := call(c)
			if err != nil || n != 3 || len(ts.requests()) != 2 {
				t.Fatalf("n=%d err=%v requests=%d", n, err, len(ts.requests()))
			}
		})
	}
	check("builds", "build_id", func(c *Client) (int, error) { b, e := c.ListAllBuilds(ctx, "o", "n"); return len(b), e })
	check("versions", "name", func(c *Client) (int, error) {
		v, e := c.ListAllVersions(ctx, "o", "n", VersionFilter{})
		return len(v), e
	})
	check("organizations", "org_name", func(c *Client) (int, error) { o, e := c.ListAllOrganizations(ctx); return len(o), e })
	check("members", "username", func(c *Client) (int, error) { m, e := c.ListAllOrganizationMembers(ctx, "o"); return len(m), e })
}

func TestWalkStopsEarlyAndDetectsMarkerLoops(t *testing.T) {
	ts := newTestServer(t, pagedHandler([]string{"b1", "b2", "b3", "b4", "b5"}, "build_id"))
	c, _ := newTestClient(t, ts.URL, nil)
	var seenIDs []string
	err := c.WalkBuilds(context.Background(), "o", "n", 2, func(b Build) bool {
		seenIDs = append(seenIDs, b.BuildID)
		return b.BuildID != "b3"
	})
	if err != nil || strings.Join(seenIDs, ",") != "b1,b2,b3" || len(ts.requests()) != 2 {
		t.Fatalf("walk: %v %v after %d requests", seenIDs, err, len(ts.requests()))
	}
	if q := ts.requests()[0].RawQuery; q != "limit=2" {
		t.Fatalf("first page query %q", q)
	}

	loop := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"marker":"same","next_link":null,"results":[{"username":"x"}]}`)
	})
	c2, _ := newTestClient(t, loop.URL, nil)
	if _, err := c2.ListAllUsers(context.Background()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("want marker loop error, got %v", err)
	}

	failing := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("marker") != "" {
			writeJSON(w, 400, `{"error":{"code":5002,"message":"invalid marker"}}`)
			return
		}
		writeJSON(w, 200, `{"marker":"m1","results":[{"username":"x"}]}`)
	})
	c3, _ := newTestClient(t, failing.URL, nil)
	if got, err := c3.ListAllUsers(context.Background()); err == nil || got != nil {
		t.Fatalf("a failing page must fail the whole listing: %v %v", got, err)
	}
}
