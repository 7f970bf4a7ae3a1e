package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ datasource.DataSourceWithConfigure = (*dataObjectsDataSource)(nil)
)

// NewDataObjectsDataSource is the factory of the algorithmia_data_objects data source.
func NewDataObjectsDataSource() datasource.DataSource {
	return &dataObjectsDataSource{}
}

type dataObjectsDataSource struct {
	cluster *clusterClient
}

type dataObjectsModel struct {
	ID      types.String `tfsdk:"id"`
	Path    types.String `tfsdk:"path"`
	ReadACL types.String `tfsdk:"read_acl"`
	Files   types.List   `tfsdk:"files"`
}

var dataFileAttrTypes = map[string]attr.Type{
	"name": types.StringType, "path": types.StringType, "size": types.Int64Type,
	"etag": types.StringType, "last_modified": types.StringType,
}

func (d *dataObjectsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_data_objects"
}

func (d *dataObjectsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every file of one hosted data collection (all pages of the listing), with its size and " +
			"time, but not its content. It drives the migration of a whole collection: `for_each` over its `files` " +
			"with `algorithmia_data_object` and `copy_from` on the destination alias.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("The collection's data path."),
			"path": schema.StringAttribute{
				MarkdownDescription: "The collection: `data://owner/collection` (`.my` allowed).",
				Required:            true,
				Validators:          []validator.String{dataPathValidator(dataPathCollection, true)},
			},
			"read_acl": computedString("The collection's read ACL: `private`, `my_algorithms` or `public`; null when the " +
				"cluster does not report it."),
			"files": schema.ListNestedAttribute{
				MarkdownDescription: "The files, sorted by name as the cluster lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": computedString("File name within the collection."),
					"path": computedString("Data path of the file: `data://owner/collection/name`."),
					"size": schema.Int64Attribute{MarkdownDescription: "Size in bytes.", Computed: true},
					"etag": computedString("md5 of the content when the listing reports it; null otherwise (the " +
						"platform's listing does not; `algorithmia_data_object` reads it)."),
					"last_modified": computedString("When the file was last stored, RFC 3339 in UTC."),
				}},
			},
		},
	}
}

func (d *dataObjectsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *dataObjectsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg dataObjectsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := parseDataPathAs(cfg.Path.ValueString(), dataPathCollection, true)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Invalid data path", err.Error()+".")
		return
	}
	col, err := d.cluster.api.GetCollection(ctx, p.Owner, p.Collection)
	if err != nil {
		if errors.Is(err, algorithmia.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("path"), "Collection not found",
				p.String()+" does not exist on "+d.cluster.apiAddress+", or the provider's key may not read it.")
			return
		}
		addClientError(&resp.Diagnostics, "read collection "+p.String(), err)
		return
	}
	files, err := d.cluster.api.ListFiles(ctx, p)
	if err != nil {
		addClientError(&resp.Diagnostics, "list collection "+p.String(), err)
		return
	}
	items := newObjectList(dataFileAttrTypes, len(files))
	for _, f := range files {
		fp := algorithmia.DataPath{Owner: p.Owner, Collection: p.Collection, File: f.Filename}
		lm := types.StringNull()
		if t := f.ModTime(); !t.IsZero() {
			lm = types.StringValue(t.Truncate(time.Second).Format(time.RFC3339))
		}
		etag := types.StringNull()
		if f.ETag != "" {
			etag = types.StringValue(f.ETag)
		}
		items.add(map[string]attr.Value{
			"name": types.StringValue(f.Filename), "path": types.StringValue(fp.String()), "size": types.Int64Value(f.Size),
			"etag": etag, "last_modified": lm,
		}, &resp.Diagnostics)
	}
	cfg.ID = types.StringValue(p.String())
	cfg.Files = items.value(&resp.Diagnostics)
	cfg.ReadACL = types.StringNull()
	if col.ACL != nil {
		if v, ok := readACLFromACL(*col.ACL); ok {
			cfg.ReadACL = types.StringValue(v)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
