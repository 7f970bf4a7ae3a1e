package provider

import (
	"errors"
	"fmt"

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
