package tfcli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PlanChanges reads the JSON of `terraform show -json PLANFILE` (Terraform and OpenTofu
// write the same fields) and returns the addresses of the managed resources the plan
// changes, and "output.NAME" for each output it changes, sorted. Data source reads do not
// count: a configuration with check blocks plans their data sources as "read during apply"
// on every run, which `plan -detailed-exitcode` counts as a change.
func PlanChanges(showJSON []byte) ([]string, error) {
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
		OutputChanges map[string]struct {
			Actions []string `json:"actions"`
		} `json:"output_changes"`
	}
	if err := json.Unmarshal(showJSON, &plan); err != nil {
		return nil, fmt.Errorf("read the plan's JSON: %w", err)
	}
	var changes []string
	for _, rc := range plan.ResourceChanges {
		if rc.Mode == "managed" && strings.Join(rc.Change.Actions, ",") != "no-op" {
			changes = append(changes, rc.Address)
		}
	}
	for name, oc := range plan.OutputChanges {
		if strings.Join(oc.Actions, ",") != "no-op" {
			changes = append(changes, "output."+name)
		}
	}
	sort.Strings(changes)
	return changes, nil
}
