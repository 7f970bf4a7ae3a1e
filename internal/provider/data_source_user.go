package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ datasource.DataSourceWithConfigure = (*userDataSource)(nil)

// NewUserDataSource is the factory of the algorithmia_user data source.
func NewUserDataSource() datasource.DataSource {
	return &userDataSource{}
}

type userDataSource struct {
	cluster *clusterClient
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := userDataAttributes()
	attrs["username"] = schema.StringAttribute{
		MarkdownDescription: "Account name to look up.",
		Required:            true,
		Validators:          []validator.String{usernameValidator()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one user on one cluster. Needs the provider's `admin_api_key`.",
		Attributes:          attrs,
	}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg userModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username := cfg.Username.ValueString()
	u, err := d.cluster.api.GetUser(ctx, username)
	if err != nil {
		addReadError(&resp.Diagnostics, d.cluster, err, "User not found", "user "+username, "read user "+username)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userModelFromAPI(u))...)
}
