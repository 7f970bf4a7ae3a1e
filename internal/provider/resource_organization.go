package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
	_ resource.ResourceWithConfigure   = (*organizationResource)(nil)
	_ resource.ResourceWithImportState = (*organizationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*organizationResource)(nil)
)

// Limits of the organization object (CONTRACT.md §10.2).
const maxOrgTextLength = 100

// NewOrganizationResource is the factory of algorithmia_organization.
func NewOrganizationResource() resource.Resource {
	return &organizationResource{}
}

type organizationResource struct {
	cluster *clusterClient
}

// organizationModel is the organization object in the state of algorithmia_organization and
// of the organization data sources.
type organizationModel struct {
	ID             types.String `tfsdk:"id"`
	OrgName        types.String `tfsdk:"org_name"`
	OrgLabel       types.String `tfsdk:"org_label"`
	OrgContactName types.String `tfsdk:"org_contact_name"`
	OrgEmail       types.String `tfsdk:"org_email"`
	OrgURL         types.String `tfsdk:"org_url"`
	Type           types.String `tfsdk:"type"`
	TypeID         types.String `tfsdk:"type_id"`
	OrgID          types.String `tfsdk:"org_id"`
	SelfLink       types.String `tfsdk:"self_link"`
}

// organizationResourceModel is the state of algorithmia_organization: the organization
// object plus what only Terraform holds.
type organizationResourceModel struct {
	organizationModel
	ForceDestroy types.Bool `tfsdk:"force_destroy"`
}

func (r *organizationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organization"
}

func (r *organizationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	text := []validator.String{stringvalidator.LengthBetween(1, maxOrgTextLength)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An organization on one cluster: an account that can own algorithms, managed by its " +
			"members' keys. Needs the provider's `admin_api_key`. Members are `algorithmia_organization_member`.\n\n" +
			"Destroying an organization that still owns algorithms or data collections fails (at plan time when the " +
			"provider is configured): the platform would delete them with it. Set `force_destroy = true` and apply first " +
			"if they are meant to go with it.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("The organization name."),
			"org_name": schema.StringAttribute{
				MarkdownDescription: "Organization name, used as the owner of its algorithms: a letter, then letters, " +
					"digits or underscores, at most 30 characters. Users and organizations share one namespace. " +
					"Changing it replaces the organization.",
				Required:      true,
				Validators:    []validator.String{usernameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"org_label": schema.StringAttribute{
				MarkdownDescription: "Display name, at most 100 characters.",
				Required:            true,
				Validators:          text,
			},
			"org_contact_name": schema.StringAttribute{
				MarkdownDescription: "Contact person, at most 100 characters.",
				Required:            true,
				Validators:          text,
			},
			"org_email": schema.StringAttribute{
				MarkdownDescription: "Contact e-mail address, at most 100 characters.",
				Required:            true,
				Validators:          []validator.String{emailValidator()},
			},
			"org_url": schema.StringAttribute{
				MarkdownDescription: "Web site, at most 100 characters.",
				Optional:            true,
				Validators:          text,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Organization type by name, such as `basic` (the default), `legacy` or `pro`. " +
					"Type IDs differ between clusters; the provider looks the name up on this cluster.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString("basic"),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"type_id": schema.StringAttribute{
				MarkdownDescription: "The type's UUID on this cluster.",
				Computed:            true,
			},
			"force_destroy": forceDestroyAttribute("organization"),
			"org_id":        keptAttribute("The organization's UUID on this cluster."),
			"self_link":     keptAttribute("The organization's API URL."),
		},
	}
}

func (r *organizationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses to destroy or replace an organization that owns algorithms or data,
// and looks the type name up on this cluster, so an unknown type fails the plan rather
// than the apply.
func (r *organizationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planAccountRemoval(ctx, req, r.cluster, "organization", path.Root("org_name"), &resp.Diagnostics, path.Root("org_name"))
	if req.Plan.Raw.IsNull() || r.cluster == nil || resp.Diagnostics.HasError() {
		return
	}
	var plan organizationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Type.IsUnknown() {
		return
	}
	r.request(ctx, plan, &resp.Diagnostics)
}

// request lists this cluster's organization types and turns the plan into a create or
// update body with them.
func (r *organizationResource) request(ctx context.Context, plan organizationResourceModel, diags *diag.Diagnostics) (algorithmia.OrganizationRequest, []algorithmia.OrganizationType) {
	orgTypes := listOrganizationTypes(ctx, r.cluster, diags)
	return organizationRequestFromModel(plan.organizationModel, orgTypes, diags), orgTypes
}

// update sends body (PUT replaces the organization) and reads the organization back, since
// the answer has no body; nil after adding a diagnostic that names operation.
func (r *organizationResource) update(ctx context.Context, name string, body algorithmia.OrganizationRequest, operation string, diags *diag.Diagnostics) *algorithmia.Organization {
	if err := r.cluster.api.UpdateOrganization(ctx, name, body); err != nil {
		addClientError(diags, operation, err)
		return nil
	}
	got, err := r.cluster.api.GetOrganization(ctx, name)
	if err != nil {
		addClientError(diags, "read organization "+name+" after the update", err)
		return nil
	}
	return got
}

func (r *organizationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan organizationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.OrgName.ValueString()
	body, orgTypes := r.request(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var created *algorithmia.Organization
	lost, err := createSettled(ctx, r.cluster, func(ctx context.Context) (err error) {
		created, err = r.cluster.api.CreateOrganization(ctx, body)
		return err
	}, func(ctx context.Context) (bool, error) { return exists(r.cluster.api.GetOrganization(ctx, name)) })
	var apiErr *algorithmia.APIError
	switch {
	case lost != nil: // it exists after a create without an answer: adopt compares it with what was sent
		created = r.adopt(ctx, body, lost, &resp.Diagnostics)
	case errors.Is(err, algorithmia.ErrAlreadyExists) && errors.As(err, &apiErr) && apiErr.Code == algorithmia.CodeOrganizationAlreadyExists:
		created = r.adopt(ctx, body, nil, &resp.Diagnostics)
	case errors.As(err, &apiErr) || errors.Is(err, algorithmia.ErrAdminKeyRequired):
		addClientError(&resp.Diagnostics, "create organization "+name, err)
		return
	case err != nil:
		// POSTs are never retried blindly: after a connection error, look before reporting.
		created = r.adopt(ctx, body, err, &resp.Diagnostics)
	}
	if created == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, organizationResourceModelFromAPI(created, orgTypes, plan.ForceDestroy))...)
}

// adopt takes over the organization of want, which exists although Create was planned
// (adoptionReason says when that is allowed), and updates it in place to match. noAnswer is
// the error of a create request that got no answer, else nil. It returns nil after adding a
// diagnostic.
func (r *organizationResource) adopt(ctx context.Context, want algorithmia.OrganizationRequest, noAnswer error, diags *diag.Diagnostics) *algorithmia.Organization {
	name := want.OrgName
	obj := existingObject{kind: "organization", name: name, importID: name}
	got, err := r.cluster.api.GetOrganization(ctx, name)
	if err != nil {
		if noAnswer != nil {
			err = noAnswer
		}
		addClientError(diags, "create organization "+name, err)
		return nil
	}
	var changed []string
	for _, f := range []struct {
		attr       string
		have, want string
	}{
		{"org_label", got.OrgLabel, want.OrgLabel},
		{"org_contact_name", got.OrgContactName, want.OrgContactName},
		{"org_email", got.OrgEmail, want.OrgEmail},
		{"org_url", got.OrgURL, want.OrgURL},
		{"type", got.TypeID, want.TypeID},
	} {
		if f.have != f.want {
			changed = append(changed, f.attr)
		}
	}
	why := adoptionReason(diags, r.cluster, obj, noAnswer != nil, changed)
	if why == "" {
		return nil
	}
	if len(changed) > 0 {
		// PUT replaces the organization: keep what the configuration does not manage.
		want.ExternalAdminGroup, want.ExternalMemberGroup, want.ExternalID = got.ExternalAdminGroup, got.ExternalMemberGroup, got.ExternalID
		if got = r.update(ctx, name, want, "update the adopted organization "+name, diags); got == nil {
			return nil
		}
	}
	addAdoptedWarning(diags, r.cluster, obj, why, changed)
	return got
}

func (r *organizationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state organizationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.OrgName.ValueString()
	got, err := r.cluster.api.GetOrganization(ctx, name)
	if !readFound(ctx, resp, "read organization "+name, err) {
		return
	}
	orgTypes := listOrganizationTypes(ctx, r.cluster, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, organizationResourceModelFromAPI(got, orgTypes, state.ForceDestroy))...)
}

func (r *organizationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan organizationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.OrgName.ValueString()
	body, orgTypes := r.request(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got := r.update(ctx, name, body, "update organization "+name, &resp.Diagnostics)
	if got == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, organizationResourceModelFromAPI(got, orgTypes, plan.ForceDestroy))...)
}

func (r *organizationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state organizationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The platform answers 204 also for a missing organization.
	deleteAccount(ctx, r.cluster, "organization", state.OrgName.ValueString(), state.ForceDestroy, r.cluster.api.DeleteOrganization, &resp.Diagnostics)
}

func (r *organizationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAccount(ctx, req, resp, "org_name", "an organization name, such as acme")
}

// listOrganizationTypes returns this cluster's organization types, which map names to IDs.
func listOrganizationTypes(ctx context.Context, cc *clusterClient, diags *diag.Diagnostics) []algorithmia.OrganizationType {
	orgTypes, err := cc.api.ListOrganizationTypes(ctx)
	if err != nil {
		addClientError(diags, "list organization types", err)
	}
	return orgTypes
}

// organizationRequestFromModel turns the plan into a create or update body, resolving the
// type name to this cluster's type ID. PUT replaces the organization, so every field is sent.
func organizationRequestFromModel(m organizationModel, orgTypes []algorithmia.OrganizationType, diags *diag.Diagnostics) algorithmia.OrganizationRequest {
	typeName := m.Type.ValueString()
	typeID := ""
	names := make([]string, 0, len(orgTypes))
	for _, t := range orgTypes {
		names = append(names, t.Name)
		if t.Name == typeName {
			typeID = t.ID
		}
	}
	if typeID == "" && !diags.HasError() {
		sort.Strings(names)
		diags.AddAttributeError(path.Root("type"), "Unknown organization type",
			fmt.Sprintf("The cluster has no organization type named %q. Its types are: %s.", typeName, strings.Join(names, ", ")))
	}
	return algorithmia.OrganizationRequest{
		OrgName:        m.OrgName.ValueString(),
		OrgLabel:       m.OrgLabel.ValueString(),
		OrgContactName: m.OrgContactName.ValueString(),
		OrgEmail:       m.OrgEmail.ValueString(),
		OrgURL:         m.OrgURL.ValueString(),
		TypeID:         typeID,
	}
}

// organizationResourceModelFromAPI maps the organization object onto the resource's state;
// force_destroy is Terraform's alone and comes from the plan or state (false after an import).
func organizationResourceModelFromAPI(o *algorithmia.Organization, orgTypes []algorithmia.OrganizationType, forceDestroy types.Bool) organizationResourceModel {
	return organizationResourceModel{organizationModel: organizationModelFromAPI(o, orgTypes), ForceDestroy: knownBool(forceDestroy, false)}
}

// organizationModelFromAPI is the one mapping from the platform's organization object to
// state, shared by Create, Read, Update, Import and the organization data sources.
func organizationModelFromAPI(o *algorithmia.Organization, orgTypes []algorithmia.OrganizationType) organizationModel {
	typeName := types.StringNull()
	for _, t := range orgTypes {
		if t.ID == o.TypeID {
			typeName = types.StringValue(t.Name)
		}
	}
	return organizationModel{
		ID:             types.StringValue(o.OrgName),
		OrgName:        types.StringValue(o.OrgName),
		OrgLabel:       types.StringValue(o.OrgLabel),
		OrgContactName: types.StringValue(o.OrgContactName),
		OrgEmail:       types.StringValue(o.OrgEmail),
		OrgURL:         optionalString(o.OrgURL),
		Type:           typeName,
		TypeID:         types.StringValue(o.TypeID),
		OrgID:          types.StringValue(o.ID),
		SelfLink:       types.StringValue(o.SelfLink),
	}
}
