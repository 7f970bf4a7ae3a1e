package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What algorithmia_user and algorithmia_organization share: both are accounts in one
// namespace, imported by name, whose delete also deletes what they own.

// deleteAccount deletes the account name of kind ("user" or "organization") with del. Unless
// force (force_destroy) is true, it first refuses an account that still owns algorithms or
// data collections, which the platform would delete with it.
func deleteAccount(ctx context.Context, cc *clusterClient, kind, name string, force types.Bool, del func(context.Context, string) error, diags *diag.Diagnostics) {
	if !force.ValueBool() && !refuseToDeleteOwner(ctx, cc, kind, name, diags) {
		return
	}
	addDeleteError(diags, "delete "+kind+" "+name, del(ctx, name))
}

// importAccount imports an account by its name into nameAttr and id; expected describes the
// ID in the error, such as "a username, such as jane_doe".
func importAccount(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, nameAttr, expected string) {
	if len(req.ID) > maxNameLength || !nameRegexp.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Expected %s; got %q.", expected, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(nameAttr), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
