package provider

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // md5 is the platform's ETag; it detects change, it does not protect anything
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
)

var (
	_ resource.ResourceWithConfigure        = (*dataObjectResource)(nil)
	_ resource.ResourceWithImportState      = (*dataObjectResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*dataObjectResource)(nil)
	_ resource.ResourceWithConfigValidators = (*dataObjectResource)(nil)
)

// NewDataObjectResource is the factory of algorithmia_data_object.
func NewDataObjectResource() resource.Resource {
	return &dataObjectResource{}
}

type dataObjectResource struct {
	cluster *clusterClient
}

type dataObjectModel struct {
	ID            types.String `tfsdk:"id"`
	Path          types.String `tfsdk:"path"`
	Source        types.String `tfsdk:"source"`
	Content       types.String `tfsdk:"content"`
	ContentBase64 types.String `tfsdk:"content_base64"`
	CopyFrom      types.Object `tfsdk:"copy_from"`
	CopyFromMD5   types.String `tfsdk:"copy_from_md5"`
	CopyFromSize  types.Int64  `tfsdk:"copy_from_size"`
	Size          types.Int64  `tfsdk:"size"`
	MD5           types.String `tfsdk:"md5"`
	SHA256        types.String `tfsdk:"sha256"`
	LastModified  types.String `tfsdk:"last_modified"`
}

type copyFromModel struct {
	Path       types.String `tfsdk:"path"`
	APIAddress types.String `tfsdk:"api_address"`
	APIKey     types.String `tfsdk:"api_key"`
	APIKeyWO   types.String `tfsdk:"api_key_wo"`
	CACertPEM  types.String `tfsdk:"ca_cert_pem"`
}

func (r *dataObjectResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_data_object"
}

func (r *dataObjectResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A file in a hosted data collection (`data://owner/collection/file`), uploaded from a local " +
			"file, from text or base64 in the configuration, or copied from another data object on this cluster or " +
			"another one.\n\n" +
			"Uploads and copies stream: memory use does not grow with the file size, and a copy pipes the source's " +
			"download into the upload. The md5 and sha256 are computed while sending, and the upload is verified " +
			"against the cluster's ETag. The plan hashes a local `source` file, so an edit shows as an update; a " +
			"refresh asks the cluster for the file's metadata only (HEAD), so a file changed or deleted on the cluster " +
			"shows in the plan. File contents never go into state, only their digests (except `content`, which is " +
			"in the configuration anyway).",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("The data path, as `path`."),
			"path": schema.StringAttribute{
				MarkdownDescription: "Where the file lives: `data://owner/collection/file`. Hosted data has exactly one " +
					"collection level and no folders inside a collection; the owner is named explicitly (not `.my`). " +
					"The collection must exist (see `algorithmia_data_collection`). Changing it replaces the object.",
				Required:      true,
				Validators:    []validator.String{dataPathValidator(dataPathFile, false)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"source": schema.StringAttribute{
				MarkdownDescription: "Path of a local file to upload. It is hashed at plan time: an edited file shows " +
					"as an update, an unchanged one gives an empty plan. Changing only this path (to a file with the " +
					"same bytes) uploads nothing.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"content": schema.StringAttribute{
				MarkdownDescription: "UTF-8 text to upload as the file's content. It is stored in state like any argument.",
				Optional:            true,
			},
			"content_base64": schema.StringAttribute{
				MarkdownDescription: "Base64 (standard encoding) of binary content to upload, for example from " +
					"`filebase64()`. Prefer `source` for anything large: this value is held in memory and in state.",
				Optional:   true,
				Validators: []validator.String{base64Validator()},
			},
			"copy_from": schema.SingleNestedAttribute{
				MarkdownDescription: "Copy another data object, on this cluster or another one. The copy streams the " +
					"source's download into this upload. The plan compares the source's ETag and size (HEAD only) with " +
					"state, so a changed source shows as an update.",
				Optional: true,
				Attributes: withAttributes(secretAttributes("api_key",
					"API key for the source cluster, with data read access. It is stored in state; prefer `api_key_wo`.",
					"Write-only API key for the source cluster: never stored in plan or state. Requires Terraform 1.11 or later.",
				), map[string]schema.Attribute{
					"path": schema.StringAttribute{
						MarkdownDescription: "Data path of the source file: `data://owner/collection/file` (`.my` allowed).",
						Required:            true,
						Validators:          []validator.String{dataPathValidator(dataPathFile, true)},
					},
					"api_address": schema.StringAttribute{
						MarkdownDescription: "API address of the source cluster. Defaults to this provider's cluster (and its key).",
						Optional:            true,
						Validators:          []validator.String{httpURLValidator()},
					},
					"ca_cert_pem": caCertAttribute("PEM of extra certificate authorities to trust for the source cluster."),
				}),
			},
			"copy_from_md5": computedAttribute("With `copy_from`: the copy source's md5 (its ETag), as last read by a refresh " +
				"or by the copy. When it differs from `md5`, the source changed: a plan that copies shows it here as the " +
				"reason. A refresh reads the source when state can authenticate it (this cluster, or `copy_from.api_key`); " +
				"with `api_key_wo` it is read only by the plan and the copy. Null without `copy_from`."),
			"copy_from_size": schema.Int64Attribute{
				MarkdownDescription: "With `copy_from`: the copy source's size in bytes, read along with `copy_from_md5`.",
				Computed:            true,
			},
			"size": schema.Int64Attribute{
				MarkdownDescription: "Size in bytes.",
				Computed:            true,
			},
			"md5": computedAttribute("md5 of the content in hex: the cluster's ETag, checked after every upload."),
			"sha256": computedAttribute("sha256 of the content in hex, computed while uploading (or from the local content at " +
				"plan time). Null after import or after the file changed on the cluster, until the next upload: the " +
				"cluster only reports the md5."),
			"last_modified": computedAttribute("When the cluster last stored the file, RFC 3339 in UTC."),
		},
	}
}

func (r *dataObjectResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(
			path.MatchRoot("source"), path.MatchRoot("content"), path.MatchRoot("content_base64"), path.MatchRoot("copy_from"),
		),
	}
}

func (r *dataObjectResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// digest is what the configuration says the file should be; sha256 is empty when
// only the md5 is known (a copy, whose source reports only its ETag).
type digest struct {
	size   int64
	md5    string
	sha256 string
}

// ModifyPlan works out the content the configuration asks for (hashing a local file,
// or asking the copy source for its ETag) and plans an update only when it differs
// from what the cluster holds according to the last refresh.
func (r *dataObjectResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.cluster == nil {
		return
	}
	plan, state, ok := planAndPriorState[dataObjectModel](ctx, req, resp)
	if !ok {
		return
	}
	want, known := r.desired(ctx, plan, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Path.IsUnknown() {
		plan.ID = plan.Path
	}
	// The copy source's digests are what the refresh last read: kept while nothing is
	// copied, decided by the copy otherwise (the source may change within this apply).
	plan.CopyFromMD5, plan.CopyFromSize = types.StringNull(), types.Int64Null()
	if !plan.CopyFrom.IsNull() {
		plan.CopyFromMD5, plan.CopyFromSize = types.StringUnknown(), types.Int64Unknown()
	}
	if state != nil && known && want.md5 == state.MD5.ValueString() && want.size == state.Size.ValueInt64() &&
		(want.sha256 == "" || want.sha256 == state.SHA256.ValueString()) {
		plan.Size, plan.MD5, plan.SHA256, plan.LastModified = state.Size, state.MD5, state.SHA256, state.LastModified
		if !plan.CopyFrom.IsNull() {
			plan.CopyFromMD5, plan.CopyFromSize = state.CopyFromMD5, state.CopyFromSize
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}
	plan.Size, plan.MD5, plan.SHA256 = types.Int64Unknown(), types.StringUnknown(), types.StringUnknown()
	plan.LastModified = types.StringUnknown()
	// A copy's digests stay unknown: its source may be changed by this same apply (it
	// can be another algorithmia_data_object), so what HEAD says now is no promise.
	if known && want.sha256 != "" {
		plan.Size, plan.MD5 = types.Int64Value(want.size), types.StringValue(want.md5)
		if want.sha256 != "" {
			plan.SHA256 = types.StringValue(want.sha256)
		}
		// Same bytes (the path of source changed, or state lacks the sha256 after an
		// import): the update records digests and uploads nothing, so the time stays.
		if state != nil && want.md5 == state.MD5.ValueString() && want.size == state.Size.ValueInt64() {
			plan.LastModified = state.LastModified
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// desired returns the digest of the content the configuration asks for, and whether it
// is known yet (values only known after apply make it unknown).
func (r *dataObjectResource) desired(ctx context.Context, m dataObjectModel, config tfsdk.Config, diags *diag.Diagnostics) (digest, bool) {
	switch {
	case !m.Source.IsNull():
		if m.Source.IsUnknown() {
			return digest{}, false
		}
		d, err := hashFile(m.Source.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("source"), "Cannot read source file", err.Error())
			return digest{}, false
		}
		return d, true
	case !m.Content.IsNull():
		if m.Content.IsUnknown() {
			return digest{}, false
		}
		return hashBytes([]byte(m.Content.ValueString())), true
	case !m.ContentBase64.IsNull():
		if m.ContentBase64.IsUnknown() {
			return digest{}, false
		}
		b, err := base64.StdEncoding.DecodeString(m.ContentBase64.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("content_base64"), "Invalid base64", err.Error())
			return digest{}, false
		}
		return hashBytes(b), true
	case !m.CopyFrom.IsNull():
		if m.CopyFrom.IsUnknown() {
			return digest{}, false
		}
		src, from, ok := r.copySource(ctx, m.CopyFrom, config, diags)
		if !ok {
			return digest{}, false
		}
		info, err := src.HeadObject(ctx, from)
		if errors.Is(err, algorithmia.ErrNotFound) {
			// It may be created by this same apply (a reference to another
			// algorithmia_data_object); the copy fails cleanly if it is still missing.
			diags.AddAttributeWarning(path.Root("copy_from").AtName("path"), "Copy source not found yet",
				fmt.Sprintf("%s does not exist on %s at plan time. Unless this apply creates it, the copy will fail "+
					"(and write nothing).", from, src.BaseURL()))
			return digest{}, false
		}
		if err != nil {
			addCopySourceError(diags, from, src, src == r.cluster.api, err)
			return digest{}, false
		}
		if info.ETag == "" || info.Size < 0 {
			diags.AddAttributeError(path.Root("copy_from").AtName("path"), "Copy source has no ETag",
				fmt.Sprintf("%s on %s reports no ETag or size, so a copy could neither be planned nor verified.", from, src.BaseURL()))
			return digest{}, false
		}
		return digest{size: info.Size, md5: info.ETag}, true
	}
	return digest{}, false
}

// hashFile streams a file through md5 and sha256 in one pass.
func hashFile(name string) (digest, error) {
	f, err := os.Open(name)
	if err != nil {
		return digest{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return digest{}, err
	}
	if !st.Mode().IsRegular() {
		return digest{}, fmt.Errorf("%s is not a regular file", name)
	}
	m, s := md5.New(), sha256.New() //nolint:gosec // see the import
	n, err := io.Copy(io.MultiWriter(m, s), f)
	if err != nil {
		return digest{}, fmt.Errorf("reading %s: %w", name, err)
	}
	return digest{size: n, md5: hex.EncodeToString(m.Sum(nil)), sha256: hex.EncodeToString(s.Sum(nil))}, nil
}

func hashBytes(b []byte) digest {
	m := md5.Sum(b) //nolint:gosec // see the import
	s := sha256.Sum256(b)
	return digest{size: int64(len(b)), md5: hex.EncodeToString(m[:]), sha256: hex.EncodeToString(s[:])}
}

// copySource returns a client for the copy source and its path. Without api_address
// it is this provider's cluster, with this provider's key unless another is given.
func (r *dataObjectResource) copySource(ctx context.Context, obj types.Object, config tfsdk.Config, diags *diag.Diagnostics) (*algorithmia.Client, algorithmia.DataPath, bool) {
	wo := configString(ctx, config, path.Root("copy_from").AtName("api_key_wo"), diags)
	if diags.HasError() {
		return nil, algorithmia.DataPath{}, false
	}
	return r.copySourceWith(ctx, obj, wo, diags)
}

// copySourceWith is copySource with the write-only key given (null when unknown to the
// caller, as in Read: state never holds it).
func (r *dataObjectResource) copySourceWith(ctx context.Context, obj types.Object, wo types.String, diags *diag.Diagnostics) (*algorithmia.Client, algorithmia.DataPath, bool) {
	var cf copyFromModel
	diags.Append(obj.As(ctx, &cf, basetypes.ObjectAsOptions{})...)
	if diags.HasError() || cf.Path.IsUnknown() || cf.APIAddress.IsUnknown() || cf.APIKey.IsUnknown() || wo.IsUnknown() || cf.CACertPEM.IsUnknown() {
		return nil, algorithmia.DataPath{}, false
	}
	from, err := parseDataPathAs(cf.Path.ValueString(), dataPathFile, true)
	if err != nil {
		diags.AddAttributeError(path.Root("copy_from").AtName("path"), "Invalid data path", err.Error()+".")
		return nil, algorithmia.DataPath{}, false
	}
	key := cf.APIKey.ValueString()
	if !wo.IsNull() {
		key = wo.ValueString()
	}
	address := strings.TrimRight(cf.APIAddress.ValueString(), "/")
	sameCluster := address == "" || address == r.cluster.apiAddress
	if sameCluster && key == "" && cf.CACertPEM.IsNull() {
		return r.cluster.api, from, true
	}
	if address == "" {
		address = r.cluster.apiAddress
	}
	if key == "" {
		if !sameCluster {
			diags.AddAttributeError(path.Root("copy_from").AtName("api_key_wo"), "Missing API key for the copy source",
				"copy_from.api_address names another cluster: set copy_from.api_key_wo (or api_key) to a key of that cluster with data read access.")
			return nil, algorithmia.DataPath{}, false
		}
		key = r.cluster.apiKey
	}
	var caPEM []byte
	if pemText := cf.CACertPEM.ValueString(); pemText != "" {
		caPEM = []byte(pemText)
	}
	client, err := r.cluster.peerClient(address, key, caPEM)
	if errors.Is(err, httpclient.ErrNoPEM) {
		diags.AddAttributeError(path.Root("copy_from").AtName("ca_cert_pem"), "Invalid CA certificate",
			"No PEM certificate could be parsed from copy_from.ca_cert_pem.")
		return nil, algorithmia.DataPath{}, false
	}
	if err != nil {
		diags.AddAttributeError(path.Root("copy_from").AtName("api_address"), "Invalid copy source address", err.Error())
		return nil, algorithmia.DataPath{}, false
	}
	return client, from, true
}

func (r *dataObjectResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan dataObjectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m, done := r.adopt(ctx, plan, req.Config, &resp.Diagnostics); done {
		if m != nil {
			resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		}
		return
	}
	if m, ok := r.upload(ctx, plan, req.Config, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}

// adopt deals with a file that already exists where Create was planned. Without
// adopt_existing that is an error, since uploading would overwrite a file this state does not
// own; with it the file is adopted, and uploaded only when its bytes differ. done is false
// when there is no such file, and Create uploads as usual; m is nil after a diagnostic.
func (r *dataObjectResource) adopt(ctx context.Context, plan dataObjectModel, config tfsdk.Config, diags *diag.Diagnostics) (m *dataObjectModel, done bool) {
	p, err := parseDataPathAs(plan.Path.ValueString(), dataPathFile, false)
	if err != nil {
		return nil, false // upload reports it
	}
	info, err := r.cluster.api.HeadObject(ctx, p)
	if errors.Is(err, algorithmia.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		addClientError(diags, "check whether "+p.String()+" exists", err)
		return nil, true
	}
	obj := existingObject{kind: "data object", name: p.String(), importID: p.String()}
	want, known := r.desired(ctx, plan, config, diags)
	if diags.HasError() {
		return nil, true
	}
	same := known && want.md5 == info.ETag && want.size == info.Size
	var changed []string
	if !same {
		changed = []string{"content"}
	}
	why := adoptionReason(diags, r.cluster, obj, false, changed)
	if why == "" {
		return nil, true
	}
	adopted := plan
	if same {
		adopted.ID = types.StringValue(p.String())
		adopted.Size, adopted.MD5 = types.Int64Value(info.Size), types.StringValue(info.ETag)
		adopted.SHA256 = optionalString(want.sha256)
		adopted.CopyFromMD5, adopted.CopyFromSize = types.StringNull(), types.Int64Null()
		if !plan.CopyFrom.IsNull() { // same: the source's ETag and size are the file's
			adopted.CopyFromMD5, adopted.CopyFromSize = types.StringValue(info.ETag), types.Int64Value(info.Size)
		}
		adopted.LastModified = r.lastModified(ctx, p, *info, types.StringNull(), diags)
	} else {
		var ok bool
		if adopted, ok = r.upload(ctx, plan, config, diags); !ok {
			return nil, true
		}
	}
	addAdoptedWarning(diags, r.cluster, obj, why, changed)
	return &adopted, true
}

func (r *dataObjectResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state dataObjectModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sameBytes := !plan.MD5.IsUnknown() && plan.MD5.Equal(state.MD5) && !plan.Size.IsUnknown() && plan.Size.Equal(state.Size)
	if sameBytes {
		// Only arguments changed (or the sha256 is learnt): the cluster already has these bytes.
		m := plan
		if m.LastModified.IsUnknown() {
			m.LastModified = state.LastModified
		}
		if m.SHA256.IsUnknown() {
			m.SHA256 = state.SHA256
		}
		if m.CopyFromMD5.IsUnknown() || m.CopyFromSize.IsUnknown() {
			m.CopyFromMD5, m.CopyFromSize = state.CopyFromMD5, state.CopyFromSize
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		return
	}
	if m, ok := r.upload(ctx, plan, req.Config, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}

// upload sends the configured content and returns the model to store. On any failure,
// including a verification failure, it returns false and nothing is recorded.
func (r *dataObjectResource) upload(ctx context.Context, plan dataObjectModel, config tfsdk.Config, diags *diag.Diagnostics) (dataObjectModel, bool) {
	to, err := parseDataPathAs(plan.Path.ValueString(), dataPathFile, false)
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "Invalid data path", err.Error()+".")
		return plan, false
	}
	var res *algorithmia.PutResult
	start := time.Now()
	switch {
	case !plan.Source.IsNull():
		name := plan.Source.ValueString()
		res, err = r.cluster.api.PutObject(ctx, to, func(context.Context) (io.ReadCloser, int64, error) {
			f, err := os.Open(name)
			if err != nil {
				return nil, 0, err
			}
			st, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, 0, err
			}
			return f, st.Size(), nil
		})
	case !plan.Content.IsNull() || !plan.ContentBase64.IsNull():
		b := []byte(plan.Content.ValueString())
		if !plan.ContentBase64.IsNull() {
			b, err = base64.StdEncoding.DecodeString(plan.ContentBase64.ValueString())
			if err != nil {
				diags.AddAttributeError(path.Root("content_base64"), "Invalid base64", err.Error())
				return plan, false
			}
		}
		res, err = r.cluster.api.PutObject(ctx, to, func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
		})
	default:
		src, from, ok := r.copySource(ctx, plan.CopyFrom, config, diags)
		if !ok {
			return plan, false
		}
		tflog.Info(ctx, "copying data object", map[string]any{"from": from.String(), "source_cluster": src.BaseURL(), "to": to.String()})
		res, err = algorithmia.CopyObject(ctx, src, from, r.cluster.api, to, algorithmia.CopyOptions{})
		if err != nil && !errors.Is(err, algorithmia.ErrChecksumMismatch) && !errors.Is(err, algorithmia.ErrSourceChanged) {
			var sub diag.Diagnostics
			addClientError(&sub, "copy "+from.String()+" from "+src.BaseURL()+" to "+to.String(), err)
			for _, d := range sub.Errors() {
				diags.AddAttributeError(path.Root("copy_from"), d.Summary(), d.Detail()+"\n\nThe error may come from either cluster; see the request path above. Nothing was recorded.")
			}
			return plan, false
		}
	}
	if err != nil {
		addUploadError(diags, to, err)
		return plan, false
	}
	tflog.Info(ctx, "uploaded data object", map[string]any{"path": to.String(), "bytes": res.Size, "seconds": time.Since(start).Seconds()})
	if !plan.SHA256.IsUnknown() && plan.SHA256.ValueString() != res.SHA256 {
		diags.AddAttributeError(path.Root("source"), "Source changed since the plan",
			fmt.Sprintf("The plan hashed sha256 %s, but the bytes uploaded to %s have sha256 %s: the local content "+
				"changed between plan and apply. The cluster now holds the new bytes; nothing was recorded. "+
				"Run terraform plan again.", plan.SHA256.ValueString(), to, res.SHA256))
		return plan, false
	}
	m := plan
	m.ID = types.StringValue(to.String())
	m.Size = types.Int64Value(res.Size)
	m.MD5 = types.StringValue(res.MD5)
	m.SHA256 = types.StringValue(res.SHA256)
	m.CopyFromMD5, m.CopyFromSize = types.StringNull(), types.Int64Null()
	if !plan.CopyFrom.IsNull() {
		// The copy checked that the source's ETag is the md5 of the bytes it read.
		m.CopyFromMD5, m.CopyFromSize = types.StringValue(res.MD5), types.Int64Value(res.Size)
	}
	m.LastModified = r.lastModified(ctx, to, res.Info, types.StringNull(), diags)
	return m, !diags.HasError()
}

// lastModified is the file's time in RFC 3339 (UTC, seconds): from HEAD's Last-Modified,
// else kept from state, else looked up in the collection's listing.
func (r *dataObjectResource) lastModified(ctx context.Context, p algorithmia.DataPath, info algorithmia.ObjectInfo, prior types.String, diags *diag.Diagnostics) types.String {
	if !info.LastModified.IsZero() {
		return types.StringValue(info.LastModified.UTC().Format(time.RFC3339))
	}
	if !prior.IsNull() && !prior.IsUnknown() {
		return prior
	}
	f, err := r.cluster.api.FindFile(ctx, p)
	if err != nil {
		addClientError(diags, "list "+p.String(), err)
		return types.StringNull()
	}
	if f == nil || f.ModTime().IsZero() {
		return types.StringNull()
	}
	return types.StringValue(f.ModTime().Truncate(time.Second).Format(time.RFC3339))
}

// Read asks for the file's metadata only (HEAD): a changed file shows as a new md5
// (and an unknown sha256), a deleted one leaves state.
func (r *dataObjectResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, p, ok := dataObjectState(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	info, err := r.cluster.api.HeadObject(ctx, p)
	if !readFound(ctx, resp, "read "+p.String(), err) {
		return
	}
	m := r.modelFromAPI(ctx, state, p, info, &resp.Diagnostics)
	r.refreshCopySource(ctx, &m)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// refreshCopySource reads the copy source's md5 and size (HEAD only) when state can
// authenticate it, so a changed source shows in the plan as the reason for a copy. It is
// best effort: with a write-only key, or when the source cannot be read, the values stay,
// and the plan (which has the configuration's key) still compares the source.
func (r *dataObjectResource) refreshCopySource(ctx context.Context, m *dataObjectModel) {
	if m.CopyFrom.IsNull() || m.CopyFrom.IsUnknown() {
		return
	}
	var quiet diag.Diagnostics
	src, from, ok := r.copySourceWith(ctx, m.CopyFrom, types.StringNull(), &quiet)
	if !ok {
		return
	}
	info, err := src.HeadObject(ctx, from)
	if err != nil || info.ETag == "" || info.Size < 0 {
		tflog.Debug(ctx, "copy source not refreshed", map[string]any{"from": from.String(), "error": fmt.Sprint(err)})
		return
	}
	m.CopyFromMD5, m.CopyFromSize = types.StringValue(info.ETag), types.Int64Value(info.Size)
}

// modelFromAPI maps HEAD's answer onto the model. Unchanged bytes keep the sha256 and
// time known from the upload; changed bytes forget the sha256, which HEAD cannot give.
func (r *dataObjectResource) modelFromAPI(ctx context.Context, prior dataObjectModel, p algorithmia.DataPath, info *algorithmia.ObjectInfo, diags *diag.Diagnostics) dataObjectModel {
	m := prior
	m.ID = types.StringValue(p.String())
	m.Path = types.StringValue(p.String())
	changed := info.ETag != prior.MD5.ValueString() || info.Size != prior.Size.ValueInt64()
	keepTime := prior.LastModified
	if changed {
		m.SHA256 = types.StringNull()
		keepTime = types.StringNull()
	}
	m.MD5 = types.StringValue(info.ETag)
	m.Size = types.Int64Value(max(info.Size, 0))
	m.LastModified = r.lastModified(ctx, p, *info, keepTime, diags)
	return m
}

// dataObjectState reads state and the file path recorded in it; false, with an error, if
// either cannot be read.
func dataObjectState(ctx context.Context, st tfsdk.State, diags *diag.Diagnostics) (dataObjectModel, algorithmia.DataPath, bool) {
	var state dataObjectModel
	diags.Append(st.Get(ctx, &state)...)
	if diags.HasError() {
		return state, algorithmia.DataPath{}, false
	}
	p, err := parseDataPathAs(state.Path.ValueString(), dataPathFile, false)
	if err != nil {
		diags.AddAttributeError(path.Root("path"), "Invalid data path in state", err.Error()+".")
		return state, p, false
	}
	return state, p, true
}

func (r *dataObjectResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	_, p, ok := dataObjectState(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	addDeleteError(&resp.Diagnostics, "delete "+p.String(), r.cluster.api.DeleteObject(ctx, p))
}

func (r *dataObjectResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	p, err := parseDataPathAs(req.ID, dataPathFile, false)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error()+", such as data://alice/models/model.bin.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), p.String())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("path"), p.String())...)
}
