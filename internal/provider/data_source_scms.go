package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var _ datasource.DataSourceWithConfigure = (*scmsDataSource)(nil)

// NewSCMsDataSource is the factory of the algorithmia_scms data source.
func NewSCMsDataSource() datasource.DataSource {
	return &scmsDataSource{}
}

type scmsDataSource struct {
	cluster *clusterClient
}

type scmsDataModel struct {
	ID        types.String `tfsdk:"id"`
	DefaultID types.String `tfsdk:"default_id"`
	SCMs      types.List   `tfsdk:"scms"`
}

var listedSCMAttrTypes = map[string]attr.Type{
	"id": types.StringType, "provider_type": types.StringType, "name": types.StringType, "enabled": types.BoolType,
	"default": types.BoolType, "oauth_client_id": types.StringType, "urls": types.ObjectType{AttrTypes: scmURLsAttrTypes},
}

func (d *scmsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_scms"
}

func (d *scmsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The SCM configurations of one cluster (`GET /v1/scms`): the built-in `internal` one and every " +
			"external Git host an admin configured (see `algorithmia_scm`). Uses the provider's `api_key` (or the admin key).",
		Attributes: map[string]schema.Attribute{
			"id":         computedString("The cluster's API address."),
			"default_id": computedString("ID of the cluster's default SCM, used for algorithms created without a source."),
			"scms": schema.ListNestedAttribute{
				MarkdownDescription: "The configurations, in the cluster's order (`internal` first).",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":              computedString("Configuration id, the `source.scm_id` of an algorithm."),
					"provider_type":   computedString("`internal`, `github`, `gitlab`, `bitbucket` or `bitbucket-cloud`."),
					"name":            computedString("Display name."),
					"enabled":         schema.BoolAttribute{MarkdownDescription: "Whether algorithms can be created on it.", Computed: true},
					"default":         schema.BoolAttribute{MarkdownDescription: "Whether it is the cluster's default.", Computed: true},
					"oauth_client_id": computedString("Client id of its OAuth application, if any."),
					"urls": computedObject("Addresses of the host; null for `internal`.", map[string]schema.Attribute{
						"web": computedString("Website."),
						"api": computedString("API base."),
						"ssh": computedString("SSH address."),
					}),
				}},
			},
		},
	}
}

func (d *scmsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *scmsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	list, err := d.cluster.api.ListSCMs(ctx)
	if err != nil {
		addClientError(&resp.Diagnostics, "list SCM configurations", err)
		return
	}
	out := scmsDataModel{ID: types.StringValue(d.cluster.apiAddress), DefaultID: types.StringNull()}
	scms := newObjectList(listedSCMAttrTypes, len(list))
	for i := range list {
		s := &list[i]
		if s.Default {
			out.DefaultID = types.StringValue(s.ID)
		}
		m := scmModelFromAPI(s, scmModel{})
		if s.URLs != nil && *s.URLs == (algorithmia.SCMURLs{}) {
			m.URLs = scmURLsValue(nil)
		}
		scms.add(map[string]attr.Value{
			"id": m.ID, "provider_type": m.Provider, "name": m.Name, "enabled": m.Enabled, "default": m.Default,
			"oauth_client_id": m.OAuthClientID, "urls": m.URLs,
		}, &resp.Diagnostics)
	}
	out.SCMs = scms.value(&resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}
