package tfcli

import (
	"reflect"
	"testing"
)

func TestPlanChanges(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       []string
		wantErr    bool
	}{
		{name: "nothing", json: `{"format_version":"1.2"}`},
		{
			name: "no-ops and data reads do not count",
			json: `{"resource_changes":[
				{"address":"a.x","mode":"managed","change":{"actions":["no-op"]}},
				{"address":"data.b.y","mode":"data","change":{"actions":["read"]}}],
				"output_changes":{"o":{"actions":["no-op"]}}}`,
		},
		{
			name: "updates, replacements and outputs, sorted",
			json: `{"resource_changes":[
				{"address":"module.us.c.z[\"hello\"]","mode":"managed","change":{"actions":["update"]}},
				{"address":"a.x","mode":"managed","change":{"actions":["delete","create"]}}],
				"output_changes":{"regions":{"actions":["update"]}}}`,
			want: []string{"a.x", `module.us.c.z["hello"]`, "output.regions"},
		},
		{name: "not JSON", json: "Plan: 1 to add", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PlanChanges([]byte(tc.json))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want an error: %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
