package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ datasource.DataSourceWithConfigure = (*dataObjectDataSource)(nil)
)

// maxDataContentBytes caps the content the data source reads into state: it is for
// small text such as configuration, not for models.
const maxDataContentBytes = 1 << 20

// NewDataObjectDataSource is the factory of the algorithmia_data_object data source.
func NewDataObjectDataSource() datasource.DataSource {
	return &dataObjectDataSource{}
}

type dataObjectDataSource struct {
	cluster *clusterClient
}

type dataObjectDataModel struct {
	ID             types.String `tfsdk:"id"`
	Path           types.String `tfsdk:"path"`
	IncludeContent types.Bool   `tfsdk:"include_content"`
	Size           types.Int64  `tfsdk:"size"`
	MD5            types.String `tfsdk:"md5"`
	SHA256         types.String `tfsdk:"sha256"`
	LastModified   types.String `tfsdk:"last_modified"`
	Content        types.String `tfsdk:"content"`
}

func (d *dataObjectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_data_object"
}

func (d *dataObjectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("One file of a hosted data collection: its metadata, and its content when it is "+
			"UTF-8 text of at most %d KiB. For larger or binary files set `include_content = false` to read only "+
			"the metadata (one HEAD request).", maxDataContentBytes>>10),
		Attributes: map[string]schema.Attribute{
			"id": computedString("The file's data path."),
			"path": schema.StringAttribute{
				MarkdownDescription: "The file: `data://owner/collection/file` (`.my` allowed).",
				Required:            true,
				Validators:          []validator.String{dataPathValidator(dataPathFile, true)},
			},
			"include_content": schema.BoolAttribute{
				MarkdownDescription: fmt.Sprintf("Read the content into `content` (default `true`). The read fails for a "+
					"file over %d KiB or one that is not UTF-8 text.", maxDataContentBytes>>10),
				Optional: true,
			},
			"size":          schema.Int64Attribute{MarkdownDescription: "Size in bytes.", Computed: true},
			"md5":           computedString("md5 of the content in hex (the cluster's ETag)."),
			"sha256":        computedString("sha256 of the content in hex; null unless the content was read."),
			"last_modified": computedString("When the file was last stored, RFC 3339 in UTC; null when the cluster does not say."),
			"content":       computedString("The file's text; null with `include_content = false`."),
		},
	}
}

func (d *dataObjectDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *dataObjectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m dataObjectDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := parseDataPathAs(m.Path.ValueString(), dataPathFile, true)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Invalid data path", err.Error()+".")
		return
	}
	info, err := d.cluster.api.HeadObject(ctx, p)
	if err != nil {
		if errors.Is(err, algorithmia.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("path"), "Data object not found",
				p.String()+" does not exist on "+d.cluster.apiAddress+", or the provider's key may not read it.")
			return
		}
		addClientError(&resp.Diagnostics, "read "+p.String(), err)
		return
	}
	m.ID = types.StringValue(p.String())
	m.Size = types.Int64Value(max(info.Size, 0))
	m.MD5 = types.StringValue(info.ETag)
	m.SHA256, m.Content, m.LastModified = types.StringNull(), types.StringNull(), types.StringNull()
	if !info.LastModified.IsZero() {
		m.LastModified = types.StringValue(info.LastModified.UTC().Format(time.RFC3339))
	}
	if m.IncludeContent.IsNull() || m.IncludeContent.ValueBool() {
		if info.Size > maxDataContentBytes {
			resp.Diagnostics.AddAttributeError(path.Root("include_content"), "Data object too large to read",
				fmt.Sprintf("%s has %d bytes; the data source reads content of at most %d bytes into state. "+
					"Set include_content = false to read only its metadata.", p, info.Size, maxDataContentBytes))
			return
		}
		text, sum, ok := d.readContent(ctx, p, &resp.Diagnostics)
		if !ok {
			return
		}
		m.Content, m.SHA256 = types.StringValue(text), types.StringValue(sum)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// readContent downloads at most maxDataContentBytes and checks it is UTF-8 text.
func (d *dataObjectDataSource) readContent(ctx context.Context, p algorithmia.DataPath, diags *diag.Diagnostics) (string, string, bool) {
	obj, err := d.cluster.api.GetObject(ctx, p)
	if err != nil {
		addClientError(diags, "read "+p.String(), err)
		return "", "", false
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(io.LimitReader(obj.Body, maxDataContentBytes+1))
	if err != nil {
		addClientError(diags, "read "+p.String(), err)
		return "", "", false
	}
	if len(b) > maxDataContentBytes {
		diags.AddAttributeError(path.Root("include_content"), "Data object too large to read",
			fmt.Sprintf("%s has more than %d bytes. Set include_content = false to read only its metadata.", p, maxDataContentBytes))
		return "", "", false
	}
	if !utf8.Valid(b) {
		diags.AddAttributeError(path.Root("include_content"), "Data object is not text",
			p.String()+" is not valid UTF-8, so it cannot be a string attribute. Set include_content = false.")
		return "", "", false
	}
	sum := sha256.Sum256(b)
	return string(b), hex.EncodeToString(sum[:]), true
}
