package localcluster

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// TestFailedBuildHasReadableLogs pushes a broken algorithmia.conf: the build
// exists at once, its logs are 404 until it ends, and then it fails with
// logs naming the problem.
func TestFailedBuildHasReadableLogs(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	tc.addAlgo(key, "hello")
	sha := tc.cloneAndPush(key, func(dir string) {
		gittest.WriteFile(t, filepath.Join(dir, "algorithmia.conf"), "{not json")
	})
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds", key, nil, &builds)
	if len(builds.Results) != 1 || builds.Results[0].CommitSHA != sha || builds.Results[0].Status != buildInProgress {
		t.Fatalf("builds right after push: %+v", builds.Results)
	}
	id := builds.Results[0].BuildID
	tc.wantError(404, codeBuildLogsNotFound, "GET", "/v1/algorithms/alice/hello/builds/"+id+"/logs", key, nil)
	b := tc.waitBuildStatus(key, id)
	if b.Status != buildFailed {
		t.Fatalf("status %s, want failed", b.Status)
	}
	var logs map[string]string
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds/"+id+"/logs", key, nil, &logs)
	if !strings.Contains(logs["logs"], "algorithmia.conf") || !strings.Contains(logs["logs"], "failed") {
		t.Fatalf("logs do not explain the failure:\n%s", logs["logs"])
	}
	var a algorithmJSON
	tc.must(200, "GET", "/v1/algorithms/alice/hello", key, nil, &a)
	if a.Compilation == nil || a.Compilation.Successful || a.VersionInfo.GitHash != sha || a.Build.Status != buildFailed {
		t.Fatalf("algorithm must reflect the failed latest build: %+v %+v", a.Compilation, a.Build)
	}
	// Nothing successful to publish, and no version for a failed commit.
	tc.wantError(400, codeBuildNotFound, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{})
	tc.wantError(404, codeVersionDoesNotExist, "GET", "/v1/algorithms/alice/hello/versions/"+sha, key, nil)
}

// TestGitAuthorization checks Basic auth on the Git endpoints: owner + key
// with management may push; a wrong key is refused; another user may not
// even read a closed-source algorithm; a key with "/" works %2F-encoded.
func TestGitAuthorization(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	bob := tc.addUser("bob")
	slashKey := "sim/with/slash"
	tc.must(200, "POST", "/v1/admin/users/alice/keys", testAdminKey, map[string]any{
		"key_type": "AlgorithmKey", "api_key": slashKey,
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "allow_algo_management": false, "algo_acl": []string{}},
	}, nil)
	tc.addAlgo(key, "hello")
	dir := t.TempDir()
	if out, err := gittest.Run(t, dir, "clone", tc.gitURL("alice", "simWRONG", "hello"), "a"); err == nil {
		t.Fatalf("clone with a wrong key succeeded:\n%s", out)
	}
	if out, err := gittest.Run(t, dir, "clone", tc.gitURL("bob", bob, "hello"), "b"); err == nil || !strings.Contains(out, "403") {
		t.Fatalf("bob cloned alice's closed algorithm (err %v):\n%s", err, out)
	}
	if out, err := gittest.Run(t, dir, "clone", tc.gitURL("alice", testAdminKey, "hello"), "c"); err == nil {
		t.Fatalf("clone with the admin key succeeded:\n%s", out)
	}
	// The read-only key clones (with %2F) but cannot push.
	gittest.Must(t, dir, "clone", "-q", tc.gitURL("alice", url.PathEscape(slashKey), "hello"), "d")
	w := filepath.Join(dir, "d")
	gittest.WriteFile(t, filepath.Join(w, "x.txt"), "x")
	gittest.Must(t, w, "add", "-A")
	gittest.Must(t, w, "commit", "-q", "-m", "x")
	if out, err := gittest.Run(t, w, "push", "origin", "master"); err == nil {
		t.Fatalf("push without algorithm management succeeded:\n%s", out)
	}
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds", key, nil, &builds)
	if len(builds.Results) != 0 {
		t.Fatalf("a refused push created builds: %+v", builds.Results)
	}
}

// TestConcurrentPushesOneBuildEach pushes to two algorithms from several
// goroutines while others read the API; every push that moved master gets
// exactly one build, for its commit.
func TestConcurrentPushesOneBuildEach(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	algos := []string{"one", "two"}
	for _, a := range algos {
		tc.addAlgo(key, a)
	}
	var (
		mu     sync.Mutex
		pushed = map[string]map[string]bool{"one": {}, "two": {}}
	)
	stopReaders := repeatUntilStopped(2, func() bool {
		for _, a := range algos {
			tc.call("GET", "/v1/algorithms/alice/"+a+"/builds?limit=2", key, nil, nil)
			tc.call("GET", "/v1/algorithms/alice/"+a, key, nil, nil)
		}
		return true
	})
	var pushers sync.WaitGroup
	for w := 0; w < 4; w++ {
		pushers.Add(1)
		go func(w int) {
			defer pushers.Done()
			algo := algos[w%2]
			dir := t.TempDir()
			if out, err := gittest.Run(t, dir, "clone", "-q", tc.gitURL("alice", key, algo), "w"); err != nil {
				t.Errorf("clone: %v\n%s", err, out)
				return
			}
			wd := filepath.Join(dir, "w")
			for i := 0; i < 3; i++ {
				if out, err := gittest.Run(t, wd, "pull", "-q", "--rebase", "origin", "master"); err != nil {
					t.Errorf("pull: %v\n%s", err, out)
					return
				}
				gittest.WriteFile(t, filepath.Join(wd, fmt.Sprintf("f%d_%d.txt", w, i)), "x")
				for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "c"}} {
					if out, err := gittest.Run(t, wd, args...); err != nil {
						t.Errorf("%s: %v\n%s", args[0], err, out)
						return
					}
				}
				if _, err := gittest.Run(t, wd, "push", "-q", "origin", "master"); err != nil {
					continue // lost the race: rejected as non-fast-forward, no build
				}
				head, _ := gittest.Run(t, wd, "rev-parse", "HEAD")
				mu.Lock()
				pushed[algo][strings.TrimSpace(head)] = true
				mu.Unlock()
			}
		}(w)
	}
	pushers.Wait()
	stopReaders()
	for _, a := range algos {
		var builds pagedBuilds
		tc.must(200, "GET", "/v1/algorithms/alice/"+a+"/builds?limit=100", key, nil, &builds)
		if len(builds.Results) != len(pushed[a]) || len(pushed[a]) == 0 {
			t.Errorf("%s: %d builds for %d successful pushes", a, len(builds.Results), len(pushed[a]))
		}
		for _, b := range builds.Results {
			if !pushed[a][b.CommitSHA] {
				t.Errorf("%s: build for unknown commit %s", a, b.CommitSHA)
			}
			delete(pushed[a], b.CommitSHA)
		}
		if len(pushed[a]) != 0 {
			t.Errorf("%s: pushes without a build: %v", a, pushed[a])
		}
	}
}

// TestRestartKeepsEverything closes a cluster and reopens its data dir: all
// records, repositories, keys and published versions are still there, and a
// build that was in progress at shutdown finishes after the restart.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	tc := openTestCluster(t, dir)
	key := tc.addUser("alice")
	a := tc.addAlgo(key, "hello")
	tc.must(200, "POST", "/v1/algorithms/alice/hello/compile", key, nil, nil)
	var pub algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{}, &pub)
	tc.must(200, "POST", "/v1/organizations", testAdminKey, map[string]any{"org_name": "acme", "org_label": "Acme", "org_contact_name": "a", "org_email": "a@acme.com", "type_id": "pro"}, nil)
	tc.must(201, "PUT", "/v1/organizations/acme/members/alice", testAdminKey, nil, nil)
	var envs1 map[string][]environmentJSON
	tc.must(200, "GET", "/v1/algorithm-environments/edge/languages/python3/environments", key, nil, &envs1)
	sha := tc.cloneAndPush(key, func(d string) { gittest.WriteFile(t, filepath.Join(d, "n.txt"), "n") })
	tc.close() // the push's build is still in progress

	tc2 := &testCluster{t: t, dir: dir}
	c, err := New(Options{DataDir: dir, AdminKey: testAdminKey, BuildDuration: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tc2.c = c
	tc2.srv = newServer(c)
	t.Cleanup(tc2.close)

	var got algorithmJSON
	tc2.must(200, "GET", "/v1/algorithms/alice/hello", key, nil, &got)
	if got.ID != a.ID {
		t.Fatalf("algorithm id changed across restart: %s vs %s", got.ID, a.ID)
	}
	var builds pagedBuilds
	tc2.must(200, "GET", "/v1/algorithms/alice/hello/builds", key, nil, &builds)
	if len(builds.Results) != 2 || builds.Results[0].CommitSHA != sha {
		t.Fatalf("builds after restart: %+v", builds.Results)
	}
	if b := tc2.waitBuildStatus(key, builds.Results[0].BuildID); b.Status != buildSucceeded {
		t.Fatalf("resumed build: %+v", b)
	}
	var v algorithmJSON
	tc2.must(200, "GET", "/v1/algorithms/alice/hello/versions/"+pub.VersionInfo.GitHash, key, nil, &v)
	if v.VersionInfo.SemanticVersion != "0.1.0" {
		t.Fatalf("published version lost: %+v", v.VersionInfo)
	}
	var members struct{ Results []memberJSON }
	tc2.must(200, "GET", "/v1/organizations/acme/members", testAdminKey, nil, &members)
	if len(members.Results) != 1 || members.Results[0].Role != "owner" {
		t.Fatalf("members after restart: %+v", members.Results)
	}
	var envs2 map[string][]environmentJSON
	tc2.must(200, "GET", "/v1/algorithm-environments/edge/languages/python3/environments", key, nil, &envs2)
	if envs1["environments"][0].ID != envs2["environments"][0].ID {
		t.Fatal("environment ids changed across restart")
	}
	d := t.TempDir()
	gittest.Must(t, d, "clone", "-q", strings.TrimSuffix(tc2.gitURL("alice", key, "hello"), ".git")+"/0.1.0.git", "v")
	if head := gittest.Must(t, filepath.Join(d, "v"), "rev-parse", "HEAD"); head != pub.VersionInfo.GitHash {
		t.Fatalf("version clone at %s, want %s", head, pub.VersionInfo.GitHash)
	}
}
