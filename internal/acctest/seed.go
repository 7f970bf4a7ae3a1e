package acctest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/seed"
)

// EnvironmentID returns the ID on c of the environment of language with that display name,
// as this user sees it.
func (u *User) EnvironmentID(t testing.TB, c *Cluster, language, display string) string {
	t.Helper()
	id, err := seed.EnvironmentID(context.Background(), u.Client, language, display)
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	return id
}

// SeedAlgorithm creates owner/name on c in the environment envID and publishes files as
// its version 1.0.0 (see PublishFiles). It returns the published commit.
func (u *User) SeedAlgorithm(t testing.TB, c *Cluster, owner, name, envID string, files map[string][]byte) string {
	t.Helper()
	if err := seed.CreateAlgorithm(context.Background(), u.Client, owner, name, envID, "seeded by the test harness"); err != nil {
		t.Fatalf("seed on %s: %v", c.Name, err)
	}
	return u.PublishFiles(t, c, owner, name, algorithmia.VersionTypeMajor, files)
}

// PublishFiles pushes files onto master of owner/name as this user, waits for the build
// and publishes the commit as a new version of versionType. It returns the commit.
func (u *User) PublishFiles(t testing.TB, c *Cluster, owner, name, versionType string, files map[string][]byte) string {
	t.Helper()
	sha, err := seed.Publish(context.Background(), u.Client, u.gitTarget(c, owner, name), owner, name,
		u.commit(Commit{Files: files, Message: "Implement " + name}), algorithmia.PublishVersionInfo{VersionType: versionType})
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
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
