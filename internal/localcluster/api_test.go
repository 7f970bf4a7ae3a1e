package localcluster

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// TestEnvironmentRoutes checks the CONTRACT.md §9 routes, which the spec lacks, against
// CONTRACT.md: shapes, per-cluster random ids, and what algorithms do with them.
func TestEnvironmentRoutes(t *testing.T) {
	dev, prod := newTestCluster(t), newTestCluster(t)
	key := dev.addUser("alice")

	var langs []map[string]any
	dev.must(200, "GET", "/v1/algorithm-environments/edge/languages", key, nil, &langs)
	names := map[string]bool{}
	for _, l := range langs {
		name, ok := l["name"].(string)
		if !ok {
			t.Fatalf("language name %v is not a string", l["name"])
		}
		names[name] = true
		confText, ok := l["configuration"].(string)
		if !ok {
			t.Fatalf("language %s: configuration %v is not a string", name, l["configuration"])
		}
		var conf map[string]any
		if err := json.Unmarshal([]byte(confText), &conf); err != nil {
			t.Errorf("language %v: configuration is not a JSON document in a string: %v", l["name"], err)
		}
		if l["display_name"] == "" {
			t.Errorf("language %v has no display_name", l["name"])
		}
	}
	for _, want := range []string{"python3", "python2", "java11", "r36", "scala-2", "anaconda3", "csharp-dotnet-core2"} {
		if !names[want] {
			t.Errorf("language %s missing", want)
		}
	}

	var envs struct {
		Environments []environmentJSON `json:"environments"`
	}
	dev.must(200, "GET", "/v1/algorithm-environments/edge/languages/python3/environments", key, nil, &envs)
	if len(envs.Environments) == 0 {
		t.Fatal("no python3 environments")
	}
	noTZ := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$`)
	var py38 environmentJSON
	for _, e := range envs.Environments {
		if !uuidPattern.MatchString(e.ID) || !uuidPattern.MatchString(e.EnvironmentSpecificationID) || e.ID == e.EnvironmentSpecificationID {
			t.Errorf("environment ids: %+v", e)
		}
		if e.MachineType != "CPU" && e.MachineType != "GPU" {
			t.Errorf("machine_type %q", e.MachineType)
		}
		if !noTZ.MatchString(e.CreatedAt) {
			t.Errorf("created_at %q must have no time zone", e.CreatedAt)
		}
		if e.Language.Name != "python3" || e.Language.Configuration == "" {
			t.Errorf("language object: %+v", e.Language)
		}
		if e.DisplayName == "Python 3.8" {
			py38 = e
		}
	}
	if py38.ID == "" {
		t.Fatal(`no environment named "Python 3.8" (mlflow-algorithmia looks for it)`)
	}
	var prodEnvs struct {
		Environments []environmentJSON `json:"environments"`
	}
	prod.must(200, "GET", "/v1/algorithm-environments/edge/languages/python3/environments", testAdminKey, nil, &prodEnvs)
	for _, e := range prodEnvs.Environments {
		if e.ID == py38.ID {
			t.Fatal("two clusters share an environment id; ids must be random per cluster")
		}
	}
	dev.wantError(404, codeUnknownLanguage, "GET", "/v1/algorithm-environments/edge/languages/cobol/environments", key, nil)

	// An algorithm on an environment reports its package set.
	body := pythonAlgo("envalgo")
	settings := map[string]any{"algorithm_environment": py38.ID, "source_visibility": "closed", "license": "apl", "network_access": "full", "pipeline_enabled": true}
	body["settings"] = settings
	var a algorithmJSON
	dev.must(201, "POST", "/v1/algorithms/alice", key, body, &a)
	if a.Settings.PackageSet == "" || a.Settings.AlgorithmEnvironment != py38.ID || a.Settings.Environment != "cpu" {
		t.Fatalf("settings from environment: %+v", a.Settings)
	}
	// The language cannot change through another environment.
	var java struct {
		Environments []environmentJSON `json:"environments"`
	}
	dev.must(200, "GET", "/v1/algorithm-environments/edge/languages/java11/environments", key, nil, &java)
	upd := map[string]any{"settings": map[string]any{"algorithm_environment": java.Environments[0].ID, "source_visibility": "closed", "license": "apl", "network_access": "full", "pipeline_enabled": true}}
	dev.wantError(400, codeInvalidRequest, "PUT", "/v1/algorithms/alice/envalgo", key, upd)
	body["name"], settings["algorithm_environment"] = "other", "00000000-0000-0000-0000-000000000000"
	dev.wantError(400, codePackageSetNotFound, "POST", "/v1/algorithms/alice", key, body)

	// The template tarball needs no key and carries the placeholders.
	resp, err := http.Get(dev.srv.URL + "/v1/algorithm-environments/edge/environment-specifications/" + py38.EnvironmentSpecificationID + "/template")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	gz, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatalf("template is not gzip: %v", err)
	}
	tr := tar.NewReader(gz)
	var files []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, h.Name)
	}
	if !strings.Contains(strings.Join(files, " "), "algorithmia.conf") || !strings.Contains(strings.Join(files, " "), "__ALGO__") {
		t.Fatalf("template files: %v", files)
	}
}

// TestErrorListRoutes: the per-account and per-algorithm error lists are
// bare JSON arrays, as the Python mock serves them (CONTRACT.md §5.7).
func TestErrorListRoutes(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	a := tc.addAlgo(key, "hello")
	var u userJSON
	tc.must(200, "GET", "/v1/users/alice", testAdminKey, nil, &u)
	for _, p := range []string{"/v1/users/" + u.ID + "/errors", "/v1/algorithms/alice/hello/errors", "/v1/algorithms/" + a.ID + "/errors"} {
		var list []any
		tc.must(200, "GET", p, key, nil, &list)
		if list == nil {
			t.Errorf("%s: want an empty array", p)
		}
	}
}

// TestUserValidation covers CONTRACT.md §10.1's rules and codes.
func TestUserValidation(t *testing.T) {
	tc := newTestCluster(t)
	ok := map[string]any{"username": "ann", "email": "ann@example.com", "fullname": "Ann", "passwordHash": "", "shouldCreateHello": false}
	var u userJSON
	tc.must(200, "POST", "/v1/users", testAdminKey, ok, &u)
	if u.ResourceType != "user" || !strings.HasSuffix(u.SelfLink, "/v1/users/ann") || !uuidPattern.MatchString(u.ID) {
		t.Fatalf("user: %+v", u)
	}
	for _, c := range []struct {
		name   string
		body   any
		status int
		code   int
	}{
		{"bad json", "{", 400, codeInvalidJSON},
		{"missing email", map[string]any{"username": "x1"}, 400, codeMissingRequiredFields},
		{"bad username", map[string]any{"username": "1abc", "email": "a@example.com"}, 400, codeInputValidation},
		{"long username", map[string]any{"username": strings.Repeat("a", 31), "email": "a@example.com"}, 400, codeInputValidation},
		{"bad email", map[string]any{"username": "bob", "email": "not-an-email"}, 400, codeInputValidation},
		{"taken username", map[string]any{"username": "ann", "email": "other@example.com"}, 409, codeUsernameTaken},
		{"taken email", map[string]any{"username": "ann2", "email": "ANN@example.com"}, 409, codeEmailTaken},
	} {
		t.Run(c.name, func(t *testing.T) { tc.wantError(c.status, c.code, "POST", "/v1/users", testAdminKey, c.body) })
	}
	tc.wantError(400, codeInconsistentUsername, "PUT", "/v1/users/ann", testAdminKey, map[string]any{"username": "bob", "email": "ann@example.com", "fullname": "A"})
	tc.wantError(400, codeUpdatingEmailNotAllowed, "PUT", "/v1/users/ann", testAdminKey, map[string]any{"username": "ann", "email": "new@example.com", "fullname": "A"})
	tc.wantError(400, codeMissingRequiredFields, "PUT", "/v1/users/ann", testAdminKey, map[string]any{"username": "ann", "email": "ann@example.com"})
	tc.wantError(404, codeUserNotFound, "GET", "/v1/users/nobody", testAdminKey, nil)
	tc.must(200, "GET", "/v1/users/"+u.ID, testAdminKey, nil, nil)
	tc.must(204, "DELETE", "/v1/users/"+u.ID, testAdminKey, nil, nil)
	tc.wantError(404, codeUserNotFound, "DELETE", "/v1/users/ann", testAdminKey, nil)
	// The name and email are free again.
	tc.must(200, "POST", "/v1/users", testAdminKey, ok, nil)
}

// TestPaging walks users with limit=2 through next_link until it is null.
func TestPaging(t *testing.T) {
	tc := newTestCluster(t)
	for _, n := range []string{"u1", "u2", "u3", "u4", "u5"} {
		tc.must(200, "POST", "/v1/users", testAdminKey, map[string]any{"username": n, "email": n + "@example.com"}, nil)
	}
	var seen []string
	path := "/v1/users?limit=2"
	for path != "" {
		var page struct {
			Marker   *string    `json:"marker"`
			NextLink *string    `json:"next_link"`
			Results  []userJSON `json:"results"`
		}
		tc.must(200, "GET", path, testAdminKey, nil, &page)
		for _, u := range page.Results {
			seen = append(seen, u.Username)
		}
		if (page.Marker == nil) != (page.NextLink == nil) {
			t.Fatal("marker and next_link must be null together")
		}
		path = ""
		if page.NextLink != nil {
			if !strings.HasPrefix(*page.NextLink, tc.srv.URL+"/v1/users?") || !strings.Contains(*page.NextLink, "marker="+*page.Marker) {
				t.Fatalf("next_link %q", *page.NextLink)
			}
			path = strings.TrimPrefix(*page.NextLink, tc.srv.URL)
		}
	}
	if strings.Join(seen, ",") != "u1,u2,u3,u4,u5" {
		t.Fatalf("paged users: %v", seen)
	}
	tc.wantError(400, codeInvalidLimit, "GET", "/v1/users?limit=0", testAdminKey, nil)
	tc.wantError(400, codeInvalidLimit, "GET", "/v1/users?limit=abc", testAdminKey, nil)
	tc.wantError(400, codeInvalidMarker, "GET", "/v1/users?marker=!!!", testAdminKey, nil)
	tc.wantError(400, codeInvalidMarker, "GET", "/v1/users?marker=bm90IGpzb24", testAdminKey, nil) // "not json"
}

// TestAlgorithmRules covers create/update validation, duplicate names, the
// fixed language and the semver and callability rules of publishing.
func TestAlgorithmRules(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	bad := pythonAlgo("bad")
	badSettings, ok := bad["settings"].(map[string]any)
	if !ok {
		t.Fatalf("pythonAlgo settings are %T", bad["settings"])
	}
	badSettings["language"] = "cobol"
	tc.wantError(400, codeUnknownLanguage, "POST", "/v1/algorithms/alice", key, bad)
	noLabel := pythonAlgo("nolabel")
	noLabel["details"] = map[string]any{}
	tc.wantError(400, codeInvalidRequest, "POST", "/v1/algorithms/alice", key, noLabel)
	tc.wantError(400, codeInputValidation, "POST", "/v1/algorithms/alice", key, pythonAlgo("bad-name"))
	tc.wantError(400, codeInvalidJSON, "POST", "/v1/algorithms/alice", key, `{"name":`)
	tc.addAlgo(key, "hello")
	tc.wantError(400, codeAlgorithmNameTaken, "POST", "/v1/algorithms/alice", key, pythonAlgo("hello"))
	tc.wantError(404, codeAlgorithmNotFound, "GET", "/v1/algorithms/alice/nothere", key, nil)

	// PUT replaces settings: required fields must be there; language is fixed.
	tc.wantError(400, codeInvalidRequest, "PUT", "/v1/algorithms/alice/hello", key, map[string]any{"settings": map[string]any{"license": "apl"}})
	tc.wantError(400, codeInvalidRequest, "PUT", "/v1/algorithms/alice/hello", key, map[string]any{"settings": map[string]any{
		"language": "java", "environment": "cpu", "source_visibility": "closed", "license": "apl", "network_access": "full", "pipeline_enabled": true}})
	tc.wantError(400, codeInvalidRequest, "PUT", "/v1/algorithms/alice/hello", key, map[string]any{"settings": map[string]any{
		"source_visibility": "closed", "license": "wtfpl", "network_access": "full", "pipeline_enabled": true}})
	tc.wantError(400, codeInvalidRequest, "PUT", "/v1/algorithms/alice/hello", key, map[string]any{"settings": map[string]any{
		"source_visibility": "closed", "license": "apl", "network_access": "full", "pipeline_enabled": true, "royalty_microcredits": -1}})
	var a algorithmJSON
	tc.must(200, "PUT", "/v1/algorithms/alice/hello", key, map[string]any{"settings": map[string]any{
		"environment": "gpu", "source_visibility": "open", "license": "mit", "network_access": "isolated", "pipeline_enabled": false}}, &a)
	if a.Settings.Language != "python3-1" || a.Settings.Environment != "gpu" || a.Settings.License != "mit" || a.Details.Label != "Label of hello" {
		t.Fatalf("after PUT: %+v %+v", a.Settings, a.Details)
	}

	// Semver: minor from nothing is 0.1.0; revision and patch are synonyms;
	// legacy type works; callability changes need a major version.
	cases := []struct {
		body map[string]any
		want string
	}{
		{map[string]any{}, "0.1.0"},
		{map[string]any{"version_info": map[string]any{"version_type": "revision"}}, "0.1.1"},
		{map[string]any{"version_info": map[string]any{"version_type": "patch"}}, "0.1.2"},
		{map[string]any{"version_info": map[string]any{"type": "minor"}}, "0.2.0"},
		{map[string]any{"version_info": map[string]any{"version_type": "major"}, "settings": map[string]any{"algorithm_callability": "public"}}, "1.0.0"},
	}
	for _, c := range cases {
		// A commit's version can be published once, so each publish pushes first.
		tc.cloneAndPush(key, func(d string) { gittest.WriteFile(t, d+"/"+c.want+".txt", c.want) })
		var builds pagedBuilds
		tc.must(200, "GET", "/v1/algorithms/alice/hello/builds?limit=1", key, nil, &builds)
		tc.waitBuildStatus(key, builds.Results[0].BuildID)
		var v algorithmJSON
		tc.must(200, "POST", "/v1/algorithms/alice/hello/version", key, c.body, &v)
		if v.VersionInfo.SemanticVersion != c.want {
			t.Fatalf("publish %v: got %s, want %s", c.body, v.VersionInfo.SemanticVersion, c.want)
		}
	}
	tc.cloneAndPush(key, func(d string) { gittest.WriteFile(t, d+"/last.txt", "x") })
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds?limit=1", key, nil, &builds)
	tc.waitBuildStatus(key, builds.Results[0].BuildID)
	tc.wantError(400, codeInputValidation, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{
		"settings": map[string]any{"algorithm_callability": "private"}, "version_info": map[string]any{"version_type": "minor"}})
	tc.wantError(400, codeInvalidRequest, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{"version_info": map[string]any{"version_type": "huge"}})
	// Publish settings go through the same checks as PUT's.
	tc.wantError(400, codeInvalidRequest, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{"settings": map[string]any{"royalty_microcredits": -1}})
	tc.wantError(400, codeInvalidRequest, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{"settings": map[string]any{"network_access": "some"}})
	tc.wantError(400, codeBuildNotFound, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{"version_info": map[string]any{"git_hash": strings.Repeat("a", 40)}})

	// Filters and order: newest first; published/callable.
	var all, pub, callable, unpublished struct{ Results []algorithmJSON }
	tc.must(200, "GET", "/v1/algorithms/alice/hello/versions", key, nil, &all)
	tc.must(200, "GET", "/v1/algorithms/alice/hello/versions?published=true", key, nil, &pub)
	tc.must(200, "GET", "/v1/algorithms/alice/hello/versions?callable=true", key, nil, &callable)
	tc.must(200, "GET", "/v1/algorithms/alice/hello/versions?published=false", key, nil, &unpublished)
	if len(pub.Results) != 5 || pub.Results[0].VersionInfo.SemanticVersion != "1.0.0" || pub.Results[4].VersionInfo.SemanticVersion != "0.1.0" {
		t.Fatalf("published list must be newest first: %d results", len(pub.Results))
	}
	if len(callable.Results) != 1 || len(unpublished.Results) != 1 || len(all.Results) != 6 {
		t.Fatalf("filters: callable %d, unpublished %d, all %d", len(callable.Results), len(unpublished.Results), len(all.Results))
	}
	if all.Results[0].VersionInfo.SemanticVersion != "" {
		t.Fatal("the newest (unpublished) version must come first")
	}
}

// TestRobustness: unknown routes, wrong methods and odd bodies get the
// error envelope, never a crash.
func TestRobustness(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	tc.addAlgo(key, "hello")
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/v1/nothing", nil, 404},
		{"PATCH", "/v1/algorithms/alice/hello", nil, 405},
		{"GET", "/v1/algorithms/alice", nil, 405},
		{"GET", "/v1/algorithms/alice/hello/builds/nope", nil, 404},
		{"PUT", "/v1/algorithms/alice/hello", "[1,2", 400},
		{"PUT", "/v1/algorithms/alice/hello", `{"settings": 7}`, 400},
		{"POST", "/v1/algorithms/alice/hello/versions", `"string"`, 400},
		{"GET", "/v1/algorithms/alice/hello/versions?published=maybe", nil, 400},
		{"GET", "/v1/algorithms/00000000-0000-0000-0000-000000000000", nil, 404},
	} {
		var e apiErr
		got := tc.call(c.method, c.path, key, c.body, &e)
		if got != c.status || e.Error.Code == 0 || e.Error.Message == "" || e.Error.ID == "" {
			t.Errorf("%s %s: %d %+v, want %d with an error envelope", c.method, c.path, got, e, c.status)
		}
	}
	// A panicking handler answers 500/5001.
	h := tc.c.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest("GET", "/v1/x", nil)
	h.ServeHTTP(rec, req)
	var e apiErr
	if err := json.Unmarshal([]byte(rec.body.String()), &e); err != nil || rec.status != 500 || e.Error.Code != codeInternal {
		t.Fatalf("panic answer: %d %s", rec.status, rec.body.String())
	}
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// Options.PageSize sets the page of paged routes when the caller gives no limit (an
// explicit limit still wins), and Options.DataPageSize the entries per Data API
// listing page; tests use them to cross page boundaries with few objects.
func TestPageSizeOptions(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Options{DataDir: dir, AdminKey: testAdminKey, PageSize: 2, DataPageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{t: t, c: c, srv: newServer(c), dir: dir}
	t.Cleanup(tc.close)
	key := tc.addUser("alice")
	for _, n := range []string{"u1", "u2"} {
		tc.must(200, "POST", "/v1/users", testAdminKey, map[string]any{"username": n, "email": n + "@example.com"}, nil)
	}
	var page struct {
		Marker  *string    `json:"marker"`
		Results []userJSON `json:"results"`
	}
	tc.must(200, "GET", "/v1/users", testAdminKey, nil, &page)
	if len(page.Results) != 2 || page.Marker == nil {
		t.Fatalf("default page: %d users, marker %v; want 2 and a marker", len(page.Results), page.Marker)
	}
	tc.must(200, "GET", "/v1/users?limit=3", testAdminKey, nil, &page)
	if len(page.Results) != 3 || page.Marker != nil {
		t.Fatalf("limit=3: %d users, marker %v; want 3 and no marker", len(page.Results), page.Marker)
	}

	for _, n := range []string{"c1", "c2", "c3"} {
		tc.must(200, "POST", "/v1/data/alice", key, map[string]any{"name": n, "acl": map[string]any{"read": []string{}}}, nil)
	}
	var names []string
	marker := ""
	for pages := 1; ; pages++ {
		var l struct {
			Folders []struct {
				Name string `json:"name"`
				ACL  *struct {
					Read []string `json:"read"`
				} `json:"acl"`
			} `json:"folders"`
			Marker string `json:"marker"`
		}
		tc.must(200, "GET", "/v1/data/alice?acl=true&marker="+marker, key, nil, &l)
		if len(l.Folders) > 2 {
			t.Fatalf("page %d holds %d folders, want at most 2", pages, len(l.Folders))
		}
		for _, f := range l.Folders {
			if f.ACL == nil || len(f.ACL.Read) != 0 {
				t.Fatalf("folder %s: acl %+v, want read = []", f.Name, f.ACL)
			}
			names = append(names, f.Name)
		}
		if l.Marker == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 2", pages)
			}
			break
		}
		marker = l.Marker
	}
	if strings.Join(names, ",") != "c1,c2,c3" {
		t.Fatalf("collections: %v", names)
	}
}
