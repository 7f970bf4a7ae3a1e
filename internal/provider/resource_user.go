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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userResource)(nil)
)

// Limits of the user object (CONTRACT.md §10.1).
var (
	emailRegexp = regexp.MustCompile(`^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+[.][a-zA-Z]{2,6}$`)
)

const (
	maxNameLength        = 30
	maxEmailLength       = 100
	maxFullnameLength    = 100
	maxCompanyNameLength = 100
	maxCompanyRoleLength = 200
)

// NewUserResource is the factory of algorithmia_user.
func NewUserResource() resource.Resource {
	return &userResource{}
}

type userResource struct {
	cluster *clusterClient
}

// userModel is the state of algorithmia_user and of the algorithmia_user data source.
type userModel struct {
	ID          types.String `tfsdk:"id"`
	Username    types.String `tfsdk:"username"`
	Email       types.String `tfsdk:"email"`
	Fullname    types.String `tfsdk:"fullname"`
	CompanyName types.String `tfsdk:"company_name"`
	CompanyRole types.String `tfsdk:"company_role"`
	UserID      types.String `tfsdk:"user_id"`
	SelfLink    types.String `tfsdk:"self_link"`
}

// userResourceModel is the state of algorithmia_user: the user object plus what only
// Terraform holds.
type userResourceModel struct {
	userModel
	ForceDestroy types.Bool `tfsdk:"force_destroy"`
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A user account on one cluster. Needs the provider's `admin_api_key`. Clusters share no " +
			"accounts, so promoting an algorithm first needs its owner on the destination cluster; the " +
			"`algorithmia_users` data source of another alias can drive this resource with `for_each`.\n\n" +
			"Destroying a user who still owns algorithms or data collections fails (at plan time when the provider is " +
			"configured): the platform would delete them with the user. Set `force_destroy = true` and apply first if " +
			"they are meant to go with it.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("The username."),
			"username": schema.StringAttribute{
				MarkdownDescription: "Account name: a letter, then letters, digits or underscores, at most 30 characters. " +
					"The platform cannot rename users, so changing it replaces the user.",
				Required:      true,
				Validators:    []validator.String{usernameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "E-mail address, at most 100 characters; unique on the cluster. The platform refuses " +
					"to change it (error 3008), so changing it replaces the user.",
				Required:      true,
				Validators:    []validator.String{emailValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"fullname": schema.StringAttribute{
				MarkdownDescription: "Display name, at most 100 characters. When not set, the platform uses the username " +
					"and later plans keep the cluster's value.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, maxFullnameLength)},
				PlanModifiers: keep,
			},
			"company_name": schema.StringAttribute{
				MarkdownDescription: "Company, at most 100 characters.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, maxCompanyNameLength)},
			},
			"company_role": schema.StringAttribute{
				MarkdownDescription: "Role in the company, at most 200 characters.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, maxCompanyRoleLength)},
			},
			"force_destroy": forceDestroyAttribute("user"),
			"user_id":       keptAttribute("The user's UUID on this cluster. It differs between clusters."),
			"self_link":     keptAttribute("The user's API URL."),
		},
	}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username, email := plan.Username.ValueString(), plan.Email.ValueString()
	var created *algorithmia.User
	lost, err := createSettled(ctx, r.cluster, func(ctx context.Context) (err error) {
		created, err = r.cluster.api.CreateUser(ctx, algorithmia.CreateUserRequest{
			Username:    username,
			Email:       email,
			Fullname:    plan.Fullname.ValueString(),
			CompanyName: plan.CompanyName.ValueString(),
			CompanyRole: plan.CompanyRole.ValueString(),
		})
		return err
	}, func(ctx context.Context) (bool, error) { return exists(r.cluster.api.GetUser(ctx, username)) })
	var apiErr *algorithmia.APIError
	switch {
	case lost != nil: // it exists after a create without an answer: adopt compares it with what was sent
		created = r.adopt(ctx, plan.userModel, lost, &resp.Diagnostics)
	case errors.Is(err, algorithmia.ErrAlreadyExists) && errors.As(err, &apiErr) && apiErr.Code == algorithmia.CodeEmailAddressHasBeenTaken:
		owner := r.userWithEmail(ctx, email)
		detail := fmt.Sprintf("The e-mail address %s is already used by another user on %s, and e-mail addresses are unique.", email, r.cluster.apiAddress)
		if owner != "" {
			detail = fmt.Sprintf("The e-mail address %s is already used by the user %s on %s, and e-mail addresses are unique. "+
				"If that is the account you mean, set username = %q and import it:\n\n  terraform import <resource address> %s",
				email, owner, r.cluster.apiAddress, owner, owner)
		}
		resp.Diagnostics.AddError("E-mail address already taken", detail)
		return
	case errors.Is(err, algorithmia.ErrAlreadyExists):
		created = r.adopt(ctx, plan.userModel, nil, &resp.Diagnostics)
	case err != nil:
		if errors.As(err, &apiErr) || errors.Is(err, algorithmia.ErrAdminKeyRequired) {
			addClientError(&resp.Diagnostics, "create user "+username, err)
			return
		}
		// POSTs are never retried blindly: after a connection error, look before reporting.
		created = r.adopt(ctx, plan.userModel, err, &resp.Diagnostics)
	}
	if created == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userResourceModelFromAPI(created, plan.ForceDestroy))...)
}

// adopt takes over the user of the plan, which exists although Create was planned
// (adoptionReason says when that is allowed), and updates its profile in place to match the
// plan. noAnswer is the error of a create request that got no answer, else nil. It returns nil
// after adding a diagnostic.
func (r *userResource) adopt(ctx context.Context, plan userModel, noAnswer error, diags *diag.Diagnostics) *algorithmia.User {
	username := plan.Username.ValueString()
	obj := existingObject{kind: "user", name: username, importID: username}
	got, err := r.cluster.api.GetUser(ctx, username)
	switch {
	case err != nil && noAnswer != nil:
		addClientError(diags, "create user "+username, noAnswer)
		return nil
	case errors.Is(err, algorithmia.ErrNotFound):
		diags.AddError("Username taken by an organization",
			fmt.Sprintf("The name %s is taken on %s, but not by a user: user and organization names share one namespace. "+
				"Choose another username.", username, r.cluster.apiAddress))
		return nil
	case err != nil:
		addClientError(diags, "read the existing user "+username, err)
		return nil
	}
	update := algorithmia.UpdateUserRequest{
		Username: got.Username, Email: got.Email, Fullname: got.Fullname, CompanyName: got.CompanyName, CompanyRole: got.CompanyRole,
	}
	var changed []string
	set := func(attr string, v types.String, have *string) {
		if !v.IsUnknown() && *have != v.ValueString() {
			*have = v.ValueString()
			changed = append(changed, attr)
		}
	}
	sameEmail := strings.EqualFold(got.Email, plan.Email.ValueString())
	if !sameEmail {
		changed = append(changed, "email")
	}
	if !plan.Fullname.IsNull() {
		set("fullname", plan.Fullname, &update.Fullname)
	}
	set("company_name", plan.CompanyName, &update.CompanyName)
	set("company_role", plan.CompanyRole, &update.CompanyRole)
	why := adoptionReason(diags, r.cluster, obj, noAnswer != nil, changed)
	if why == "" {
		return nil
	}
	if !sameEmail {
		addCannotAdoptError(diags, r.cluster, obj, fmt.Sprintf("its e-mail address is %s (the platform refuses to change "+
			"e-mail addresses: 3008)", got.Email), fmt.Sprintf("Set email = %q to adopt it, or choose another username.", got.Email))
		return nil
	}
	if len(changed) > 0 {
		if got, err = r.cluster.api.UpdateUser(ctx, username, update); err != nil {
			addClientError(diags, "update the adopted user "+username, err)
			return nil
		}
	}
	addAdoptedWarning(diags, r.cluster, obj, why, changed)
	return got
}

// userWithEmail finds the user who holds an e-mail address, for a helpful message; "" if unknown.
func (r *userResource) userWithEmail(ctx context.Context, email string) string {
	users, err := r.cluster.api.ListAllUsers(ctx)
	if err != nil {
		return ""
	}
	for _, u := range users {
		if strings.EqualFold(u.Email, email) {
			return u.Username
		}
	}
	return ""
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username := state.Username.ValueString()
	got, err := r.cluster.api.GetUser(ctx, username)
	if !readFound(ctx, resp, "read user "+username, err) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userResourceModelFromAPI(got, state.ForceDestroy))...)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username := plan.Username.ValueString()
	fullname := plan.Fullname.ValueString()
	if plan.Fullname.IsUnknown() {
		fullname = state.Fullname.ValueString()
	}
	// PUT replaces the user: every field is sent, and "" clears a company field.
	updated, err := r.cluster.api.UpdateUser(ctx, username, algorithmia.UpdateUserRequest{
		Username:    username,
		Email:       state.Email.ValueString(),
		Fullname:    fullname,
		CompanyName: plan.CompanyName.ValueString(),
		CompanyRole: plan.CompanyRole.ValueString(),
	})
	if err != nil {
		addClientError(&resp.Diagnostics, "update user "+username, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userResourceModelFromAPI(updated, plan.ForceDestroy))...)
}

// ModifyPlan refuses at plan time to destroy or replace a user who owns algorithms or data.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planAccountRemoval(ctx, req, r.cluster, "user", path.Root("username"), &resp.Diagnostics, path.Root("username"), path.Root("email"))
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	deleteAccount(ctx, r.cluster, "user", state.Username.ValueString(), state.ForceDestroy, r.cluster.api.DeleteUser, &resp.Diagnostics)
}

func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importAccount(ctx, req, resp, "username", "a username, such as jane_doe")
}

// userResourceModelFromAPI maps the user object onto the resource's state; force_destroy
// is Terraform's alone and comes from the plan or state (false after an import).
func userResourceModelFromAPI(u *algorithmia.User, forceDestroy types.Bool) userResourceModel {
	return userResourceModel{userModel: userModelFromAPI(u), ForceDestroy: knownBool(forceDestroy, false)}
}

// userModelFromAPI is the one mapping from the platform's user object to state, shared by
// Create, Read, Update, Import and the user data sources.
func userModelFromAPI(u *algorithmia.User) userModel {
	return userModel{
		ID:          types.StringValue(u.Username),
		Username:    types.StringValue(u.Username),
		Email:       types.StringValue(u.Email),
		Fullname:    types.StringValue(u.Fullname),
		CompanyName: optionalString(u.CompanyName),
		CompanyRole: optionalString(u.CompanyRole),
		UserID:      types.StringValue(u.ID),
		SelfLink:    types.StringValue(u.SelfLink),
	}
}
