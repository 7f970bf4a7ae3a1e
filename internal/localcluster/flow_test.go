package localcluster

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// TestPushBuildPublishClone follows an algorithm from creation to a cloned
// published version.
func TestPushBuildPublishClone(t *testing.T) {
	tc := newTestCluster(t)
	key := tc.addUser("alice")
	a := tc.addAlgo(key, "hello")
	if a.ID == "" || a.Build != nil || a.Settings.AlgorithmCallability != "private" {
		t.Fatalf("new algorithm: %+v", a)
	}

	sha := tc.cloneAndPush(key, func(dir string) {
		gittest.WriteFile(t, filepath.Join(dir, "src", "hello.py"), "def apply(input):\n    return 'hi ' + input\n")
	})
	// The build record exists as soon as the push returns.
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds", key, nil, &builds)
	if len(builds.Results) != 1 || builds.Results[0].CommitSHA != sha {
		t.Fatalf("builds right after push: %+v", builds.Results)
	}
	b := tc.waitBuildStatus(key, builds.Results[0].BuildID)
	if b.Status != buildSucceeded || b.FinishedAt == "" {
		t.Fatalf("build: %+v", b)
	}
	var logs map[string]string
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds/"+b.BuildID+"/logs", key, nil, &logs)
	if !strings.Contains(logs["logs"], "succeeded") {
		t.Errorf("logs: %q", logs["logs"])
	}

	var v algorithmJSON
	tc.must(200, "POST", "/v1/algorithms/alice/hello/versions", key, map[string]any{
		"version_info": map[string]any{"version_type": "minor", "release_notes": "first"},
	}, &v)
	if v.VersionInfo.SemanticVersion != "0.1.0" || v.VersionInfo.GitHash != sha || v.Build.VersionInfo == nil {
		t.Fatalf("published: %+v / %+v", v.VersionInfo, v.Build)
	}
	tc.wantError(400, codeVersionAlreadyPublished, "POST", "/v1/algorithms/alice/hello/version", key, map[string]any{})

	dir := t.TempDir()
	url := strings.TrimSuffix(tc.gitURL("alice", key, "hello"), ".git") + "/0.1.0.git"
	gittest.Must(t, dir, "clone", "-q", url, "v")
	if got := gittest.Must(t, filepath.Join(dir, "v"), "rev-parse", "HEAD"); got != sha {
		t.Fatalf("published clone at %s, want %s", got, sha)
	}
}

type pagedBuilds struct {
	Marker   *string     `json:"marker"`
	NextLink *string     `json:"next_link"`
	Results  []buildJSON `json:"results"`
}
