package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// The organizations listing follows the markers of GET /v1/organizations and of each
// organization's members route across many pages (the cluster pages by 2 here), filters
// by name, and reports what the cluster's API reports.
func TestAccOrganizations_pagingAndFilters(t *testing.T) {
	c := acctest.NewCluster(t, "orgpages", acctest.Options{PageSize: 2})
	users := []*acctest.User{c.NewUser(t, "ann"), c.NewUser(t, "bob"), c.NewUser(t, "cy"), c.NewUser(t, "dee"), c.NewUser(t, "eve")}
	prefix := acctest.RandomName("org")
	names := make([]string, 6)
	for i := range names {
		names[i] = fmt.Sprintf("%s_%d", prefix, i)
		c.NewOrganization(t, names[i], users[:i%len(users)]...)
	}
	c.NewOrganization(t, "system_org") // left out by the regex
	excluded := names[5]

	// The cluster's own answer, in one page: the data source must agree with it.
	ctx := context.Background()
	page, err := c.Admin.ListOrganizations(ctx, algorithmia.ListOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if page.NextMarker() != "" {
		t.Fatal("one page of 1000 should hold every organization")
	}
	members, err := c.Admin.ListOrganizationMembers(ctx, names[4], algorithmia.ListOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(members.Results) != 4 {
		t.Fatalf("%s has %d members on the cluster, want 4", names[4], len(members.Results))
	}
	sort.Slice(members.Results, func(i, j int) bool { return members.Results[i].Username < members.Results[j].Username })
	org4, err := c.Admin.GetOrganization(ctx, names[4])
	if err != nil {
		t.Fatal(err)
	}

	mine := "data.algorithmia_organizations.mine"
	memberChecks := make([]knownvalue.Check, len(members.Results))
	for i, m := range members.Results {
		memberChecks[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"username": knownvalue.StringExact(m.Username), "role": knownvalue.StringExact(m.Role),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      c.ProviderBlock("", nil, true) + `data "algorithmia_organizations" "bad" { name_regex = "(" }`,
			ExpectError: regexp.MustCompile(`Invalid regular expression`),
		}, {
			Config: c.ProviderBlock("", nil, true) + fmt.Sprintf(`
data "algorithmia_organizations" "all" {}

data "algorithmia_organizations" "mine" {
  name_regex    = "^%s_"
  exclude_names = [%q]
}

data "algorithmia_organizations" "none" {
  name_regex = "^no_such_org$"
}
`, prefix, excluded),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.algorithmia_organizations.all", tfjsonpath.New("organizations"), knownvalue.ListSizeExact(len(page.Results))),
				statecheck.ExpectKnownValue("data.algorithmia_organizations.all", tfjsonpath.New("organizations").AtSliceIndex(len(page.Results)-1).AtMapKey("org_name"), knownvalue.StringExact("system_org")),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("organizations"), knownvalue.ListSizeExact(5)),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("organizations").AtSliceIndex(0).AtMapKey("members"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(mine, tfjsonpath.New("organizations").AtSliceIndex(4), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":               knownvalue.StringExact(names[4]),
					"org_name":         knownvalue.StringExact(names[4]),
					"org_label":        knownvalue.StringExact(org4.OrgLabel),
					"org_contact_name": knownvalue.StringExact(org4.OrgContactName),
					"org_email":        knownvalue.StringExact(org4.OrgEmail),
					"org_url":          knownvalue.Null(),
					"type":             knownvalue.StringExact("basic"),
					"type_id":          knownvalue.StringExact(org4.TypeID),
					"org_id":           knownvalue.StringExact(org4.ID),
					"self_link":        knownvalue.StringExact(org4.SelfLink),
					"members":          knownvalue.ListExact(memberChecks), // 4 members: two pages of 2
				})),
				statecheck.ExpectKnownValue("data.algorithmia_organizations.none", tfjsonpath.New("organizations"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}
