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
	actions, err := PlanActions(showJSON)
	if err != nil {
		return nil, err
	}
	var changes []string
	for addr := range actions {
		changes = append(changes, addr)
	}
	sort.Strings(changes)
	return changes, nil
}

// PlanActions is PlanChanges with what the plan does to each address: its actions joined
// by commas ("create", "update", "delete,create").
func PlanActions(showJSON []byte) (map[string]string, error) {
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
	changes := map[string]string{}
	for _, rc := range plan.ResourceChanges {
		if a := strings.Join(rc.Change.Actions, ","); rc.Mode == "managed" && a != "no-op" {
			changes[rc.Address] = a
		}
	}
	for name, oc := range plan.OutputChanges {
		if a := strings.Join(oc.Actions, ","); a != "no-op" {
			changes["output."+name] = a
		}
	}
	return changes, nil
}
