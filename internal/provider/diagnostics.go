package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// addClientError is the one place that turns a client or engine error into a diagnostic:
// the summary names the operation and object, the detail carries the platform's message and code.
func addClientError(diags *diag.Diagnostics, operation string, err error) {
	summary := "Failed to " + operation
	var apiErr *algorithmia.APIError
	var missing *algorithmia.MissingKeyError
	switch {
	case errors.As(err, &missing) && missing.Admin:
		diags.AddError(summary, fmt.Sprintf("This call (%s %s) needs an admin API key, and the provider configuration "+
			"for the cluster at %s has none. Set admin_api_key (or ALGORITHMIA_ADMIN_API_KEY) in the provider block of "+
			"that cluster's alias.", missing.Method, missing.Path, missing.Cluster))
	case errors.As(err, &missing):
		diags.AddError(summary, fmt.Sprintf("This call (%s %s) needs a standard API key, and the provider configuration "+
			"for the cluster at %s has none. Set api_key (or ALGORITHMIA_API_KEY) in the provider block of that "+
			"cluster's alias; an admin key cannot call this endpoint.", missing.Method, missing.Path, missing.Cluster))
	case errors.As(err, &apiErr):
		detail := fmt.Sprintf("The cluster answered HTTP %d", apiErr.StatusCode)
		if apiErr.Code != 0 {
			detail += fmt.Sprintf(" with error code %d", apiErr.Code)
		}
		if apiErr.Message != "" {
			detail += ": " + apiErr.Message
		}
		switch {
		case errors.Is(err, algorithmia.ErrUnauthorized):
			detail += "\n\nThe API key was not accepted. Check the key configured for this provider alias."
		case errors.Is(err, algorithmia.ErrForbidden):
			detail += "\n\nThe key is valid but may not do this: it may lack \"algorithm management\", belong to " +
				"another account, or be an admin key where a standard key is needed (or the reverse)."
		}
		diags.AddError(summary, detail)
	default:
		diags.AddError(summary, err.Error())
	}
}

// clusterFromProviderData type-asserts the provider's data for a resource or data source.
// It is nil before the provider is configured (early validation), which callers tolerate.
func clusterFromProviderData(data any, diags *diag.Diagnostics) *clusterClient {
	if data == nil {
		return nil
	}
	cc, ok := data.(*clusterClient)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *clusterClient, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return cc
}

// existingObject names an object that a Create found already on the cluster.
type existingObject struct {
	kind     string // what it is, in the platform's words: "algorithm", "data object", ...
	name     string // how configurations name it: acme/hello, data://acme/models, ...
	importID string // the ID terraform import takes for it
}

// Why an existing object was adopted (see adoptionReason).
const (
	adoptedBySetting     = "adopt_existing is true in this cluster's provider block, so it was adopted instead of created"
	adoptedAfterNoAnswer = "the create request got no answer (a connection error), and the object that exists now is " +
		"exactly what was sent, so it is the one this apply created"
)

// adoptionReason decides whether Create may take over an object it found already there, and
// says why (for addAdoptedWarning). Adopting is always safe right after a create request that
// got no answer when the object equals what was sent (changed is empty): the request reached
// the cluster. Otherwise only adopt_existing allows it; without it the "already exists" error is
// added and "" returned.
func adoptionReason(diags *diag.Diagnostics, cc *clusterClient, obj existingObject, noAnswer bool, changed []string) string {
	switch {
	case noAnswer && len(changed) == 0:
		return adoptedAfterNoAnswer
	case cc.adoptExisting:
		return adoptedBySetting
	}
	note := ""
	if noAnswer {
		note = fmt.Sprintf(" The create request got no answer, and what exists differs from what was sent (%s), "+
			"so it may have been made by someone else.", strings.Join(changed, ", "))
	}
	addAlreadyExistsError(diags, cc, obj, note)
	return ""
}

// addAlreadyExistsError is the one diagnostic for a Create whose object already exists: it
// names the object, the terraform import command, and adopt_existing.
func addAlreadyExistsError(diags *diag.Diagnostics, cc *clusterClient, obj existingObject, note string) {
	diags.AddError(upperFirst(obj.kind)+" already exists",
		fmt.Sprintf("The %s %s already exists on %s, and it is not in this Terraform state.%s\n\n"+
			"To manage it with Terraform, import it:\n\n  terraform import <resource address> %s\n\n"+
			"Or set adopt_existing = true in this cluster's provider block (or %s=true) to let apply adopt "+
			"existing objects and change them to match the configuration, for example after a lost state file. "+
			"Only do so if no one else made an object of this name by hand.",
			obj.kind, obj.name, cc.apiAddress, note, obj.importID, envAdopt))
}

// addAdoptedWarning is the one warning for a Create that adopted an existing object; changed
// lists what was changed on the cluster to match the configuration.
func addAdoptedWarning(diags *diag.Diagnostics, cc *clusterClient, obj existingObject, why string, changed []string) {
	detail := fmt.Sprintf("The %s %s already existed on %s; %s. It is now managed by this state.", obj.kind, obj.name, cc.apiAddress, why)
	if len(changed) > 0 {
		detail += " Changed on the cluster to match the configuration: " + strings.Join(changed, ", ") + "."
	} else {
		detail += " Nothing was changed on the cluster."
	}
	diags.AddWarning("Adopted existing "+obj.kind+" "+obj.name, detail)
}

// upperFirst capitalizes the first letter of an ASCII word, for diagnostic summaries.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// addReadError is the one diagnostic of a data source whose read failed: a missing object
// (missing names it, such as "algorithm acme/hello") gets summary and says which cluster was
// asked; any other error goes through addClientError with action.
func addReadError(diags *diag.Diagnostics, cc *clusterClient, err error, summary, missing, action string) {
	if errors.Is(err, algorithmia.ErrNotFound) {
		diags.AddError(summary, fmt.Sprintf("No %s exists on %s.", missing, cc.apiAddress))
		return
	}
	addClientError(diags, action, err)
}
