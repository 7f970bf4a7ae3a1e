package provider

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
)

// timeoutsAttribute is timeouts.Attributes whose values must also be positive: the
// library accepts "-5s" or "0s", which would only fail at apply as "context deadline exceeded".
func timeoutsAttribute(ctx context.Context, opts timeouts.Opts) schema.Attribute {
	a, ok := timeouts.Attributes(ctx, opts).(schema.SingleNestedAttribute)
	if !ok {
		return timeouts.Attributes(ctx, opts)
	}
	attrs := make(map[string]schema.Attribute, len(a.Attributes))
	for name, attr := range a.Attributes {
		if s, ok := attr.(schema.StringAttribute); ok {
			s.Validators = append(append([]validator.String{}, s.Validators...), positiveDuration{})
			attr = s
		}
		attrs[name] = attr
	}
	a.Attributes = attrs
	return a
}

// positiveDuration accepts Go durations greater than zero. With parse it also reports
// values that are no duration at all (where no other validator does).
type positiveDuration struct{ parse bool }

func (positiveDuration) Description(context.Context) string {
	return "must be a positive duration such as 30s or 20m"
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if (err == nil && d <= 0) || (err != nil && v.parse) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timeout",
			fmt.Sprintf("%s = %q: a timeout must be a positive Go duration such as 30s or 20m.", req.Path, req.ConfigValue.ValueString()))
	}
}

// requiresSiblingTrue is a bool validator: when the attribute is true, the sibling
// attribute must be true as well (for example allow_data_write needs allow_data).
type requiresSiblingTrue struct{ sibling string }

func (v requiresSiblingTrue) Description(context.Context) string {
	return "needs " + v.sibling + " = true"
}

func (v requiresSiblingTrue) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v requiresSiblingTrue) ValidateBool(ctx context.Context, req validator.BoolRequest, resp *validator.BoolResponse) {
	if !req.ConfigValue.ValueBool() {
		return
	}
	var other types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName(v.sibling), &other)...)
	if resp.Diagnostics.HasError() || other.IsUnknown() || other.ValueBool() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Missing "+v.sibling,
		fmt.Sprintf("%s = true needs %s = true in the same block: the platform grants no write access without read access.",
			req.Path, req.Path.ParentPath().AtName(v.sibling)))
}

// checkAlgorithmEnvironment makes an unknown settings.algorithm_environment a plan-time
// error naming the attribute and the data source, instead of a 400 at apply. It asks the
// cluster only when the provider is configured and the value is known and changed.
func checkAlgorithmEnvironment(ctx context.Context, cc *clusterClient, plan tfsdk.Plan, state tfsdk.State, diags *diag.Diagnostics) {
	if cc == nil || plan.Raw.IsNull() {
		return
	}
	attr := path.Root("settings").AtName("algorithm_environment")
	var planned, prior types.String
	diags.Append(plan.GetAttribute(ctx, attr, &planned)...)
	if !state.Raw.IsNull() {
		diags.Append(state.GetAttribute(ctx, attr, &prior)...)
	}
	if diags.HasError() || planned.IsNull() || planned.IsUnknown() || planned.Equal(prior) {
		return
	}
	id := planned.ValueString()
	languages, err := cc.api.ListLanguages(ctx)
	if err != nil {
		tflog.Debug(ctx, "cannot list languages to check algorithm_environment", map[string]any{"error": err.Error()})
		return
	}
	var names []string
	for _, l := range languages {
		envs, err := cc.listEnvironments(ctx, l.Name)
		if err != nil {
			tflog.Debug(ctx, "cannot list environments to check algorithm_environment", map[string]any{"error": err.Error()})
			return
		}
		for _, e := range envs {
			if strings.EqualFold(e.ID, id) {
				return
			}
		}
		names = append(names, l.Name)
	}
	diags.AddAttributeError(attr, "Unknown algorithm environment",
		fmt.Sprintf("No environment of the cluster at %s has the ID %q (languages checked: %s). Environment IDs differ "+
			"between clusters: look the ID up with the algorithmia_environment data source of the same provider alias, "+
			"for example settings.algorithm_environment = data.algorithmia_environment.py.id.",
			cc.apiAddress, id, strings.Join(names, ", ")))
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

// httpURLValidator accepts absolute http(s) URLs without credentials. Its message never
// repeats credentials found in the value.
type httpURLValidator struct{}

func (httpURLValidator) Description(context.Context) string {
	return "must be an absolute http(s) URL without credentials"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if _, err := httpclient.CheckURL(s); err == nil {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid address",
		fmt.Sprintf("%s = %q is not an absolute http(s) URL without credentials, such as https://api.example.com. "+
			"Give keys in their own arguments, never in the address.", req.Path, redactURL(s)))
}

// pemValidator accepts text holding at least one PEM certificate.
type pemValidator struct{}

func (pemValidator) Description(context.Context) string {
	return "must hold at least one PEM certificate"
}

func (v pemValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (pemValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !x509.NewCertPool().AppendCertsFromPEM([]byte(req.ConfigValue.ValueString())) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CA certificate",
			fmt.Sprintf("No PEM certificate could be parsed from %s. Give the CA's certificate as PEM text "+
				"(-----BEGIN CERTIFICATE----- ...), for example with file(\"ca.pem\").", req.Path))
	}
}
