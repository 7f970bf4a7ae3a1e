package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What several resources share: schema attributes, and reading a plan with its prior state.
// data_source_schema.go holds the data sources' own pieces.

// planAndPriorState reads a ModifyPlan request's plan, and its prior state unless the
// resource is being created (nil then); false when resp holds an error.
func planAndPriorState[M any](ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) (plan M, state *M, ok bool) {
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return plan, nil, false
	}
	if !req.State.Raw.IsNull() {
		state = new(M)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	return plan, state, !resp.Diagnostics.HasError()
}

// configString reads the string argument at p from the configuration, the only place that
// holds a write-only argument: its value never reaches the plan or the state.
func configString(ctx context.Context, config tfsdk.Config, p path.Path, diags *diag.Diagnostics) types.String {
	var v types.String
	diags.Append(config.GetAttribute(ctx, p, &v)...)
	return v
}

// keptAttribute is a read-only string attribute that keeps its state value in every plan
// (an ID or a value the cluster assigns once).
func keptAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// computedAttribute is a read-only string attribute of a resource, planned unknown when
// its resource changes.
func computedAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
}

// forceDestroyAttribute is force_destroy of an account resource (kind "user" or "organization").
func forceDestroyAttribute(kind string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: "Whether destroying (or replacing) the " + kind + " may delete the algorithms and data collections it owns, " +
			"which the platform deletes with it. While `false` (the default), destroy fails and names them; the plan fails " +
			"already when the provider is configured. Terraform reads the value from state, so set it to `true` and apply " +
			"before destroying. It is not sent to the cluster.",
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(false),
	}
}

// secretAttributes are a nested block's credential given either as name (sensitive, kept in
// state) or as name_wo (write-only); both also pass extra, such as "needs a username".
func secretAttributes(name, desc, woDesc string, extra ...validator.String) map[string]schema.Attribute {
	wo := name + "_wo"
	return map[string]schema.Attribute{
		name: schema.StringAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			Sensitive:           true,
			Validators: append([]validator.String{
				stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName(wo)),
			}, extra...),
		},
		wo: schema.StringAttribute{
			MarkdownDescription: woDesc,
			Optional:            true,
			Sensitive:           true,
			WriteOnly:           true,
			Validators:          extra,
		},
	}
}

// caCertAttribute is an optional PEM bundle of extra certificate authorities to trust.
func caCertAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Optional: true, Validators: []validator.String{pemValidator()}}
}
