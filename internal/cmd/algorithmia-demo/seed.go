package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gitpush"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localproc"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/seed"
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
	if err := d.startClusters(); err != nil {
		return err
	}
	ctx := context.Background()
	admin, err := algorithmia.New(algorithmia.Config{BaseURL: d.dev.url, AdminAPIKey: d.dev.adminKey})
	if err != nil {
		return err
	}
	d.devCIKey = "sim" + localproc.RandomHex(16)
	if err := seed.Acme.Create(ctx, admin, d.devCIKey); err != nil {
		return fmt.Errorf("seed dev: %w", err)
	}
	if d.devCI, err = algorithmia.New(algorithmia.Config{BaseURL: d.dev.url, APIKey: d.devCIKey}); err != nil {
		return err
	}
	users := make([]string, len(seed.Acme.People))
	for i, u := range seed.Acme.People {
		users[i] = u.Username
	}
	fmt.Printf("    users %s; organization %s\n", strings.Join(users, ", "), organization)
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
	envID, err := seed.EnvironmentID(ctx, d.devCI, a.language, a.environment)
	if err != nil {
		return "", err
	}
	if err := seed.CreateAlgorithm(ctx, d.devCI, organization, a.name, envID, "Seeded by the demo"); err != nil {
		return "", err
	}
	return d.pushAndPublish(ctx, a, "Hello", "Initial implementation", algorithmia.VersionTypeMajor)
}

// pushAndPublish pushes a source tree to dev as the service account, waits for the build
// and publishes it, with the commit message as release notes.
func (d *demo) pushAndPublish(ctx context.Context, a seedAlgorithm, greeting, message, versionType string) (string, error) {
	return seed.Publish(ctx, d.devCI,
		gitpush.Target{URL: d.dev.url + "/git/" + organization + "/" + a.name + ".git", Username: serviceAccount, Password: d.devCIKey},
		organization, a.name,
		gitpush.Commit{Files: a.files(greeting), Message: message, Author: "Alice Example", Email: "alice@acme.io"},
		algorithmia.PublishVersionInfo{VersionType: versionType, ReleaseNotes: message})
}
