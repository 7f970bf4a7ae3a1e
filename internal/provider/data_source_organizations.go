package provider

import (
	"context"
	"errors"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var _ datasource.DataSourceWithConfigure = (*organizationsDataSource)(nil)

// NewOrganizationsDataSource is the factory of the algorithmia_organizations data source.
func NewOrganizationsDataSource() datasource.DataSource {
	return &organizationsDataSource{}
}

type organizationsDataSource struct {
	cluster *clusterClient
}

type organizationsDataModel struct {
	ID types.String `tfsdk:"id"`
	nameFilterModel
	Organizations types.List `tfsdk:"organizations"`
}

var listedOrganizationAttrTypes = map[string]attr.Type{
	"id": types.StringType, "org_name": types.StringType, "org_label": types.StringType, "org_contact_name": types.StringType,
	"org_email": types.StringType, "org_url": types.StringType, "type": types.StringType, "type_id": types.StringType,
	"org_id": types.StringType, "self_link": types.StringType,
	"members": types.ListType{ElemType: types.ObjectType{AttrTypes: memberAttrTypes}},
}

func (d *organizationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organizations"
}

func (d *organizationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every organization on one cluster (all pages of `GET /v1/organizations`), each with its members " +
			"(all pages of its members route), optionally filtered. Needs the provider's `admin_api_key`. It drives bulk " +
			"organization migration: `for_each` over `organizations` on another alias creates the same organizations, and " +
			"over their `members` the same memberships. Use `name_regex` and `exclude_names` to leave out test organizations.",
		Attributes: withAttributes(nameFilterAttributes("organizations"), map[string]schema.Attribute{
			"id": computedString("The cluster's API address."),
			"organizations": schema.ListNestedAttribute{
				MarkdownDescription: "The organizations, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: withAttributes(organizationDataAttributes(), map[string]schema.Attribute{
					"id":       computedString("The organization name."),
					"org_name": computedString("Organization name."),
				})},
			},
		}),
	}
}

func (d *organizationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *organizationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg organizationsDataModel
	filter, ok := readListingConfig(ctx, req, resp, &cfg)
	if !ok {
		return
	}
	all, err := d.cluster.api.ListAllOrganizations(ctx)
	if err != nil {
		addClientError(&resp.Diagnostics, "list organizations", err)
		return
	}
	orgTypes := listOrganizationTypes(ctx, d.cluster, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	orgs := keepMatching(filter, all, func(o algorithmia.Organization) string { return o.OrgName })
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].OrgName < orgs[j].OrgName })

	list := newObjectList(listedOrganizationAttrTypes, len(orgs))
	for i := range orgs {
		name := orgs[i].OrgName
		members, err := d.cluster.api.ListAllOrganizationMembers(ctx, name)
		if errors.Is(err, algorithmia.ErrNotFound) {
			continue // deleted since the listing
		}
		if err != nil {
			addClientError(&resp.Diagnostics, "list the members of organization "+name, err)
			return
		}
		memberList, diags := memberListFromAPI(name, members)
		resp.Diagnostics.Append(diags...)
		m := organizationModelFromAPI(&orgs[i], orgTypes)
		list.add(map[string]attr.Value{
			"id": m.ID, "org_name": m.OrgName, "org_label": m.OrgLabel, "org_contact_name": m.OrgContactName,
			"org_email": m.OrgEmail, "org_url": m.OrgURL, "type": m.Type, "type_id": m.TypeID, "org_id": m.OrgID,
			"self_link": m.SelfLink, "members": memberList,
		}, &resp.Diagnostics)
	}
	cfg.Organizations = list.value(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.ID = types.StringValue(d.cluster.apiAddress)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
