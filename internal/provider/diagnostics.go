// Every helper that turns an error into a diagnostic lives here: addClientError for any
// client or engine error, and the ones that add a hint for one kind of answer.

package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
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

// readFound handles the error of a resource Read's lookup: an object gone from the cluster
// leaves state, any other error is reported under operation. It reports whether Read goes on.
func readFound(ctx context.Context, resp *resource.ReadResponse, operation string, err error) bool {
	switch {
	case errors.Is(err, algorithmia.ErrNotFound):
		resp.State.RemoveResource(ctx)
		return false
	case err != nil:
		addClientError(&resp.Diagnostics, operation, err)
		return false
	}
	return true
}

// addDeleteError is addClientError for a delete, where an object already gone is no error.
func addDeleteError(diags *diag.Diagnostics, operation string, err error) {
	if err != nil && !errors.Is(err, algorithmia.ErrNotFound) {
		addClientError(diags, operation, err)
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

// addCannotAdoptError is the one diagnostic for an existing object that differs from the
// configuration in what the platform cannot change in place (conflict, such as "its language is
// ruby"); fix says what to do instead.
func addCannotAdoptError(diags *diag.Diagnostics, cc *clusterClient, obj existingObject, conflict, fix string) {
	diags.AddError("Cannot adopt "+obj.kind+" "+obj.name,
		fmt.Sprintf("The %s %s already exists on %s, but %s. The platform cannot change that in place, so it "+
			"cannot be adopted as configured. %s", obj.kind, obj.name, cc.apiAddress, conflict, fix))
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

// addOwnerError explains a 403 on creating an algorithm: the platform answers the same
// for an owner that does not exist as for one the key may not act for, so ask which.
func addOwnerError(ctx context.Context, diags *diag.Diagnostics, cc *clusterClient, owner, operation string, err error) {
	_, lerr := cc.api.ListUserAlgorithms(ctx, owner)
	switch {
	case errors.Is(lerr, algorithmia.ErrNotFound):
		diags.AddAttributeError(path.Root("owner"), "Owner "+owner+" does not exist",
			fmt.Sprintf("The cluster at %s has no user or organization named %q (or it cannot be seen with this key), "+
				"so it cannot own an algorithm. Create it first (algorithmia_user or algorithmia_organization) or fix owner.",
				cc.apiAddress, owner))
	case errors.Is(lerr, algorithmia.ErrForbidden) || errors.Is(lerr, algorithmia.ErrUnauthorized):
		who := "the key's account"
		if cc.username != "" {
			who = cc.username
		}
		diags.AddAttributeError(path.Root("owner"), "Not allowed to act for owner "+owner,
			fmt.Sprintf("%q exists on %s, but %s is neither that account nor a member of that organization. Use a key of "+
				"the owner, or add %s to the organization (algorithmia_organization_member).", owner, cc.apiAddress, who, who))
	default:
		addClientError(diags, operation, err)
	}
}

// addPromoteError turns a Git engine error (already free of credentials) into a diagnostic.
func addPromoteError(diags *diag.Diagnostics, object string, err error) {
	hint := ""
	switch {
	case errors.Is(err, promote.ErrAuth):
		hint = "\n\nA Git server refused the credentials: check source.username and the source password, or the " +
			"destination provider's username and api_key (the key needs algorithm management)."
	case errors.Is(err, promote.ErrNotFound):
		hint = "\n\nA repository was not found: check source.git_url and that the destination algorithm exists."
	case errors.Is(err, promote.ErrDestMoved):
		hint = "\n\nThe plan found nothing to push onto that head. Nothing was pushed; run terraform plan again."
	case errors.Is(err, promote.ErrCommitNotFound):
		hint = "\n\nThe source commit is not reachable from any branch or tag of the source repository."
	case errors.Is(err, context.DeadlineExceeded):
		hint = "\n\nThe operation timed out; raise the timeouts of this resource."
	}
	diags.AddError("Failed to promote source into "+object, err.Error()+hint)
}

// addCopySourceError explains a failure to reach the copy source; it names that
// cluster, since the API error alone would read as if this cluster answered.
// providerKey says whether the source was read with this provider's own key (copy_from
// sets none), so the one hint given names the key that was really used.
func addCopySourceError(diags *diag.Diagnostics, from algorithmia.DataPath, src *algorithmia.Client, providerKey bool, err error) {
	detail := err.Error()
	if apiErr := (*algorithmia.APIError)(nil); errors.As(err, &apiErr) {
		// Not addClientError: its hint names the provider's key, which may not be the one used here.
		detail = fmt.Sprintf("The source cluster answered HTTP %d to %s %s", apiErr.StatusCode, apiErr.Method, apiErr.Path)
		if apiErr.Code != 0 {
			detail += fmt.Sprintf(" with error code %d", apiErr.Code)
		}
		detail += ": " + apiErr.Message
	}
	key := "copy_from.api_key_wo (or copy_from.api_key)"
	if providerKey {
		key = "the api_key of this provider alias (copy_from sets no key of its own)"
	}
	switch {
	case errors.Is(err, algorithmia.ErrNotFound):
		detail += "\n\nThe source file (or its collection) does not exist, or the key may not read it."
	case errors.Is(err, algorithmia.ErrUnauthorized):
		detail += "\n\nThe source cluster " + src.BaseURL() + " did not accept the key. Check " + key +
			": it must be a key of that cluster."
	case errors.Is(err, algorithmia.ErrForbidden):
		detail += "\n\nThe source cluster " + src.BaseURL() + " accepted the key but it may not read this file. The key " +
			"used is " + key + ": it needs allow_data, and the collection's read ACL must admit the key's account (a " +
			"private collection admits only its owner). Give copy_from a key of the file's owner, or widen the ACL."
	}
	diags.AddAttributeError(path.Root("copy_from"), "Failed to read the copy source "+from.String(), detail)
}

// addUploadError turns an upload failure into a diagnostic; a verification failure
// says that nothing was recorded.
func addUploadError(diags *diag.Diagnostics, to algorithmia.DataPath, err error) {
	switch {
	case errors.Is(err, algorithmia.ErrChecksumMismatch):
		diags.AddError("Upload of "+to.String()+" failed verification",
			err.Error()+"\n\nThe cluster's copy is not what was sent, so nothing was recorded in state. Apply again.")
	case errors.Is(err, algorithmia.ErrSourceChanged):
		diags.AddError("Source changed during the upload of "+to.String(),
			err.Error()+"\n\nNothing was recorded in state. Run terraform plan again.")
	default:
		addClientError(diags, "upload "+to.String(), err)
	}
}

// addSCMRuleError explains the platform's SCM rules (CONTRACT.md §11) when an answer breaks one.
func addSCMRuleError(diags *diag.Diagnostics, operation, id string, err error) {
	var apiErr *algorithmia.APIError
	if !errors.As(err, &apiErr) {
		addClientError(diags, operation, err)
		return
	}
	var hint string
	switch apiErr.Code {
	case algorithmia.CodeSCMInUse:
		hint = fmt.Sprintf("Algorithms were created on the SCM %s, and the platform never deletes such an SCM, only disables it. "+
			"It was left as it was. To stop managing it, set enabled = false, apply, and remove it from the configuration "+
			"with a removed block (destroy = false).", id)
	case algorithmia.CodeSCMDefault:
		hint = fmt.Sprintf("The SCM %s is the cluster's default, which the platform refuses to disable or delete. Make "+
			"another SCM the default first (default = true on its algorithmia_scm).", id)
	case algorithmia.CodeSCMDisabled:
		hint = fmt.Sprintf("The SCM %s is disabled, and a disabled SCM cannot become the default. Set enabled = true.", id)
	case algorithmia.CodeSCMDisallowedOperation:
		hint = "The internal SCM cannot be created, changed or deleted."
	}
	if hint == "" {
		addClientError(diags, operation, err)
		return
	}
	diags.AddError("Failed to "+operation, fmt.Sprintf("The cluster answered HTTP %d with error code %d: %s\n\n%s",
		apiErr.StatusCode, apiErr.Code, apiErr.Message, hint))
}

// addSCMAuthorizationError explains a refused token/connect.
func addSCMAuthorizationError(diags *diag.Diagnostics, cc *clusterClient, id string, err error) {
	var apiErr *algorithmia.APIError
	switch {
	case !errors.As(err, &apiErr):
		addClientError(diags, "connect to SCM "+id, err)
	case errors.Is(err, algorithmia.ErrNotFound):
		diags.AddAttributeError(path.Root("scm_id"), "SCM "+id+" not found",
			fmt.Sprintf("No SCM configuration %q exists on %s (HTTP %d, code %d): see the algorithmia_scms data source.",
				id, cc.apiAddress, apiErr.StatusCode, apiErr.Code))
	case apiErr.Code == algorithmia.CodeSCMDisabled:
		diags.AddAttributeError(path.Root("scm_id"), "SCM "+id+" is disabled",
			fmt.Sprintf("The cluster at %s answered HTTP %d with error code %d: %s. An admin must enable it first.",
				cc.apiAddress, apiErr.StatusCode, apiErr.Code, apiErr.Message))
	case errors.Is(err, algorithmia.ErrSCMUnauthorized) || apiErr.Code == algorithmia.CodeSCMBadRequest:
		diags.AddAttributeError(path.Root("token_wo"), "SCM "+id+" refused the token",
			fmt.Sprintf("The cluster at %s answered HTTP %d with error code %d: %s. The SCM host did not accept the token: "+
				"check that it is current and belongs to the intended account. Nothing was authorized.",
				cc.apiAddress, apiErr.StatusCode, apiErr.Code, apiErr.Message))
	default:
		addClientError(diags, "connect to SCM "+id, err)
	}
}

// isSCMError reports whether an answer to a create with a source is about the SCM.
func isSCMError(e *algorithmia.APIError) bool {
	switch e.Code {
	case algorithmia.CodeSCMFailedToCreateRepository, algorithmia.CodeSCMConnectionNotFound, algorithmia.CodeSCMConfigurationNotFound,
		algorithmia.CodeSCMDisabled, algorithmia.CodeSCMConflict, algorithmia.CodeSCMNotAuthorized, algorithmia.CodeSCMNotAuthenticated,
		algorithmia.CodeSCMBadRequest, algorithmia.CodeSCMUnknown, algorithmia.CodeSCMConnectionError, algorithmia.CodeSCMBadCreatePayload:
		return true
	}
	return false
}

// addSCMCreateError is the diagnostic of an algorithm create the SCM refused: the platform's
// answer and what to do about it.
func addSCMCreateError(diags *diag.Diagnostics, cc *clusterClient, algorithm string, src *algorithmia.SourceCreate, err error) {
	var apiErr *algorithmia.APIError
	_ = errors.As(err, &apiErr)
	repo := src.RepositoryName
	if repo == "" { // the platform names it after the algorithm
		_, repo, _ = strings.Cut(algorithm, "/")
	}
	if src.RepositoryOwner != "" {
		repo = src.RepositoryOwner + "/" + repo
	}
	var hint string
	switch {
	case errors.Is(err, algorithmia.ErrSCMUnauthorized):
		hint = fmt.Sprintf("The provider's user is not authorized on the SCM %q, or not allowed to create repositories "+
			"under that repository_owner. Connect it first with an algorithmia_scm_authorization (a personal access token "+
			"of the SCM host), check that it was not revoked, and that repository_owner is that SCM user.", src.SCM)
	case errors.Is(err, algorithmia.ErrNotFound):
		hint = fmt.Sprintf("No SCM configuration %q exists on %s: see the algorithmia_scms data source.", src.SCM, cc.apiAddress)
	case apiErr.Code == algorithmia.CodeSCMDisabled:
		hint = fmt.Sprintf("The SCM %q is disabled: an admin must enable it (algorithmia_scm.enabled) before algorithms can be created on it.", src.SCM)
	case apiErr.Code == algorithmia.CodeSCMConflict || apiErr.Code == algorithmia.CodeSCMFailedToCreateRepository:
		hint = fmt.Sprintf("The SCM host could not create the repository %s, most likely because it already exists. "+
			"The platform creates a new repository for a new algorithm: pick another source.repository_name (or "+
			"repository_owner), or delete the existing repository on the host.", repo)
	default:
		hint = "The SCM host refused the request."
	}
	diags.AddAttributeError(pathSource, "Failed to create algorithm "+algorithm+" on SCM "+src.SCM,
		fmt.Sprintf("The cluster at %s answered HTTP %d with error code %d: %s\n\n%s Nothing was created.",
			cc.apiAddress, apiErr.StatusCode, apiErr.Code, apiErr.Message, hint))
}

// maxNamedHoldings is how many algorithms or collections a refusal names before it counts the rest.
const maxNamedHoldings = 5

// countOf is "1 algorithm" or "3 algorithms".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fewOf lists the first names (sorted) and counts the rest.
func fewOf(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	if len(sorted) <= maxNamedHoldings {
		return strings.Join(sorted, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(sorted[:maxNamedHoldings], ", "), len(sorted)-maxNamedHoldings)
}
