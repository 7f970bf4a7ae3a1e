package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)
)

// NewUsersDataSource is the factory of the algorithmia_users data source.
func NewUsersDataSource() datasource.DataSource {
	return &usersDataSource{}
}

type usersDataSource struct {
	cluster *clusterClient
}

type usersDataModel struct {
	ID               types.String `tfsdk:"id"`
	UsernameRegex    types.String `tfsdk:"username_regex"`
	ExcludeUsernames types.Set    `tfsdk:"exclude_usernames"`
	Users            types.List   `tfsdk:"users"`
}

func (m *usersDataModel) nameFilterArgs() (types.String, types.Set) {
	return m.UsernameRegex, m.ExcludeUsernames
}

var userAttrTypes = map[string]attr.Type{
	"id": types.StringType, "username": types.StringType, "email": types.StringType, "fullname": types.StringType,
	"company_name": types.StringType, "company_role": types.StringType, "user_id": types.StringType, "self_link": types.StringType,
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

// userDataAttributes are the computed attributes of one user, shared by algorithmia_user and algorithmia_users.
func userDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":           computedString("The username."),
		"username":     computedString("Account name."),
		"email":        computedString("E-mail address."),
		"fullname":     computedString("Display name."),
		"company_name": computedString("Company; null when not set."),
		"company_role": computedString("Role in the company; null when not set."),
		"user_id":      computedString("The user's UUID on this cluster."),
		"self_link":    computedString("The user's API URL."),
	}
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every user on one cluster (all pages of `GET /v1/users`), optionally filtered. Needs the " +
			"provider's `admin_api_key`. It drives bulk user migration: `for_each` over its `users` on another alias " +
			"creates the same accounts there. Use `username_regex` and `exclude_usernames` to leave out system and test accounts.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("The cluster's API address."),
			"username_regex": schema.StringAttribute{
				MarkdownDescription: "Keep only users whose username matches this regular expression (Go RE2 syntax; " +
					"use `^` and `$` to anchor it).",
				Optional:   true,
				Validators: []validator.String{regexpValidator()},
			},
			"exclude_usernames": schema.SetAttribute{
				MarkdownDescription: "Leave out these usernames, for example system or test accounts.",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The users, sorted by username.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: userDataAttributes()},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg usersDataModel
	filter, ok := readListingConfig(ctx, req, resp, &cfg)
	if !ok {
		return
	}

	all, err := d.cluster.api.ListAllUsers(ctx)
	if err != nil {
		addClientError(&resp.Diagnostics, "list users", err)
		return
	}
	users := keepMatching(filter, all, func(u algorithmia.User) string { return u.Username })
	list, diags := userListFromAPI(users)
	resp.Diagnostics.Append(diags...)
	cfg.ID = types.StringValue(d.cluster.apiAddress)
	cfg.Users = list
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

// userListFromAPI maps users, through userModelFromAPI, to the list of algorithmia_users.
func userListFromAPI(users []algorithmia.User) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	list := newObjectList(userAttrTypes, len(users))
	for i := range users {
		m := userModelFromAPI(&users[i])
		list.add(map[string]attr.Value{
			"id": m.ID, "username": m.Username, "email": m.Email, "fullname": m.Fullname,
			"company_name": m.CompanyName, "company_role": m.CompanyRole, "user_id": m.UserID, "self_link": m.SelfLink,
		}, &diags)
	}
	return list.value(&diags), diags
}
