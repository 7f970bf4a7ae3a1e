package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// isSCMError reports whether an answer to a create with a source is about the SCM.
func isSCMError(e *algorithmia.APIError) bool {
	switch e.Code {
	case algorithmia.CodeSCMFailedToCreateRepository, algorithmia.CodeSCMConnectionNotFound, algorithmia.CodeSCMConfigurationNotFound,
		algorithmia.CodeSCMDisabled, algorithmia.CodeSCMConflict, algorithmia.CodeSCMNotAuthorized, algorithmia.CodeSCMNotAuthenticated,
		algorithmia.CodeSCMBadRequest, algorithmia.CodeSCMUnknown, algorithmia.CodeSCMConnectionError, algorithmia.CodeSCMBadCreatePayload:
		return true
	}
	return false
}

// addSCMCreateError is the diagnostic of an algorithm create the SCM refused: the platform's
// answer and what to do about it.
func addSCMCreateError(diags *diag.Diagnostics, cc *clusterClient, algorithm string, src *algorithmia.SourceCreate, err error) {
	var apiErr *algorithmia.APIError
	_ = errors.As(err, &apiErr)
	repo := src.RepositoryName
	if repo == "" { // the platform names it after the algorithm
		_, repo, _ = strings.Cut(algorithm, "/")
	}
	if src.RepositoryOwner != "" {
		repo = src.RepositoryOwner + "/" + repo
	}
	var hint string
	switch {
	case errors.Is(err, algorithmia.ErrSCMUnauthorized):
		hint = fmt.Sprintf("The provider's user is not authorized on the SCM %q, or not allowed to create repositories "+
			"under that repository_owner. Connect it first with an algorithmia_scm_authorization (a personal access token "+
			"of the SCM host), check that it was not revoked, and that repository_owner is that SCM user.", src.SCM)
	case errors.Is(err, algorithmia.ErrNotFound):
		hint = fmt.Sprintf("No SCM configuration %q exists on %s: see the algorithmia_scms data source.", src.SCM, cc.apiAddress)
	case apiErr.Code == algorithmia.CodeSCMDisabled:
		hint = fmt.Sprintf("The SCM %q is disabled: an admin must enable it (algorithmia_scm.enabled) before algorithms can be created on it.", src.SCM)
	case apiErr.Code == algorithmia.CodeSCMConflict || apiErr.Code == algorithmia.CodeSCMFailedToCreateRepository:
		hint = fmt.Sprintf("The SCM host could not create the repository %s, most likely because it already exists. "+
			"The platform creates a new repository for a new algorithm: pick another source.repository_name (or "+
			"repository_owner), or delete the existing repository on the host.", repo)
	default:
		hint = "The SCM host refused the request."
	}
	diags.AddAttributeError(pathSource, "Failed to create algorithm "+algorithm+" on SCM "+src.SCM,
		fmt.Sprintf("The cluster at %s answered HTTP %d with error code %d: %s\n\n%s Nothing was created.",
			cc.apiAddress, apiErr.StatusCode, apiErr.Code, apiErr.Message, hint))
}
