package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// stringOrNull is the knownvalue check of an optional string the provider maps "" to null.
func stringOrNull(s string) knownvalue.Check {
	if s == "" {
		return knownvalue.Null()
	}
	return knownvalue.StringExact(s)
}

// listedAlgorithm is what algorithmia_algorithms must report of owner/name, read from the
// cluster's algorithm and versions routes.
func listedAlgorithm(t *testing.T, c *acctest.Cluster, client *algorithmia.Client, owner, name string) knownvalue.Check {
	t.Helper()
	ctx := context.Background()
	a, err := client.GetAlgorithm(ctx, owner, name)
	if err != nil {
		t.Fatal(err)
	}
	published := true
	versions, err := client.ListVersions(ctx, owner, name, algorithmia.VersionFilter{Published: &published}, algorithmia.ListOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	latest, latestHash, buildCommit := "", "", ""
	if len(versions.Results) > 0 {
		latest, latestHash = versions.Results[0].VersionInfo.SemanticVersion, versions.Results[0].VersionInfo.GitHash
	}
	if a.VersionInfo != nil {
		buildCommit = a.VersionInfo.GitHash
	}
	s := a.Settings
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id": knownvalue.StringExact(owner + "/" + name), "owner": knownvalue.StringExact(owner), "name": knownvalue.StringExact(name),
		"algorithm_id": knownvalue.StringExact(a.ID),
		"details": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"label": knownvalue.StringExact(a.Details.Label), "summary": knownvalue.StringExact(a.Details.Summary),
			"tagline": knownvalue.StringExact(a.Details.Tagline),
		}),
		"settings": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"language": stringOrNull(s.Language), "environment": stringOrNull(s.Environment),
			"algorithm_environment": stringOrNull(s.AlgorithmEnvironment), "license": knownvalue.StringExact(s.License),
			"network_access": knownvalue.StringExact(s.NetworkAccess), "pipeline_enabled": knownvalue.Bool(s.PipelineEnabled),
			"source_visibility": knownvalue.StringExact(s.SourceVisibility), "algorithm_callability": knownvalue.StringExact(s.AlgorithmCallability),
		}),
		"git_url":                 knownvalue.StringExact(c.URL + "/git/" + owner + "/" + name + ".git"),
		"package_set":             stringOrNull(s.PackageSet),
		"latest_build_commit":     stringOrNull(buildCommit),
		"latest_version":          stringOrNull(latest),
		"latest_version_git_hash": stringOrNull(latestHash),
		"head_commit":             knownvalue.Null(), // read only with read_heads
		"head_tree":               knownvalue.Null(),
		// These algorithms are on the internal SCM, as the cluster says.
		"source": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"scm_id": knownvalue.StringExact(a.Source.SCM.ID), "repository_owner": knownvalue.Null(), "repository_name": knownvalue.Null(),
		}),
		"repository_https_url": knownvalue.Null(),
	})
}

// The listing of a user's and an organization's algorithms (a bare array on the
// platform, not paged) reads each algorithm in full, with its latest published version,
// filters by name, and gives an empty list for an owner without algorithms. The cluster
// lets only the owner, members of the owning organization and admins list them.
func TestAccAlgorithms_listingAndFilters(t *testing.T) {
	dev, _ := acctest.Shared(t)
	ctx := context.Background()
	u := dev.NewUser(t, "algos")
	org, emptyOrg := acctest.RandomName("algorg"), acctest.RandomName("noalgos")
	dev.NewOrganization(t, org, u)
	dev.NewOrganization(t, emptyOrg, u)

	alpha := u.PublishAlgorithm(t, "alpha") // language model, published 0.1.0
	envs, err := u.Client.ListEnvironments(ctx, "python3")
	if err != nil || len(envs) == 0 {
		t.Fatalf("environments: %v, %v", envs, err)
	}
	envSettings := algorithmia.CreateSettings{AlgorithmEnvironment: envs[0].ID, License: "mit", NetworkAccess: "isolated",
		SourceVisibility: "open", AlgorithmCallability: "private"}
	for _, seed := range []struct{ owner, name string }{{u.Name, "beta"}, {u.Name, "test_tmp"}, {org, "orgalgo"}} {
		// Environment model, never built nor published.
		if _, err := u.Client.CreateAlgorithm(ctx, seed.owner, algorithmia.CreateAlgorithmRequest{
			Name: seed.name, Details: algorithmia.Details{Label: "Label of " + seed.name, Tagline: "seeded"}, Settings: envSettings,
		}); err != nil {
			t.Fatal(err)
		}
	}

	mine := "data.algorithmia_algorithms.mine"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + `
data "algorithmia_algorithms" "mine" {
  owner         = "` + u.Name + `"
  exclude_names = ["test_tmp"]
}

data "algorithmia_algorithms" "b_only" {
  owner      = "` + u.Name + `"
  name_regex = "^b"
}

data "algorithmia_algorithms" "org" {
  owner = "` + org + `"
}

data "algorithmia_algorithms" "empty" {
  owner = "` + emptyOrg + `"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("algorithms"), knownvalue.ListExact([]knownvalue.Check{
					listedAlgorithm(t, dev, u.Client, u.Name, "alpha"), listedAlgorithm(t, dev, u.Client, u.Name, "beta"),
				})),
				// The two runtime models, and a published version next to none.
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("algorithms").AtSliceIndex(0).AtMapKey("settings").AtMapKey("language"), knownvalue.StringExact("python3-1")),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("algorithms").AtSliceIndex(0).AtMapKey("latest_version"), knownvalue.StringExact("0.1.0")),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("algorithms").AtSliceIndex(0).AtMapKey("latest_version_git_hash"), knownvalue.StringExact(alpha.VersionInfo.GitHash)),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("algorithms").AtSliceIndex(1).AtMapKey("settings").AtMapKey("algorithm_environment"), knownvalue.StringExact(envs[0].ID)),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("algorithms").AtSliceIndex(1).AtMapKey("latest_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.algorithmia_algorithms.b_only", tfjsonpath.New("algorithms"), knownvalue.ListExact([]knownvalue.Check{
					listedAlgorithm(t, dev, u.Client, u.Name, "beta"),
				})),
				statecheck.ExpectKnownValue("data.algorithmia_algorithms.org", tfjsonpath.New("algorithms"), knownvalue.ListExact([]knownvalue.Check{
					listedAlgorithm(t, dev, u.Client, org, "orgalgo"),
				})),
				statecheck.ExpectKnownValue("data.algorithmia_algorithms.empty", tfjsonpath.New("algorithms"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.algorithmia_algorithms.empty", tfjsonpath.New("id"), knownvalue.StringExact(emptyOrg)),
			},
		}, {
			// read_heads adds each head of master and its tree, read over Git.
			Config: dev.ProviderBlock("", u, false) + `
data "algorithmia_algorithms" "alpha" {
  owner      = "` + u.Name + `"
  name_regex = "^alpha$"
  read_heads = true
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.algorithmia_algorithms.alpha", tfjsonpath.New("algorithms").AtSliceIndex(0).AtMapKey("head_commit"),
					knownvalue.StringExact(u.Log(t, dev, u.Name, "alpha")[0])),
				statecheck.ExpectKnownValue("data.algorithmia_algorithms.alpha", tfjsonpath.New("algorithms").AtSliceIndex(0).AtMapKey("head_tree"),
					knownvalue.StringExact(u.TreeOf(t, dev, u.Name, "alpha", u.Log(t, dev, u.Name, "alpha")[0]))),
			},
		}, {
			// Without a username there is nothing to authenticate to Git with.
			Config: `
provider "algorithmia" {
  api_address = "` + dev.URL + `"
  api_key     = "` + u.Key + `"
}

data "algorithmia_algorithms" "no_git" {
  owner      = "` + u.Name + `"
  read_heads = true
}
`,
			ExpectError: wrapped(`read_heads reads each repository over Git, which needs the provider's username`),
		}, {
			Config:      dev.ProviderBlock("", u, false) + `data "algorithmia_algorithms" "bad" { owner = "nobody_here" }`,
			ExpectError: wrapped(`No user or organization nobody_here exists`),
		}},
	})
}
