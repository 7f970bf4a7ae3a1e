package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
)

// Seeding dev: the team, the organization and its algorithms, through the API and Git.

// seedAlgorithm is one dev algorithm: its runtime (by name, as on every cluster) and source.
type seedAlgorithm struct {
	name, language, environment string
	files                       func(greeting string) map[string][]byte
}

var seedAlgorithms = []seedAlgorithm{
	{"hello", "python3", "Python 3.8", pythonSource("hello")},
	{"sentiment", "python3", "Python 3.9", pythonSource("sentiment")},
	{"wordcount", "java11", "Java 11", javaSource("wordcount")},
}

func (d *demo) startAndSeed() error {
	var err error
	if d.dev, err = startCluster(d.o, "dev"); err != nil {
		return err
	}
	for _, r := range d.regions {
		if r.cluster, err = startCluster(d.o, r.name); err != nil {
			return err
		}
		r.ciKey = "sim" + randomHex(16)
	}
	fmt.Printf("    dev:     %s\n", d.dev.url)
	for _, r := range d.regions {
		fmt.Printf("    %-8s %s\n", r.name+":", r.cluster.url)
	}
	ctx := context.Background()
	admin, err := algorithmia.New(algorithmia.Config{BaseURL: d.dev.url, AdminAPIKey: d.dev.adminKey})
	if err != nil {
		return err
	}
	people := []algorithmia.CreateUserRequest{
		{Username: "alice", Email: "alice@acme.io", Fullname: "Alice Example", CompanyName: "Acme", CompanyRole: "Data scientist"},
		{Username: "bob", Email: "bob@acme.io", Fullname: "Bob Example", CompanyName: "Acme", CompanyRole: "ML engineer"},
		{Username: serviceAccount, Email: "ci@acme.io", Fullname: "Acme CI", CompanyName: "Acme", CompanyRole: "Service account"},
	}
	for _, u := range people {
		if _, err := admin.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create user %s on dev: %w", u.Username, err)
		}
	}
	types, err := admin.ListOrganizationTypes(ctx)
	if err != nil {
		return err
	}
	typeID := ""
	for _, t := range types {
		if t.Name == "basic" {
			typeID = t.ID
		}
	}
	if _, err := admin.CreateOrganization(ctx, algorithmia.OrganizationRequest{
		OrgName: organization, OrgLabel: "Acme ML", OrgContactName: "Alice Example", OrgEmail: "ml@acme.io", TypeID: typeID,
	}); err != nil {
		return fmt.Errorf("create organization on dev: %w", err)
	}
	for _, m := range []string{"alice", serviceAccount} {
		if _, err := admin.AddOrganizationMember(ctx, organization, m); err != nil {
			return err
		}
	}
	d.devCIKey = "sim" + randomHex(16)
	if _, err := admin.CreateUserAPIKey(ctx, serviceAccount, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "promotion pipeline", KeyType: algorithmia.KeyTypeAlgorithm, APIKey: d.devCIKey,
		Permissions: &algorithmia.AuthPermissions{AllowAlgoManagement: true, AllowData: true, AllowDataWrite: true, AlgoACL: []string{}},
	}); err != nil {
		return err
	}
	if d.devCI, err = algorithmia.New(algorithmia.Config{BaseURL: d.dev.url, APIKey: d.devCIKey}); err != nil {
		return err
	}
	fmt.Printf("    users alice, bob, %s; organization %s\n", serviceAccount, organization)
	for _, a := range seedAlgorithms {
		sha, err := d.seedAlgorithm(ctx, a)
		if err != nil {
			return fmt.Errorf("seed %s/%s: %w", organization, a.name, err)
		}
		d.versions[a.name] = "1.0.0"
		fmt.Printf("    %s/%s (%s, %s): published 1.0.0 at %s\n", organization, a.name, a.language, a.environment, sha[:12])
	}
	return nil
}

// seedAlgorithm creates an algorithm on dev, pushes its source and publishes 1.0.0.
func (d *demo) seedAlgorithm(ctx context.Context, a seedAlgorithm) (string, error) {
	envs, err := d.devCI.ListEnvironments(ctx, a.language)
	if err != nil {
		return "", err
	}
	envID := ""
	for _, e := range envs {
		if e.DisplayName == a.environment {
			envID = e.ID
		}
	}
	if envID == "" {
		return "", fmt.Errorf("dev has no %q environment for %s", a.environment, a.language)
	}
	if _, err := d.devCI.CreateAlgorithm(ctx, organization, algorithmia.CreateAlgorithmRequest{
		Name:    a.name,
		Details: algorithmia.Details{Label: strings.ToUpper(a.name[:1]) + a.name[1:], Tagline: "Seeded by the demo"},
		Settings: algorithmia.CreateSettings{
			AlgorithmEnvironment: envID, License: "apl", NetworkAccess: "isolated", SourceVisibility: "closed",
			PipelineEnabled: false, AlgorithmCallability: "private",
		},
	}); err != nil {
		return "", err
	}
	return d.pushAndPublish(ctx, a, "Hello", "Initial implementation", algorithmia.VersionTypeMajor)
}

// pushAndPublish pushes a source tree to dev as the service account, waits for the build
// and publishes it.
func (d *demo) pushAndPublish(ctx context.Context, a seedAlgorithm, greeting, message, versionType string) (string, error) {
	sha, err := gitpush.Push(ctx, gitpush.Target{URL: d.dev.url + "/git/" + organization + "/" + a.name + ".git", Username: serviceAccount, Password: d.devCIKey}, gitpush.Commit{
		Files: a.files(greeting), Message: message, Author: "Alice Example", Email: "alice@acme.io",
	})
	if err != nil {
		return "", err
	}
	b, err := d.devCI.WaitForBuild(ctx, organization, a.name, sha, algorithmia.WaitOptions{})
	if err != nil {
		return "", err
	}
	if b.Status != algorithmia.BuildStatusSucceeded {
		return "", fmt.Errorf("build %s of %s failed", b.BuildID, sha)
	}
	if _, err := d.devCI.PublishCommit(ctx, organization, a.name, sha, algorithmia.PublishVersionInfo{
		VersionType: versionType, ReleaseNotes: message,
	}); err != nil {
		return "", err
	}
	return sha, nil
}
