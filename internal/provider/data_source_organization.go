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

var _ datasource.DataSourceWithConfigure = (*organizationDataSource)(nil)

// NewOrganizationDataSource is the factory of the algorithmia_organization data source.
func NewOrganizationDataSource() datasource.DataSource {
	return &organizationDataSource{}
}

type organizationDataSource struct {
	cluster *clusterClient
}

// organizationDataModel is the state of the algorithmia_organization data source.
type organizationDataModel struct {
	organizationModel
	Members types.List `tfsdk:"members"`
}

var memberAttrTypes = map[string]attr.Type{"username": types.StringType, "role": types.StringType}

func (d *organizationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organization"
}

func (d *organizationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one organization on one cluster, with its members. Needs the provider's `admin_api_key`.",
		Attributes: withAttributes(organizationDataAttributes(), map[string]schema.Attribute{
			"id": computedString("The organization name."),
			"org_name": schema.StringAttribute{
				MarkdownDescription: "Organization name to look up.",
				Required:            true,
				Validators:          []validator.String{usernameValidator()},
			},
		}),
	}
}

// organizationDataAttributes are the computed attributes of one organization, shared by
// algorithmia_organization and algorithmia_organizations.
func organizationDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"org_label":        computedString("Display name."),
		"org_contact_name": computedString("Contact person."),
		"org_email":        computedString("Contact e-mail address."),
		"org_url":          computedString("Web site; null when not set."),
		"type":             computedString("Organization type name, such as `basic`."),
		"type_id":          computedString("The type's UUID on this cluster."),
		"org_id":           computedString("The organization's UUID on this cluster."),
		"self_link":        computedString("The organization's API URL."),
		"members": schema.ListNestedAttribute{
			MarkdownDescription: "Members, in the cluster's order.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"username": computedString("The member's username."),
				"role":     computedString("`owner` or `member`."),
			}},
		},
	}
}

func (d *organizationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *organizationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg organizationDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := cfg.OrgName.ValueString()
	o, err := d.cluster.api.GetOrganization(ctx, name)
	if err != nil {
		addReadError(&resp.Diagnostics, d.cluster, err, "Organization not found", "organization "+name, "read organization "+name)
		return
	}
	orgTypes := listOrganizationTypes(ctx, d.cluster, &resp.Diagnostics)
	members, err := d.cluster.api.ListAllOrganizationMembers(ctx, name)
	if err != nil {
		addClientError(&resp.Diagnostics, "list the members of organization "+name, err)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	list, d2 := memberListFromAPI(name, members)
	resp.Diagnostics.Append(d2...)
	resp.Diagnostics.Append(resp.State.Set(ctx, organizationDataModel{organizationModel: organizationModelFromAPI(o, orgTypes), Members: list})...)
}

// memberListFromAPI maps an organization's members, through organizationMemberModelFromAPI,
// to the members list of algorithmia_organization and algorithmia_organizations.
func memberListFromAPI(org string, members []algorithmia.Member) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	list := newObjectList(memberAttrTypes, len(members))
	for _, mem := range members {
		mm := organizationMemberModelFromAPI(org, mem)
		list.add(map[string]attr.Value{"username": mm.Username, "role": mm.Role}, &diags)
	}
	return list.value(&diags), diags
}
