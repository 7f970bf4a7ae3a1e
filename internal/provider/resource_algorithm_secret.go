package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure   = (*algorithmSecretResource)(nil)
	_ resource.ResourceWithImportState = (*algorithmSecretResource)(nil)
)

// secretNameRegexp is what short_name and secret_key must match: the platform
// hands secrets to the algorithm as environment variables.
var secretNameRegexp = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// NewAlgorithmSecretResource is the factory of algorithmia_algorithm_secret.
func NewAlgorithmSecretResource() resource.Resource {
	return &algorithmSecretResource{}
}

type algorithmSecretResource struct {
	cluster *clusterClient
}

type algorithmSecretModel struct {
	ID                   types.String `tfsdk:"id"`
	Owner                types.String `tfsdk:"owner"`
	Name                 types.String `tfsdk:"name"`
	ShortName            types.String `tfsdk:"short_name"`
	Description          types.String `tfsdk:"description"`
	SecretKey            types.String `tfsdk:"secret_key"`
	SecretProviderID     types.String `tfsdk:"secret_provider_id"`
	SecretValueWO        types.String `tfsdk:"secret_value_wo"`
	SecretValueWOVersion types.Int64  `tfsdk:"secret_value_wo_version"`
	SecretID             types.String `tfsdk:"secret_id"`
	AlgorithmID          types.String `tfsdk:"algorithm_id"`
}

func (r *algorithmSecretResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithm_secret"
}

func (r *algorithmSecretResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	secretName := []validator.String{stringvalidator.RegexMatches(secretNameRegexp,
		"must start with a letter or underscore and contain only letters, digits and underscores (at most 128 characters)")}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A secret of an algorithm (`/v1/algorithms/{id}/secrets`): a named value the platform hands to the algorithm " +
			"at run time, kept by one of the cluster's secret providers. Uses the provider's `api_key`, which needs " +
			"algorithm management and must act for the algorithm's owner.\n\n" +
			"The value is a write-only argument (Terraform 1.11 or later): it is sent to the cluster and never stored " +
			"in the plan or the state, and the platform never returns it. So Terraform cannot see a changed value: " +
			"change `secret_value_wo_version` to send the value again (rotation). The name, `secret_key` and " +
			"`description` are read back, and changes made outside Terraform show as drift.\n\n" +
			"Destroying the resource deletes the secret; deleting the algorithm deletes its secrets too.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("`owner/name/short_name`."),
			"owner": schema.StringAttribute{
				MarkdownDescription: "User or organization that owns the algorithm. Changing it replaces the secret.",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       replace,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the algorithm. Changing it replaces the secret.",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       replace,
			},
			"short_name": schema.StringAttribute{
				MarkdownDescription: "The secret's name, unique per algorithm: a letter or underscore, then letters, digits " +
					"or underscores. Changing it replaces the secret (the value is sent again).",
				Required:      true,
				Validators:    secretName,
				PlanModifiers: replace,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text shown with the secret. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The name the algorithm reads the value under (its environment variable). " +
					"Defaults to `short_name` when the secret is created.",
				Optional:      true,
				Computed:      true,
				Validators:    secretName,
				PlanModifiers: keep,
			},
			"secret_provider_id": schema.StringAttribute{
				MarkdownDescription: "Secret provider that keeps the value (see `GET /v1/secret-provider`). Defaults to " +
					"the cluster's default provider. Changing it replaces the secret.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"secret_value_wo": schema.StringAttribute{
				MarkdownDescription: "The secret value, for example from a secret store or an ephemeral variable. " +
					"Write-only: it is sent when the secret is created and whenever `secret_value_wo_version` changes, " +
					"and is never stored in the plan or the state. Needs Terraform 1.11 or later.",
				Required:   true,
				WriteOnly:  true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"secret_value_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Change it (for example increment it) to send `secret_value_wo` again, which " +
					"rotates the value in place. Terraform cannot see a write-only value change by itself.",
				Optional: true,
			},
			"secret_id":    keptAttribute("The secret's UUID on the cluster."),
			"algorithm_id": keptAttribute("The algorithm's UUID on the cluster."),
		},
	}
}

func (r *algorithmSecretResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func secretLabel(m algorithmSecretModel) string {
	return m.Owner.ValueString() + "/" + m.Name.ValueString() + "/" + m.ShortName.ValueString()
}

// algorithmID returns the UUID of owner/name; nil after a diagnostic, or with
// notFound set when the algorithm does not exist.
func (r *algorithmSecretResource) algorithmID(ctx context.Context, m algorithmSecretModel, diags *diag.Diagnostics) (id string, notFound bool) {
	owner, name := m.Owner.ValueString(), m.Name.ValueString()
	a, err := r.cluster.api.GetAlgorithm(ctx, owner, name)
	if errors.Is(err, algorithmia.ErrNotFound) {
		return "", true
	}
	if err != nil {
		addClientError(diags, "read algorithm "+owner+"/"+name+" of a secret", err)
		return "", false
	}
	return a.ID, false
}

func (r *algorithmSecretResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan algorithmSecretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	value := configString(ctx, req.Config, path.Root("secret_value_wo"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	label := secretLabel(plan)
	algoID, notFound := r.algorithmID(ctx, plan, &resp.Diagnostics)
	if notFound {
		resp.Diagnostics.AddError("Failed to create secret "+label,
			fmt.Sprintf("The algorithm %s/%s does not exist on %s.", plan.Owner.ValueString(), plan.Name.ValueString(), r.cluster.apiAddress))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	providerID := plan.SecretProviderID.ValueString()
	if plan.SecretProviderID.IsUnknown() || providerID == "" {
		p, err := r.cluster.api.DefaultSecretProvider(ctx)
		if err != nil {
			addClientError(&resp.Diagnostics, "find the default secret provider for secret "+label, err)
			return
		}
		providerID = p.ID
	}
	secretKey := plan.SecretKey.ValueString()
	if plan.SecretKey.IsUnknown() || secretKey == "" {
		secretKey = plan.ShortName.ValueString()
	}
	want := algorithmia.CreateAlgorithmSecretRequest{
		ShortName: plan.ShortName.ValueString(), SecretKey: secretKey, ProviderID: providerID,
		Description: plan.Description.ValueString(), SecretValue: value.ValueString(),
	}
	var got *algorithmia.AlgorithmSecret
	lost, err := createSettled(ctx, r.cluster, func(ctx context.Context) (err error) {
		got, err = r.cluster.api.CreateAlgorithmSecret(ctx, algoID, want)
		return err
	}, func(ctx context.Context) (bool, error) {
		return exists(r.cluster.api.FindAlgorithmSecret(ctx, algoID, want.ShortName))
	})
	if lost != nil {
		err = lost // it exists after a create without an answer: adopt compares it with what was sent
	}
	if err != nil {
		if got = r.adopt(ctx, label, algoID, want, err, &resp.Diagnostics); got == nil {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, algorithmSecretModelFromAPI(plan, algoID, got))...)
}

// adopt handles a failed create: when a secret of that name exists now, it is
// adopted under the rules of DESIGN.md ("Objects that already exist", "A
// create that got no answer") and given the configured value and metadata.
// The value cannot be compared (the platform never returns it), so an adopted
// secret always gets the configured value. It returns nil after a diagnostic.
func (r *algorithmSecretResource) adopt(ctx context.Context, label, algoID string, want algorithmia.CreateAlgorithmSecretRequest, createErr error, diags *diag.Diagnostics) *algorithmia.AlgorithmSecret {
	noAnswer := algorithmia.MayHaveActed(createErr)
	existing, err := r.cluster.api.FindAlgorithmSecret(ctx, algoID, want.ShortName)
	if err != nil {
		addClientError(diags, "create secret "+label, createErr)
		return nil
	}
	var changed []string
	if existing.Description != want.Description {
		changed = append(changed, "description")
	}
	if existing.SecretKey != "" && existing.SecretKey != want.SecretKey {
		changed = append(changed, "secret_key")
	}
	obj := existingObject{kind: "algorithm secret", name: label, importID: label}
	if existing.ProviderID != "" && existing.ProviderID != want.ProviderID {
		addCannotAdoptError(diags, r.cluster, obj, fmt.Sprintf("its secret provider is %s, not %s", existing.ProviderID, want.ProviderID),
			"Import it, or delete it first.")
		return nil
	}
	why := adoptionReason(diags, r.cluster, obj, noAnswer, changed)
	if why == "" {
		return nil
	}
	got, err := r.cluster.api.UpdateAlgorithmSecret(ctx, algoID, existing.ID, algorithmia.UpdateAlgorithmSecretRequest{
		ShortName: want.ShortName, Description: want.Description, SecretKey: want.SecretKey, SecretValue: want.SecretValue,
	})
	if err != nil {
		addClientError(diags, "update adopted secret "+label, err)
		return nil
	}
	addAdoptedWarning(diags, r.cluster, obj, why, append(changed, "secret value (sent again: the platform never shows it)"))
	return got
}

func (r *algorithmSecretResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state algorithmSecretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	algoID, notFound := r.algorithmID(ctx, state, &resp.Diagnostics)
	if notFound {
		resp.State.RemoveResource(ctx) // its secrets went with it
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var got *algorithmia.AlgorithmSecret
	var err error
	if id := state.SecretID.ValueString(); id != "" && state.AlgorithmID.ValueString() == algoID {
		got, err = r.cluster.api.GetAlgorithmSecret(ctx, algoID, id)
	} else { // import, or an algorithm made anew: find the secret by its name
		got, err = r.cluster.api.FindAlgorithmSecret(ctx, algoID, state.ShortName.ValueString())
	}
	if !readFound(ctx, resp, "read secret "+secretLabel(state), err) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, algorithmSecretModelFromAPI(state, algoID, got))...)
}

// Update changes description and secret_key, and sends the value again when
// secret_value_wo_version changed.
func (r *algorithmSecretResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state algorithmSecretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := algorithmia.UpdateAlgorithmSecretRequest{
		ShortName: plan.ShortName.ValueString(), Description: plan.Description.ValueString(), SecretKey: plan.SecretKey.ValueString(),
	}
	if !plan.SecretValueWOVersion.Equal(state.SecretValueWOVersion) {
		value := configString(ctx, req.Config, path.Root("secret_value_wo"), &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		body.SecretValue = value.ValueString()
	}
	algoID, secretID := state.AlgorithmID.ValueString(), state.SecretID.ValueString()
	got, err := r.cluster.api.UpdateAlgorithmSecret(ctx, algoID, secretID, body)
	if err != nil {
		addClientError(&resp.Diagnostics, "update secret "+secretLabel(plan), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, algorithmSecretModelFromAPI(plan, algoID, got))...)
}

func (r *algorithmSecretResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state algorithmSecretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A secret gone already, or with its algorithm, is no error.
	err := r.cluster.api.DeleteAlgorithmSecret(ctx, state.AlgorithmID.ValueString(), state.SecretID.ValueString())
	addDeleteError(&resp.Diagnostics, "delete secret "+secretLabel(state), err)
}

func (r *algorithmSecretResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, "/")
	if len(parts) != 3 || !nameRegexp.MatchString(parts[0]) || !nameRegexp.MatchString(parts[1]) || !secretNameRegexp.MatchString(parts[2]) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Expected owner/name/short_name, such as acme/hello/DB_PASSWORD; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("owner"), parts[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), parts[1])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("short_name"), parts[2])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// algorithmSecretModelFromAPI maps the platform's answer to state. The value
// is never part of it: the write-only argument is always null in state.
func algorithmSecretModelFromAPI(prior algorithmSecretModel, algoID string, s *algorithmia.AlgorithmSecret) algorithmSecretModel {
	m := prior
	m.SecretValueWO = types.StringNull()
	m.ShortName = types.StringValue(s.ShortName)
	m.Description = types.StringValue(s.Description)
	key := s.SecretKey
	if key == "" { // servers that omit it use the short name
		key = s.ShortName
	}
	m.SecretKey = types.StringValue(key)
	m.SecretProviderID = types.StringValue(s.ProviderID)
	m.SecretID = types.StringValue(s.ID)
	m.AlgorithmID = types.StringValue(algoID)
	m.ID = types.StringValue(m.Owner.ValueString() + "/" + m.Name.ValueString() + "/" + s.ShortName)
	return m
}
