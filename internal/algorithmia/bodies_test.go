package algorithmia

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// assertJSON compares a received body with the documented JSON.
func assertJSON(t *testing.T, name string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: server got invalid JSON %q: %v", name, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", name, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got  %s\n want %s", name, got, want)
	}
}

const algoJSON = `{
  "id": "2938ca9f-54c8-48cd-b0d0-0fb7f2255cdc", "name": "Hello",
  "details": {"label": "Greeting Algorithm", "summary": "s", "tagline": "t"},
  "settings": {"algorithm_callability": "private", "source_visibility": "closed", "language": "python3-1",
    "environment": "cpu", "package_set": "python38", "algorithm_environment": "fd980f4f-1f1c-4b2f-a128-d60b40c6567a",
    "license": "apl", "royalty_microcredits": 0, "network_access": "full", "pipeline_enabled": true, "insights_enabled": false},
  "version_info": {"semantic_version": "0.1.0", "git_hash": "0cfd7a66", "version_uuid": "e06d2808", "release_notes": "rn",
    "sample_input": "Mia", "sample_output": "Hello Mia!"},
  "build": {"build_id": "a9ae2c93", "status": "succeeded", "commit_sha": "0cfd7a66", "started_at": "2022-05-08T22:43:09.050Z",
    "finished_at": "2022-05-08T22:43:28.646Z", "version_info": {"semantic_version": "0.1.0"}, "resource_type": "algorithm_build"},
  "source": {"scm": {"id": "internal", "provider": "internal", "default": true, "enabled": true}},
  "compilation": {"successful": true, "output": "Building algorithm..."},
  "self_link": "https://api.example.com/v1/algorithms/quality/echo/versions/0cfd7a66",
  "resource_type": "algorithm"
}`

func TestAlgorithmObjectDecodes(t *testing.T) {
	var a Algorithm
	if err := json.Unmarshal([]byte(algoJSON), &a); err != nil {
		t.Fatal(err)
	}
	want := Algorithm{
		ID: "2938ca9f-54c8-48cd-b0d0-0fb7f2255cdc", Name: "Hello",
		Details: Details{Label: "Greeting Algorithm", Summary: "s", Tagline: "t"},
		Settings: Settings{AlgorithmCallability: "private", SourceVisibility: "closed", Language: "python3-1", Environment: "cpu",
			PackageSet: "python38", AlgorithmEnvironment: "fd980f4f-1f1c-4b2f-a128-d60b40c6567a", License: "apl",
			RoyaltyMicrocredits: ptr[int64](0), NetworkAccess: "full", PipelineEnabled: true, InsightsEnabled: ptr(false)},
		VersionInfo: &VersionInfo{SemanticVersion: "0.1.0", GitHash: "0cfd7a66", VersionUUID: "e06d2808", ReleaseNotes: "rn", SampleInput: "Mia", SampleOutput: "Hello Mia!"},
		Build: &Build{BuildID: "a9ae2c93", Status: BuildStatusSucceeded, CommitSHA: "0cfd7a66", StartedAt: "2022-05-08T22:43:09.050Z",
			FinishedAt: "2022-05-08T22:43:28.646Z", VersionInfo: &BuildVersionInfo{SemanticVersion: "0.1.0"}, ResourceType: "algorithm_build"},
		Source:       &Source{SCM: &SCM{ID: "internal", Provider: "internal", Default: true, Enabled: true}},
		Compilation:  &Compilation{Successful: true, Output: "Building algorithm..."},
		SelfLink:     "https://api.example.com/v1/algorithms/quality/echo/versions/0cfd7a66",
		ResourceType: "algorithm",
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("decoded:\n%+v\nwant\n%+v", a, want)
	}
	if !a.Build.Finished() {
		t.Fatal("succeeded build must be finished")
	}
	// Reading settings back into a PUT keeps every value but the language.
	us := a.Settings.UpdateSettings()
	b, _ := json.Marshal(us)
	assertJSON(t, "UpdateSettings()", b, `{"source_visibility":"closed","license":"apl","network_access":"full","pipeline_enabled":true,
		"environment":"cpu","package_set":"python38","algorithm_environment":"fd980f4f-1f1c-4b2f-a128-d60b40c6567a",
		"algorithm_callability":"private","insights_enabled":false}`)
}

func TestRequestBodies(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/v1/organizations/org1":
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, 200, `{"name":"x","username":"u"}`)
		}
	})
	c, _ := newTestClient(t, ts.URL, nil)
	ctx := context.Background()
	steps := []struct {
		name       string
		call       func() error
		method     string
		path, want string
	}{
		{"create algorithm", func() error {
			_, err := c.CreateAlgorithm(ctx, "alice", CreateAlgorithmRequest{
				Name:    "hello",
				Details: Details{Label: "Hello"},
				Settings: CreateSettings{SourceVisibility: "closed", License: "apl", NetworkAccess: "isolated", PipelineEnabled: false,
					AlgorithmEnvironment: "env-1", AlgorithmCallability: "private"},
				VersionInfo: &SampleInputInfo{SampleInput: `{"a":1}`},
			})
			return err
		}, "POST", "/v1/algorithms/alice", `{"name":"hello","details":{"label":"Hello","summary":"","tagline":""},
			"settings":{"source_visibility":"closed","license":"apl","network_access":"isolated","pipeline_enabled":false,
			"algorithm_environment":"env-1","algorithm_callability":"private"},"version_info":{"sample_input":"{\"a\":1}"}}`},
		{"create legacy algorithm with external SCM", func() error {
			_, err := c.CreateAlgorithm(ctx, "alice", CreateAlgorithmRequest{
				Name: "legacy", Details: Details{Label: "L", Summary: "S"},
				Settings: CreateSettings{SourceVisibility: "open", License: "mit", NetworkAccess: "full", PipelineEnabled: true,
					Language: "python3-1", Environment: "cpu"},
				Source:         &SourceCreate{SCM: "github", RepositoryOwner: "me", RepositoryName: "legacy"},
				SCMCredentials: &SCMCredentials{SecretToken: "tok"},
			})
			return err
		}, "POST", "/v1/algorithms/alice", `{"name":"legacy","details":{"label":"L","summary":"S","tagline":""},
			"settings":{"source_visibility":"open","license":"mit","network_access":"full","pipeline_enabled":true,"language":"python3-1","environment":"cpu"},
			"source":{"scm":"github","repository_owner":"me","repository_name":"legacy"},"scmsCredentials":{"secretToken":"tok"}}`},
		{"update algorithm sends full settings", func() error {
			_, err := c.UpdateAlgorithm(ctx, "alice", "hello", UpdateAlgorithmRequest{
				Details:     Details{Label: "Hello 2"},
				Settings:    UpdateSettings{SourceVisibility: "closed", License: "apl", NetworkAccess: "full", PipelineEnabled: false, PackageSet: "python38"},
				VersionInfo: &SampleInputInfo{},
			})
			return err
		}, "PUT", "/v1/algorithms/alice/hello", `{"details":{"label":"Hello 2","summary":"","tagline":""},
			"settings":{"source_visibility":"closed","license":"apl","network_access":"full","pipeline_enabled":false,"package_set":"python38"},
			"version_info":{"sample_input":""}}`},
		{"compile", func() error { _, err := c.Compile(ctx, "alice", "hello"); return err }, "POST", "/v1/algorithms/alice/hello/compile", `{}`},
		{"publish", func() error {
			_, err := c.PublishVersion(ctx, "alice", "hello", VersionRequest{
				Details:  &Details{Label: "Hello", Summary: "sum", Tagline: "tag"},
				Settings: &PublishSettings{AlgorithmCallability: "public", RoyaltyMicrocredits: ptr[int64](0), PipelineEnabled: ptr(true)},
				VersionInfo: PublishVersionInfo{VersionType: VersionTypeRevision, ReleaseNotes: "notes", SampleInput: "Mia",
					GitHash: "0cfd7a6600f1fa05f9fe93016e661a9332c4ded2", InsightsEnabled: ptr(false)},
			})
			return err
		}, "POST", "/v1/algorithms/alice/hello/versions", `{"details":{"label":"Hello","summary":"sum","tagline":"tag"},
			"settings":{"algorithm_callability":"public","royalty_microcredits":0,"pipeline_enabled":true},
			"version_info":{"version_type":"revision","release_notes":"notes","sample_input":"Mia",
			"git_hash":"0cfd7a6600f1fa05f9fe93016e661a9332c4ded2","insights_enabled":false}}`},
		{"publish with defaults", func() error {
			_, err := c.PublishVersion(ctx, "alice", "hello", VersionRequest{})
			return err
		}, "POST", "/v1/algorithms/alice/hello/versions", `{"version_info":{}}`},
		{"create user", func() error {
			_, err := c.CreateUser(ctx, CreateUserRequest{Username: "bob", Email: "bob@example.com", Fullname: "Bob", CompanyRole: "dev", ShouldCreateHello: ptr(false)})
			return err
		}, "POST", "/v1/users", `{"username":"bob","email":"bob@example.com","fullname":"Bob","company_role":"dev","shouldCreateHello":false}`},
		{"update user clears company", func() error {
			_, err := c.UpdateUser(ctx, "bob", UpdateUserRequest{Username: "bob", Email: "bob@example.com", Fullname: "Bobby"})
			return err
		}, "PUT", "/v1/users/bob", `{"username":"bob","email":"bob@example.com","fullname":"Bobby","company_name":"","company_role":""}`},
		{"import user key", func() error {
			_, err := c.CreateUserAPIKey(ctx, "bob", CreateAPIKeyRequest{KeyLabel: "ci", KeyType: KeyTypeAlgorithm, APIKey: "simIMPORTED",
				Permissions: &AuthPermissions{AllowAlgo: true, AllowAlgoManagement: true}})
			return err
		}, "POST", "/v1/admin/users/bob/keys", `{"key_label":"ci","key_type":"AlgorithmKey","api_key":"simIMPORTED",
			"permissions":{"allow_data":false,"allow_data_write":false,"allow_algo":true,"allow_web_algo":false,"allow_algo_management":true,"algo_acl":[]}}`},
		{"generate user key", func() error {
			_, err := c.CreateUserAPIKey(ctx, "bob", CreateAPIKeyRequest{KeyType: KeyTypePlatformAdmin})
			return err
		}, "POST", "/v1/admin/users/bob/keys", `{"key_type":"PlatformAdminKey"}`},
		{"create org", func() error {
			_, err := c.CreateOrganization(ctx, OrganizationRequest{OrgName: "org1", OrgLabel: "Org", OrgContactName: "Ann", OrgEmail: "a@example.com", TypeID: "t-1"})
			return err
		}, "POST", "/v1/organizations", `{"org_name":"org1","org_label":"Org","org_contact_name":"Ann","org_email":"a@example.com","org_url":"","type_id":"t-1"}`},
		{"update org (204)", func() error {
			return c.UpdateOrganization(ctx, "org1", OrganizationRequest{OrgName: "org1", OrgLabel: "Org", OrgContactName: "Ann", OrgEmail: "a@example.com",
				OrgURL: "https://org.example.com", TypeID: "t-1", ExternalAdminGroup: []string{"admins"}})
		}, "PUT", "/v1/organizations/org1", `{"org_name":"org1","org_label":"Org","org_contact_name":"Ann","org_email":"a@example.com",
			"org_url":"https://org.example.com","type_id":"t-1","external_admin_group":["admins"]}`},
		{"create org type", func() error {
			_, err := c.CreateOrganizationType(ctx, OrganizationType{Name: "enterprise"})
			return err
		}, "POST", "/v1/organization/types", `{"name":"enterprise"}`},
	}
	for _, st := range steps {
		before := len(ts.requests())
		if err := st.call(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := ts.requests()[before]
		if got.Method != st.method || got.Path != st.path {
			t.Fatalf("%s: %s %s, want %s %s", st.name, got.Method, got.Path, st.method, st.path)
		}
		assertJSON(t, st.name, got.Body, st.want)
	}
}

func TestResponsesAndStatuses(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/organizations/org1/members/new":
			w.WriteHeader(http.StatusCreated)
		case "/v1/organizations/org1/members/old":
			w.WriteHeader(http.StatusOK)
		case "/v1/organizations/gone":
			w.WriteHeader(http.StatusNoContent)
		case "/v1/organizations/org1":
			writeJSON(w, 200, `{"id":"55073c92","org_name":"org1","org_label":"L","org_contact_name":"C","org_email":"o@x.com","org_url":null,
				"org_created_at":"2021-10-22T16:41:32","type_id":"t-1","stripe_customer_id":null,"external_admin_group":"admins",
				"external_member_group":["m1","m2"],"external_id":null,"owner_ids":null,"resource_type":"organization","self_link":"http://x/v1/organizations/org1"}`)
		case "/v1/organization/types":
			writeJSON(w, 200, `[{"id":"t-1","name":"basic"},{"id":"t-2","name":"pro"}]`)
		case "/v1/algorithm-environments/edge/languages":
			writeJSON(w, 200, `[{"name":"python3","display_name":"Python 3.x (Environments)","configuration":"{\n \"req_files\": [\"requirements.txt\"]\n}\n"}]`)
		case "/v1/algorithm-environments/edge/languages/python3/environments":
			writeJSON(w, 200, `{"environments":[{"id":"fd980f4f","environment_specification_id":"36fd467e","display_name":"Python 3.8",
				"description":"d","created_at":"2021-06-03T19:46:29.111","language":{"name":"python3","display_name":"P"},"machine_type":"GPU"}]}`)
		case "/v1/users/alice/algorithms":
			writeJSON(w, 200, `[{"id":"a-1","algoname":"hello","username":"alice"}]`)
		case "/v1/algorithms/alice/hello/builds/b1/logs":
			writeJSON(w, 200, `{"logs":"Building...\ndone"}`)
		case "/v1/algorithms/alice/hello/versions":
			writeJSON(w, 200, `{"marker":null,"next_link":null,"results":[`+algoJSON+`]}`)
		case "/v1/admin/users/bob/keys":
			writeJSON(w, 200, `{"username":"bob","key_label":"ci","created_at":"2024-01-01T00:00:00Z","api_key_mask":"sim***","api_key":"simNEW","key_type":"AlgorithmKey",
				"permissions":{"allow_data":true,"allow_data_write":false,"allow_algo":true,"allow_web_algo":false,"algo_acl":["algo://*"]},"owner_name":"bob"}`)
		default:
			writeJSON(w, 404, `{"error":{"code":1001,"message":"No such algorithm"}}`)
		}
	})
	c, _ := newTestClient(t, ts.URL, nil)
	ctx := context.Background()

	if added, err := c.AddOrganizationMember(ctx, "org1", "new"); err != nil || !added {
		t.Fatalf("201 must mean added: %v %v", added, err)
	}
	if added, err := c.AddOrganizationMember(ctx, "org1", "old"); err != nil || added {
		t.Fatalf("200 must mean already a member: %v %v", added, err)
	}
	if err := c.DeleteOrganization(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	org, err := c.GetOrganization(ctx, "org1")
	if err != nil {
		t.Fatal(err)
	}
	if org.OrgURL != "" || org.TypeID != "t-1" || !reflect.DeepEqual(org.ExternalAdminGroup, StringList{"admins"}) ||
		!reflect.DeepEqual(org.ExternalMemberGroup, StringList{"m1", "m2"}) || org.OrgCreatedAt != "2021-10-22T16:41:32" {
		t.Fatalf("org: %+v", org)
	}
	types, err := c.ListOrganizationTypes(ctx)
	if err != nil || len(types) != 2 || types[1] != (OrganizationType{ID: "t-2", Name: "pro"}) {
		t.Fatalf("types: %v %v", types, err)
	}
	langs, err := c.ListLanguages(ctx)
	if err != nil || len(langs) != 1 || langs[0].Name != "python3" || langs[0].Configuration == "" {
		t.Fatalf("languages: %v %v", langs, err)
	}
	envs, err := c.ListEnvironments(ctx, "python3")
	if err != nil || len(envs) != 1 || envs[0].ID != "fd980f4f" || envs[0].EnvironmentSpecificationID != "36fd467e" ||
		envs[0].MachineType != MachineTypeGPU || envs[0].Language == nil || envs[0].Language.Name != "python3" {
		t.Fatalf("environments: %+v %v", envs, err)
	}
	algos, err := c.ListUserAlgorithms(ctx, "alice")
	if err != nil || len(algos) != 1 || algos[0] != (AlgorithmSummary{ID: "a-1", AlgoName: "hello", Username: "alice"}) {
		t.Fatalf("user algorithms: %v %v", algos, err)
	}
	logs, err := c.GetBuildLogs(ctx, "alice", "hello", "b1")
	if err != nil || logs != "Building...\ndone" {
		t.Fatalf("logs: %q %v", logs, err)
	}
	page, err := c.ListVersions(ctx, "alice", "hello", VersionFilter{Published: ptr(true), Callable: ptr(false)}, ListOptions{Limit: 1})
	if err != nil || len(page.Results) != 1 || page.Results[0].VersionInfo.SemanticVersion != "0.1.0" || page.NextMarker() != "" {
		t.Fatalf("versions: %+v %v", page, err)
	}
	if q := ts.requests()[len(ts.requests())-1].RawQuery; q != "callable=false&limit=1&published=true" {
		t.Fatalf("versions query %q", q)
	}
	key, err := c.CreateUserAPIKey(ctx, "bob", CreateAPIKeyRequest{KeyType: KeyTypeAlgorithm})
	if err != nil || key.APIKey != "simNEW" || key.Permissions == nil || !reflect.DeepEqual(key.Permissions.AlgoACL, []string{"algo://*"}) {
		t.Fatalf("key: %+v %v", key, err)
	}
	if _, err := c.GetVersion(ctx, "alice", "hello", "deadbeef"); err == nil {
		t.Fatal("unknown version must fail")
	}
}

func TestUpdateWithoutBodyReadsBack(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, 200, algoJSON)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	a, err := c.UpdateAlgorithm(context.Background(), "quality", "echo", UpdateAlgorithmRequest{})
	if err != nil || a.Name != "Hello" {
		t.Fatalf("%+v %v", a, err)
	}
	reqs := ts.requests()
	if len(reqs) != 2 || reqs[1].Method != http.MethodGet || reqs[1].Path != "/v1/algorithms/quality/echo" {
		t.Fatalf("requests: %+v", reqs)
	}
}

func TestConcurrentUse(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, algoJSON)
	})
	c, _ := newTestClient(t, ts.URL, nil)
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			_, err := c.GetAlgorithm(context.Background(), "quality", "echo")
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
