package localcluster

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// TestLargePushWithGitCLI pushes 20 MiB of incompressible files with the git
// CLI at its default settings. Above http.postBuffer (1 MiB) git sends the
// pack with a chunked body, which net/http/cgi alone refuses with 400; the
// platform's migration script pushes real repositories this way.
func TestLargePushWithGitCLI(t *testing.T) {
	tc := newTestCluster(t)
	tc.addUser("alice")
	// The key is the password; "/", "+" and "=" travel percent-encoded.
	key := "simLarge/push+key=="
	tc.must(200, "POST", "/v1/admin/users/alice/keys", testAdminKey, map[string]any{
		"key_type": "AlgorithmKey", "api_key": key,
		"permissions": map[string]any{"allow_algo": true, "allow_web_algo": false, "allow_data": false, "allow_data_write": false, "allow_algo_management": true, "algo_acl": []string{"algo://*"}},
	}, nil)
	tc.addAlgo(key, "hello")

	dir := t.TempDir()
	gittest.Must(t, dir, "clone", "-q", tc.gitURL("alice", url.QueryEscape(key), "hello"), "w")
	w := filepath.Join(dir, "w")
	const files, size = 4, 5 << 20 // 20 MiB in all
	if err := os.MkdirAll(filepath.Join(w, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range files {
		f, err := os.Create(filepath.Join(w, "data", fmt.Sprintf("blob%d.bin", i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(f, rand.Reader, size); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Must(t, w, "add", "-A")
	gittest.Must(t, w, "commit", "-q", "-m", "large files")
	if out, err := gittest.Run(t, w, "push", "origin", "master"); err != nil {
		t.Fatalf("push of 20 MiB: %v\n%s", err, out)
	}
	sha := gittest.Must(t, w, "rev-parse", "HEAD")
	tree := gittest.Must(t, w, "rev-parse", "HEAD^{tree}")

	// The server's master and tree are the pushed ones, and the objects are whole.
	bare := filepath.Join(tc.dir, "git", "alice", "hello.git")
	if got := gittest.Must(t, bare, "rev-parse", "master"); got != sha {
		t.Fatalf("server master %s, pushed %s", got, sha)
	}
	if got := gittest.Must(t, bare, "rev-parse", "master^{tree}"); got != tree {
		t.Fatalf("server tree %s, pushed %s", got, tree)
	}
	ls := gittest.Must(t, bare, "ls-tree", "-r", "-l", "master", "data/")
	if n := strings.Count(ls, "5242880\t"); n != files {
		t.Fatalf("server has %d files of 5 MiB under data/, want %d:\n%s", n, files, ls)
	}
	gittest.Must(t, bare, "fsck", "--no-progress")

	// A build started as for any push.
	var builds pagedBuilds
	tc.must(200, "GET", "/v1/algorithms/alice/hello/builds", key, nil, &builds)
	if len(builds.Results) != 1 || builds.Results[0].CommitSHA != sha {
		t.Fatalf("builds after the push: %+v, want one of %s", builds.Results, sha)
	}
	// No spooled request body is left behind.
	left, err := os.ReadDir(filepath.Join(tc.dir, "git", ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("work area not cleaned: %v", left)
	}
}
