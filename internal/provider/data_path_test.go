package provider

import (
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

func TestParseDataPathAs(t *testing.T) {
	tests := []struct {
		in      string
		kind    dataPathKind
		allowMy bool
		wantErr string
	}{
		{"data://alice/models/model.bin", dataPathFile, false, ""},
		{"data://.my/models/model.bin", dataPathFile, true, ""},
		{"data://.my/models/model.bin", dataPathFile, false, "uses the .my alias"},
		{"data://alice/models", dataPathCollection, false, ""},
		{"data://alice/models", dataPathFile, false, "names no file"},
		{"data://alice/models/x", dataPathCollection, false, "names no collection"},
		{"data://alice", dataPathCollection, false, "names no collection"},
		{"data://alice/models/sub/x", dataPathFile, false, "no folders inside a collection"},
		{"data://alice/models/..", dataPathFile, false, "must not be . or .."},
		{"data://alice//x", dataPathFile, false, "collection is empty"},
		{"data://1alice/models/x", dataPathFile, false, "not a valid user or organization name"},
		{"data://alice/my-models/x", dataPathFile, false, "must start with a letter and contain only letters"},
		{"alice/models/x", dataPathFile, false, "must start with data://"},
	}
	for _, tt := range tests {
		_, err := parseDataPathAs(tt.in, tt.kind, tt.allowMy)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: err %v, want containing %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestReadACLMapping(t *testing.T) {
	for _, v := range readACLValues {
		got, ok := readACLFromACL(aclFromReadACL(v))
		if !ok || got != v {
			t.Errorf("%s round-trips to %q, %v", v, got, ok)
		}
	}
	if got := aclFromReadACL(readACLPrivate); got.Read == nil || len(got.Read) != 0 {
		t.Errorf("private must send [] (not null), got %#v", got.Read)
	}
	if _, ok := readACLFromACL(algorithmia.DataACL{Read: []string{"algo://foo/*"}}); ok {
		t.Error("an unknown ACL string must not map to a read_acl")
	}
}
