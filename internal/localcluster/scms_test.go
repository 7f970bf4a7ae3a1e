package localcluster

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

func githubScm(id string) map[string]any {
	return map[string]any{
		"id": id, "provider": "github", "oauth": map[string]any{"client_id": "cid", "client_secret": "csecret"},
		"urls": map[string]any{"web": "https://github.com", "api": "https://api.github.com", "ssh": "ssh://git@github.com"},
	}
}

type scmList struct {
	Results []scmJSON `json:"results"`
}

func (tc *testCluster) scmByID(key, id string) scmJSON {
	tc.t.Helper()
	var l scmList
	tc.must(200, "GET", "/v1/scms", key, nil, &l)
	for _, s := range l.Results {
		if s.ID == id {
			return s
		}
	}
	tc.t.Fatalf("SCM %s not listed in %+v", id, l.Results)
	return scmJSON{}
}

// TestScmConfigurations pins the rules of CONTRACT.md §11: ids, providers and URLs are
// checked, the default cannot be disabled, a disabled SCM cannot become
// the default, and only a disabled, unused SCM other than internal can go.
func TestScmConfigurations(t *testing.T) {
	dir := t.TempDir()
	tc := openTestCluster(t, dir)
	key := tc.addUser("alice")

	in := tc.scmByID(key, "internal")
	if in.Provider != "internal" || !in.Default || !in.Enabled {
		t.Fatalf("internal SCM = %+v", in)
	}

	var s scmJSON
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh"), &s)
	if s.ID != "gh" || s.Provider != "github" || !s.Enabled || s.Default || s.URLs == nil || s.URLs.Web != "https://github.com" || s.OAuth == nil || s.OAuth.ClientID != "cid" {
		t.Fatalf("created SCM = %+v", s)
	}
	var anon scmJSON
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, map[string]any{"provider": "gitlab", "enabled": false,
		"urls": map[string]any{"web": "https://gitlab.com", "api": "https://gitlab.com/api/v4", "ssh": "ssh://git@gitlab.com"}}, &anon)
	if !uuidPattern.MatchString(anon.ID) || anon.Enabled || anon.Name != "https://gitlab.com" {
		t.Fatalf("SCM without id = %+v, want a UUID id, disabled, named after its web URL", anon)
	}

	for _, c := range []struct {
		name         string
		status, code int
		method, path string
		key          string
		body         any
	}{
		{"duplicate id", 409, codeScmConflict, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh")},
		{"create internal", 400, codeScmDisallowedOperation, "POST", "/v1/admin/scms", testAdminKey, map[string]any{"provider": "internal", "urls": githubScm("x")["urls"]}},
		{"unknown provider", 400, codeScmBadCreatePayload, "POST", "/v1/admin/scms", testAdminKey, map[string]any{"provider": "svn", "urls": githubScm("x")["urls"]}},
		{"no urls", 400, codeScmBadCreatePayload, "POST", "/v1/admin/scms", testAdminKey, map[string]any{"provider": "github"}},
		{"bad id", 400, codeScmBadCreatePayload, "POST", "/v1/admin/scms", testAdminKey, githubScm("a/b")},
		{"standard key", 403, codeNotAuthorized, "POST", "/v1/admin/scms", key, githubScm("gh2")},
		{"two urls", 400, codeScmBadUpdatePayload, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"urls": map[string]any{"web": "w", "api": "a"}}},
		{"patch internal", 400, codeScmDisallowedOperation, "PATCH", "/v1/admin/scms/internal", testAdminKey, map[string]any{"enabled": false}},
		{"patch unknown", 404, codeScmConfigurationNotFound, "PATCH", "/v1/admin/scms/nope", testAdminKey, map[string]any{"enabled": false}},
		{"get unknown", 404, codeScmConfigurationNotFound, "GET", "/v1/scms/nope", key, nil},
		{"disabled as default", 400, codeScmDisabled, "POST", "/v1/admin/scms/" + anon.ID + "/default", testAdminKey, nil},
		{"delete enabled", 400, codeScmEnabled, "DELETE", "/v1/admin/scms/gh", testAdminKey, nil},
		{"delete internal", 400, codeScmDisallowedOperation, "DELETE", "/v1/admin/scms/internal", testAdminKey, nil},
		{"delete unknown", 404, codeScmConfigurationNotFound, "DELETE", "/v1/admin/scms/nope", testAdminKey, nil},
	} {
		t.Run(c.name, func(t *testing.T) { tc.wantError(c.status, c.code, c.method, c.path, c.key, c.body) })
	}

	// Default moves to gh; the default cannot be disabled.
	tc.must(204, "POST", "/v1/admin/scms/gh/default", testAdminKey, nil, nil)
	if !tc.scmByID(key, "gh").Default || tc.scmByID(key, "internal").Default {
		t.Fatal("after POST .../gh/default, gh must be the only default")
	}
	tc.wantError(400, codeScmDefault, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": false})
	tc.must(200, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"urls": map[string]any{"web": "https://ghe.example", "api": "https://ghe.example/api/v3", "ssh": "ssh://git@ghe.example"}}, &s)
	if s.URLs.API != "https://ghe.example/api/v3" || !s.Default {
		t.Fatalf("patched SCM = %+v", s)
	}

	// State survives a restart.
	tc.close()
	tc = openTestCluster(t, dir)
	var got scmJSON
	tc.must(200, "GET", "/v1/scms/gh", key, nil, &got)
	if !got.Default || got.URLs.Web != "https://ghe.example" {
		t.Fatalf("after restart: %+v", got)
	}

	// Back to internal; then gh can be disabled and deleted.
	tc.must(204, "POST", "/v1/admin/scms/internal/default", testAdminKey, nil, nil)
	tc.must(200, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": false}, &s)
	tc.must(204, "DELETE", "/v1/admin/scms/gh", testAdminKey, nil, nil)
	tc.must(204, "DELETE", "/v1/admin/scms/"+anon.ID, testAdminKey, nil, nil)
	tc.wantError(404, codeScmConfigurationNotFound, "GET", "/v1/scms/gh", key, nil)
	var l scmList
	tc.must(200, "GET", "/v1/scms", key, nil, &l)
	if len(l.Results) != 1 || l.Results[0].ID != "internal" {
		t.Fatalf("after deletes: %+v", l.Results)
	}
}

// TestScmAuthorization: a user connects with a token of the SCM's host;
// the token is checked, never answered and never logged.
func TestScmAuthorization(t *testing.T) {
	var logs bytes.Buffer
	c, err := New(Options{DataDir: t.TempDir(), AdminKey: testAdminKey, BuildDuration: 150 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{t: t, c: c, srv: newServer(c)}
	t.Cleanup(tc.close)
	key := tc.addUser("alice")
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh"), nil)

	var st scmStatusJSON
	tc.must(200, "GET", "/v1/scms/gh/token/status", key, nil, &st)
	if st.AuthorizationStatus != "unauthorized" || st.ScmUsername != "" {
		t.Fatalf("before connecting: %+v", st)
	}
	token, err := c.ExternalToken("gh", "alice-gh")
	if err != nil {
		t.Fatal(err)
	}
	tc.wantError(400, codeScmNotAuthenticated, "POST", "/v1/scms/gh/token/connect", key, map[string]any{"token": "ghp_wrong"})
	tc.wantError(400, codeBadScmConnectionUpdateReq, "POST", "/v1/scms/gh/token/connect", key, map[string]any{})
	tc.wantError(400, codeScmDisallowedOperation, "POST", "/v1/scms/internal/token/connect", key, map[string]any{"token": token})
	tc.wantError(404, codeScmConfigurationNotFound, "POST", "/v1/scms/nope/token/connect", key, map[string]any{"token": token})
	tc.wantError(403, codeNotAuthorized, "POST", "/v1/scms/gh/token/connect", testAdminKey, map[string]any{"token": token})

	var raw bytes.Buffer
	req, _ := http.NewRequest("POST", tc.srv.URL+"/v1/scms/gh/token/connect", strings.NewReader(`{"token":"`+token+`"}`))
	req.Header.Set("Authorization", "Simple "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = raw.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(raw.String(), `"scm_username":"alice-gh"`) || strings.Contains(raw.String(), token) {
		t.Fatalf("connect: %d %s", resp.StatusCode, raw.String())
	}
	for _, route := range []string{"token/status", "oauth/status"} {
		tc.must(200, "GET", "/v1/scms/gh/"+route, key, nil, &st)
		if st.AuthorizationStatus != "authorized" || st.ScmUsername != "alice-gh" || st.ScmOrganizations == nil {
			t.Fatalf("%s after connecting: %+v", route, st)
		}
	}
	// The admin token is not an account: it cannot authorise a user.
	admin, err := c.ExternalAdminToken("gh")
	if err != nil {
		t.Fatal(err)
	}
	tc.wantError(400, codeScmNotAuthenticated, "POST", "/v1/scms/gh/token/connect", key, map[string]any{"token": admin})

	// Outside the process, the admin key issues host tokens over HTTP.
	tc.wantError(403, codeNotAuthorized, "POST", "/ext/gh/-/tokens", key, map[string]any{"login": "bob-gh"})
	tc.wantError(400, codeInputValidation, "POST", "/ext/gh/-/tokens", testAdminKey, map[string]any{"login": "bad/login"})
	var issued struct {
		Login, Token string
	}
	tc.must(201, "POST", "/ext/gh/-/tokens", testAdminKey, map[string]any{"login": "bob-gh"}, &issued)
	if issued.Login != "bob-gh" || !strings.HasPrefix(issued.Token, "ghp_") {
		t.Fatalf("issued = %+v", issued)
	}
	tc.must(200, "POST", "/v1/scms/gh/token/connect", key, map[string]any{"token": issued.Token}, &st)
	if st.ScmUsername != "bob-gh" {
		t.Fatalf("reconnected as %q, want bob-gh", st.ScmUsername)
	}

	tc.must(204, "POST", "/v1/scms/gh/oauth/revoke", key, nil, nil)
	tc.must(204, "POST", "/v1/scms/gh/oauth/revoke", key, nil, nil)
	tc.must(200, "GET", "/v1/scms/gh/oauth/status", key, nil, &st)
	if st.AuthorizationStatus != "unauthorized" {
		t.Fatalf("after revoke: %+v", st)
	}
	tc.must(200, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": false}, nil)
	tc.wantError(400, codeScmDisabled, "POST", "/v1/scms/gh/token/connect", key, map[string]any{"token": token})

	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), admin) || strings.Contains(logs.String(), issued.Token) {
		t.Fatal("a host token reached the log")
	}
	if !strings.Contains(logs.String(), "/v1/scms/gh/token/connect") {
		t.Fatal("the request log is empty; the check above proves nothing")
	}
}

// scmFixture is a cluster with an SCM of provider and alice connected to
// it as host account "alice-scm".
type scmFixture struct {
	*testCluster
	key, token string
}

func newScmFixture(t *testing.T, id, provider string) scmFixture {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	body := githubScm(id)
	body["provider"] = provider
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, body, nil)
	token, err := tc.c.ExternalToken(id, "alice-scm")
	if err != nil {
		t.Fatal(err)
	}
	tc.must(200, "POST", "/v1/scms/"+id+"/token/connect", key, map[string]any{"token": token}, nil)
	return scmFixture{testCluster: tc, key: key, token: token}
}

func scmAlgo(name, scm string, src map[string]any) map[string]any {
	a := pythonAlgo(name)
	s := map[string]any{"scm": scm}
	for k, v := range src {
		s[k] = v
	}
	a["source"] = s
	return a
}

func (tc *testCluster) builds(key, name string) []buildJSON {
	tc.t.Helper()
	var p pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/"+name+"/builds", key, nil, &p)
	return p.Results
}

// TestScmBackedAlgorithm creates an algorithm on an external SCM and
// follows it through its life: the repository and its links on the host,
// a push that builds once, a publish, the refusals, and the delete that
// leaves the repository.
func TestScmBackedAlgorithm(t *testing.T) {
	f := newScmFixture(t, "gh", "github")
	tc := f.testCluster

	var a algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", f.key, scmAlgo("hello", "gh", map[string]any{"repository_name": "hello-repo", "initial_commit_message": "Start"}), &a)
	wantURL := tc.srv.URL + "/ext/gh/alice-scm/hello-repo"
	src := a.Source
	if src.Scm.ID != "gh" || src.Scm.Provider != "github" || src.RepositoryOwner != "alice-scm" || src.RepositoryName != "hello-repo" ||
		src.RepositoryHTTPSURL != wantURL || src.RepositorySSHURL != "ssh://git@github.com:alice-scm/hello-repo.git" {
		t.Fatalf("source = %+v", src)
	}
	var got algorithmJSON
	tc.must(200, "GET", "/v1/algorithms/alice/hello", f.key, nil, &got)
	if !reflect.DeepEqual(got.Source, src) {
		t.Fatalf("GET source = %+v, create said %+v", got.Source, src)
	}
	repo, err := tc.c.ExternalRepo("gh", "alice-scm", "hello-repo")
	if err != nil {
		t.Fatal(err)
	}
	if repo.DefaultBranch != "main" || !repo.Private || len(repo.Webhooks) != 1 || len(repo.DeployKeys) != 1 ||
		repo.Webhooks[0] != tc.srv.URL+"/v1/algorithms/alice/hello/scm/webhook" || !strings.HasPrefix(repo.DeployKeys[0], "ssh-ed25519 ") {
		t.Fatalf("repository on the host = %+v", repo)
	}
	if len(tc.builds(f.key, "hello")) != 0 {
		t.Fatal("creating the algorithm must not build")
	}
	var status scmConnectionStatusJSON
	tc.must(200, "GET", "/v1/algorithms/alice/hello/scm/status", f.key, nil, &status)
	if status.Status != "active" || status.DeployKey != repo.DeployKeys[0] || status.WebhookURL != repo.Webhooks[0] || status.WebhookSecret == "" {
		t.Fatalf("scm/status = %+v", status)
	}

	// A push to main builds exactly once, before the push returns.
	sha, err := gitpush.Push(context.Background(), gitpush.Target{URL: wantURL, Username: "x", Password: f.token},
		gitpush.Commit{Files: map[string][]byte{"README.md": []byte("changed\n")}, Message: "edit"})
	if err != nil {
		t.Fatal(err)
	}
	builds := tc.builds(f.key, "hello")
	if len(builds) != 1 || builds[0].CommitSHA != sha {
		t.Fatalf("builds after one push = %+v, want one of %s", builds, sha)
	}
	if b := tc.waitBuildStatus(f.key, builds[0].BuildID); b.Status != buildSucceeded {
		t.Fatalf("build = %+v", b)
	}
	// Another branch builds nothing.
	if _, err := gitpush.Push(context.Background(), gitpush.Target{URL: wantURL + ".git", Username: "x", Password: f.token},
		gitpush.Commit{Files: map[string][]byte{"x.txt": []byte("x\n")}, Branch: "feature"}); err != nil {
		t.Fatal(err)
	}
	if n := len(tc.builds(f.key, "hello")); n != 1 {
		t.Fatalf("a push to another branch started a build: %d builds", n)
	}
	var pub algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/versions", f.key, map[string]any{"version_info": map[string]any{"version_type": "minor"}}, &pub)
	if pub.VersionInfo == nil || pub.VersionInfo.SemanticVersion != "0.1.0" || pub.VersionInfo.GitHash != sha || pub.Source.RepositoryHTTPSURL != wantURL {
		t.Fatalf("published = %+v", pub)
	}
	var compiled algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/compile", f.key, map[string]any{}, &compiled)
	if compiled.Build == nil || compiled.Build.CommitSHA != sha || compiled.Build.Status != buildSucceeded {
		t.Fatalf("compile of an SCM-backed algorithm = %+v", compiled.Build)
	}

	// The internal Git URL refuses pushes (4011) and has nothing to clone.
	dir := t.TempDir()
	out, err := gittest.Run(t, dir, "ls-remote", tc.gitURL("alice", f.key, "hello"))
	if err == nil || !strings.Contains(out, `is on SCM "gh"`) {
		t.Fatalf("ls-remote of the internal URL: %v\n%s", err, out)
	}
	req, _ := http.NewRequest("GET", tc.srv.URL+"/git/alice/hello.git/info/refs?service=git-receive-pack", nil)
	req.SetBasicAuth("alice", f.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(body.String(), "4011") {
		t.Fatalf("push advertisement on the internal URL: %d %s", resp.StatusCode, body.String())
	}

	// Refusals: an existing repository, an SCM in use.
	tc.wantError(400, codeScmConflict, "POST", "/v1/algorithms/alice", f.key, scmAlgo("other", "gh", map[string]any{"repository_name": "hello-repo"}))
	tc.wantError(400, codeScmNotAuthorized, "POST", "/v1/algorithms/alice", f.key, scmAlgo("other", "gh", map[string]any{"repository_owner": "someone-else"}))
	tc.wantError(400, codeInputValidation, "POST", "/v1/algorithms/alice", f.key, scmAlgo("other", "gh", map[string]any{"repository_name": "bad/name"}))
	tc.wantError(400, codeScmConfigurationNotFound, "POST", "/v1/algorithms/alice", f.key, scmAlgo("other", "nope", nil))
	tc.wantError(404, codeAlgorithmNotFound, "GET", "/v1/algorithms/alice/other", f.key, nil)
	bob := tc.addUser("bob")
	tc.wantError(400, codeScmConnectionNotFound, "POST", "/v1/algorithms/bob", bob, scmAlgo("b", "gh", nil))
	// scmsCredentials stand in for a stored authorisation, for one request.
	withCreds := scmAlgo("b", "gh", nil)
	withCreds["scmsCredentials"] = map[string]any{"secretToken": "ghp_wrong"}
	tc.wantError(400, codeScmNotAuthenticated, "POST", "/v1/algorithms/bob", bob, withCreds)
	bobToken, err := tc.c.ExternalToken("gh", "bob-scm")
	if err != nil {
		t.Fatal(err)
	}
	withCreds["scmsCredentials"] = map[string]any{"secretToken": bobToken}
	var b algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/bob", bob, withCreds, &b)
	if b.Source.RepositoryOwner != "bob-scm" {
		t.Fatalf("source with scmsCredentials = %+v", b.Source)
	}
	var bobStatus scmStatusJSON
	tc.must(200, "GET", "/v1/scms/gh/token/status", bob, nil, &bobStatus)
	if bobStatus.AuthorizationStatus != "unauthorized" {
		t.Fatal("scmsCredentials were stored as an authorisation")
	}
	tc.must(204, "DELETE", "/v1/algorithms/bob/b", bob, nil, nil)
	tc.wantError(400, codeScmInUse, "DELETE", "/v1/admin/scms/gh", testAdminKey, nil)
	tc.must(200, "PATCH", "/v1/admin/scms/gh", testAdminKey, map[string]any{"enabled": false}, nil)
	tc.wantError(400, codeScmInUse, "DELETE", "/v1/admin/scms/gh", testAdminKey, nil)
	tc.wantError(400, codeScmDisabled, "POST", "/v1/algorithms/alice", f.key, scmAlgo("other", "gh", nil))
	before := len(tc.builds(f.key, "hello"))
	late, err := gitpush.Push(context.Background(), gitpush.Target{URL: wantURL, Username: "x", Password: f.token},
		gitpush.Commit{Files: map[string][]byte{"after.txt": []byte("disabled\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tc.builds(f.key, "hello")); n != before+1 {
		t.Fatalf("a push while the SCM is disabled made %d builds, want 1", n-before)
	}

	// Deleting the algorithm leaves the repository, without its links.
	tc.must(204, "DELETE", "/v1/algorithms/alice/hello", f.key, nil, nil)
	repo, err = tc.c.ExternalRepo("gh", "alice-scm", "hello-repo")
	if err != nil {
		t.Fatalf("the repository went with the algorithm: %v", err)
	}
	if repo.Head != late || len(repo.Webhooks) != 0 || len(repo.DeployKeys) != 0 {
		t.Fatalf("repository after the delete = %+v", repo)
	}
	tc.must(204, "DELETE", "/v1/admin/scms/gh", testAdminKey, nil, nil)
}

// TestScmDefaultAndHostRules: a GitLab host starts repositories on master;
// the default SCM backs algorithms created without source; the host hides
// private repositories from other accounts and lets admin tokens in; a
// repository made on the host directly is linked to nothing.
func TestScmDefaultAndHostRules(t *testing.T) {
	f := newScmFixture(t, "gl", "gitlab")
	tc := f.testCluster
	tc.must(204, "POST", "/v1/admin/scms/gl/default", testAdminKey, nil, nil)
	var a algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", f.key, pythonAlgo("plain"), &a)
	if a.Source.Scm.ID != "gl" || a.Source.RepositoryName != "plain" || a.Source.RepositoryOwner != "alice-scm" {
		t.Fatalf("source of an algorithm created without source = %+v", a.Source)
	}
	repo, err := tc.c.ExternalRepo("gl", "alice-scm", "plain")
	if err != nil || repo.DefaultBranch != "master" {
		t.Fatalf("GitLab repository = %+v, %v", repo, err)
	}
	var internal algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", f.key, scmAlgo("inside", "internal", nil), &internal)
	if internal.Source.Scm.ID != "internal" || internal.Source.RepositoryHTTPSURL != "" {
		t.Fatalf("internal source = %+v", internal.Source)
	}

	url := tc.srv.URL + "/ext/gl/alice-scm/plain.git"
	other, err := tc.c.ExternalToken("gl", "mallory")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := tc.c.ExternalAdminToken("gl")
	if err != nil {
		t.Fatal(err)
	}
	push := func(token string) error {
		_, err := gitpush.Push(context.Background(), gitpush.Target{URL: url, Username: "u", Password: token},
			gitpush.Commit{Files: map[string][]byte{"n.txt": []byte(token[:4])}})
		return err
	}
	if err := push(other); err == nil {
		t.Fatal("another account pushed to a private repository")
	}
	if err := push("glpat-unknown"); err == nil {
		t.Fatal("an unknown token pushed")
	}
	if err := push(admin); err != nil {
		t.Fatalf("admin token: %v", err)
	}
	if n := len(tc.builds(f.key, "plain")); n != 1 {
		t.Fatalf("builds after the admin's push = %d, want 1", n)
	}

	if err := tc.c.CreateExternalRepo("gl", "mallory", "loose", false); err != nil {
		t.Fatal(err)
	}
	if err := tc.c.CreateExternalRepo("gl", "mallory", "loose", false); err == nil {
		t.Fatal("creating an existing repository succeeded")
	}
	loose := tc.srv.URL + ExternalRepoPath("gl", "mallory", "loose")
	if _, err := gitpush.Push(context.Background(), gitpush.Target{URL: loose, Username: "u", Password: other}, gitpush.Commit{Message: "m"}); err != nil {
		t.Fatalf("owner's push to a public repository: %v", err)
	}
	if _, err := gitpush.Push(context.Background(), gitpush.Target{URL: loose, Username: "u", Password: f.token}, gitpush.Commit{Message: "m"}); err == nil {
		t.Fatal("a reader pushed to someone else's public repository")
	}
	if _, err := tc.c.ExternalRepo("gl", "mallory", "absent"); !errors.Is(err, gitserver.ErrNotFound) {
		t.Fatalf("ExternalRepo of a missing repository: %v", err)
	}
	if _, err := tc.c.ExternalToken("internal", "x"); err == nil {
		t.Fatal("the internal SCM issued a host token")
	}
}

// TestExternalHostGitCLI pushes with the real git to the default branch of
// an SCM-backed algorithm's repository: exactly one build exists when the
// push returns, it succeeds, and its version can be published.
func TestExternalHostGitCLI(t *testing.T) {
	f := newScmFixture(t, "gh", "github")
	tc := f.testCluster
	var a algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", f.key, scmAlgo("hello", "gh", nil), &a)
	url := strings.Replace(a.Source.RepositoryHTTPSURL, "http://", "http://alice-scm:"+f.token+"@", 1) + ".git"

	dir := t.TempDir()
	gittest.Must(t, dir, "clone", "-q", url, "w")
	w := filepath.Join(dir, "w")
	if branch := gittest.Must(t, w, "rev-parse", "--abbrev-ref", "HEAD"); branch != "main" {
		t.Fatalf("cloned branch %q, want main", branch)
	}
	gittest.WriteFile(t, filepath.Join(w, "src", "hello.py"), "def apply(input):\n    return 'hi ' + input\n")
	gittest.Must(t, w, "commit", "-qam", "say hi")
	gittest.Must(t, w, "push", "-q", "origin", "main")
	sha := gittest.Must(t, w, "rev-parse", "HEAD")

	builds := tc.builds(f.key, "hello")
	if len(builds) != 1 || builds[0].CommitSHA != sha {
		t.Fatalf("builds when the push returned = %+v, want exactly one of %s", builds, sha)
	}
	if b := tc.waitBuildStatus(f.key, builds[0].BuildID); b.Status != buildSucceeded {
		t.Fatalf("build = %+v", b)
	}
	var pub algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/versions", f.key, map[string]any{"version_info": map[string]any{"version_type": "minor"}}, &pub)
	if pub.VersionInfo == nil || pub.VersionInfo.SemanticVersion != "0.1.0" || pub.VersionInfo.GitHash != sha {
		t.Fatalf("published = %+v", pub.VersionInfo)
	}

	// History is kept on the host as on the cluster.
	gittest.Must(t, w, "commit", "-q", "--amend", "-m", "rewritten")
	if out, err := gittest.Run(t, w, "push", "-q", "-f", "origin", "main"); err == nil {
		t.Fatalf("a force push was accepted:\n%s", out)
	}
	if n := len(tc.builds(f.key, "hello")); n != 1 {
		t.Fatalf("a refused push started a build: %d builds", n)
	}
	if st := tc.c.ExternalGitStats("gh", "alice-scm", "hello"); st.ReceivePacks != 2 || st.UploadPacks != 1 {
		t.Fatalf("host Git counters = %+v, want 2 receive-packs and 1 upload-pack", st)
	}
}

func signed(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// TestScmWebhookRoute: deliveries from outside the cluster go through
// POST …/scm/webhook, checked against the webhook secret.
func TestScmWebhookRoute(t *testing.T) {
	f := newScmFixture(t, "gh", "github")
	tc := f.testCluster
	var a algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", f.key, scmAlgo("hello", "gh", nil), &a)
	var st scmConnectionStatusJSON
	tc.must(200, "GET", "/v1/algorithms/alice/hello/scm/status", f.key, nil, &st)
	repo, err := tc.c.ExternalRepo("gh", "alice-scm", "hello")
	if err != nil {
		t.Fatal(err)
	}
	deliver := func(path string, headers map[string]string, body []byte) (int, apiErr, string) {
		req, _ := http.NewRequest("POST", tc.srv.URL+path, bytes.NewReader(body))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		var e apiErr
		_ = json.Unmarshal(buf.Bytes(), &e)
		return resp.StatusCode, e, buf.String()
	}
	push := []byte(`{"ref":"refs/heads/main","after":"` + repo.Head + `"}`)
	byName := "/v1/algorithms/alice/hello/scm/webhook"
	byID := "/v1/algorithms/" + a.ID + "/scm/webhook"

	if code, e, _ := deliver(byName, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": signed("wrong", push)}, push); code != 400 || e.Error.Code != codeScmWebhookMalformed {
		t.Fatalf("wrong signature: %d %+v", code, e)
	}
	if code, _, body := deliver(byName, map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": signed(st.WebhookSecret, push)}, push); code != 202 || !strings.Contains(body, "reason") {
		t.Fatalf("ping: %d %s", code, body)
	}
	other := []byte(`{"ref":"refs/heads/dev","after":"` + repo.Head + `"}`)
	if code, _, body := deliver(byID, map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": st.WebhookSecret}, other); code != 202 {
		t.Fatalf("other branch: %d %s", code, body)
	}
	if n := len(tc.builds(f.key, "hello")); n != 0 {
		t.Fatalf("ignored deliveries built: %d", n)
	}
	if code, _, body := deliver(byName, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": signed(st.WebhookSecret, push)}, push); code != 204 {
		t.Fatalf("push: %d %s", code, body)
	}
	if b := tc.builds(f.key, "hello"); len(b) != 1 || b[0].CommitSHA != repo.Head {
		t.Fatalf("builds after one delivery = %+v", b)
	}
	tc.addAlgo(f.key, "inside")
	if code, e, _ := deliver("/v1/algorithms/alice/inside/scm/webhook", map[string]string{"X-GitHub-Event": "push"}, push); code != 400 || e.Error.Code != 4012 {
		t.Fatalf("internal algorithm: %d %+v", code, e)
	}
}

// TestScmBackedAlgorithmRestart: SCM configurations, authorisations, host
// tokens and links survive a restart, and an algorithm whose repository a
// crash never created gets it at the next start.
func TestScmBackedAlgorithmRestart(t *testing.T) {
	dir := t.TempDir()
	tc := openTestCluster(t, dir)
	key := tc.addUser("alice")
	tc.must(201, "POST", "/v1/admin/scms", testAdminKey, githubScm("gh"), nil)
	token, err := tc.c.ExternalToken("gh", "alice-scm")
	if err != nil {
		t.Fatal(err)
	}
	tc.must(200, "POST", "/v1/scms/gh/token/connect", key, map[string]any{"token": token}, nil)
	var a algorithmJSON
	tc.must(201, "POST", "/v1/algorithms/alice", key, scmAlgo("hello", "gh", nil), &a)

	// A crash between the record and the repository: the record says not ready
	// and neither the host record nor the repository exist.
	if err := tc.c.st.Update(func(tx *store.Tx) error {
		var rec algorithmRecord
		if err := tx.Get(bucketAlgorithms, "alice/hello", &rec); err != nil {
			return err
		}
		rec.ID, rec.Name, rec.RepoReady = "0b7c5a4e-1d2f-4a3b-9c8d-7e6f5a4b3c2e", "crashed", false
		src := *rec.Source
		src.RepoName = "crashed"
		rec.Source = &src
		if err := tx.Put(bucketAlgorithmIDs, rec.ID, "alice/crashed"); err != nil {
			return err
		}
		return tx.Put(bucketAlgorithms, "alice/crashed", rec)
	}); err != nil {
		t.Fatal(err)
	}
	tc.close()
	tc = openTestCluster(t, dir)

	var st scmStatusJSON
	tc.must(200, "GET", "/v1/scms/gh/token/status", key, nil, &st)
	if st.AuthorizationStatus != "authorized" || st.ScmUsername != "alice-scm" {
		t.Fatalf("authorisation after restart: %+v", st)
	}
	for _, name := range []string{"hello", "crashed"} {
		var got algorithmJSON
		tc.must(200, "GET", "/v1/algorithms/alice/"+name, key, nil, &got)
		sha, err := gitpush.Push(context.Background(), gitpush.Target{URL: got.Source.RepositoryHTTPSURL, Username: "x", Password: token},
			gitpush.Commit{Files: map[string][]byte{"n.txt": []byte(name)}})
		if err != nil {
			t.Fatalf("push to %s after restart: %v", name, err)
		}
		if b := tc.builds(key, name); len(b) != 1 || b[0].CommitSHA != sha {
			t.Fatalf("builds of %s after restart = %+v", name, b)
		}
	}
}
