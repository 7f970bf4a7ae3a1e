package provider

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// migrationSource is what TestCLI_migrateClusterExample seeds on the source cluster.
type migrationSource struct {
	svc        *acctest.User
	users      []string
	members    map[string][]string // organization => usernames
	algorithms map[string]string   // "owner/name" => published commit
	files      map[string]string   // "owner/collection/file" => sha256
}

// migrationRuntimes are three languages of the local cluster's catalogue, one source file each.
var migrationRuntimes = []struct{ language, display, file, body string }{
	{"python3", "Python 3.8", "src/Algorithm.py", "def apply(input):\n    return %q\n"},
	{"java11", "Java 11", "src/main/java/com/example/Algorithm.java", "package com.example;\n\npublic class Algorithm { String apply(String in) { return %q; } }\n"},
	{"r36", "R 3.6", "src/Algorithm.R", "algorithm <- function(input) { %q }\n"},
}

func seedMigrationSource(t *testing.T, c *acctest.Cluster) *migrationSource {
	t.Helper()
	ctx := context.Background()
	s := &migrationSource{users: []string{"migrator", "alice", "bob", "carol"}, algorithms: map[string]string{}, files: map[string]string{},
		members: map[string][]string{"labs": {"migrator", "alice", "bob"}, "ops": {"migrator", "carol"}}}
	byName := map[string]*acctest.User{}
	for _, name := range s.users {
		u, err := c.CreateUser(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		byName[name] = u
	}
	s.svc = byName["migrator"]
	for org, names := range s.members {
		var us []*acctest.User
		for _, n := range names {
			us = append(us, byName[n])
		}
		c.NewOrganization(t, org, us...)
	}
	for i, org := range []string{"labs", "ops"} {
		for _, r := range migrationRuntimes {
			name := fmt.Sprintf("%s%d", strings.TrimRight(r.language, "0123456789"), i+1)
			files := map[string][]byte{r.file: fmt.Appendf(nil, r.body, name+" v1")}
			s.algorithms[org+"/"+name] = s.svc.SeedAlgorithm(t, c, org, name, s.svc.EnvironmentID(t, c, r.language, r.display), files)
		}
		coll := []string{"models", "reports"}[i]
		if err := s.svc.Client.CreateCollection(ctx, org, coll, nil); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"a.txt", "b.txt"} {
			s.putFile(t, algorithmia.DataPath{Owner: org, Collection: coll, File: f}, coll+"/"+f+" v1")
		}
	}
	return s
}

func (s *migrationSource) putFile(t *testing.T, p algorithmia.DataPath, content string) {
	t.Helper()
	res, err := s.svc.Client.PutObject(context.Background(), p, func(context.Context) (io.ReadCloser, int64, error) {
		return io.NopCloser(strings.NewReader(content)), int64(len(content)), nil
	})
	if err != nil {
		t.Fatalf("seed %s: %v", p, err)
	}
	s.files[p.Owner+"/"+p.Collection+"/"+p.File] = res.SHA256
}

// TestCLI_migrateClusterExample runs examples/migrate-cluster between two fresh clusters:
// everything on the source arrives on the destination, a second run plans nothing, and a
// run after a new version and a changed file on the source plans exactly those two.
func TestCLI_migrateClusterExample(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	bootstrap := acctest.CopyWorkdir(t, filepath.Join(acctest.ExamplesDir(), "migrate-cluster", "bootstrap"))
	needWriteOnly(t, bootstrap)
	src, dst := startCluster(t, "source"), startCluster(t, "destination")
	s := seedMigrationSource(t, src)
	dstKey := "sim" + strings.Repeat("d", 40)

	for k, v := range map[string]string{
		"source_api_address": src.URL, "source_admin_api_key": src.AdminKey,
		"destination_api_address": dst.URL, "destination_admin_api_key": dst.AdminKey,
		"service_account": s.svc.Name, "destination_service_api_key": dstKey,
	} {
		bootstrap.Setenv("TF_VAR_"+k, v)
	}
	migrate := acctest.CopyWorkdir(t, filepath.Join(acctest.ExamplesDir(), "migrate-cluster"))
	for k, v := range map[string]string{
		"source_api_address": src.URL, "source_api_key": s.svc.Key,
		"destination_api_address": dst.URL, "destination_api_key": dstKey,
		"service_account": s.svc.Name, "owners": `["labs","ops"]`,
		"runtimes": `[{language="python3",display_name="Python 3.8"},{language="java11",display_name="Java 11"},{language="r36",display_name="R 3.6"}]`,
	} {
		migrate.Setenv("TF_VAR_"+k, v)
	}
	for _, w := range []*acctest.Workdir{bootstrap, migrate} {
		w.MustRun(t, "apply", "-auto-approve", "-input=false")
		w.PlanIsEmpty(t)
	}
	client, err := algorithmia.New(algorithmia.Config{BaseURL: dst.URL, APIKey: dstKey})
	if err != nil {
		t.Fatal(err)
	}
	dstSvc := &acctest.User{Name: s.svc.Name, Key: dstKey, Client: client}
	checkMigrated(t, s, src, dst, dstSvc)

	// Changes on the source: a new version of one algorithm, new bytes in one file.
	newCommit := s.svc.PublishFiles(t, src, "labs", "python1", algorithmia.VersionTypeMinor,
		map[string][]byte{"src/Algorithm.py": []byte("def apply(input):\n    return 'python1 v2'\n")})
	s.algorithms["labs/python1"] = newCommit
	s.putFile(t, algorithmia.DataPath{Owner: "ops", Collection: "reports", File: "b.txt"}, "reports/b.txt v2")

	out, code := migrate.Run(t, "plan", "-detailed-exitcode", "-input=false")
	if code != 2 {
		t.Fatalf("plan after changes on the source exited %d, want 2:\n%s", code, out)
	}
	var changed []string
	for _, m := range regexp.MustCompile(`(?m)^  # (\S+) (?:will|must) be`).FindAllStringSubmatch(out, -1) {
		changed = append(changed, m[1])
	}
	sort.Strings(changed)
	want := []string{`algorithmia_algorithm_source.copy["labs/python1"]`, `algorithmia_data_object.copy["ops/reports/b.txt"]`}
	if strings.Join(changed, " ") != strings.Join(want, " ") {
		t.Fatalf("plan changes %v, want exactly %v:\n%s", changed, want, out)
	}
	migrate.MustRun(t, "apply", "-auto-approve", "-input=false")
	migrate.PlanIsEmpty(t)
	checkMigrated(t, s, src, dst, dstSvc)
}

// checkMigrated fails the test unless the destination holds every seeded user, organization
// and membership; each algorithm with the source's published tree on master, published; and
// every file with the source's bytes.
func checkMigrated(t *testing.T, s *migrationSource, src, dst *acctest.Cluster, dstSvc *acctest.User) {
	t.Helper()
	ctx := context.Background()
	for _, name := range s.users {
		if _, err := dst.Admin.GetUser(ctx, name); err != nil {
			t.Errorf("user %s on the destination: %v", name, err)
		}
	}
	for org, want := range s.members {
		members, err := dst.Admin.ListAllOrganizationMembers(ctx, org)
		if err != nil {
			t.Fatalf("members of %s on the destination: %v", org, err)
		}
		got := map[string]bool{}
		for _, m := range members {
			got[m.Username] = true
		}
		for _, n := range want {
			if !got[n] {
				t.Errorf("%s is not a member of %s on the destination", n, org)
			}
		}
	}
	for id, commit := range s.algorithms {
		owner, name, _ := strings.Cut(id, "/")
		head := dstSvc.Log(t, dst, owner, name)[0]
		if got, want := dstSvc.TreeOf(t, dst, owner, name, head), s.svc.TreeOf(t, src, owner, name, commit); got != want {
			t.Errorf("%s: destination master %s has tree %s, want the source's %s", id, head, got, want)
		}
		published, err := dstSvc.Client.ListAllVersions(ctx, owner, name, algorithmia.VersionFilter{Published: boolPtr(true)})
		if err != nil {
			t.Fatalf("versions of %s on the destination: %v", id, err)
		}
		found := false
		for _, v := range published {
			found = found || v.VersionInfo.GitHash == head
		}
		if !found {
			t.Errorf("%s: the destination's head %s is not published (%d published versions)", id, head, len(published))
		}
	}
	for key, want := range s.files {
		parts := strings.SplitN(key, "/", 3)
		if got := dstSvc.ObjectSHA256(t, dst, algorithmia.DataPath{Owner: parts[0], Collection: parts[1], File: parts[2]}); got != want {
			t.Errorf("%s: destination sha256 %s, source %s", key, got, want)
		}
	}
}
