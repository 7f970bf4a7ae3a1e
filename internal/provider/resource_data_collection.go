package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var (
	_ resource.ResourceWithConfigure   = (*dataCollectionResource)(nil)
	_ resource.ResourceWithImportState = (*dataCollectionResource)(nil)
)

// NewDataCollectionResource is the factory of algorithmia_data_collection.
func NewDataCollectionResource() resource.Resource {
	return &dataCollectionResource{}
}

type dataCollectionResource struct {
	cluster *clusterClient
}

type dataCollectionModel struct {
	ID           types.String `tfsdk:"id"`
	Owner        types.String `tfsdk:"owner"`
	Name         types.String `tfsdk:"name"`
	ReadACL      types.String `tfsdk:"read_acl"`
	ForceDestroy types.Bool   `tfsdk:"force_destroy"`
}

func (r *dataCollectionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_data_collection"
}

func (r *dataCollectionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A hosted data collection (`data://owner/name`): the one folder level under a user or " +
			"organization that holds data objects. The read ACL changes in place. Destroy refuses to delete a " +
			"collection that still holds files unless `force_destroy = true`.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("`data://owner/name`."),
			"owner": schema.StringAttribute{
				MarkdownDescription: "User or organization that owns the collection. Changing it replaces the collection.",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Collection name. Changing it replaces the collection.",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"read_acl": schema.StringAttribute{
				MarkdownDescription: "Who may read the collection: `private` (only the owner, and algorithms the owner " +
					"calls; `acl.read = []`), `my_algorithms` (the owner's algorithms; `[\"algo://.my/*\"]`, the platform's " +
					"default) or `public` (anyone; `[\"user://*\"]`). Write access is always the owner's only.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(readACLMyAlgorithms),
				Validators: []validator.String{stringvalidator.OneOf(readACLValues...)},
			},
			"force_destroy": schema.BoolAttribute{
				MarkdownDescription: "Delete the collection with every file in it on destroy. With `false` (the default), " +
					"destroying a collection that holds files fails and deletes nothing. Set it and apply before destroying.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
		},
	}
}

func (r *dataCollectionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// dataCollectionModelFromAPI maps the cluster's answer onto the model; the
// arguments only Terraform knows (force_destroy) come from prior.
func dataCollectionModelFromAPI(prior dataCollectionModel, col *algorithmia.Collection, diags *diag.Diagnostics) dataCollectionModel {
	m := prior
	m.ID = types.StringValue(col.Path.String())
	m.Owner = types.StringValue(col.Path.Owner)
	m.Name = types.StringValue(col.Path.Collection)
	if m.ForceDestroy.IsNull() || m.ForceDestroy.IsUnknown() {
		m.ForceDestroy = types.BoolValue(false)
	}
	if col.ACL != nil {
		v, ok := readACLFromACL(*col.ACL)
		if !ok {
			diags.AddAttributeError(path.Root("read_acl"), "Unknown collection ACL",
				fmt.Sprintf("%s has acl.read = %q, which is none of private, my_algorithms or public.", col.Path, col.ACL.Read))
			return m
		}
		m.ReadACL = types.StringValue(v)
	} else if m.ReadACL.IsNull() || m.ReadACL.IsUnknown() {
		m.ReadACL = types.StringValue(readACLMyAlgorithms)
	}
	return m
}

func (r *dataCollectionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan dataCollectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	acl := aclFromReadACL(plan.ReadACL.ValueString())
	lost, err := createSettled(ctx, r.cluster, func(ctx context.Context) error {
		return r.cluster.api.CreateCollection(ctx, owner, name, &acl)
	}, func(ctx context.Context) (bool, error) { return exists(r.cluster.api.GetCollection(ctx, owner, name)) })
	var apiErr *algorithmia.APIError
	switch {
	case lost != nil: // it exists after a create without an answer: adopt compares it with what was sent
		if !r.adopt(ctx, plan, lost, &resp.Diagnostics) {
			return
		}
	case err == nil:
	// The platform answers a duplicate with 400 and a message, without a code.
	case errors.Is(err, algorithmia.ErrAlreadyExists) || strings.Contains(strings.ToLower(err.Error()), "already exists"):
		if !r.adopt(ctx, plan, nil, &resp.Diagnostics) {
			return
		}
	case errors.As(err, &apiErr) || errors.Is(err, algorithmia.ErrAPIKeyRequired):
		addClientError(&resp.Diagnostics, "create collection data://"+owner+"/"+name, err)
		return
	default:
		// POSTs are never retried blindly: after a connection error, look before reporting.
		if !r.adopt(ctx, plan, err, &resp.Diagnostics) {
			return
		}
	}
	r.recordCollection(ctx, plan, &resp.State, &resp.Diagnostics)
}

// adopt takes over the collection of the plan, which exists although Create was planned
// (adoptionReason says when that is allowed), and sets its read ACL to the plan's. noAnswer is
// the error of a create request that got no answer, else nil. It reports false after adding a
// diagnostic.
func (r *dataCollectionResource) adopt(ctx context.Context, plan dataCollectionModel, noAnswer error, diags *diag.Diagnostics) bool {
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	id := "data://" + owner + "/" + name
	obj := existingObject{kind: "collection", name: id, importID: id}
	col, err := r.cluster.api.GetCollection(ctx, owner, name)
	if err != nil {
		if noAnswer != nil {
			err = noAnswer
		}
		addClientError(diags, "create collection "+id, err)
		return false
	}
	var changed []string
	if col.ACL != nil {
		if have, _ := readACLFromACL(*col.ACL); have != plan.ReadACL.ValueString() {
			changed = append(changed, "read_acl")
		}
	}
	why := adoptionReason(diags, r.cluster, obj, noAnswer != nil, changed)
	if why == "" {
		return false
	}
	if len(changed) > 0 {
		if err := r.cluster.api.UpdateCollectionACL(ctx, owner, name, aclFromReadACL(plan.ReadACL.ValueString())); err != nil {
			addClientError(diags, "update the ACL of the adopted collection "+id, err)
			return false
		}
	}
	addAdoptedWarning(diags, r.cluster, obj, why, changed)
	return true
}

// recordCollection reads the collection of plan back after a create or update and writes
// it to state.
func (r *dataCollectionResource) recordCollection(ctx context.Context, plan dataCollectionModel, state *tfsdk.State, diags *diag.Diagnostics) {
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	col, err := r.cluster.api.GetCollection(ctx, owner, name)
	if err != nil {
		addClientError(diags, "read collection data://"+owner+"/"+name, err)
		return
	}
	diags.Append(state.Set(ctx, dataCollectionModelFromAPI(plan, col, diags))...)
}

func (r *dataCollectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state dataCollectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := state.Owner.ValueString(), state.Name.ValueString()
	col, err := r.cluster.api.GetCollection(ctx, owner, name)
	if !readFound(ctx, resp, "read collection data://"+owner+"/"+name, err) {
		return
	}
	m := dataCollectionModelFromAPI(state, col, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *dataCollectionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state dataCollectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	if !plan.ReadACL.Equal(state.ReadACL) {
		if err := r.cluster.api.UpdateCollectionACL(ctx, owner, name, aclFromReadACL(plan.ReadACL.ValueString())); err != nil {
			addClientError(&resp.Diagnostics, "update the ACL of collection data://"+owner+"/"+name, err)
			return
		}
	}
	r.recordCollection(ctx, plan, &resp.State, &resp.Diagnostics)
}

// Delete refuses a collection with files unless force_destroy is set. The delete
// itself is sent without force in that case too, so files uploaded between the
// check and the delete are not lost either.
func (r *dataCollectionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state dataCollectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := state.Owner.ValueString(), state.Name.ValueString()
	force := state.ForceDestroy.ValueBool()
	if !force {
		col, err := r.cluster.api.GetCollection(ctx, owner, name)
		if errors.Is(err, algorithmia.ErrNotFound) {
			return
		}
		if err != nil {
			addClientError(&resp.Diagnostics, "read collection data://"+owner+"/"+name, err)
			return
		}
		if !col.Empty {
			resp.Diagnostics.AddError("Collection is not empty",
				fmt.Sprintf("data://%s/%s still holds files, and force_destroy is false, so nothing was deleted. "+
					"Delete the files (for example their algorithmia_data_object resources) first, or set "+
					"force_destroy = true and apply before destroying.", owner, name))
			return
		}
	}
	_, err := r.cluster.api.DeleteCollection(ctx, owner, name, force)
	addDeleteError(&resp.Diagnostics, "delete collection data://"+owner+"/"+name, err)
}

func (r *dataCollectionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	p, err := parseDataPathAs(req.ID, dataPathCollection, false)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error()+", such as data://alice/models.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), p.String())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("owner"), p.Owner)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), p.Collection)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("force_destroy"), false)...)
}
