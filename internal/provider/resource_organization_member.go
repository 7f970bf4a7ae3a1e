package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure   = (*organizationMemberResource)(nil)
	_ resource.ResourceWithImportState = (*organizationMemberResource)(nil)
)

// NewOrganizationMemberResource is the factory of algorithmia_organization_member.
func NewOrganizationMemberResource() resource.Resource {
	return &organizationMemberResource{}
}

type organizationMemberResource struct {
	cluster *clusterClient
}

type organizationMemberModel struct {
	ID       types.String `tfsdk:"id"`
	OrgName  types.String `tfsdk:"org_name"`
	Username types.String `tfsdk:"username"`
	Role     types.String `tfsdk:"role"`
}

func (r *organizationMemberResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organization_member"
}

func (r *organizationMemberResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A user's membership of an organization. Needs the provider's `admin_api_key`. A member's " +
			"standard key may manage the organization's algorithms.\n\n" +
			"The platform has no API to set a member's role: the first member of an organization without owners " +
			"becomes its owner, later ones members. It refuses to remove an organization's last owner; destroying " +
			"that membership then only removes it from the state, with a warning, and the membership ends when the " +
			"organization is deleted.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("`org_name/username`."),
			"org_name": schema.StringAttribute{
				MarkdownDescription: "Organization name.",
				Required:            true,
				Validators:          []validator.String{usernameValidator()},
				PlanModifiers:       replace,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "The member's username.",
				Required:            true,
				Validators:          []validator.String{usernameValidator()},
				PlanModifiers:       replace,
			},
			"role": keptAttribute("`owner` or `member`, as the cluster reports it."),
		},
	}
}

func (r *organizationMemberResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *organizationMemberResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan organizationMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, username := plan.OrgName.ValueString(), plan.Username.ValueString()
	// Look first: the PUT is idempotent and retried, so its answer (201 or 200) cannot tell a
	// membership made by this apply from one that was there before.
	existing, found, diags := readOrganizationMember(ctx, r.cluster, org, username)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if found {
		obj := existingObject{kind: "organization membership", name: org + "/" + username, importID: org + "/" + username}
		if why := adoptionReason(&resp.Diagnostics, r.cluster, obj, false, nil); why != "" {
			addAdoptedWarning(&resp.Diagnostics, r.cluster, obj, why, nil)
			resp.Diagnostics.Append(resp.State.Set(ctx, existing)...)
		}
		return
	}
	if _, err := r.cluster.api.AddOrganizationMember(ctx, org, username); err != nil {
		addClientError(&resp.Diagnostics, fmt.Sprintf("add %s to organization %s", username, org), err)
		return
	}
	m, found, diags := readOrganizationMember(ctx, r.cluster, org, username)
	resp.Diagnostics.Append(diags...)
	if !found && !diags.HasError() {
		resp.Diagnostics.AddError("Membership not found after adding it",
			fmt.Sprintf("The cluster accepted %s as a member of %s but does not list it. This is a bug of the cluster.", username, org))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *organizationMemberResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state organizationMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, found, diags := readOrganizationMember(ctx, r.cluster, state.OrgName.ValueString(), state.Username.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// Update is never called with a change: both arguments require a replacement.
func (r *organizationMemberResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan organizationMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *organizationMemberResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state organizationMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, username := state.OrgName.ValueString(), state.Username.ValueString()
	err := r.cluster.api.RemoveOrganizationMember(ctx, org, username)
	var apiErr *algorithmia.APIError
	switch {
	case err == nil, errors.Is(err, algorithmia.ErrNotFound):
	case errors.As(err, &apiErr) && apiErr.Code == algorithmia.CodeOrganizationRequiresOwner:
		resp.Diagnostics.AddWarning("Last owner left in place",
			fmt.Sprintf("%s is the last owner of the organization %s on %s, and the platform refuses to remove an "+
				"organization's last owner (code 3102). The membership was removed from the state only; it ends when the "+
				"organization is deleted, or can be removed once the organization has another owner.", username, org, r.cluster.apiAddress))
	default:
		addClientError(&resp.Diagnostics, fmt.Sprintf("remove %s from organization %s", username, org), err)
	}
}

func (r *organizationMemberResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	org, username, ok := strings.Cut(req.ID, "/")
	if !ok || !nameRegexp.MatchString(org) || !nameRegexp.MatchString(username) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Expected org_name/username, such as acme/jane; got %q.", req.ID))
		return
	}
	m, found, diags := readOrganizationMember(ctx, r.cluster, org, username)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddError("Cannot import a missing membership",
			fmt.Sprintf("%s is not a member of the organization %s on %s.", username, org, r.cluster.apiAddress))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// readOrganizationMember finds one membership by walking the organization's member pages;
// found is false when the organization or the membership does not exist.
func readOrganizationMember(ctx context.Context, cc *clusterClient, org, username string) (organizationMemberModel, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	members, err := cc.api.ListAllOrganizationMembers(ctx, org)
	if errors.Is(err, algorithmia.ErrNotFound) {
		return organizationMemberModel{}, false, diags
	}
	if err != nil {
		addClientError(&diags, "list the members of organization "+org, err)
		return organizationMemberModel{}, false, diags
	}
	for _, m := range members {
		if m.Username == username {
			return organizationMemberModelFromAPI(org, m), true, diags
		}
	}
	return organizationMemberModel{}, false, diags
}

// organizationMemberModelFromAPI is the one mapping from the platform's member object to state.
func organizationMemberModelFromAPI(org string, m algorithmia.Member) organizationMemberModel {
	return organizationMemberModel{
		ID:       types.StringValue(org + "/" + m.Username),
		OrgName:  types.StringValue(org),
		Username: types.StringValue(m.Username),
		Role:     types.StringValue(m.Role),
	}
}
