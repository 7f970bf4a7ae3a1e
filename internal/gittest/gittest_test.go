package gittest

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCommitWithIsolatedConfig(t *testing.T) {
	dir := t.TempDir()
	Must(t, dir, "init", "-q", "-b", "master")
	WriteFile(t, filepath.Join(dir, "a", "b.txt"), "hello\n")
	Must(t, dir, "add", "-A")
	Must(t, dir, "commit", "-qm", "first")
	if got := Must(t, dir, "log", "-1", "--format=%an <%ae>|%s"); got != "Tester <tester@example.com>|first" {
		t.Fatalf("commit = %q", got)
	}
	if out, err := Run(t, dir, "config", "--global", "user.name"); err == nil || strings.TrimSpace(out) != "" {
		t.Fatalf("a global config leaked in: %q, %v", out, err)
	}
}
