package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// scmSourceModel is an algorithm's source: which SCM holds its repository (CONTRACT.md §8.4).
type scmSourceModel struct {
	SCMID           types.String `tfsdk:"scm_id"`
	RepositoryOwner types.String `tfsdk:"repository_owner"`
	RepositoryName  types.String `tfsdk:"repository_name"`
}

var pathSource = path.Root("source")

var scmSourceAttrTypes = map[string]attr.Type{
	"scm_id": types.StringType, "repository_owner": types.StringType, "repository_name": types.StringType,
}

// algorithmSourceSCMAttribute is algorithmia_algorithm.source. It is Optional+Computed so
// that leaving it out means "whatever SCM the algorithm has" (the cluster's default, the
// internal SCM unless an admin changed it) with no diff, and every nested value replaces the
// algorithm when configured and changed: the platform cannot move an algorithm between SCMs.
func algorithmSourceSCMAttribute() schema.SingleNestedAttribute {
	replaceIfSet := []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()}
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Where the algorithm's repository lives. Leave it out for the cluster's default SCM (the " +
			"internal one, read back as `scm_id = \"internal\"`). With an external SCM (GitHub, GitLab, Bitbucket; see " +
			"`algorithmia_scm`), creating the algorithm creates the repository there with the template commit; the " +
			"provider's user must be authorized on that SCM (`algorithmia_scm_authorization`). The platform cannot move " +
			"an algorithm to another SCM, so changing any of these replaces it (see `docs/guides/changing-git-host.md` to " +
			"migrate instead). Deleting the algorithm leaves the external repository.",
		Optional:      true,
		Computed:      true,
		PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
		Attributes: map[string]schema.Attribute{
			"scm_id": schema.StringAttribute{
				MarkdownDescription: "ID of the SCM configuration (`internal`, or the `id` of an `algorithmia_scm`).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"repository_owner": schema.StringAttribute{
				MarkdownDescription: "User or organization on the SCM host that owns the repository. Defaults to the SCM " +
					"user the provider's user authorized as. Not used with the internal SCM.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: replaceIfSet,
			},
			"repository_name": schema.StringAttribute{
				MarkdownDescription: "Name of the repository on the SCM host, which must not exist yet. Defaults to the " +
					"algorithm's name. Not used with the internal SCM.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: replaceIfSet,
			},
		},
	}
}

// sourceCreateFromModel is the source of a create request: nil (the cluster's default)
// when the configuration leaves it out.
func sourceCreateFromModel(ctx context.Context, v types.Object, diags *diag.Diagnostics) *algorithmia.SourceCreate {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var m scmSourceModel
	diags.Append(v.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	if m.SCMID.ValueString() == "" {
		return nil
	}
	return &algorithmia.SourceCreate{
		SCM:             m.SCMID.ValueString(),
		RepositoryOwner: m.RepositoryOwner.ValueString(),
		RepositoryName:  m.RepositoryName.ValueString(),
	}
}

// scmSourceFromAPI maps an algorithm's source to state. The internal SCM has no repository
// owner or name. A server that leaves source out of an answer keeps the prior value (an
// unknown prior means the internal SCM, the platform's default).
func scmSourceFromAPI(s *algorithmia.Source, prior types.Object) (types.Object, diag.Diagnostics) {
	if s == nil || s.SCM == nil {
		if !prior.IsNull() && !prior.IsUnknown() {
			return prior, nil
		}
		s = &algorithmia.Source{SCM: &algorithmia.SCM{ID: algorithmia.SCMInternal}}
	}
	owner, name := types.StringNull(), types.StringNull()
	if s.SCM.ID != algorithmia.SCMInternal {
		owner, name = optionalString(s.RepositoryOwner), optionalString(s.RepositoryName)
	}
	return types.ObjectValue(scmSourceAttrTypes, map[string]attr.Value{
		"scm_id": types.StringValue(s.SCM.ID), "repository_owner": owner, "repository_name": name,
	})
}

// sourceConflict says why an existing algorithm cannot be adopted for a configured source
// (the platform cannot change it in place), or "".
func sourceConflict(want *algorithmia.SourceCreate, got *algorithmia.Source) string {
	if want == nil {
		return ""
	}
	if got == nil {
		got = &algorithmia.Source{}
	}
	have := algorithmia.SCMInternal
	if got.SCM != nil {
		have = got.SCM.ID
	}
	switch {
	case have != want.SCM:
		return fmt.Sprintf("its SCM is %q where the configuration says %q", have, want.SCM)
	case want.RepositoryOwner != "" && got.RepositoryOwner != want.RepositoryOwner,
		want.RepositoryName != "" && got.RepositoryName != want.RepositoryName:
		return fmt.Sprintf("its repository is %s/%s where the configuration says %s/%s",
			got.RepositoryOwner, got.RepositoryName, want.RepositoryOwner, want.RepositoryName)
	}
	return ""
}
