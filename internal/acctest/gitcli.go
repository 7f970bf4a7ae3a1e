package acctest

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// FsckClone clones owner/name from the cluster with the git CLI as this user,
// runs `git fsck --full --strict` on the clone, and returns the tree of its
// master. It checks what the real git makes of the objects the cluster
// received (the engine writes its own packs), not only what go-git reads.
func (u *User) FsckClone(t testing.TB, c *Cluster, owner, name string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not found")
	}
	dir := t.TempDir()
	// The key travels in a header, never in the URL, so no error message shows it.
	cfg := []string{"-c", "http.extraHeader=Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.Name+":"+u.Key))}
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_TERMINAL_PROMPT=0")
	if c.CAPEM != "" {
		ca := filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(ca, []byte(c.CAPEM), 0o600); err != nil {
			t.Fatal(err)
		}
		// GIT_SSL_CAINFO, when the environment sets it, wins over http.sslCAInfo: set both.
		cfg = append(cfg, "-c", "http.sslCAInfo="+ca)
		env = append(env, "GIT_SSL_CAINFO="+ca)
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append(cfg, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s of %s/%s on %s: %v\n%s", args[0], owner, name, c.Name, err, strings.ReplaceAll(string(out), u.Key, "<key>"))
		}
		return strings.TrimSpace(string(out))
	}
	clone := filepath.Join(dir, "clone.git")
	git("clone", "-q", "--bare", c.GitURL(owner, name), clone)
	git("--git-dir="+clone, "fsck", "--full", "--strict", "--no-progress")
	return git("--git-dir="+clone, "rev-parse", "master^{tree}")
}
