package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure   = (*scmAuthorizationResource)(nil)
	_ resource.ResourceWithImportState = (*scmAuthorizationResource)(nil)
)

// NewSCMAuthorizationResource is the factory of algorithmia_scm_authorization.
func NewSCMAuthorizationResource() resource.Resource {
	return &scmAuthorizationResource{}
}

type scmAuthorizationResource struct {
	cluster *clusterClient
}

type scmAuthorizationModel struct {
	ID                  types.String `tfsdk:"id"`
	SCMID               types.String `tfsdk:"scm_id"`
	TokenWO             types.String `tfsdk:"token_wo"`
	TokenWOVersion      types.Int64  `tfsdk:"token_wo_version"`
	AuthorizationStatus types.String `tfsdk:"authorization_status"`
	SCMUsername         types.String `tfsdk:"scm_username"`
	SCMOrganizations    types.List   `tfsdk:"scm_organizations"`
}

func (r *scmAuthorizationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_scm_authorization"
}

func (r *scmAuthorizationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Authorizes the provider's user (the owner of `api_key`) on an external SCM with a personal " +
			"access token of that host (`POST /v1/scms/{id}/token/connect`), so the platform can create repositories, deploy " +
			"keys and webhooks there for the user's algorithms.\n\n" +
			"The token is a write-only argument (Terraform 1.11 or later): it is never stored in the plan or the state, and " +
			"the platform never returns it. Change `token_wo_version` to send a new token (rotation). Read reports the " +
			"authorization status; an authorization revoked outside Terraform plans a new one. Destroy revokes it; " +
			"algorithms already created keep working.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("The SCM id."),
			"scm_id": schema.StringAttribute{
				MarkdownDescription: "ID of the SCM configuration (an `algorithmia_scm` id). Changing it replaces the authorization.",
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.NoneOf(algorithmia.SCMInternal),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"token_wo": schema.StringAttribute{
				MarkdownDescription: "Personal access token of the user on the SCM host, for example from an ephemeral " +
					"variable. Write-only: sent when the authorization is created and whenever `token_wo_version` changes.",
				Required:   true,
				WriteOnly:  true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"token_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Change it (for example increment it) to send `token_wo` again, which replaces the " +
					"token in place. Terraform cannot see a write-only value change by itself.",
				Optional: true,
			},
			"authorization_status": schema.StringAttribute{
				MarkdownDescription: "`authorized` (the platform answered so when last read).",
				Computed:            true,
			},
			"scm_username": schema.StringAttribute{
				MarkdownDescription: "The user's name on the SCM host: the default `repository_owner` of algorithms created there.",
				Computed:            true,
			},
			"scm_organizations": schema.ListAttribute{
				MarkdownDescription: "Organizations of the SCM host the user belongs to (possible `repository_owner` values).",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (r *scmAuthorizationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *scmAuthorizationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan scmAuthorizationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	token := configString(ctx, req.Config, path.Root("token_wo"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.connect(ctx, plan, token.ValueString(), &resp.State, &resp.Diagnostics)
}

// connect sends the token and records the status the platform then reports. Nothing is
// written to state unless the user is authorized.
func (r *scmAuthorizationResource) connect(ctx context.Context, plan scmAuthorizationModel, token string, state stateSetter, diags *diag.Diagnostics) {
	id := plan.SCMID.ValueString()
	if err := r.cluster.api.ConnectSCMToken(ctx, id, token); err != nil {
		addSCMAuthorizationError(diags, r.cluster, id, err)
		return
	}
	st, err := r.cluster.api.SCMTokenStatus(ctx, id)
	if err != nil {
		addClientError(diags, "read the authorization status on SCM "+id, err)
		return
	}
	if st.AuthorizationStatus != algorithmia.SCMAuthorized {
		diags.AddAttributeError(path.Root("token_wo"), "SCM "+id+" did not authorize the token",
			fmt.Sprintf("The cluster at %s accepted the token but reports the authorization as %q. Check that the token "+
				"is valid and has the scopes the platform needs (repositories, deploy keys, webhooks).", r.cluster.apiAddress, st.AuthorizationStatus))
		return
	}
	m, d := scmAuthorizationModelFromAPI(id, st, plan)
	diags.Append(d...)
	diags.Append(state.Set(ctx, m)...)
}

// stateSetter is the part of tfsdk.State that connect needs.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

func (r *scmAuthorizationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state scmAuthorizationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.SCMID.ValueString()
	if id == "" {
		id = state.ID.ValueString() // import
	}
	st, err := r.cluster.api.SCMTokenStatus(ctx, id)
	if errors.Is(err, algorithmia.ErrNotFound) || errors.Is(err, algorithmia.ErrSCMUnauthorized) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "read the authorization status on SCM "+id, err)
		return
	}
	if st.AuthorizationStatus != algorithmia.SCMAuthorized {
		resp.State.RemoveResource(ctx) // revoked outside Terraform: the next apply connects again
		return
	}
	m, d := scmAuthorizationModelFromAPI(id, st, state)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// Update sends the token again when token_wo_version changed; otherwise nothing reaches the cluster.
func (r *scmAuthorizationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state scmAuthorizationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.TokenWOVersion.Equal(state.TokenWOVersion) {
		state.TokenWOVersion = plan.TokenWOVersion
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		return
	}
	token := configString(ctx, req.Config, path.Root("token_wo"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.connect(ctx, plan, token.ValueString(), &resp.State, &resp.Diagnostics)
}

func (r *scmAuthorizationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state scmAuthorizationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.SCMID.ValueString()
	err := r.cluster.api.RevokeSCMAuthorization(ctx, id)
	if err != nil && !errors.Is(err, algorithmia.ErrNotFound) && !errors.Is(err, algorithmia.ErrSCMUnauthorized) {
		addClientError(&resp.Diagnostics, "revoke the authorization on SCM "+id, err)
	}
}

func (r *scmAuthorizationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !scmIDRegexp.MatchString(req.ID) || req.ID == algorithmia.SCMInternal {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Expected the id of an external SCM configuration, such as github; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("scm_id"), req.ID)...)
}

// scmAuthorizationModelFromAPI is the one mapping from an authorization status to state.
// The token is never part of it.
func scmAuthorizationModelFromAPI(id string, st *algorithmia.SCMAuthorization, prior scmAuthorizationModel) (scmAuthorizationModel, diag.Diagnostics) {
	orgs := make([]attr.Value, 0, len(st.SCMOrganizations))
	for _, o := range st.SCMOrganizations {
		orgs = append(orgs, types.StringValue(o.SCMOrgUsername))
	}
	list, diags := types.ListValue(types.StringType, orgs)
	m := prior
	m.ID, m.SCMID = types.StringValue(id), types.StringValue(id)
	m.TokenWO = types.StringNull()
	m.AuthorizationStatus = types.StringValue(st.AuthorizationStatus)
	m.SCMUsername = optionalString(st.SCMUsername)
	m.SCMOrganizations = list
	return m, diags
}
