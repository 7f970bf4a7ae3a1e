package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure      = (*algorithmResource)(nil)
	_ resource.ResourceWithImportState    = (*algorithmResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*algorithmResource)(nil)
	_ resource.ResourceWithValidateConfig = (*algorithmResource)(nil)
)

// Enumerations of the platform (CONTRACT.md §5.1).
var (
	legacyLanguages = []string{"java", "javascript", "python2-langpack", "python3-1", "r", "ruby", "rust", "scala"}
	nameRegexp      = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	uuidRegexp      = regexp.MustCompile(`^[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12}$`)
)

// NewAlgorithmResource is the factory of algorithmia_algorithm.
func NewAlgorithmResource() resource.Resource {
	return &algorithmResource{}
}

type algorithmResource struct {
	cluster *clusterClient
}

type algorithmModel struct {
	ID                 types.String `tfsdk:"id"`
	Owner              types.String `tfsdk:"owner"`
	Name               types.String `tfsdk:"name"`
	Details            types.Object `tfsdk:"details"`
	Settings           types.Object `tfsdk:"settings"`
	SampleInput        types.String `tfsdk:"sample_input"`
	DeletionProtection types.Bool   `tfsdk:"deletion_protection"`
	AlgorithmID        types.String `tfsdk:"algorithm_id"`
	GitURL             types.String `tfsdk:"git_url"`
	PackageSet         types.String `tfsdk:"package_set"`
	LatestBuildCommit  types.String `tfsdk:"latest_build_commit"`
	Source             types.Object `tfsdk:"source"`
	RepositoryHTTPSURL types.String `tfsdk:"repository_https_url"`
}

type detailsModel struct {
	Label   types.String `tfsdk:"label"`
	Summary types.String `tfsdk:"summary"`
	Tagline types.String `tfsdk:"tagline"`
}

type settingsModel struct {
	Language             types.String `tfsdk:"language"`
	Environment          types.String `tfsdk:"environment"`
	AlgorithmEnvironment types.String `tfsdk:"algorithm_environment"`
	License              types.String `tfsdk:"license"`
	NetworkAccess        types.String `tfsdk:"network_access"`
	PipelineEnabled      types.Bool   `tfsdk:"pipeline_enabled"`
	SourceVisibility     types.String `tfsdk:"source_visibility"`
	AlgorithmCallability types.String `tfsdk:"algorithm_callability"`
}

var detailsAttrTypes = map[string]attr.Type{
	"label": types.StringType, "summary": types.StringType, "tagline": types.StringType,
}

var settingsAttrTypes = map[string]attr.Type{
	"language": types.StringType, "environment": types.StringType, "algorithm_environment": types.StringType,
	"license": types.StringType, "network_access": types.StringType, "pipeline_enabled": types.BoolType,
	"source_visibility": types.StringType, "algorithm_callability": types.StringType,
}

func (r *algorithmResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithm"
}

func (r *algorithmResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An algorithm's metadata on one cluster: its name, owner, runtime and settings. " +
			"Creating it also creates the algorithm's Git repository with the platform's template code. " +
			"The source code itself is managed by `algorithmia_algorithm_source`.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("`owner/name`."),
			"owner": schema.StringAttribute{
				MarkdownDescription: "User or organization that owns the algorithm. Changing it replaces the algorithm.",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Algorithm name: a letter, then letters, digits or underscores, at most 30 characters. " +
					"Changing it replaces the algorithm.",
				Required:      true,
				Validators:    nameValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"details": schema.SingleNestedAttribute{
				MarkdownDescription: "Display details.",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"label": schema.StringAttribute{
						MarkdownDescription: "Display name; may contain spaces.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"summary": schema.StringAttribute{
						MarkdownDescription: "Documentation text (Markdown). When not set, the cluster's value is kept; the " +
							"platform rewrites it from README.md when that file changes.",
						Optional:      true,
						Computed:      true,
						PlanModifiers: keep,
					},
					"tagline": schema.StringAttribute{
						MarkdownDescription: "One-line description. When not set, the cluster's value is kept.",
						Optional:            true,
						Computed:            true,
						PlanModifiers:       keep,
					},
				},
			},
			"settings": schema.SingleNestedAttribute{
				MarkdownDescription: "Runtime and settings. Set exactly one of `language` (legacy language model) or " +
					"`algorithm_environment` (environment model).",
				Required: true,
				Attributes: map[string]schema.Attribute{
					"language": schema.StringAttribute{
						MarkdownDescription: "Legacy language: one of `" + strings.Join(legacyLanguages, "`, `") + "`. " +
							"The platform cannot change an algorithm's language, so changing it replaces the algorithm.",
						Optional: true,
						Computed: true,
						Validators: []validator.String{
							stringvalidator.OneOf(legacyLanguages...),
						},
						PlanModifiers: []planmodifier.String{
							stringplanmodifier.RequiresReplaceIfConfigured(),
							stringplanmodifier.UseStateForUnknown(),
						},
					},
					"environment": schema.StringAttribute{
						MarkdownDescription: "Machine type of the legacy language model: `cpu` or `gpu`.",
						Optional:            true,
						Computed:            true,
						Validators:          []validator.String{stringvalidator.OneOf(algorithmia.EnvironmentCPU, algorithmia.EnvironmentGPU)},
						PlanModifiers:       keep,
					},
					"algorithm_environment": schema.StringAttribute{
						MarkdownDescription: "Environment ID (a UUID). IDs differ between clusters: use the " +
							"`algorithmia_environment` data source of the same provider alias.",
						Optional:      true,
						Computed:      true,
						Validators:    []validator.String{stringvalidator.RegexMatches(uuidRegexp, "must be an environment ID (UUID)")},
						PlanModifiers: keep,
					},
					"license": schema.StringAttribute{
						MarkdownDescription: "`apl` (default), `apache2`, `gpl3` or `mit`.",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString("apl"),
						Validators:          []validator.String{stringvalidator.OneOf("apl", "apache2", "gpl3", "mit")},
					},
					"network_access": schema.StringAttribute{
						MarkdownDescription: "`full` (default) or `isolated`.",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString(algorithmia.NetworkAccessFull),
						Validators:          []validator.String{stringvalidator.OneOf(algorithmia.NetworkAccessFull, algorithmia.NetworkAccessIsolated)},
					},
					"pipeline_enabled": schema.BoolAttribute{
						MarkdownDescription: "Whether the algorithm may call other algorithms. Defaults to `true`.",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(true),
					},
					"source_visibility": schema.StringAttribute{
						MarkdownDescription: "`closed` (default) or `open`. Must be `open` unless `license` is `apl`.",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString(algorithmia.SourceVisibilityClosed),
						Validators:          []validator.String{stringvalidator.OneOf(algorithmia.SourceVisibilityOpen, algorithmia.SourceVisibilityClosed)},
					},
					"algorithm_callability": schema.StringAttribute{
						MarkdownDescription: "`private` (default) or `public`. It applies to versions published from now on.",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString(algorithmia.CallabilityPrivate),
						Validators:          []validator.String{stringvalidator.OneOf(algorithmia.CallabilityPrivate, algorithmia.CallabilityPublic)},
					},
				},
			},
			"sample_input": schema.StringAttribute{
				MarkdownDescription: "Sample input shown on the algorithm's page (JSON must be given as an encoded string). " +
					"When not set, the cluster's value is kept.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: keep,
			},
			"deletion_protection": schema.BoolAttribute{
				MarkdownDescription: "Deleting an algorithm deletes its Git repository and every published version on the " +
					"cluster. While this is `true` (the default), a plan that destroys or replaces the algorithm fails, so " +
					"nothing is destroyed. Terraform reads the value from state: set it to `false` and apply first. A " +
					"tainted algorithm keeps the value it was created with; `terraform untaint` it to update it in place.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"algorithm_id":        keptAttribute("The algorithm's UUID on this cluster."),
			"git_url":             keptAttribute("Clone URL of the algorithm's repository on the cluster's Git (no credentials in it). An SCM-backed algorithm's code is at `repository_https_url`; the platform refuses pushes here (4011)."),
			"package_set":         keptAttribute("Package set the cluster chose for the runtime, such as `python38`."),
			"latest_build_commit": keptAttribute("Commit SHA of the algorithm's most recent build, if any."),
			"source":              algorithmSourceSCMAttribute(),
			"repository_https_url": keptAttribute("HTTPS URL of the algorithm's repository on its external SCM; null on the internal SCM " +
				"(use `git_url`)."),
		},
	}
}

func (r *algorithmResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *algorithmResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateSCMSource(ctx, req.Config, &resp.Diagnostics)
	var settings types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("settings"), &settings)...)
	if resp.Diagnostics.HasError() || settings.IsNull() || settings.IsUnknown() {
		return
	}
	var s settingsModel
	resp.Diagnostics.Append(settings.As(ctx, &s, basetypes.ObjectAsOptions{})...)
	if resp.Diagnostics.HasError() {
		return
	}
	if s.Language.IsUnknown() || s.AlgorithmEnvironment.IsUnknown() {
		return
	}
	if s.Language.IsNull() == s.AlgorithmEnvironment.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("settings"), "Choose one runtime model",
			"Set exactly one of settings.language (legacy language model) or settings.algorithm_environment (environment model).")
	}
	if !s.Environment.IsNull() && !s.Environment.IsUnknown() && !s.AlgorithmEnvironment.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("settings").AtName("environment"), "environment goes with language",
			"settings.environment (cpu or gpu) belongs to the legacy language model; the machine type of "+
				"settings.algorithm_environment comes with the environment itself.")
	}
	// A null source_visibility takes the default, "closed". A license the platform does not
	// know is its validator's to report, once.
	if lic, vis := s.License.ValueString(), s.SourceVisibility.ValueString(); !s.License.IsUnknown() && !s.SourceVisibility.IsUnknown() &&
		(lic == "apache2" || lic == "gpl3" || lic == "mit") && vis != algorithmia.SourceVisibilityOpen {
		resp.Diagnostics.AddAttributeError(path.Root("settings").AtName("source_visibility"), "Closed source needs the apl license",
			fmt.Sprintf("The platform requires open source for the %q license. Set source_visibility = \"open\" or license = \"apl\".", lic))
	}
}

func (r *algorithmResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan algorithmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	body, diags := algorithmRequestFromModel(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var created *algorithmia.Algorithm
	lost, err := createSettled(ctx, r.cluster, func(ctx context.Context) (err error) {
		created, err = r.cluster.api.CreateAlgorithm(ctx, owner, algorithmia.CreateAlgorithmRequest{
			Name:        name,
			Details:     body.Details,
			Settings:    body.Settings,
			VersionInfo: body.VersionInfo,
			Source:      body.Source,
		})
		return err
	}, func(ctx context.Context) (bool, error) { return exists(r.cluster.api.GetAlgorithm(ctx, owner, name)) })
	var apiErr *algorithmia.APIError
	switch {
	case lost != nil: // it exists after a create without an answer: adopt compares it with what was sent
		created = r.adopt(ctx, plan, body, lost, &resp.Diagnostics)
	case err == nil:
	case errors.As(err, &apiErr) && body.Source != nil && isSCMError(apiErr):
		// Before "already exists": 4044 here is the repository on the SCM host, not the algorithm.
		addSCMCreateError(&resp.Diagnostics, r.cluster, owner+"/"+name, body.Source, err)
		return
	case errors.Is(err, algorithmia.ErrAlreadyExists):
		created = r.adopt(ctx, plan, body, nil, &resp.Diagnostics)
	case errors.Is(err, algorithmia.ErrForbidden):
		addOwnerError(ctx, &resp.Diagnostics, r.cluster, owner, "create algorithm "+owner+"/"+name, err)
		return
	case errors.As(err, &apiErr):
		addClientError(&resp.Diagnostics, "create algorithm "+owner+"/"+name, err)
		return
	default:
		// The request may have reached the cluster before the connection failed. POSTs are
		// never retried blindly, so look before reporting.
		created = r.adopt(ctx, plan, body, err, &resp.Diagnostics)
	}
	if created == nil {
		return
	}
	r.recordAlgorithm(ctx, owner, created, plan, &resp.State, &resp.Diagnostics)
}

// recordAlgorithm writes the platform's algorithm to state through algorithmModelFromAPI;
// prior (plan or state) gives what the platform does not return.
func (r *algorithmResource) recordAlgorithm(ctx context.Context, owner string, a *algorithmia.Algorithm, prior algorithmModel, state *tfsdk.State, diags *diag.Diagnostics) {
	m, d := algorithmModelFromAPI(ctx, r.cluster, owner, a, prior)
	diags.Append(d...)
	diags.Append(state.Set(ctx, m)...)
}

// adopt takes over the algorithm of the plan, which exists although Create was planned
// (adoptionReason says when that is allowed), and changes its details and settings in place
// to match the plan. noAnswer is the error of a create request that got no answer, else nil.
// It returns nil after adding a diagnostic.
func (r *algorithmResource) adopt(ctx context.Context, plan algorithmModel, want algorithmRequest, noAnswer error, diags *diag.Diagnostics) *algorithmia.Algorithm {
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	obj := existingObject{kind: "algorithm", name: owner + "/" + name, importID: owner + "/" + name}
	got, err := r.cluster.api.GetAlgorithm(ctx, owner, name)
	if err != nil {
		if noAnswer != nil {
			err = noAnswer
		}
		addClientError(diags, "create algorithm "+owner+"/"+name, err)
		return nil
	}
	update, changed, conflict := algorithmConvergence(ctx, plan, want, got)
	why := adoptionReason(diags, r.cluster, obj, noAnswer != nil, changed)
	if why == "" {
		return nil
	}
	if conflict != "" {
		addCannotAdoptError(diags, r.cluster, obj, conflict, "Change the configuration to match, or delete the existing algorithm.")
		return nil
	}
	if len(changed) > 0 {
		if got, err = r.cluster.api.UpdateAlgorithm(ctx, owner, name, update); err != nil {
			addClientError(diags, "update the adopted algorithm "+owner+"/"+name, err)
			return nil
		}
	}
	addAdoptedWarning(diags, r.cluster, obj, why, changed)
	return got
}

// algorithmConvergence compares an existing algorithm with the plan: the PUT that makes it
// match (starting from its own settings, so what the plan leaves unknown is kept), the
// attributes that differ, and a conflict the platform cannot change in place (its runtime model
// or language), or "".
func algorithmConvergence(ctx context.Context, plan algorithmModel, want algorithmRequest, got *algorithmia.Algorithm) (algorithmia.UpdateAlgorithmRequest, []string, string) {
	var d detailsModel
	var s settingsModel
	_ = plan.Details.As(ctx, &d, basetypes.ObjectAsOptions{})
	_ = plan.Settings.As(ctx, &s, basetypes.ObjectAsOptions{})
	known := func(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }
	u := algorithmia.UpdateAlgorithmRequest{Details: got.Details, Settings: got.Settings.UpdateSettings()}
	var changed []string
	set := func(attr string, isKnown bool, have *string, v string) {
		if isKnown && *have != v {
			*have = v
			changed = append(changed, attr)
		}
	}
	if c := sourceConflict(want.Source, got.Source); c != "" {
		return u, []string{"source"}, c
	}
	set("details.label", true, &u.Details.Label, want.Details.Label)
	set("details.summary", known(d.Summary), &u.Details.Summary, want.Details.Summary)
	set("details.tagline", known(d.Tagline), &u.Details.Tagline, want.Details.Tagline)
	conflict := ""
	switch {
	case known(s.Language) && got.Settings.Language != s.Language.ValueString():
		changed = append(changed, "settings.language")
		conflict = fmt.Sprintf("its language is %q where the configuration says %q", got.Settings.Language, s.Language.ValueString())
	case known(s.AlgorithmEnvironment) && got.Settings.Language != "":
		changed = append(changed, "settings.algorithm_environment")
		conflict = fmt.Sprintf("it uses the legacy language %q where the configuration sets an algorithm_environment", got.Settings.Language)
	}
	set("settings.environment", known(s.Environment), &u.Settings.Environment, want.Settings.Environment)
	set("settings.algorithm_environment", known(s.AlgorithmEnvironment) && conflict == "", &u.Settings.AlgorithmEnvironment, want.Settings.AlgorithmEnvironment)
	set("settings.license", known(s.License), &u.Settings.License, want.Settings.License)
	set("settings.network_access", known(s.NetworkAccess), &u.Settings.NetworkAccess, want.Settings.NetworkAccess)
	set("settings.source_visibility", known(s.SourceVisibility), &u.Settings.SourceVisibility, want.Settings.SourceVisibility)
	set("settings.algorithm_callability", known(s.AlgorithmCallability), &u.Settings.AlgorithmCallability, want.Settings.AlgorithmCallability)
	if !s.PipelineEnabled.IsNull() && !s.PipelineEnabled.IsUnknown() && u.Settings.PipelineEnabled != want.Settings.PipelineEnabled {
		u.Settings.PipelineEnabled = want.Settings.PipelineEnabled
		changed = append(changed, "settings.pipeline_enabled")
	}
	if want.VersionInfo != nil {
		have := ""
		if got.VersionInfo != nil {
			have = got.VersionInfo.SampleInput
		}
		if have != want.VersionInfo.SampleInput {
			u.VersionInfo = want.VersionInfo
			changed = append(changed, "sample_input")
		}
	}
	return u, changed, conflict
}

func (r *algorithmResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state algorithmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := state.Owner.ValueString(), state.Name.ValueString()
	got, err := r.cluster.api.GetAlgorithm(ctx, owner, name)
	if !readFound(ctx, resp, "read algorithm "+owner+"/"+name, err) {
		return
	}
	r.recordAlgorithm(ctx, owner, got, state, &resp.State, &resp.Diagnostics)
}

func (r *algorithmResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan algorithmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	body, diags := algorithmRequestFromModel(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The language is not part of an update (CONTRACT.md §5.4); a change to it replaces the resource.
	updated, err := r.cluster.api.UpdateAlgorithm(ctx, owner, name, algorithmia.UpdateAlgorithmRequest{
		Details: body.Details,
		Settings: algorithmia.UpdateSettings{
			SourceVisibility:     body.Settings.SourceVisibility,
			License:              body.Settings.License,
			NetworkAccess:        body.Settings.NetworkAccess,
			PipelineEnabled:      body.Settings.PipelineEnabled,
			Environment:          body.Settings.Environment,
			AlgorithmEnvironment: body.Settings.AlgorithmEnvironment,
			AlgorithmCallability: body.Settings.AlgorithmCallability,
		},
		VersionInfo: body.VersionInfo,
	})
	if err != nil {
		addClientError(&resp.Diagnostics, "update algorithm "+owner+"/"+name, err)
		return
	}
	r.recordAlgorithm(ctx, owner, updated, plan, &resp.State, &resp.Diagnostics)
}

func (r *algorithmResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state algorithmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := state.Owner.ValueString(), state.Name.ValueString()
	if state.DeletionProtection.ValueBool() {
		// ModifyPlan refuses to destroy or replace a protected algorithm, so this is reached
		// when Terraform replaces a tainted one: the plan of a tainted object is a create,
		// and the protection flag Delete sees is the tainted state's.
		resp.Diagnostics.AddError("Algorithm is protected from deletion",
			fmt.Sprintf("Deleting %s/%s would delete its Git repository and every published version on %s.\n\n"+
				"Terraform is most likely replacing it because it is tainted (an earlier apply failed after creating "+
				"it); the algorithm itself is fine. To keep it and update it in place, run\n\n"+
				"  terraform untaint <resource address>\n\nand apply again. Setting deletion_protection = false in the "+
				"configuration does not reach a tainted object, whose state keeps the value it was created with: to "+
				"delete it, untaint it, set deletion_protection = false, apply, and destroy it.", owner, name, r.cluster.apiAddress))
		return
	}
	addDeleteError(&resp.Diagnostics, "delete algorithm "+owner+"/"+name, r.cluster.api.DeleteAlgorithm(ctx, owner, name))
}

// ModifyPlan checks, with the cluster, what validation alone cannot (that an
// algorithm_environment ID exists there), and refuses at plan time to destroy or replace a
// protected algorithm. Refused in Delete only, a destroy would stop halfway: Terraform
// destroys dependents such as algorithm_source first. The flag comes from state, as Delete
// reads it.
func (r *algorithmResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	checkAlgorithmEnvironment(ctx, r.cluster, req.Plan, req.State, &resp.Diagnostics)
	if req.State.Raw.IsNull() {
		return
	}
	var state algorithmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !state.DeletionProtection.ValueBool() {
		return
	}
	owner, name := state.Owner.ValueString(), state.Name.ValueString()
	address := "the cluster"
	if r.cluster != nil {
		address = r.cluster.apiAddress
	}
	if req.Plan.Raw.IsNull() {
		resp.Diagnostics.AddError("Algorithm is protected from deletion", protectionDetail(owner, name, address)+
			" To only stop managing it, use a removed block with destroy = false, or terraform state rm.")
		return
	}
	if attr := replacedAttribute(ctx, req, &resp.Diagnostics, path.Root("owner"), path.Root("name"), path.Root("settings").AtName("language"),
		path.Root("source").AtName("scm_id"), path.Root("source").AtName("repository_owner"), path.Root("source").AtName("repository_name")); attr != nil {
		resp.Diagnostics.AddAttributeError(*attr, "Algorithm is protected from replacement",
			fmt.Sprintf("Changing %s replaces the algorithm: the platform cannot change it in place. ", *attr)+
				protectionDetail(owner, name, address))
	}
}

// protectionDetail says what deleting an algorithm loses and how to lift the protection.
func protectionDetail(owner, name, cluster string) string {
	return fmt.Sprintf("Deleting %s/%s would delete its Git repository and every published version on %s. "+
		"If that is intended, first apply deletion_protection = false on its own (the flag is read from state), "+
		"then destroy or replace it.", owner, name, cluster)
}

func (r *algorithmResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	owner, name, ok := parseAlgorithmID(req.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("owner"), owner)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("deletion_protection"), true)...)
}

// parseAlgorithmID splits an import ID of the form owner/name, or adds a diagnostic.
func parseAlgorithmID(id string, diags *diag.Diagnostics) (owner, name string, ok bool) {
	owner, name, ok = strings.Cut(id, "/")
	if !ok || !nameRegexp.MatchString(owner) || !nameRegexp.MatchString(name) {
		diags.AddError("Invalid import ID", fmt.Sprintf("Expected owner/name, such as acme/hello; got %q.", id))
		return "", "", false
	}
	return owner, name, true
}

// algorithmRequest is the part of a create or update call that comes from the plan.
type algorithmRequest struct {
	Details     algorithmia.Details
	Settings    algorithmia.CreateSettings
	VersionInfo *algorithmia.SampleInputInfo
	Source      *algorithmia.SourceCreate
}

// algorithmRequestFromModel turns the plan into the body of a create or update call.
// PUT replaces all settings on the platform, so every setting is sent.
func algorithmRequestFromModel(ctx context.Context, m algorithmModel) (algorithmRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	var d detailsModel
	var s settingsModel
	diags.Append(m.Details.As(ctx, &d, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	diags.Append(m.Settings.As(ctx, &s, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	req := algorithmRequest{
		Details: algorithmia.Details{
			Label:   d.Label.ValueString(),
			Summary: d.Summary.ValueString(),
			Tagline: d.Tagline.ValueString(),
		},
		Settings: algorithmia.CreateSettings{
			Language:             s.Language.ValueString(),
			Environment:          s.Environment.ValueString(),
			AlgorithmEnvironment: s.AlgorithmEnvironment.ValueString(),
			License:              s.License.ValueString(),
			NetworkAccess:        s.NetworkAccess.ValueString(),
			PipelineEnabled:      s.PipelineEnabled.ValueBool(),
			SourceVisibility:     s.SourceVisibility.ValueString(),
			AlgorithmCallability: s.AlgorithmCallability.ValueString(),
		},
	}
	if req.Settings.Language != "" && req.Settings.Environment == "" {
		req.Settings.Environment = algorithmia.EnvironmentCPU
	}
	if !m.SampleInput.IsNull() && !m.SampleInput.IsUnknown() {
		req.VersionInfo = &algorithmia.SampleInputInfo{SampleInput: m.SampleInput.ValueString()}
	}
	req.Source = sourceCreateFromModel(ctx, m.Source, &diags)
	return req, diags
}

// algorithmModelFromAPI is the one mapping from the platform's algorithm object to state,
// shared by Create, Read, Update and Import. prior is the plan or state being mapped onto:
// it supplies what the cluster does not report, deletion_protection (Terraform's alone) and
// sample_input before the first build. The platform keeps the sample input on the algorithm
// but shows it only in version_info, which a new algorithm lacks until it is built (CONTRACT.md
// §5.1; create answers a HashResponse without it, CONTRACT.md §5.2), so until then the value sent is kept.
func algorithmModelFromAPI(ctx context.Context, cc *clusterClient, owner string, a *algorithmia.Algorithm, prior algorithmModel) (algorithmModel, diag.Diagnostics) {
	deletionProtection := prior.DeletionProtection
	var diags diag.Diagnostics
	details, d := types.ObjectValue(detailsAttrTypes, map[string]attr.Value{
		"label":   types.StringValue(a.Details.Label),
		"summary": types.StringValue(a.Details.Summary),
		"tagline": types.StringValue(a.Details.Tagline),
	})
	diags.Append(d...)
	settings, d := types.ObjectValue(settingsAttrTypes, map[string]attr.Value{
		"language":              optionalString(a.Settings.Language),
		"environment":           optionalString(a.Settings.Environment),
		"algorithm_environment": optionalString(a.Settings.AlgorithmEnvironment),
		"license":               types.StringValue(a.Settings.License),
		"network_access":        types.StringValue(a.Settings.NetworkAccess),
		"pipeline_enabled":      types.BoolValue(a.Settings.PipelineEnabled),
		"source_visibility":     types.StringValue(a.Settings.SourceVisibility),
		"algorithm_callability": types.StringValue(a.Settings.AlgorithmCallability),
	})
	diags.Append(d...)
	if deletionProtection.IsNull() || deletionProtection.IsUnknown() {
		deletionProtection = types.BoolValue(true)
	}
	m := algorithmModel{
		ID:                 types.StringValue(owner + "/" + a.Name),
		Owner:              types.StringValue(owner),
		Name:               types.StringValue(a.Name),
		Details:            details,
		Settings:           settings,
		SampleInput:        types.StringValue(""),
		DeletionProtection: deletionProtection,
		AlgorithmID:        types.StringValue(a.ID),
		GitURL:             types.StringValue(cc.gitURL(owner, a.Name)),
		PackageSet:         optionalString(a.Settings.PackageSet),
		LatestBuildCommit:  types.StringNull(),
		RepositoryHTTPSURL: types.StringNull(),
	}
	m.Source, d = scmSourceFromAPI(a.Source, prior.Source)
	diags.Append(d...)
	switch {
	case a.Source != nil:
		m.RepositoryHTTPSURL = optionalString(a.Source.RepositoryHTTPSURL)
	case !prior.RepositoryHTTPSURL.IsUnknown():
		m.RepositoryHTTPSURL = prior.RepositoryHTTPSURL
	}
	switch {
	case a.VersionInfo != nil:
		m.SampleInput = types.StringValue(a.VersionInfo.SampleInput)
		m.LatestBuildCommit = optionalString(a.VersionInfo.GitHash)
	case !prior.SampleInput.IsNull() && !prior.SampleInput.IsUnknown():
		m.SampleInput = prior.SampleInput
	}
	_ = ctx
	return m, diags
}
