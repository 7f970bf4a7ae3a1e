package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// The promotion's steps: the bootstrap per region, promote-ha, the re-plan and the new version.

// bootstrapRegions runs promote-dev-to-prod/bootstrap once per region, in a workspace of
// its own (one state per region), as examples/promote-ha/README.md says.
func (d *demo) bootstrapRegions() error {
	d.bootstrap = filepath.Join(d.o.work, "run", "bootstrap")
	if err := copyDir(filepath.Join(d.o.examples, "promote-dev-to-prod", "bootstrap"), d.bootstrap); err != nil {
		return err
	}
	for _, r := range d.regions {
		fmt.Printf("    workspace %s: mirror dev users and the organization to %s, give %s a key there\n", r.workspace, r.name, serviceAccount)
		if err := d.terraform(d.bootstrap, nil, "workspace", "select", "-or-create=true", r.workspace); err != nil {
			return err
		}
		if err := d.terraform(d.bootstrap, d.bootstrapVars(r), "apply", "-auto-approve", "-input=false"); err != nil {
			return err
		}
	}
	return nil
}

// promoteAll copies promote-ha and, beside it, the modules it calls (../modules/dev-sources
// and ../modules/promote), pins the seeded versions and applies: both regions in one run.
func (d *demo) promoteAll() error {
	d.ha = filepath.Join(d.o.work, "run", "promote-ha")
	if err := copyDir(filepath.Join(d.o.examples, "promote-ha"), d.ha); err != nil {
		return err
	}
	if err := copyDir(filepath.Join(d.o.examples, "modules"), filepath.Join(d.o.work, "run", "modules")); err != nil {
		return err
	}
	if err := d.writeAlgorithmsVar(); err != nil {
		return err
	}
	// Under dev_overrides there is no init: `get` installs the local module.
	if err := d.terraform(d.ha, nil, "get"); err != nil {
		return err
	}
	fmt.Println("    module.us and module.eu: create the algorithms, push each pinned dev commit, build, publish; check blocks compare the trees")
	return d.applyWithPassingChecks(d.ha, d.haVars(), "-auto-approve")
}

func (d *demo) planIsEmpty() error {
	for _, r := range d.regions {
		if err := d.terraform(d.bootstrap, nil, "workspace", "select", r.workspace); err != nil {
			return err
		}
		code, err := d.terraformCode(d.bootstrap, d.bootstrapVars(r), "plan", "-detailed-exitcode", "-input=false")
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("terraform plan in bootstrap (workspace %s) found changes (exit code %d); expected none", r.workspace, code)
		}
		fmt.Printf("    bootstrap, workspace %s: No changes.\n", r.workspace)
	}
	// The check blocks' data sources are read again on every run, so -detailed-exitcode
	// would say 2: look at the resource and output changes of the saved plan instead.
	changes, err := d.plannedChanges(d.ha, d.haVars(), "again.tfplan")
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		return fmt.Errorf("terraform plan in promote-ha changes %s; expected nothing", strings.Join(changes, ", "))
	}
	fmt.Println("    promote-ha: no resource or output changes (only the check blocks' data sources are read again).")
	return nil
}

func (d *demo) promoteNewVersion() error {
	ctx := context.Background()
	sha, err := d.pushAndPublish(ctx, seedAlgorithms[0], "Howdy", "Friendlier greeting", algorithmia.VersionTypeMinor)
	if err != nil {
		return err
	}
	d.versions["hello"] = "1.1.0"
	fmt.Printf("    dev: %s/hello 1.1.0 published at %s; pinned version raised to 1.1.0\n", organization, sha[:12])
	if err := d.writeAlgorithmsVar(); err != nil {
		return err
	}
	changes, err := d.plannedChanges(d.ha, d.haVars(), "update.tfplan")
	if err != nil {
		return err
	}
	want := []string{`module.eu.algorithmia_algorithm_source.this["hello"]`, `module.us.algorithmia_algorithm_source.this["hello"]`, "output.regions"}
	if strings.Join(changes, " ") != strings.Join(want, " ") {
		return fmt.Errorf("the plan changes %v; expected exactly %v", changes, want)
	}
	fmt.Println("    (before the apply, the check blocks warn that no region serves dev's new tree yet)")
	// A saved plan holds no ephemeral variables: the keys are given again, as in a pipeline.
	if err := d.applyWithPassingChecks(d.ha, d.keyVars(), "update.tfplan"); err != nil {
		return err
	}
	return d.regionTable()
}

func (d *demo) bootstrapVars(r *region) map[string]string {
	return map[string]string{
		"dev_api_address": d.dev.url, "dev_admin_api_key": d.dev.adminKey,
		"prod_api_address": r.cluster.url, "prod_admin_api_key": r.cluster.adminKey,
		"organization": organization, "service_account": serviceAccount, "prod_service_api_key": r.ciKey,
	}
}

func (d *demo) haVars() map[string]string {
	vars := map[string]string{
		"dev_api_address": d.dev.url, "dev_username": serviceAccount, "prod_username": serviceAccount,
		"organization": organization, "deletion_protection": "false",
	}
	for _, r := range d.regions {
		vars[r.varPrefix+"_api_address"] = r.cluster.url
	}
	for k, v := range d.keyVars() {
		vars[k] = v
	}
	return vars
}

// keyVars are promote-ha's keys. They are ephemeral, so a saved plan does not hold them:
// applying one needs them again.
func (d *demo) keyVars() map[string]string {
	vars := map[string]string{"dev_api_key": d.devCIKey}
	for _, r := range d.regions {
		vars[r.varPrefix+"_api_key"] = r.ciKey
	}
	return vars
}

// writeAlgorithmsVar writes the pinned versions as a tfvars file, the way a pipeline would.
func (d *demo) writeAlgorithmsVar() error {
	algos := map[string]map[string]string{}
	for _, a := range seedAlgorithms {
		algos[a.name] = map[string]string{"version": d.versions[a.name], "language": a.language, "environment": a.environment}
	}
	b, err := json.MarshalIndent(map[string]any{"algorithms": algos}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.ha, "pinned.auto.tfvars.json"), b, 0o644)
}
