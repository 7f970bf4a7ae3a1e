package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure  = (*userAPIKeyResource)(nil)
	_ resource.ResourceWithModifyPlan = (*userAPIKeyResource)(nil)
)

// NewUserAPIKeyResource is the factory of algorithmia_user_api_key.
func NewUserAPIKeyResource() resource.Resource {
	return &userAPIKeyResource{}
}

type userAPIKeyResource struct {
	cluster *clusterClient
}

type userAPIKeyModel struct {
	ID              types.String `tfsdk:"id"`
	Username        types.String `tfsdk:"username"`
	Label           types.String `tfsdk:"label"`
	Permissions     types.Object `tfsdk:"permissions"`
	APIKeyWO        types.String `tfsdk:"api_key_wo"`
	APIKey          types.String `tfsdk:"api_key"`
	APIKeyWOVersion types.Int64  `tfsdk:"api_key_wo_version"`
	APIKeyMask      types.String `tfsdk:"api_key_mask"`
	CreatedAt       types.String `tfsdk:"created_at"`
}

type permissionsModel struct {
	AllowAlgo           types.Bool   `tfsdk:"allow_algo"`
	AllowWebAlgo        types.Bool   `tfsdk:"allow_web_algo"`
	AllowAlgoManagement types.Bool   `tfsdk:"allow_algo_management"`
	AllowData           types.Bool   `tfsdk:"allow_data"`
	AllowDataWrite      types.Bool   `tfsdk:"allow_data_write"`
	AlgoACL             types.List   `tfsdk:"algo_acl"`
	RefererHost         types.String `tfsdk:"referer_host"`
}

func (r *userAPIKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_api_key"
}

func (r *userAPIKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	flag := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{MarkdownDescription: desc + " Defaults to `false`.", Optional: true, Computed: true, Default: booldefault.StaticBool(false)}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A standard API key of a user, added by the admin API with a value you choose " +
			"(`POST /v1/admin/users/{username}/keys`). Needs the provider's `admin_api_key`. This is step 1 of " +
			"promotion: an account that owns the algorithms and a key with algorithm management.\n\n" +
			"The key value is a write-only argument, typically read from a secret store, so it never enters the " +
			"plan or the state. Applying again creates nothing new.\n\n" +
			"**The platform has no API to delete, change or read back a key.** So:\n\n" +
			"* Destroying this resource only removes it from the state. **The key keeps working**; revoke it in " +
			"the cluster's web UI (the `api_key_mask` identifies it).\n" +
			"* Any change (label, permissions, user, or a new value) adds a new key and leaves the old one working. " +
			"Such a change needs a new `api_key_wo` value *and* a new `api_key_wo_version`, since the old value " +
			"is still in use.\n" +
			"* Terraform cannot see keys changed or revoked in the UI; it notices only when the user is gone.\n\n" +
			"It cannot be imported: no API reads a key.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("`username/api_key_mask`."),
			"username": schema.StringAttribute{
				MarkdownDescription: "User who owns the key. Changing it adds a key for the new user.",
				Required:            true,
				Validators:          []validator.String{usernameValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"label": schema.StringAttribute{
				MarkdownDescription: "Label shown next to the key in the web UI. Changing it adds a new key.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"permissions": schema.SingleNestedAttribute{
				MarkdownDescription: "What the key may do. A promotion key needs `allow_algo_management`. Changing any " +
					"permission adds a new key.",
				Required:      true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"allow_algo":            flag("Call algorithms (those matching `algo_acl`)."),
					"allow_web_algo":        flag("Call algorithms from browsers (CORS)."),
					"allow_algo_management": flag("Create, update, build, publish and delete the user's algorithms, and push their source."),
					"allow_data":            flag("Read hosted data."),
					"allow_data_write": func() schema.BoolAttribute {
						a := flag("Write hosted data; needs `allow_data`.")
						a.Validators = []validator.Bool{requiresSiblingTrue{sibling: "allow_data"}}
						return a
					}(),
					"algo_acl": schema.ListAttribute{
						MarkdownDescription: "Algorithms the key may call, such as `algo://*` or `algo://acme/*`. Defaults to none.",
						ElementType:         types.StringType,
						Optional:            true,
						Computed:            true,
						Default:             listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{})),
					},
					"referer_host": schema.StringAttribute{
						MarkdownDescription: "Host that browser calls must come from.",
						Optional:            true,
					},
				},
			},
			"api_key_wo": schema.StringAttribute{
				MarkdownDescription: "The key's value, chosen by you (for example from a secret store). Write-only: it " +
					"is sent once, when the key is added, and is never stored in the plan or the state. " +
					"Needs Terraform 1.11 or later.",
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ExactlyOneOf(path.MatchRoot("api_key")),
				},
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "The key's value, for Terraform CLIs older than 1.11 that have no write-only " +
					"arguments. It is sensitive but stored in the state; prefer `api_key_wo`. Changing it adds a new key.",
				Optional:      true,
				Sensitive:     true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"api_key_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Change it (for example increment it) together with `api_key_wo` to add a key with " +
					"the new value. Terraform cannot see a write-only value change by itself.",
				Optional:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"api_key_mask": keptAttribute("`****` followed by the key's last 4 characters (at most 4 characters of the key, fewer " +
				"than the platform's own mask shows); use it to find the key to revoke in the web UI."),
			"created_at": keptAttribute("When the key was added."),
		},
	}
}

func (r *userAPIKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses a replacement that would reuse the key value: the old key cannot be
// deleted, so its value is still taken, and the new key needs a new one.
func (r *userAPIKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state userAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.APIKeyWOVersion.Equal(state.APIKeyWOVersion) || !plan.APIKey.Equal(state.APIKey) {
		return // a new value is coming
	}
	for _, name := range []string{"username", "label", "permissions"} {
		var p, s attr.Value
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(name), &p)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(name), &s)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if p.IsUnknown() || !p.Equal(s) {
			resp.Diagnostics.AddAttributeError(path.Root("api_key_wo_version"), "A changed key needs a new value",
				fmt.Sprintf("Changing %s adds a new key, because the platform cannot change or delete keys. The current "+
					"key keeps working and keeps its value, so the new key needs a new api_key_wo value. Set the new value "+
					"and change api_key_wo_version (for example increment it). Revoke the old key (%s) in the web UI.",
					name, state.APIKeyMask.ValueString()))
			return
		}
	}
}

func (r *userAPIKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	value := configString(ctx, req.Config, path.Root("api_key_wo"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if value.IsNull() {
		value = plan.APIKey
	}
	var p permissionsModel
	resp.Diagnostics.Append(plan.Permissions.As(ctx, &p, basetypes.ObjectAsOptions{})...)
	acl := []string{}
	resp.Diagnostics.Append(p.AlgoACL.ElementsAs(ctx, &acl, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	username := plan.Username.ValueString()
	req2 := algorithmia.CreateAPIKeyRequest{
		KeyLabel: plan.Label.ValueString(),
		KeyType:  algorithmia.KeyTypeAlgorithm,
		APIKey:   value.ValueString(),
		Permissions: &algorithmia.AuthPermissions{
			AllowAlgo:           p.AllowAlgo.ValueBool(),
			AllowWebAlgo:        p.AllowWebAlgo.ValueBool(),
			AllowAlgoManagement: p.AllowAlgoManagement.ValueBool(),
			AllowData:           p.AllowData.ValueBool(),
			AllowDataWrite:      p.AllowDataWrite.ValueBool(),
			AlgoACL:             acl,
			RefererHost:         p.RefererHost.ValueString(),
		},
	}
	// A request without an answer may have added the key: the value itself tells, because
	// it authenticates as the user once added. Only a value that does not is sent again.
	var key *algorithmia.APIKey
	err := r.cluster.api.Settle(ctx, func(ctx context.Context) error {
		var cerr error
		key, cerr = r.cluster.api.CreateUserAPIKey(ctx, username, req2)
		return cerr
	}, func(ctx context.Context) (bool, error) {
		owner, cerr := r.callerOf(ctx, value.ValueString())
		if errors.Is(cerr, algorithmia.ErrUnauthorized) {
			return false, nil
		}
		return cerr == nil && owner == username, cerr
	})
	switch {
	case err != nil:
		if key = r.proveExisting(ctx, username, value.ValueString(), err, &resp.Diagnostics); key == nil {
			return
		}
	case key == nil: // added by a request whose answer was lost
		key = &algorithmia.APIKey{Username: username, APIKeyMask: algorithmia.MaskAPIKey(value.ValueString())}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userAPIKeyModelFromAPI(plan, key))...)
}

// proveExisting handles a failed key creation. The platform refuses a value that is already
// a key (400, "api_key is already in use"), and a request that got no answer may have added the
// key anyway. No API reads keys back, so the value itself is asked whose key it is (an
// authenticated standard-key call): a value that authenticates as the user proves the key is
// that user's, and it is adopted whatever adopt_existing says. Otherwise the error says what
// exists, never the value. It returns nil after adding a diagnostic.
func (r *userAPIKeyResource) proveExisting(ctx context.Context, username, value string, createErr error, diags *diag.Diagnostics) *algorithmia.APIKey {
	var apiErr *algorithmia.APIError
	isAPIErr := errors.As(createErr, &apiErr)
	if (isAPIErr && apiErr.StatusCode != http.StatusBadRequest) || errors.Is(createErr, algorithmia.ErrAdminKeyRequired) {
		addClientError(diags, "add an API key for user "+username, createErr)
		return nil
	}
	owner, err := r.callerOf(ctx, value)
	mask := shortKeyMask(algorithmia.MaskAPIKey(value))
	obj := existingObject{kind: "API key", name: username + "/" + mask}
	inUse := isAPIErr && (strings.Contains(strings.ToLower(apiErr.Message), "in use") || strings.Contains(strings.ToLower(apiErr.Message), "already"))
	switch {
	case err == nil && owner == username:
		addAdoptedWarning(diags, r.cluster, obj, "the configured value authenticates as "+username+", which proves it is "+
			"that user's key, so it was adopted. The platform cannot read keys back: the key's label and permissions "+
			"are those it was given when it was added, and were not checked", nil)
		return &algorithmia.APIKey{Username: username, APIKeyMask: mask}
	case err == nil:
		diags.AddError("API key value belongs to another account",
			fmt.Sprintf("The configured key value (%s) is already a key of the account %s on %s, not of %s, so it cannot be "+
				"added for %s. Choose another value (and change api_key_wo_version).", mask, owner, r.cluster.apiAddress, username, username))
	case inUse:
		diags.AddError("API key value already in use",
			fmt.Sprintf("The cluster %s refused the key %s for %s because the value is already in use, and the value "+
				"does not authenticate as a standard key of %s: it is taken by someone else, or by a key that is not "+
				"valid for this user (an admin key, for one). Choose another value (and change api_key_wo_version).",
				r.cluster.apiAddress, mask, username, username))
	case !isAPIErr:
		var probeErr *algorithmia.APIError
		asked := errors.As(err, &probeErr)
		detail := fmt.Sprintf("Adding the key %s for %s on %s got no answer (%s). ", mask, username, r.cluster.apiAddress, createErr)
		if asked {
			detail += "The value does not authenticate as a key of " + username + " either, so the key was not added. "
		} else {
			detail += "Whether it was added could not be checked either. "
		}
		diags.AddError("Failed to add an API key for user "+username, detail+"Apply again to retry.")
	default:
		addClientError(diags, "add an API key for user "+username, createErr)
	}
	return nil
}

func (r *userAPIKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No API reads a key back; the key is gone when its user is.
	username := state.Username.ValueString()
	_, err := r.cluster.api.GetUser(ctx, username)
	readFound(ctx, resp, "read user "+username+" of an API key", err)
}

// Update only records attributes that need no call: every argument that reaches the
// platform requires a replacement.
func (r *userAPIKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan userAPIKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	plan.APIKeyWO = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *userAPIKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userAPIKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.AddWarning("API key removed from the state only",
		fmt.Sprintf("The platform has no API to delete keys, so the key %s of %s on %s still works. Revoke it in the "+
			"cluster's web UI if it is no longer needed.", state.APIKeyMask.ValueString(), state.Username.ValueString(), r.cluster.apiAddress))
}

// userAPIKeyModelFromAPI maps the platform's answer to state. The answer carries the clear
// key value; it is dropped here, and the write-only argument is always null in state.
func userAPIKeyModelFromAPI(plan userAPIKeyModel, k *algorithmia.APIKey) userAPIKeyModel {
	m := plan
	m.APIKeyWO = types.StringNull()
	mask := shortKeyMask(k.APIKeyMask)
	m.APIKeyMask = types.StringValue(mask)
	m.CreatedAt = optionalString(k.CreatedAt) // unknown for a key adopted by its value
	m.ID = types.StringValue(plan.Username.ValueString() + "/" + mask)
	return m
}

// callerOf asks the cluster which account the standard key value belongs to.
func (r *userAPIKeyResource) callerOf(ctx context.Context, value string) (string, error) {
	probe, err := r.cluster.peerClient(r.cluster.apiAddress, value, nil)
	if err != nil {
		return "", err
	}
	return probe.Caller(ctx)
}

// keyMaskMarker starts every api_key_mask; the characters after it are the key's last ones.
const keyMaskMarker = "****"

// shortKeyMask keeps at most the last 4 characters of the platform's mask (which shows 7
// characters of a 20-character key), behind a fixed marker: enough to tell keys apart in
// the web UI, too little to help guess one.
func shortKeyMask(platformMask string) string {
	r := []rune(platformMask)
	return keyMaskMarker + string(r[max(0, len(r)-4):])
}
