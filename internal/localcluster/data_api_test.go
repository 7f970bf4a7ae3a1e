package localcluster

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// addDataKey issues alice-style extra keys with the given data rights.
func (tc *testCluster) addDataKey(user, key string, read, write bool) string {
	tc.t.Helper()
	tc.must(200, "POST", "/v1/admin/users/"+user+"/keys", testAdminKey, map[string]any{
		"key_type": "AlgorithmKey", "api_key": key,
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": read, "allow_data_write": write, "algo_acl": []string{}},
	}, nil)
	return key
}

func jsonBody(v any) *strings.Reader {
	raw, _ := json.Marshal(v)
	return strings.NewReader(string(raw))
}

// dataBody is data with the body given as a value: nil sends none, a string its bytes,
// anything else its JSON.
func (tc *testCluster) dataBody(method, path, key string, body any) dataResp {
	tc.t.Helper()
	switch b := body.(type) {
	case nil:
		return tc.data(method, path, key, nil)
	case string:
		return tc.data(method, path, key, strings.NewReader(b))
	default:
		return tc.data(method, path, key, jsonBody(b))
	}
}

// TestDataShapes pins the CONTRACT.md §12.2 answers: bodies, headers and statuses.
func TestDataShapes(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	const base = "/v1/connector/data/"

	// Create: .my resolves to the key's owner; the default ACL is algo://.my/*.
	d := tc.mustData(200, "POST", base+".my", alice, jsonBody(map[string]any{"name": "models"}))
	if string(d.body) != `{"result":"data://alice/models"}`+"\n" {
		t.Fatalf("create: %s", d.body)
	}
	tc.createCollection(alice, "alice", "public", []string{"user://*"})
	tc.createCollection(alice, "alice", "private", []string{})

	// An empty collection lists as {} (folders and files left out); the ACL
	// only with ?acl=true.
	d = tc.mustData(200, "GET", base+"alice/models", alice, nil)
	if strings.TrimSpace(string(d.body)) != "{}" || d.header.Get("X-Data-Type") != "directory" {
		t.Fatalf("empty listing: %s %v", d.body, d.header)
	}
	for coll, want := range map[string]string{"models": `["algo://.my/*"]`, "public": `["user://*"]`, "private": `[]`} {
		d = tc.mustData(200, "GET", base+"alice/"+coll+"?acl=true", alice, nil)
		if strings.TrimSpace(string(d.body)) != `{"acl":{"read":`+want+`}}` {
			t.Errorf("acl of %s: %s", coll, d.body)
		}
	}
	// PATCH changes the ACL in place: 200, empty body.
	d = tc.mustData(200, "PATCH", base+"alice/models", alice, jsonBody(map[string]any{"acl": map[string]any{"read": []string{}}}))
	if len(d.body) != 0 {
		t.Fatalf("PATCH body: %q", d.body)
	}
	d = tc.mustData(200, "GET", "/v1/data/.my/models?acl=true", alice, nil)
	if strings.TrimSpace(string(d.body)) != `{"acl":{"read":[]}}` {
		t.Fatalf("after PATCH: %s", d.body)
	}

	// Files: PUT replaces, GET streams, HEAD answers from the record.
	tc.mustData(200, "PUT", base+"alice/models/m.bin", alice, strings.NewReader("first"))
	tc.mustData(200, "PUT", base+"alice/models/m.bin", alice, strings.NewReader("second version"))
	d = tc.mustData(200, "GET", base+"alice/models/m.bin", alice, nil)
	if string(d.body) != "second version" || d.header.Get("Content-Length") != "14" || d.header.Get("X-Data-Type") != "file" || d.header.Get("ETag") != md5hex("second version") {
		t.Fatalf("GET after replace: %q %v", d.body, d.header)
	}
	d = tc.mustData(200, "HEAD", base+"alice/models/m.bin", alice, nil)
	if d.header.Get("Content-Length") != "14" || d.header.Get("ETag") != md5hex("second version") || d.header.Get("X-Data-Type") != "file" {
		t.Fatalf("HEAD: %v", d.header)
	}
	d = tc.mustData(200, "HEAD", base+"alice/models", alice, nil)
	if d.header.Get("X-Data-Type") != "directory" {
		t.Fatalf("HEAD dir: %v", d.header)
	}
	tc.mustData(200, "PUT", base+"alice/models/empty", alice, strings.NewReader(""))
	d = tc.mustData(200, "GET", base+"alice/models", alice, nil)
	var l struct {
		Folders []map[string]any `json:"folders"`
		Files   []map[string]any `json:"files"`
		ACL     any              `json:"acl"`
		Marker  *string          `json:"marker"`
	}
	d.json(t, &l)
	if l.Folders != nil || l.ACL != nil || l.Marker != nil || len(l.Files) != 2 {
		t.Fatalf("listing: %s", d.body)
	}
	f := l.Files[1]
	if f["filename"] != "m.bin" || f["size"] != float64(14) {
		t.Fatalf("file entry: %v", f)
	}
	lm, _ := f["last_modified"].(string)
	if ts, err := time.Parse(timeFormat, lm); err != nil || time.Since(ts) > time.Minute || !strings.HasSuffix(lm, "Z") || len(lm) != len(timeFormat) {
		t.Fatalf("last_modified %q: %v", lm, err)
	}

	// The owner listing: collections as folders, files left out; acl per
	// folder with ?acl=true.
	d = tc.mustData(200, "GET", "/v1/data/alice", alice, nil)
	if strings.TrimSpace(string(d.body)) != `{"folders":[{"name":"models"},{"name":"private"},{"name":"public"}]}` {
		t.Fatalf("owner listing: %s", d.body)
	}
	d = tc.mustData(200, "GET", "/v1/data/alice/?acl=true", alice, nil)
	if !strings.Contains(string(d.body), `{"name":"public","acl":{"read":["user://*"]}}`) {
		t.Fatalf("owner listing with acl: %s", d.body)
	}

	// The empty path lists the caller first, then its organizations.
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "A", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "basic"}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	for _, p := range []string{"/v1/data/", "/v1/data", "/v1/connector/data", "/v1/connector/data/"} {
		d = tc.mustData(200, "GET", p, alice, nil)
		if strings.TrimSpace(string(d.body)) != `{"folders":[{"name":"alice"},{"name":"acme"}]}` || d.header.Get("X-Data-Type") != "directory" {
			t.Errorf("GET %s: %s", p, d.body)
		}
	}

	// Deletes.
	d = tc.mustData(400, "DELETE", base+"alice/models", alice, nil)
	if !strings.Contains(d.errMessage(), "not empty") {
		t.Fatalf("non-empty delete: %s", d.body)
	}
	d = tc.mustData(200, "DELETE", base+"alice/models?force=true", alice, nil)
	if string(d.body) != `{"result":{"deleted":2}}`+"\n" {
		t.Fatalf("force delete: %s", d.body)
	}
	if _, err := os.Stat(filepath.Join(tc.dir, "data", "alice", "models")); !os.IsNotExist(err) {
		t.Fatalf("collection directory still there: %v", err)
	}
	d = tc.mustData(200, "DELETE", base+"alice/private", alice, nil)
	if string(d.body) != `{"result":{"deleted":0}}`+"\n" {
		t.Fatalf("empty delete: %s", d.body)
	}

	// Errors: CONTRACT.md §3.4 body with error.message (and the CONTRACT.md §3.1 code and id), or
	// X-Error-Message on HEAD.
	cases := []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", base + "alice/models/m.bin", nil, 404},
		{"GET", base + "alice/nosuch", nil, 404},
		{"GET", base + "nosuchuser", nil, 404},
		{"PUT", base + "alice/nosuch/f", "x", 404},
		{"DELETE", base + "alice/public/nosuch", nil, 404},
		{"DELETE", base + "alice/nosuch", nil, 404},
		{"PATCH", base + "alice/nosuch", map[string]any{"acl": map[string]any{"read": []string{}}}, 404},
		{"POST", base + "alice", map[string]any{"name": "public"}, 400},                                                 // exists
		{"POST", base + "alice", map[string]any{"name": "bad-name"}, 400},                                               // pattern
		{"POST", base + "alice", map[string]any{"name": "x", "acl": map[string]any{"read": []string{"algo://*"}}}, 400}, // ACL
		{"POST", base + "alice", map[string]any{"name": "x", "acl": map[string]any{"read": []string{"user://*", "algo://.my/*"}}}, 400},
		{"POST", base + "alice", "{not json", 400},
		{"POST", base + "alice", map[string]any{}, 400},
		{"POST", base + "nosuchuser", map[string]any{"name": "x"}, 404},
		{"PATCH", base + "alice/public", map[string]any{}, 400},
		{"PATCH", base + "alice/public", map[string]any{"acl": map[string]any{"read": []string{"user://alice"}}}, 400},
		{"POST", base + "alice/public", map[string]any{"name": "sub"}, 400},  // nested folder
		{"PUT", base + "alice/public/sub/f.txt", "x", 400},                   // nested folder
		{"GET", base + "alice/public/sub/f.txt", nil, 400},                   // nested folder
		{"PUT", base + "alice/public", "x", 400},                             // a directory
		{"PUT", base + "alice", "x", 400},                                    // an owner
		{"DELETE", base + "alice", nil, 400},                                 // an owner
		{"PATCH", base + "alice/public/f", map[string]any{"acl": nil}, 400},  // a file
		{"PUT", base + "alice/public/.upload-x", "x", 400},                   // reserved
		{"PUT", base + "alice/public/" + strings.Repeat("n", 256), "x", 400}, // too long
		{"GET", base + "alice/public?marker=!!!", nil, 400},
		{"DELETE", base + "alice/public?force=maybe", nil, 400},
		{"GET", "/v1/connector/s3/bucket/x", nil, 404},
		{"POST", "/v1/data/", map[string]any{"name": "x"}, 405},
	}
	for _, c := range cases {
		d := tc.dataBody(c.method, c.path, alice, c.body)
		var e apiErr
		_ = json.Unmarshal(d.body, &e)
		if d.status != c.status || e.Error.Message == "" || e.Error.Code == 0 {
			t.Errorf("%s %s: %d %s, want %d with error.message", c.method, c.path, d.status, d.body, c.status)
		}
	}
	d = tc.mustData(404, "HEAD", base+"alice/public/nosuch", alice, nil)
	if !strings.Contains(d.header.Get("X-Error-Message"), "does not exist") || len(d.body) != 0 {
		t.Fatalf("HEAD 404: %v %q", d.header, d.body)
	}
}

// TestDataPathEscapes sends paths that try to leave the data directory,
// plainly and encoded; all are refused with 400 and nothing is written.
func TestDataPathEscapes(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "c", nil)
	paths := []string{
		"alice/c/../../../cluster.db",
		"alice/../bob/c/x",
		"alice/c/..",
		"alice/./c/x",
		"alice/%2e%2e/c/x",
		"alice/c/%2E%2E",
		"alice/c/%2e%2e%2f%2e%2e%2fx",
		"alice/c/a%2Fb",
		"alice%2Fc/x",
		"alice/c/a%5Cb",
		`alice/c/a\b`,
		`alice/c/..\..\x`,
		"/etc/passwd",
		"alice//c/x",
		"alice/c/%00x",
		"alice/c/x%00",
		"alice/c/a%0Ab",
	}
	for _, p := range paths {
		for _, prefix := range []string{"/v1/data/", "/v1/connector/data/"} {
			for _, m := range []string{"PUT", "GET", "HEAD", "DELETE"} {
				var body any
				if m == "PUT" {
					body = "escaped"
				}
				d := tc.dataBody(m, prefix+p, alice, body)
				if d.status != 400 {
					t.Errorf("%s %s%s: %d %s", m, prefix, p, d.status, d.body)
				}
			}
		}
	}
	// Nothing but the collection's directory exists under data/.
	var found []string
	_ = filepath.Walk(tc.dir, func(p string, info os.FileInfo, _ error) error {
		if info != nil && !info.IsDir() && strings.Contains(string(mustRead(p)), "escaped") {
			found = append(found, p)
		}
		return nil
	})
	if len(found) > 0 {
		t.Fatalf("escape attempts wrote %v", found)
	}
}

func mustRead(p string) []byte {
	b, _ := os.ReadFile(p)
	return b
}

// seedFiles writes n small files into owner/coll straight to disk and the
// store in one transaction, the way putFile leaves them, so paging tests do
// not pay n fsynced uploads.
func (tc *testCluster) seedFiles(owner, coll string, n int) []string {
	tc.t.Helper()
	dir := tc.c.collectionDir(owner, coll)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tc.t.Fatal(err)
	}
	names := make([]string, n)
	err := tc.c.st.Update(func(tx *store.Tx) error {
		for i := range n {
			names[i] = fmt.Sprintf("f%05d.txt", i)
			p := filepath.Join(dir, names[i])
			if err := os.WriteFile(p, []byte(names[i]), 0o644); err != nil {
				return err
			}
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			if err := tx.Put(bucketDataFiles, fileKey(owner, coll, names[i]), fileRecord{Size: st.Size(), MD5: md5hex(names[i]), ModTime: st.ModTime().UTC()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tc.t.Fatal(err)
	}
	return names
}

// TestDataPaging lists 1001 files: 1000, a marker, then the last one.
func TestDataPaging(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "many", nil)
	names := tc.seedFiles("alice", "many", 1001)

	var got []string
	path := "/v1/data/alice/many"
	pages := 0
	for {
		var l dataListing
		tc.mustData(200, "GET", path, alice, nil).json(t, &l)
		pages++
		for _, f := range l.Files {
			got = append(got, f.Filename)
		}
		if pages == 1 && (len(l.Files) != 1000 || l.Marker == "") {
			t.Fatalf("first page: %d files, marker %q", len(l.Files), l.Marker)
		}
		if l.Marker == "" {
			break
		}
		path = "/v1/data/alice/many?marker=" + l.Marker
	}
	if pages != 2 || strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%d pages, %d names", pages, len(got))
	}
	// A marker whose file was deleted still resumes after it.
	var l dataListing
	tc.mustData(200, "GET", "/v1/data/alice/many", alice, nil).json(t, &l)
	tc.mustData(200, "DELETE", "/v1/data/alice/many/"+l.Files[999].Filename, alice, nil)
	var l2 dataListing
	tc.mustData(200, "GET", "/v1/data/alice/many?marker="+l.Marker, alice, nil).json(t, &l2)
	if len(l2.Files) != 1 || l2.Files[0].Filename != names[1000] || l2.Marker != "" {
		t.Fatalf("resume after deleted marker: %+v", l2)
	}
	// The seeded files are real: HEAD and GET work.
	if d := tc.mustData(200, "GET", "/v1/data/alice/many/f00007.txt", alice, nil); string(d.body) != "f00007.txt" {
		t.Fatalf("seeded file: %q", d.body)
	}
	// Exactly 1000 entries: no marker.
	tc.mustData(200, "DELETE", "/v1/data/alice/many/f00000.txt", alice, nil)
	var l3 dataListing
	tc.mustData(200, "GET", "/v1/data/alice/many", alice, nil).json(t, &l3)
	if len(l3.Files) != 999 || l3.Marker != "" {
		t.Fatalf("999 files: %d, marker %q", len(l3.Files), l3.Marker)
	}
}

// TestDataACL checks who may read which collection, and that writes are
// the owner's and its organization members' only.
func TestDataACL(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	bob := tc.addUser("bob")
	carol := tc.addUser("carol")
	for _, c := range []struct {
		name string
		acl  []string
	}{{"private", []string{}}, {"mine", nil}, {"public", []string{"user://*"}}} {
		tc.createCollection(alice, "alice", c.name, c.acl)
		tc.mustData(200, "PUT", "/v1/data/alice/"+c.name+"/f", alice, strings.NewReader("x"))
	}
	for coll, bobReads := range map[string]bool{"private": false, "mine": false, "public": true} {
		want := 403
		if bobReads {
			want = 200
		}
		for _, m := range []string{"GET", "HEAD"} {
			for _, p := range []string{"/v1/data/alice/" + coll, "/v1/data/alice/" + coll + "/f"} {
				if d := tc.data(m, p, bob, nil); d.status != want {
					t.Errorf("bob %s %s: %d, want %d", m, p, d.status, want)
				}
			}
		}
		// Writes are never open to others, whatever the ACL.
		if d := tc.data("PUT", "/v1/data/alice/"+coll+"/f", bob, strings.NewReader("y")); d.status != 403 {
			t.Errorf("bob PUT into %s: %d", coll, d.status)
		}
		if d := tc.data("DELETE", "/v1/data/alice/"+coll+"/f", bob, nil); d.status != 403 {
			t.Errorf("bob DELETE in %s: %d", coll, d.status)
		}
	}
	// Others see only public collections in the owner listing.
	if d := tc.mustData(200, "GET", "/v1/data/alice", bob, nil); strings.TrimSpace(string(d.body)) != `{"folders":[{"name":"public"}]}` {
		t.Fatalf("bob lists alice: %s", d.body)
	}
	// An ACL change takes effect at once.
	tc.mustData(200, "PATCH", "/v1/data/alice/public", alice, jsonBody(map[string]any{"acl": map[string]any{"read": []string{}}}))
	tc.mustData(403, "GET", "/v1/data/alice/public/f", bob, nil)

	// Organizations: members read and write the org's data, others do not.
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "A", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "basic"}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	tc.createCollection(alice, "acme", "shared", []string{})
	tc.mustData(200, "PUT", "/v1/data/acme/shared/f", bob, strings.NewReader("from bob"))
	if d := tc.mustData(200, "GET", "/v1/data/acme/shared/f", alice, nil); string(d.body) != "from bob" {
		t.Fatalf("member read: %q", d.body)
	}
	tc.mustData(403, "GET", "/v1/data/acme/shared/f", carol, nil)
	tc.mustData(403, "POST", "/v1/data/acme", carol, jsonBody(map[string]any{"name": "x"}))
	// A key the organization issued acts for it, and .my is the org.
	var k apiKeyJSON
	tc.must(201, "POST", "/v1/organizations/acme/members/alice/keys", testAdminKey, map[string]any{
		"key_type":    "AlgorithmKey",
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": true, "allow_data_write": true, "algo_acl": []string{}},
	}, &k)
	if d := tc.mustData(200, "GET", "/v1/data/.my/shared/f", k.APIKey, nil); string(d.body) != "from bob" {
		t.Fatalf("org key .my: %q", d.body)
	}
	if d := tc.mustData(200, "GET", "/v1/data/", k.APIKey, nil); !strings.HasPrefix(string(d.body), `{"folders":[{"name":"acme"}`) {
		t.Fatalf("org key root: %s", d.body)
	}
	// Leaving the org ends access.
	tc.must(204, "DELETE", "/v1/organizations/acme/members/bob", testAdminKey, nil, nil)
	tc.mustData(403, "GET", "/v1/data/acme/shared/f", bob, nil)
}

// TestDataAuthorizationMatrix calls every data route as {no key, unknown
// key, admin key, other user's key, key without allow_data, key without
// allow_data_write, member of the owning organization, owner's key}.
func TestDataAuthorizationMatrix(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	bob := tc.addUser("bob")
	carol := tc.addUser("carol")
	noData := tc.addDataKey("alice", "simalicenodata", false, false)
	readOnly := tc.addDataKey("alice", "simalicereadonly", true, false)
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "A", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "basic"}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/carol", testAdminKey, nil, nil)
	for _, owner := range []string{"alice", "acme"} {
		key := alice
		if owner == "acme" {
			key = carol
		}
		for _, c := range []string{"c", "doomed", "doomed2"} {
			tc.createCollection(key, owner, c, nil)
		}
		for _, f := range []string{"f", "gone", "gone2"} {
			tc.mustData(200, "PUT", "/v1/data/"+owner+"/c/"+f, key, strings.NewReader("x"))
		}
	}
	acl := map[string]any{"acl": map[string]any{"read": []string{}}}
	type row struct {
		method, path string
		body         any
		write        bool
		ok           int
	}
	rows := func(o string) []row {
		p := "/v1/connector/data/" + o
		return []row{
			{"GET", p, nil, false, 200},
			{"GET", p + "/c", nil, false, 200},
			{"GET", p + "/c/f", nil, false, 200},
			{"HEAD", p + "/c/f", nil, false, 200},
			{"POST", p, map[string]any{"name": "fresh"}, true, 200},
			{"PATCH", p + "/c", acl, true, 200},
			{"PUT", p + "/c/new", "bytes", true, 200},
			{"DELETE", p + "/c/gone", nil, true, 200},
			{"DELETE", p + "/doomed", nil, true, 200},
			{"GET", "/v1/data/" + o + "/c/f", nil, false, 200},
			{"PUT", "/v1/data/" + o + "/c/new2", "bytes", true, 200},
			{"DELETE", "/v1/data/" + o + "/c/gone2", nil, true, 200},
			{"DELETE", "/v1/data/" + o + "/doomed2?force=true", nil, true, 200},
		}
	}
	type attempt struct {
		who, key string
		status   int
		code     int
	}
	check := func(r row, at attempt) {
		t.Helper()
		d := tc.dataBody(r.method, r.path, at.key, r.body)
		var e apiErr
		_ = json.Unmarshal(d.body, &e)
		if d.status != at.status || (at.code != 0 && r.method != "HEAD" && e.Error.Code != at.code) {
			t.Errorf("%s %s as %s: got %d/%d (%s), want %d/%d", r.method, r.path, at.who, d.status, e.Error.Code, e.Error.Message, at.status, at.code)
		}
		if at.code != 0 && r.method == "HEAD" && d.header.Get("X-Error-Message") == "" {
			t.Errorf("HEAD %s as %s: no X-Error-Message", r.path, at.who)
		}
	}
	for _, owner := range []string{"alice", "acme"} {
		for _, r := range rows(owner) {
			// The other user reads alice's default-ACL data as private,
			// except the owner listing, which shows only what it may read.
			// The admin key may list an owner's collections, nothing else.
			otherStatus, otherCode := 403, codeNotAuthorized
			if r.method == "GET" && strings.Count(strings.TrimPrefix(strings.TrimPrefix(r.path, "/v1/connector/data/"), "/v1/data/"), "/") == 0 {
				otherStatus, otherCode = 200, 0
			}
			attempts := []attempt{
				{"no key", "", 401, codeNotAuthenticated},
				{"unknown key", "simNOSUCHKEY", 401, codeNotAuthenticated},
				{"admin key", testAdminKey, otherStatus, otherCode},
				{"other user's key", bob, otherStatus, otherCode},
			}
			if owner == "alice" {
				roStatus, roCode := r.ok, 0
				if r.write {
					roStatus, roCode = 403, codeNotAuthorized
				}
				attempts = append(attempts,
					attempt{"key without allow_data", noData, 403, codeNotAuthorized},
					attempt{"key without allow_data_write", readOnly, roStatus, roCode},
					attempt{"owner's key", alice, r.ok, 0})
			} else {
				attempts = append(attempts,
					attempt{"non-member", alice, otherStatus, otherCode},
					attempt{"member of the owning org", carol, r.ok, 0})
			}
			for _, at := range attempts {
				check(r, at)
			}
		}
	}
	// The empty path needs only a standard key.
	for _, at := range []attempt{
		{"no key", "", 401, codeNotAuthenticated},
		{"unknown key", "simNOSUCHKEY", 401, codeNotAuthenticated},
		{"admin key", testAdminKey, 403, codeNotAuthorized},
		{"key without allow_data", noData, 200, 0},
		{"owner's key", alice, 200, 0},
	} {
		check(row{"GET", "/v1/connector/data", nil, false, 200}, at)
	}
}

// The admin key lists every collection of an account, private ones included, so that
// deleting the account can be checked first; it reads and writes no data.
func TestDataAdminListsAnAccountsCollections(t *testing.T) {
	tc := newTestCluster(t)
	alice := tc.addUser("alice")
	tc.createCollection(alice, "alice", "private", []string{})
	tc.createCollection(alice, "alice", "shared", []string{"user://*"})
	tc.mustData(200, "PUT", "/v1/data/alice/private/f", alice, strings.NewReader("x"))

	var l dataListing
	tc.mustData(200, "GET", "/v1/connector/data/alice?acl=true", testAdminKey, nil).json(t, &l)
	if len(l.Folders) != 2 || l.Folders[0].Name != "private" || l.Folders[1].Name != "shared" || l.Folders[0].ACL == nil {
		t.Fatalf("admin listing of alice: %+v", l)
	}
	tc.mustData(404, "GET", "/v1/data/nobody", testAdminKey, nil)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/data/alice/private"},
		{"GET", "/v1/data/alice/private/f"},
		{"HEAD", "/v1/data/alice/private/f"},
		{"GET", "/v1/data/.my"},
		{"DELETE", "/v1/data/alice/private?force=true"},
		{"POST", "/v1/data/alice"},
	} {
		tc.mustData(403, c.method, c.path, testAdminKey, nil)
	}
	tc.mustData(200, "GET", "/v1/data/alice/private/f", alice, nil)
}
