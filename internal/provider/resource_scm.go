package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure      = (*scmResource)(nil)
	_ resource.ResourceWithImportState    = (*scmResource)(nil)
	_ resource.ResourceWithValidateConfig = (*scmResource)(nil)
)

// scmProviders are the external SCM providers an admin may configure (CONTRACT.md §11); the
// internal one is built in and cannot be created (4045).
var scmProviders = []string{algorithmia.SCMProviderGitHub, algorithmia.SCMProviderGitLab, algorithmia.SCMProviderBitbucket, algorithmia.SCMProviderBitbucketC}

var scmIDRegexp = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// NewSCMResource is the factory of algorithmia_scm.
func NewSCMResource() resource.Resource {
	return &scmResource{}
}

type scmResource struct {
	cluster *clusterClient
}

type scmModel struct {
	ID                  types.String `tfsdk:"id"`
	Provider            types.String `tfsdk:"provider_type"`
	Name                types.String `tfsdk:"name"`
	URLs                types.Object `tfsdk:"urls"`
	OAuthClientID       types.String `tfsdk:"oauth_client_id"`
	OAuthClientSecretWO types.String `tfsdk:"oauth_client_secret_wo"`
	ProjectKey          types.String `tfsdk:"project_key"`
	Enabled             types.Bool   `tfsdk:"enabled"`
	Default             types.Bool   `tfsdk:"default"`
}

type scmURLsModel struct {
	Web types.String `tfsdk:"web"`
	API types.String `tfsdk:"api"`
	SSH types.String `tfsdk:"ssh"`
}

var scmURLsAttrTypes = map[string]attr.Type{"web": types.StringType, "api": types.StringType, "ssh": types.StringType}

func (r *scmResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_scm"
}

func (r *scmResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An SCM configuration of the cluster (admin, `/v1/admin/scms`): an external Git host (GitHub, " +
			"GitLab, Bitbucket Server or Cloud) on which algorithms can keep their repositories. Uses the provider's " +
			"`admin_api_key`.\n\n" +
			"The platform keeps the rules: the default SCM cannot be disabled, a disabled SCM cannot become the default, and " +
			"once an algorithm was created on an SCM it can never be deleted, only disabled. Destroying this resource " +
			"disables the SCM and deletes it; when algorithms use it, the destroy fails and the SCM is left as it was (set " +
			"`enabled = false` and remove it from state with a `removed` block instead).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "ID of the configuration, such as `github`. Defaults to a UUID chosen by the cluster. " +
					"`internal` is the built-in SCM and cannot be created. Changing it replaces the configuration.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(scmIDRegexp, "must start with a letter or digit and contain only letters, digits, '_' or '-' (at most 64)"),
					stringvalidator.NoneOf(algorithmia.SCMInternal),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"provider_type": schema.StringAttribute{
				MarkdownDescription: "`github`, `gitlab`, `bitbucket` (Server) or `bitbucket-cloud`. Changing it replaces the configuration.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(scmProviders...)},
				PlanModifiers:       replace,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Display name, often the web URL. Defaults to what the cluster chooses. The platform " +
					"cannot rename a configuration, so changing it replaces it.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()},
			},
			"urls": schema.SingleNestedAttribute{
				MarkdownDescription: "Addresses of the host; changed in place.",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"web": schema.StringAttribute{
						MarkdownDescription: "Website, such as `https://github.com`.",
						Required:            true,
						Validators:          []validator.String{httpURLValidator()},
					},
					"api": schema.StringAttribute{
						MarkdownDescription: "API base, such as `https://api.github.com` (GitHub Enterprise: `https://host/api/v3`).",
						Required:            true,
						Validators:          []validator.String{httpURLValidator()},
					},
					"ssh": schema.StringAttribute{
						MarkdownDescription: "SSH address, such as `ssh://git@github.com`.",
						Required:            true,
						Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^ssh://`),
							"must be an ssh:// URL, such as ssh://git@github.com")},
					},
				},
			},
			"oauth_client_id": schema.StringAttribute{
				MarkdownDescription: "Client id of the OAuth application users authorize through. The platform cannot " +
					"change it in place, so changing it replaces the configuration.",
				Optional:      true,
				PlanModifiers: replace,
			},
			"oauth_client_secret_wo": schema.StringAttribute{
				MarkdownDescription: "Client secret of the OAuth application. Write-only (Terraform 1.11 or later): sent " +
					"when the configuration is created and never stored; the platform never returns it and cannot change it.",
				Optional:   true,
				WriteOnly:  true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("oauth_client_id"))},
			},
			"project_key": schema.StringAttribute{
				MarkdownDescription: "Project key for Bitbucket Server (`provider_type = \"bitbucket\"`). Changing it replaces the configuration.",
				Optional:            true,
				PlanModifiers:       replace,
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether algorithms can be created on this SCM. Defaults to `true`. The default SCM cannot be disabled.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"default": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the cluster's default SCM, used for algorithms created without a source. " +
					"`true` makes it the default (the previous default loses the mark); it must be enabled. The platform has no " +
					"way to unmark the default other than marking another SCM, so `false` on the default SCM is an error. " +
					"When not set, the cluster's value is kept.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *scmResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *scmResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m scmModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Default.ValueBool() && !m.Enabled.IsNull() && !m.Enabled.IsUnknown() && !m.Enabled.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("enabled"), "The default SCM must be enabled",
			"The platform refuses to disable the default SCM and to make a disabled SCM the default (4041, 4042). Set "+
				"enabled = true, or make another SCM the default first.")
	}
	if !m.ProjectKey.IsNull() && !m.Provider.IsUnknown() && m.Provider.ValueString() != algorithmia.SCMProviderBitbucket {
		resp.Diagnostics.AddAttributeError(path.Root("project_key"), "project_key is for Bitbucket Server",
			fmt.Sprintf("Only provider_type = \"bitbucket\" (Bitbucket Server) takes a project_key; this configuration is %q.", m.Provider.ValueString()))
	}
}

func (r *scmResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan scmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := configString(ctx, req.Config, path.Root("oauth_client_secret_wo"), &resp.Diagnostics)
	urls := scmURLsFromModel(ctx, plan.URLs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	body := algorithmia.CreateSCMRequest{
		Provider: plan.Provider.ValueString(), Enabled: plan.Enabled.ValueBool(), URLs: urls,
	}
	if !plan.ID.IsUnknown() {
		body.ID = plan.ID.ValueString()
	}
	if !plan.Name.IsUnknown() {
		body.Name = plan.Name.ValueString()
	}
	if id := plan.OAuthClientID.ValueString(); id != "" || secret.ValueString() != "" {
		body.OAuth = &algorithmia.SCMClient{ClientID: id, ClientSecret: secret.ValueString()}
	}
	if k := plan.ProjectKey.ValueString(); k != "" {
		body.SCM = &algorithmia.SCMClient{ProjectKey: k}
	}
	label := "SCM configuration"
	if body.ID != "" {
		label += " " + body.ID
	}
	got, err := r.cluster.api.CreateSCM(ctx, body)
	switch {
	case errors.Is(err, algorithmia.ErrAlreadyExists):
		addAlreadyExistsError(&resp.Diagnostics, r.cluster, existingObject{kind: "SCM configuration", name: body.ID, importID: body.ID}, "")
		return
	case err != nil:
		addClientError(&resp.Diagnostics, "create "+label, err)
		return
	}
	// From here on the configuration exists: keep it in state even if marking it default fails.
	state := scmModelFromAPI(got, plan)
	if plan.Default.ValueBool() && !got.Default {
		if err := r.cluster.api.SetDefaultSCM(ctx, got.ID); err != nil {
			addClientError(&resp.Diagnostics, "make SCM "+got.ID+" the default", err)
		} else if got, err = r.cluster.api.GetSCM(ctx, got.ID); err != nil {
			addClientError(&resp.Diagnostics, "read SCM "+state.ID.ValueString(), err)
		} else {
			state = scmModelFromAPI(got, plan)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *scmResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state scmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.cluster.api.GetSCM(ctx, state.ID.ValueString())
	if !readFound(ctx, resp, "read SCM "+state.ID.ValueString(), err) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, scmModelFromAPI(got, state))...)
}

// Update changes what the platform can change in place (enabled, urls) and marks the SCM
// default. An SCM is enabled before it is marked default, so both can change in one apply.
func (r *scmResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state scmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	urls := scmURLsFromModel(ctx, plan.URLs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if !plan.Default.IsUnknown() && !plan.Default.ValueBool() && state.Default.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("default"), "Cannot unmark the default SCM",
			fmt.Sprintf("The SCM %s is the default of %s, and the platform only moves the mark: set default = true on "+
				"another SCM (algorithmia_scm), or on the internal one through the API, instead.", id, r.cluster.apiAddress))
		return
	}
	var patch algorithmia.UpdateSCMRequest
	if !plan.Enabled.Equal(state.Enabled) {
		v := plan.Enabled.ValueBool()
		patch.Enabled = &v
	}
	if !plan.URLs.Equal(state.URLs) {
		patch.URLs = &urls
	}
	got := (*algorithmia.SCM)(nil)
	var err error
	if patch.Enabled != nil || patch.URLs != nil {
		if got, err = r.cluster.api.UpdateSCM(ctx, id, patch); err != nil {
			addSCMRuleError(&resp.Diagnostics, "update SCM "+id, id, err)
			return
		}
	}
	if plan.Default.ValueBool() && !state.Default.ValueBool() {
		if err := r.cluster.api.SetDefaultSCM(ctx, id); err != nil {
			addSCMRuleError(&resp.Diagnostics, "make SCM "+id+" the default", id, err)
			if got != nil {
				resp.Diagnostics.Append(resp.State.Set(ctx, scmModelFromAPI(got, state))...)
			}
			return
		}
		got = nil
	}
	if got == nil {
		if got, err = r.cluster.api.GetSCM(ctx, id); err != nil {
			addClientError(&resp.Diagnostics, "read SCM "+id, err)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, scmModelFromAPI(got, plan))...)
}

// Delete disables the SCM when the platform refuses to delete an enabled one, then deletes
// it. If it is in use after all, it is enabled again as it was: a failed destroy changes
// nothing.
func (r *scmResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state scmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.cluster.api.DeleteSCM(ctx, id)
	var apiErr *algorithmia.APIError
	if errors.As(err, &apiErr) && apiErr.Code == algorithmia.CodeSCMEnabled {
		off, on := false, true
		if _, err = r.cluster.api.UpdateSCM(ctx, id, algorithmia.UpdateSCMRequest{Enabled: &off}); err != nil {
			addSCMRuleError(&resp.Diagnostics, "disable SCM "+id+" before deleting it", id, err)
			return
		}
		if err = r.cluster.api.DeleteSCM(ctx, id); err != nil && !errors.Is(err, algorithmia.ErrNotFound) {
			if _, rerr := r.cluster.api.UpdateSCM(ctx, id, algorithmia.UpdateSCMRequest{Enabled: &on}); rerr != nil {
				addClientError(&resp.Diagnostics, "enable SCM "+id+" again after its delete failed", rerr)
			}
		}
	}
	if err != nil && !errors.Is(err, algorithmia.ErrNotFound) {
		addSCMRuleError(&resp.Diagnostics, "delete SCM "+id, id, err)
	}
}

func (r *scmResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !scmIDRegexp.MatchString(req.ID) || req.ID == algorithmia.SCMInternal {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Expected the id of an external SCM configuration, such as github (see the algorithmia_scms data source); got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// scmURLsFromModel reads urls from a plan.
func scmURLsFromModel(ctx context.Context, v types.Object, diags *diag.Diagnostics) algorithmia.SCMURLs {
	var u scmURLsModel
	diags.Append(v.As(ctx, &u, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	return algorithmia.SCMURLs{Web: u.Web.ValueString(), API: u.API.ValueString(), SSH: u.SSH.ValueString()}
}

// scmURLsValue maps the host's addresses to state.
func scmURLsValue(u *algorithmia.SCMURLs) types.Object {
	if u == nil {
		return types.ObjectNull(scmURLsAttrTypes)
	}
	return types.ObjectValueMust(scmURLsAttrTypes, map[string]attr.Value{
		"web": types.StringValue(u.Web), "api": types.StringValue(u.API), "ssh": types.StringValue(u.SSH),
	})
}

// scmModelFromAPI is the one mapping from an SCM configuration to state, for Create, Read,
// Update and Import. The client secret is never returned (the write-only value stays null),
// and the project key is reported on create answers only, so prior's is kept otherwise.
func scmModelFromAPI(s *algorithmia.SCM, prior scmModel) scmModel {
	m := scmModel{
		ID:                  types.StringValue(s.ID),
		Provider:            types.StringValue(s.Provider),
		Name:                types.StringValue(s.Name),
		URLs:                scmURLsValue(s.URLs),
		OAuthClientID:       optionalString(s.ClientID()),
		OAuthClientSecretWO: types.StringNull(),
		ProjectKey:          optionalString(s.ProjectKey()),
		Enabled:             types.BoolValue(s.Enabled),
		Default:             types.BoolValue(s.Default),
	}
	if m.ProjectKey.IsNull() && !prior.ProjectKey.IsUnknown() {
		m.ProjectKey = prior.ProjectKey
	}
	return m
}
