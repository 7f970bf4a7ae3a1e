// Command algorithmia-demo runs the product's main job end to end on this machine: it
// starts three local Algorithmia clusters ("dev", "prod-us" and "prod-eu"), seeds dev
// through its API the way a team would use it, bootstraps each production region with
// examples/promote-dev-to-prod/bootstrap, and promotes dev into both regions in one apply
// with examples/promote-ha (examples/modules/promote once per region). It ends with a
// per-region table of the versions, commits and trees each cluster serves. `make demo`
// builds the binaries and runs it.
//
// It never touches the user's own Terraform configuration: it writes its own CLI config
// (dev_overrides) and works in copies of the examples under the work directory.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/seed"
)

// The demo seeds and promotes the team the tests use.
var (
	organization   = seed.Acme.Organization.OrgName
	serviceAccount = seed.Acme.ServiceAccount
)

const steps = 7

type options struct {
	bin, work, terraform, examples string
	buildDuration                  time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", ".demo/bin", "directory holding terraform-provider-algorithmia and algorithmia-local")
	flag.StringVar(&o.work, "work", ".demo", "work directory: cluster data, Terraform state, CLI config")
	flag.StringVar(&o.terraform, "terraform", "terraform", "Terraform (or OpenTofu) CLI to run")
	flag.StringVar(&o.examples, "examples", "examples", "the examples directory (promote-ha, modules/, promote-dev-to-prod/bootstrap)")
	flag.DurationVar(&o.buildDuration, "build-duration", 500*time.Millisecond, "how long builds take on the local clusters")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "\nDEMO FAILED: %v\n", err)
		os.Exit(1)
	}
}

// region is one production cluster: its name in the demo, the workspace of its bootstrap
// state, the prefix of its promote-ha variables and output key, and the service account's
// key there.
type region struct {
	name, workspace, varPrefix, output string
	cluster                            *cluster
	ciKey                              string
}

// demo holds what the steps share.
type demo struct {
	o         options
	started   time.Time
	dev       *cluster
	regions   []*region
	devCI     *algorithmia.Client
	devCIKey  string
	tfEnv     []string
	versions  map[string]string // algorithm -> pinned dev version
	bootstrap string            // copy of promote-dev-to-prod/bootstrap
	ha        string            // copy of promote-ha
}

func run(o options) error {
	d := &demo{o: o, started: time.Now(), versions: map[string]string{}, regions: []*region{
		{name: "prod-us", workspace: "us", varPrefix: "prod_us", output: "us"},
		{name: "prod-eu", workspace: "eu", varPrefix: "prod_eu", output: "eu"},
	}}
	for _, p := range []*string{&d.o.bin, &d.o.work, &d.o.examples} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	defer d.stopClusters()

	for i, s := range []struct {
		title string
		f     func() error
	}{
		{"Check the binaries and the Terraform CLI", d.checkTools},
		{"Start clusters dev, prod-us and prod-eu; seed dev through its API", d.startAndSeed},
		{"terraform apply in promote-dev-to-prod/bootstrap, once per region (a workspace each)", d.bootstrapRegions},
		{"terraform apply in promote-ha: promote dev into prod-us and prod-eu in one apply", d.promoteAll},
		{"terraform plan again: nothing to do", d.planIsEmpty},
		{"Publish hello 1.1.0 on dev, pin it, plan and apply: one apply lands it in both regions", d.promoteNewVersion},
		{"Stop the clusters", d.finish},
	} {
		if err := d.step(i+1, s.title, s.f); err != nil {
			return err
		}
	}
	fmt.Printf("\nDemo finished in %s.\n", time.Since(d.started).Round(100*time.Millisecond))
	return nil
}

func (d *demo) step(n int, title string, f func() error) error {
	fmt.Printf("\n[%d/%d] %s\n", n, steps, title)
	start := time.Now()
	if err := f(); err != nil {
		return fmt.Errorf("step %d (%s): %w", n, title, err)
	}
	fmt.Printf("    done in %s\n", time.Since(start).Round(10*time.Millisecond))
	return nil
}

func (d *demo) finish() error {
	d.stopClusters()
	fmt.Println("    Cluster data is kept for you to inspect:")
	fmt.Printf("      %-8s %s\n", "dev:", d.dev.dataDir)
	for _, r := range d.regions {
		fmt.Printf("      %-8s %s\n", r.name+":", r.cluster.dataDir)
	}
	fmt.Printf("    Terraform state and logs: %s\n", filepath.Join(d.o.work, "run"))
	fmt.Printf("    Start a cluster again with (admin keys are in %s):\n      %s --data-dir %s --admin-key \"$(cat %s)\" --listen 127.0.0.1:8080\n",
		filepath.Join(d.o.work, "clusters"), filepath.Join(d.o.bin, "algorithmia-local"), d.dev.dataDir, d.dev.keyFile())
	return nil
}
