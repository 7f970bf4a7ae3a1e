package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

// gitURLValidator rejects Git URLs that are not http(s) or that embed credentials, which
// would end up in state and logs.
type gitURLValidator struct{}

func (gitURLValidator) Description(context.Context) string {
	return "must be an http(s) URL without credentials"
}

func (v gitURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (gitURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := promote.ValidateURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Git URL",
			"The Git URL must be an http(s) URL without credentials; give credentials in username and password_wo instead. "+
				promote.Redact(err.Error()))
	}
}
