// Plan- and validate-time checks of the provider, in one place: attribute validators and the
// checks ValidateConfig and ModifyPlan call. (URL checks live with the HTTP client code.)

package provider

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
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
			s.Validators = append(append([]validator.String{}, s.Validators...), positiveDuration(false))
			attr = s
		}
		attrs[name] = attr
	}
	a.Attributes = attrs
	return a
}

// stringCheck is a string validator made of its description and a check of configured
// (known, non-null) values, which returns the summary and detail of the error about a bad
// value at attribute p, or "" when the value is fine.
type stringCheck struct {
	desc  string
	check func(p path.Path, s string) (summary, detail string)
}

func (v stringCheck) Description(context.Context) string { return v.desc }

func (v stringCheck) MarkdownDescription(context.Context) string { return v.desc }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := v.check(req.Path, req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// positiveDuration accepts Go durations greater than zero. With parse it also reports
// values that are no duration at all (where no other validator does).
func positiveDuration(parse bool) validator.String {
	return stringCheck{desc: "must be a positive duration such as 30s or 20m", check: func(p path.Path, s string) (string, string) {
		if d, err := time.ParseDuration(s); (err == nil && d <= 0) || (err != nil && parse) {
			return "Invalid timeout", fmt.Sprintf("%s = %q: a timeout must be a positive Go duration such as 30s or 20m.", p, s)
		}
		return "", ""
	}}
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

// httpURLValidator accepts absolute http(s) URLs without credentials. Its message never
// repeats credentials found in the value.
func httpURLValidator() validator.String {
	return stringCheck{desc: "must be an absolute http(s) URL without credentials", check: func(p path.Path, s string) (string, string) {
		if _, err := httpclient.CheckURL(s); err == nil {
			return "", ""
		}
		return "Invalid address", fmt.Sprintf("%s = %q is not an absolute http(s) URL without credentials, such as "+
			"https://api.example.com. Give keys in their own arguments, never in the address.", p, redactURL(s))
	}}
}

// gitURLValidator rejects Git URLs that are not http(s) or that embed credentials, which
// would end up in state and logs.
func gitURLValidator() validator.String {
	return stringCheck{desc: "must be an http(s) URL without credentials", check: func(_ path.Path, s string) (string, string) {
		if err := promote.ValidateURL(s); err != nil {
			return "Invalid Git URL", "The Git URL must be an http(s) URL without credentials; give credentials in " +
				"username and password_wo instead. " + promote.Redact(err.Error())
		}
		return "", ""
	}}
}

// pemValidator accepts text holding at least one PEM certificate.
func pemValidator() validator.String {
	return stringCheck{desc: "must hold at least one PEM certificate", check: func(p path.Path, s string) (string, string) {
		if x509.NewCertPool().AppendCertsFromPEM([]byte(s)) {
			return "", ""
		}
		return "Invalid CA certificate", fmt.Sprintf("No PEM certificate could be parsed from %s. Give the CA's "+
			"certificate as PEM text (-----BEGIN CERTIFICATE----- ...), for example with file(\"ca.pem\").", p)
	}}
}

// patternValidator checks a length limit and a pattern together and reports one
// diagnostic per bad value, so a bad attribute never yields a cascade of errors.
func patternValidator(maxLen int, re *regexp.Regexp, rule string) validator.String {
	return stringCheck{desc: fmt.Sprintf("%s, at most %d characters", rule, maxLen), check: func(p path.Path, s string) (string, string) {
		if len(s) >= 1 && len(s) <= maxLen && re.MatchString(s) {
			return "", ""
		}
		return "Invalid " + p.String(), fmt.Sprintf("%q is not valid: the platform requires %s, at most %d characters (got %d).", s, rule, maxLen, len(s))
	}}
}

// usernameValidator is the platform's rule for user and organization names (CONTRACT.md §10.1), as one check.
func usernameValidator() validator.String {
	return patternValidator(maxNameLength, nameRegexp, "a letter followed by letters, digits or underscores")
}

// emailValidator is the platform's rule for e-mail addresses (CONTRACT.md §10.1), as one check.
func emailValidator() validator.String {
	return patternValidator(maxEmailLength, emailRegexp, "an e-mail address such as jane@example.com")
}

// nameValidators are the platform's rules for user, organization and algorithm names.
func nameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(1, 30),
		stringvalidator.RegexMatches(nameRegexp, "must start with a letter and contain only letters, digits and underscores"),
	}
}

// regexpValidator checks that a string compiles as a Go regular expression.
func regexpValidator() validator.String {
	return stringCheck{desc: "a Go (RE2) regular expression", check: func(_ path.Path, s string) (string, string) {
		if _, err := regexp.Compile(s); err != nil {
			return "Invalid regular expression", fmt.Sprintf("%q is not a Go (RE2) regular expression: %s", s,
				strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		return "", ""
	}}
}

// base64Validator accepts standard base64 (with padding).
func base64Validator() validator.String {
	return stringCheck{desc: "must be standard base64", check: func(_ path.Path, s string) (string, string) {
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return "Invalid base64", fmt.Sprintf("content_base64 is not standard base64 (%v). Use base64encode() or filebase64().", err)
		}
		return "", ""
	}}
}

// dataPathKind is what a data path attribute must name.
type dataPathKind int

const (
	dataPathFile dataPathKind = iota
	dataPathCollection
)

// parseDataPathAs parses s and checks that it names a file (or a collection) with
// an explicit owner; the error text is written for a diagnostic.
func parseDataPathAs(s string, kind dataPathKind, allowMy bool) (algorithmia.DataPath, error) {
	want := "data://owner/collection/file"
	if kind == dataPathCollection {
		want = "data://owner/collection"
	}
	p, err := algorithmia.ParseDataPath(s)
	if err != nil {
		reason := err.Error()
		var pe *algorithmia.DataPathError
		if errors.As(err, &pe) {
			reason = pe.Reason
		}
		return p, fmt.Errorf("%q is not a valid data path: %s. Expected %s", s, reason, want)
	}
	if p.Owner == ".my" && !allowMy {
		return p, fmt.Errorf("%q uses the .my alias; name the owner explicitly (%s), so that the address in state does not depend on the key", s, want)
	}
	if p.Owner != ".my" && !nameRegexp.MatchString(p.Owner) {
		return p, fmt.Errorf("%q: the owner %q is not a valid user or organization name", s, p.Owner)
	}
	if p.Collection != "" && !nameRegexp.MatchString(p.Collection) {
		return p, fmt.Errorf("%q: the collection %q must start with a letter and contain only letters, digits and underscores", s, p.Collection)
	}
	switch kind {
	case dataPathFile:
		if !p.IsFile() {
			return p, fmt.Errorf("%q names no file. Expected %s", s, want)
		}
	case dataPathCollection:
		if !p.IsCollection() {
			return p, fmt.Errorf("%q names no collection. Expected %s", s, want)
		}
	}
	return p, nil
}

// dataPathValidator checks a data path attribute at plan time: it must name a kind of
// object, with an explicit owner unless allowMy.
func dataPathValidator(kind dataPathKind, allowMy bool) validator.String {
	desc := "must be data://owner/collection/file (one collection level, no empty segments, no . or ..)"
	if kind == dataPathCollection {
		desc = "must be data://owner/collection"
	}
	return stringCheck{desc: desc, check: func(p path.Path, s string) (string, string) {
		if _, err := parseDataPathAs(s, kind, allowMy); err != nil {
			// Name the attribute: Terraform may show another line for a nested one.
			return "Invalid data path", p.String() + ": " + err.Error() + "."
		}
		return "", ""
	}}
}

// validateSCMSource refuses a repository owner or name on the internal SCM, which has
// neither: the platform would ignore them and the apply could not return what was planned.
func validateSCMSource(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var v types.Object
	diags.Append(config.GetAttribute(ctx, pathSource, &v)...)
	if diags.HasError() || v.IsNull() || v.IsUnknown() {
		return
	}
	var m scmSourceModel
	diags.Append(v.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	if m.SCMID.ValueString() == algorithmia.SCMInternal && (!m.RepositoryOwner.IsNull() || !m.RepositoryName.IsNull()) {
		diags.AddAttributeError(pathSource, "The internal SCM has no repository owner or name",
			"source.repository_owner and source.repository_name name a repository on an external SCM host. With "+
				"scm_id = \"internal\" the repository is the cluster's own (git_url): leave them out.")
	}
}

// refuseToDeleteOwner reports whether the account may be deleted. The platform deletes an
// account's algorithms (repositories and versions) and its hosted data (collections and
// files) with the account, so an account that still owns any is never deleted unless
// force_destroy is set: the diagnostic names what it owns instead.
func refuseToDeleteOwner(ctx context.Context, cc *clusterClient, kind, account string, diags *diag.Diagnostics) bool {
	algos, err := cc.api.ListUserAlgorithmsAsAdmin(ctx, account)
	var collections []string
	if err == nil {
		collections, err = cc.api.ListCollectionsAsAdmin(ctx, account)
	}
	if errors.Is(err, algorithmia.ErrNotFound) {
		return true // the account is gone already
	}
	if errors.Is(err, algorithmia.ErrForbidden) {
		diags.AddError(fmt.Sprintf("Cannot check what the %s %s owns", kind, account),
			fmt.Sprintf("Before deleting a %s the provider checks that it owns no algorithms and no data collections, because "+
				"the platform deletes them with it. The cluster %s refused to list them with this alias's admin_api_key. "+
				"To delete it regardless, set force_destroy = true and apply first.", kind, cc.apiAddress))
		return false
	}
	if err != nil {
		addClientError(diags, fmt.Sprintf("list what %s %s owns before deleting it", kind, account), err)
		return false
	}
	if len(algos) == 0 && len(collections) == 0 {
		return true
	}
	algoNames := make([]string, len(algos))
	for i, a := range algos {
		algoNames[i] = account + "/" + a.AlgoName
	}
	collectionNames := make([]string, len(collections))
	for i, c := range collections {
		collectionNames[i] = "data://" + account + "/" + c
	}
	var what, lines []string
	if len(algoNames) > 0 {
		what = append(what, "algorithms")
		lines = append(lines, fmt.Sprintf("  - %s, with their Git repositories and every published version: %s",
			countOf(len(algoNames), "algorithm"), fewOf(algoNames)))
	}
	if len(collectionNames) > 0 {
		what = append(what, "data collections")
		lines = append(lines, fmt.Sprintf("  - %s, with their files: %s", countOf(len(collectionNames), "data collection"), fewOf(collectionNames)))
	}
	diags.AddError(fmt.Sprintf("The %s %s still owns %s", kind, account, strings.Join(what, " and ")),
		fmt.Sprintf("Deleting the %s %s on %s would also delete what it owns:\n\n%s\n\n"+
			"Move or delete them first. If they are to go with the %s (or are destroyed in the same run), set "+
			"force_destroy = true, apply, and then destroy or remove the %s.", kind, account, cc.apiAddress,
			strings.Join(lines, "\n"), kind, kind))
	return false
}

// planAccountRemoval refuses at plan time to destroy or replace an account that owns
// algorithms or data collections, unless its state has force_destroy = true (as Delete reads
// it). Checked in Delete only, a destroy would stop halfway, after its dependents. It needs
// the configured provider; without it, Delete still checks.
func planAccountRemoval(ctx context.Context, req resource.ModifyPlanRequest, cc *clusterClient, kind string, nameAttr path.Path, diags *diag.Diagnostics, replaceTriggers ...path.Path) {
	if req.State.Raw.IsNull() || cc == nil {
		return
	}
	var name types.String
	var force types.Bool
	diags.Append(req.State.GetAttribute(ctx, nameAttr, &name)...)
	diags.Append(req.State.GetAttribute(ctx, path.Root("force_destroy"), &force)...)
	if diags.HasError() || force.ValueBool() {
		return
	}
	if !req.Plan.Raw.IsNull() && replacedAttribute(ctx, req, diags, replaceTriggers...) == nil {
		return
	}
	refuseToDeleteOwner(ctx, cc, kind, name.ValueString(), diags)
}

// replacedAttribute returns the first of triggers (string attributes whose change replaces
// the resource when configured, as RequiresReplace and RequiresReplaceIfConfigured do) that
// the plan changes; nil when none does. The framework does not show ModifyPlan which
// attributes require replacement, so each resource names its triggers.
func replacedAttribute(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics, triggers ...path.Path) *path.Path {
	for _, p := range triggers {
		var planned, prior, configured types.String
		diags.Append(req.Plan.GetAttribute(ctx, p, &planned)...)
		diags.Append(req.State.GetAttribute(ctx, p, &prior)...)
		diags.Append(req.Config.GetAttribute(ctx, p, &configured)...)
		if diags.HasError() {
			return nil
		}
		if !configured.IsNull() && !planned.Equal(prior) {
			return &p
		}
	}
	return nil
}
