package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

// The per-region table, checked against each cluster.

// regionTable prints, for each algorithm, the pinned dev version and what every region
// serves for it, from the promote-ha output; it checks each region's row against the
// cluster itself (latest published version from the API, head of master and its tree from
// Git) and fails unless every region serves dev's tree.
func (d *demo) regionTable() error {
	cmd := exec.Command(d.o.terraform, "output", "-json", "regions")
	cmd.Dir, cmd.Env = d.ha, d.tfEnv
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("terraform output regions: %w", err)
	}
	type promoted struct {
		SourceCommit     string `json:"source_commit"`
		SourceTree       string `json:"source_tree"`
		Commit           string `json:"commit"`
		Tree             string `json:"tree"`
		PublishedVersion string `json:"published_version"`
	}
	var regions map[string]map[string]promoted
	if err := json.Unmarshal(out, &regions); err != nil {
		return fmt.Errorf("terraform output regions: %w", err)
	}
	ctx := context.Background()
	row := func(algorithm, cluster, version, commit, tree, note string) {
		fmt.Println(strings.TrimRight(fmt.Sprintf("    %-10s %-8s %-8s %-12s %-12s %s", algorithm, cluster, version, commit, tree, note), " "))
	}
	fmt.Println()
	row("algorithm", "cluster", "version", "commit", "tree", "")
	var mismatch []string
	for _, a := range seedAlgorithms {
		first := regions[d.regions[0].output][a.name]
		if err := d.confirmDevTree(ctx, a.name, first.SourceCommit, first.SourceTree); err != nil {
			return err
		}
		row(a.name, "dev", d.versions[a.name], short(first.SourceCommit), short(first.SourceTree), "")
		equal := true
		for _, r := range d.regions {
			p, ok := regions[r.output][a.name]
			if !ok {
				return fmt.Errorf("output regions has no %s in %s", a.name, r.output)
			}
			if err := r.confirm(ctx, a.name, p.PublishedVersion, p.Commit, p.Tree); err != nil {
				return err
			}
			if p.SourceCommit != first.SourceCommit || p.Tree != first.SourceTree {
				equal = false
			}
			last := ""
			if r == d.regions[len(d.regions)-1] {
				last = map[bool]string{true: "trees equal: yes", false: "trees equal: NO"}[equal]
			}
			row("", r.name, p.PublishedVersion, short(p.Commit), short(p.Tree), last)
		}
		if !equal {
			mismatch = append(mismatch, a.name)
		}
	}
	fmt.Println("\n    A region's commit is not dev's: the promotion commits dev's tree on the region's own history,")
	fmt.Println("    and every cluster numbers its versions itself.")
	if len(mismatch) > 0 {
		return fmt.Errorf("the regions do not all serve dev's tree for %s", strings.Join(mismatch, ", "))
	}
	return nil
}

// confirm checks that the region itself serves what the Terraform output says: version
// as its latest published version, commit at the head of master, with tree.
func (r *region) confirm(ctx context.Context, algorithm, version, commit, tree string) error {
	client, err := algorithmia.New(algorithmia.Config{BaseURL: r.cluster.url, APIKey: r.ciKey})
	if err != nil {
		return err
	}
	latest, err := client.LatestPublishedVersion(ctx, organization, algorithm)
	if err != nil {
		return fmt.Errorf("latest version of %s on %s: %w", algorithm, r.name, err)
	}
	if latest == nil || latest.VersionInfo.SemanticVersion != version || latest.VersionInfo.GitHash != commit {
		return fmt.Errorf("%s on %s: the output says version %s at %s, the cluster's latest published version is %+v", algorithm, r.name, version, commit, latest)
	}
	head, headTree, err := promote.HeadTree(ctx, promote.Remote{
		URL:  r.cluster.url + "/git/" + organization + "/" + algorithm + ".git",
		Auth: &promote.Credentials{Username: serviceAccount, Password: r.ciKey},
	}, promote.DefaultBranch)
	if err != nil {
		return fmt.Errorf("head of %s on %s: %w", algorithm, r.name, err)
	}
	if head != commit || headTree != tree {
		return fmt.Errorf("%s on %s: the output says commit %s with tree %s, Git has %s with tree %s", algorithm, r.name, commit, tree, head, headTree)
	}
	return nil
}

// confirmDevTree checks that dev's commit has the tree the promotion read for it.
func (d *demo) confirmDevTree(ctx context.Context, algorithm, commit, tree string) error {
	got, ok, err := promote.CommitTree(ctx, promote.Remote{
		URL:  d.dev.url + "/git/" + organization + "/" + algorithm + ".git",
		Auth: &promote.Credentials{Username: serviceAccount, Password: d.devCIKey},
	}, commit)
	if err != nil {
		return fmt.Errorf("tree of %s %s on dev: %w", algorithm, commit, err)
	}
	if !ok || got != tree {
		return fmt.Errorf("%s on dev: the output says commit %s has tree %s, Git has %q (found: %v)", algorithm, commit, tree, got, ok)
	}
	return nil
}

func short(sha string) string {
	if len(sha) < 12 {
		return sha
	}
	return sha[:12]
}
