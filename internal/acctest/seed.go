package acctest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// EnvironmentID returns the ID on c of the environment of language with that display name,
// as this user sees it.
func (u *User) EnvironmentID(t testing.TB, c *Cluster, language, display string) string {
	t.Helper()
	envs, err := u.Client.ListEnvironments(context.Background(), language)
	if err != nil {
		t.Fatalf("environments of %s on %s: %v", language, c.Name, err)
	}
	for _, e := range envs {
		if e.DisplayName == display {
			return e.ID
		}
	}
	t.Fatalf("%s has no %q environment for %s", c.Name, display, language)
	return ""
}

// SeedAlgorithm creates owner/name on c in the environment envID and publishes files as
// its version 1.0.0 (see PublishFiles). It returns the published commit.
func (u *User) SeedAlgorithm(t testing.TB, c *Cluster, owner, name, envID string, files map[string][]byte) string {
	t.Helper()
	if _, err := u.Client.CreateAlgorithm(context.Background(), owner, algorithmia.CreateAlgorithmRequest{
		Name:    name,
		Details: algorithmia.Details{Label: strings.ToUpper(name[:1]) + name[1:], Tagline: "seeded by the test harness"},
		Settings: algorithmia.CreateSettings{
			AlgorithmEnvironment: envID, License: "apl", NetworkAccess: "isolated", SourceVisibility: "closed",
			AlgorithmCallability: "private",
		},
	}); err != nil {
		t.Fatalf("seed algorithm %s/%s on %s: %v", owner, name, c.Name, err)
	}
	return u.PublishFiles(t, c, owner, name, algorithmia.VersionTypeMajor, files)
}

// PublishFiles pushes files onto master of owner/name as this user, waits for the build
// and publishes the commit as a new version of versionType. It returns the commit.
func (u *User) PublishFiles(t testing.TB, c *Cluster, owner, name, versionType string, files map[string][]byte) string {
	t.Helper()
	ctx := context.Background()
	sha := u.PushCommit(t, c, owner, name, Commit{Files: files, Message: "Implement " + name})
	if b, err := u.Client.WaitForBuild(ctx, owner, name, sha, algorithmia.WaitOptions{}); err != nil || b.Status != algorithmia.BuildStatusSucceeded {
		t.Fatalf("build of %s/%s on %s: %+v %v", owner, name, c.Name, b, err)
	}
	if _, err := u.Client.PublishCommit(ctx, owner, name, sha, algorithmia.PublishVersionInfo{VersionType: versionType}); err != nil {
		t.Fatalf("publish %s/%s on %s: %v", owner, name, c.Name, err)
	}
	return sha
}

// ObjectSHA256 downloads the file at p from c as this user and returns the sha256 of its bytes.
func (u *User) ObjectSHA256(t testing.TB, c *Cluster, p algorithmia.DataPath) string {
	t.Helper()
	obj, err := u.Client.GetObject(context.Background(), p)
	if err != nil {
		t.Fatalf("download %s from %s: %v", p, c.Name, err)
	}
	defer obj.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, obj.Body); err != nil {
		t.Fatalf("download %s from %s: %v", p, c.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
