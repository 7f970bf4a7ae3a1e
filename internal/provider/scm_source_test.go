package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// TestSourceConflict: an existing algorithm can be adopted for a configured source only when
// it is already on that SCM and repository; no source in the configuration never conflicts.
func TestSourceConflict(t *testing.T) {
	gh := &algorithmia.Source{SCM: &algorithmia.SCM{ID: "gh"}, RepositoryOwner: "octo", RepositoryName: "hello"}
	for _, tc := range []struct {
		name     string
		want     *algorithmia.SourceCreate
		got      *algorithmia.Source
		conflict bool
	}{
		{"no source configured", nil, gh, false},
		{"same SCM, defaults", &algorithmia.SourceCreate{SCM: "gh"}, gh, false},
		{"same repository", &algorithmia.SourceCreate{SCM: "gh", RepositoryOwner: "octo", RepositoryName: "hello"}, gh, false},
		{"other repository", &algorithmia.SourceCreate{SCM: "gh", RepositoryName: "other"}, gh, true},
		{"other owner", &algorithmia.SourceCreate{SCM: "gh", RepositoryOwner: "acme"}, gh, true},
		{"internal wanted, on GitHub", &algorithmia.SourceCreate{SCM: "internal"}, gh, true},
		{"GitHub wanted, internal reported", &algorithmia.SourceCreate{SCM: "gh"}, &algorithmia.Source{SCM: &algorithmia.SCM{ID: "internal"}}, true},
		{"GitHub wanted, no source reported", &algorithmia.SourceCreate{SCM: "gh"}, nil, true},
		{"internal with an owner, no source reported", &algorithmia.SourceCreate{SCM: "internal", RepositoryOwner: "x"}, nil, true},
	} {
		if got := sourceConflict(tc.want, tc.got) != ""; got != tc.conflict {
			t.Errorf("%s: conflict = %t, want %t (%q)", tc.name, got, tc.conflict, sourceConflict(tc.want, tc.got))
		}
	}
}

// TestSCMSourceFromAPI: the internal SCM has no repository owner or name; a server that
// leaves source out keeps the prior value, or reads as the internal SCM.
func TestSCMSourceFromAPI(t *testing.T) {
	internal, _ := scmSourceFromAPI(&algorithmia.Source{SCM: &algorithmia.SCM{ID: "internal"}, RepositoryName: "ignored"}, types.ObjectNull(scmSourceAttrTypes))
	if s := internal.Attributes(); s["scm_id"].String() != `"internal"` || !s["repository_owner"].IsNull() || !s["repository_name"].IsNull() {
		t.Fatalf("internal: %v", s)
	}
	gh, _ := scmSourceFromAPI(&algorithmia.Source{SCM: &algorithmia.SCM{ID: "gh"}, RepositoryOwner: "octo", RepositoryName: "hello"}, types.ObjectNull(scmSourceAttrTypes))
	if s := gh.Attributes(); s["repository_owner"].String() != `"octo"` || s["repository_name"].String() != `"hello"` {
		t.Fatalf("external: %v", s)
	}
	if kept, _ := scmSourceFromAPI(nil, gh); !kept.Equal(gh) {
		t.Fatalf("a missing source should keep the prior value: %v", kept)
	}
	if def, _ := scmSourceFromAPI(nil, types.ObjectUnknown(scmSourceAttrTypes)); !def.Equal(internal) {
		t.Fatalf("a missing source without a prior value should read as internal: %v", def)
	}
}
