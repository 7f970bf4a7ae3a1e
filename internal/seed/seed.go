// Package seed fills an Algorithmia cluster the way a team would, through its API and Git:
// users, an organization with a CI service account and its key, and algorithms with
// published versions. The acceptance-test harness (internal/acctest) and the demo
// (internal/cmd/algorithmia-demo) share it. It imports nothing from Terraform, returns
// errors rather than failing tests, and never deletes anything.
package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
)

// Team is an organization with its people, one of whom is the CI service account that
// promotion pipelines run as.
type Team struct {
	// Organization is created with the "basic" type unless TypeID is set.
	Organization algorithmia.OrganizationRequest
	People       []algorithmia.CreateUserRequest
	// Members are the usernames added to the organization.
	Members        []string
	ServiceAccount string
}

// Acme is the team the demo and the promotion tests seed on dev: alice, bob and the
// service account acme_ci; alice and acme_ci are members of the organization acme.
var Acme = Team{
	Organization: algorithmia.OrganizationRequest{OrgName: "acme", OrgLabel: "Acme ML", OrgContactName: "Alice Example", OrgEmail: "ml@acme.io"},
	People: []algorithmia.CreateUserRequest{
		{Username: "alice", Email: "alice@acme.io", Fullname: "Alice Example", CompanyName: "Acme", CompanyRole: "Data scientist"},
		{Username: "bob", Email: "bob@acme.io", Fullname: "Bob Example", CompanyName: "Acme", CompanyRole: "ML engineer"},
		{Username: "acme_ci", Email: "ci@acme.io", Fullname: "Acme CI", CompanyName: "Acme", CompanyRole: "Service account"},
	},
	Members:        []string{"alice", "acme_ci"},
	ServiceAccount: "acme_ci",
}

// Create makes the team's users and organization on the cluster of admin (an admin-key
// client) and gives the service account a key with the value ciKey that may manage the
// organization's algorithms and read and write its data.
func (t Team) Create(ctx context.Context, admin *algorithmia.Client, ciKey string) error {
	for _, u := range t.People {
		if _, err := admin.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create user %s: %w", u.Username, err)
		}
	}
	if err := Organization(ctx, admin, t.Organization, t.Members...); err != nil {
		return err
	}
	if _, err := admin.CreateUserAPIKey(ctx, t.ServiceAccount, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "promotion pipeline", KeyType: algorithmia.KeyTypeAlgorithm, APIKey: ciKey,
		Permissions: &algorithmia.AuthPermissions{AllowAlgoManagement: true, AllowData: true, AllowDataWrite: true, AlgoACL: []string{}},
	}); err != nil {
		return fmt.Errorf("create the key of %s: %w", t.ServiceAccount, err)
	}
	return nil
}

// Organization creates org (of type "basic" unless org.TypeID is set) with admin, an
// admin-key client, and adds members to it.
func Organization(ctx context.Context, admin *algorithmia.Client, org algorithmia.OrganizationRequest, members ...string) error {
	if org.TypeID == "" {
		types, err := admin.ListOrganizationTypes(ctx)
		if err != nil {
			return fmt.Errorf("organization types: %w", err)
		}
		for _, t := range types {
			if t.Name == "basic" {
				org.TypeID = t.ID
			}
		}
	}
	if _, err := admin.CreateOrganization(ctx, org); err != nil {
		return fmt.Errorf("create organization %s: %w", org.OrgName, err)
	}
	for _, m := range members {
		if _, err := admin.AddOrganizationMember(ctx, org.OrgName, m); err != nil {
			return fmt.Errorf("add %s to %s: %w", m, org.OrgName, err)
		}
	}
	return nil
}

// EnvironmentID returns the ID of the environment of language with that display name, as
// c's user sees it. IDs differ between clusters; names do not.
func EnvironmentID(ctx context.Context, c *algorithmia.Client, language, display string) (string, error) {
	envs, err := c.ListEnvironments(ctx, language)
	if err != nil {
		return "", fmt.Errorf("environments of %s: %w", language, err)
	}
	for _, e := range envs {
		if e.DisplayName == display {
			return e.ID, nil
		}
	}
	return "", fmt.Errorf("no %q environment for %s", display, language)
}

// CreateAlgorithm creates owner/name as c's user: private, closed source, isolated, in
// the environment envID, labelled after its name and with the given tagline.
func CreateAlgorithm(ctx context.Context, c *algorithmia.Client, owner, name, envID, tagline string) error {
	if _, err := c.CreateAlgorithm(ctx, owner, algorithmia.CreateAlgorithmRequest{
		Name:    name,
		Details: algorithmia.Details{Label: strings.ToUpper(name[:1]) + name[1:], Tagline: tagline},
		Settings: algorithmia.CreateSettings{
			AlgorithmEnvironment: envID, License: "apl", NetworkAccess: "isolated", SourceVisibility: "closed",
			AlgorithmCallability: "private",
		},
	}); err != nil {
		return fmt.Errorf("create algorithm %s/%s: %w", owner, name, err)
	}
	return nil
}

// Publish pushes commit onto the repository at git (owner/name's), waits for the build of
// the new commit with c and publishes it with info. It returns the commit.
func Publish(ctx context.Context, c *algorithmia.Client, git gitpush.Target, owner, name string, commit gitpush.Commit, info algorithmia.PublishVersionInfo) (string, error) {
	sha, err := gitpush.Push(ctx, git, commit)
	if err != nil {
		return "", fmt.Errorf("push to %s/%s: %w", owner, name, err)
	}
	b, err := c.WaitForBuild(ctx, owner, name, sha, algorithmia.WaitOptions{})
	if err != nil {
		return "", fmt.Errorf("build of %s/%s at %s: %w", owner, name, sha, err)
	}
	if b.Status != algorithmia.BuildStatusSucceeded {
		return "", fmt.Errorf("build %s of %s/%s at %s: %s", b.BuildID, owner, name, sha, b.Status)
	}
	if _, err := c.PublishCommit(ctx, owner, name, sha, info); err != nil {
		return "", fmt.Errorf("publish %s/%s at %s: %w", owner, name, sha, err)
	}
	return sha, nil
}
