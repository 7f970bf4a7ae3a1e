package provider

import (
	"context"
	"errors"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var _ datasource.DataSourceWithConfigure = (*dataCollectionsDataSource)(nil)

// NewDataCollectionsDataSource is the factory of the algorithmia_data_collections data source.
func NewDataCollectionsDataSource() datasource.DataSource {
	return &dataCollectionsDataSource{}
}

type dataCollectionsDataSource struct {
	cluster *clusterClient
}

type dataCollectionsDataModel struct {
	ID    types.String `tfsdk:"id"`
	Owner types.String `tfsdk:"owner"`
	nameFilterModel
	Collections types.List `tfsdk:"collections"`
}

var listedCollectionAttrTypes = map[string]attr.Type{
	"id": types.StringType, "owner": types.StringType, "name": types.StringType, "read_acl": types.StringType,
}

func (d *dataCollectionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_data_collections"
}

func (d *dataCollectionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The hosted data collections of one user or organization (every page of the listing of " +
			"`data://owner`, with `acl=true`), each with its read ACL. It drives bulk collection migration: `for_each` over " +
			"`collections` on another alias creates the same collections there. With the owner's `api_key` (or a member's, " +
			"for an organization) every collection is listed; with another user's key only the public ones; with only the " +
			"`admin_api_key`, all of them. Use `name_regex` and `exclude_names` to leave out test collections.",
		Attributes: withAttributes(nameFilterAttributes("collections"), map[string]schema.Attribute{
			"id":    computedString("`data://owner`."),
			"owner": listingOwnerAttribute("collections"),
			"collections": schema.ListNestedAttribute{
				MarkdownDescription: "The collections, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":    computedString("`data://owner/name`."),
					"owner": computedString("The owner."),
					"name":  computedString("Collection name."),
					"read_acl": computedString("Who may read the collection, as `algorithmia_data_collection.read_acl`: " +
						"`private`, `my_algorithms` or `public`."),
				}},
			},
		}),
	}
}

func (d *dataCollectionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *dataCollectionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg dataCollectionsDataModel
	filter, ok := readListingConfig(ctx, req, resp, &cfg)
	if !ok {
		return
	}
	owner := cfg.Owner.ValueString()
	folders, err := d.cluster.api.ListCollections(ctx, owner)
	if err != nil {
		addReadError(&resp.Diagnostics, d.cluster, err, "Owner not found", "user or organization "+owner, "list the collections of data://"+owner)
		return
	}
	folders = keepMatching(filter, folders, func(f algorithmia.DataFolder) string { return f.Name })
	sort.Slice(folders, func(i, j int) bool { return folders[i].Name < folders[j].Name })

	list := newObjectList(listedCollectionAttrTypes, len(folders))
	for _, f := range folders {
		col := &algorithmia.Collection{Path: algorithmia.DataPath{Owner: owner, Collection: f.Name}, ACL: f.ACL}
		if col.ACL == nil {
			// A server that leaves the ACL out of the listing gets asked per collection.
			col, err = d.cluster.api.GetCollection(ctx, owner, f.Name)
			if errors.Is(err, algorithmia.ErrNotFound) {
				continue // deleted since the listing
			}
			if err != nil {
				addClientError(&resp.Diagnostics, "read collection data://"+owner+"/"+f.Name, err)
				return
			}
		}
		// The mapping's errors point at a resource's read_acl; this schema has none at the root.
		var mapped diag.Diagnostics
		m := dataCollectionModelFromAPI(dataCollectionModel{}, col, &mapped)
		for _, e := range mapped.Errors() {
			resp.Diagnostics.AddError(e.Summary(), e.Detail())
		}
		list.add(map[string]attr.Value{"id": m.ID, "owner": m.Owner, "name": m.Name, "read_acl": m.ReadACL}, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.ID = types.StringValue(algorithmia.DataPath{Owner: owner}.String())
	cfg.Collections = list.value(&resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
