package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// computedString is a read-only string attribute of a data source.
func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
}

// computedObject is a read-only nested object attribute of a data source.
func computedObject(desc string, attrs map[string]schema.Attribute) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{MarkdownDescription: desc, Computed: true, Attributes: attrs}
}

// algorithmLookupAttributes are the owner and name arguments of data sources that read
// one algorithm.
func algorithmLookupAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"owner": schema.StringAttribute{
			MarkdownDescription: "User or organization that owns the algorithm.",
			Required:            true,
			Validators:          nameValidators(),
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "Algorithm name.",
			Required:            true,
			Validators:          nameValidators(),
		},
	}
}

// algorithmLookupModel is owner and name (algorithmLookupAttributes) in the model of a data
// source that reads one algorithm, which embeds it.
type algorithmLookupModel struct {
	Owner types.String `tfsdk:"owner"`
	Name  types.String `tfsdk:"name"`
}

// algorithmLookup is the model of a data source that reads one algorithm.
type algorithmLookup interface {
	names() (owner, name string)
}

// names are the configured owner and algorithm name.
func (m *algorithmLookupModel) names() (owner, name string) {
	return m.Owner.ValueString(), m.Name.ValueString()
}

// withAttributes returns base plus extra; it lets a schema (of a data source or a resource)
// start from shared attributes.
func withAttributes[A any](base, extra map[string]A) map[string]A {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

// nameFilterAttributes are the name_regex and exclude_names arguments of the listing data
// sources, in the style of algorithmia_users' username_regex and exclude_usernames; what
// names the listed objects ("algorithms").
func nameFilterAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name_regex": schema.StringAttribute{
			MarkdownDescription: "Keep only " + what + " whose name matches this regular expression (Go RE2 syntax; " +
				"use `^` and `$` to anchor it).",
			Optional:   true,
			Validators: []validator.String{regexpValidator()},
		},
		"exclude_names": schema.SetAttribute{
			MarkdownDescription: "Leave out " + what + " with these names, for example test or system objects.",
			ElementType:         types.StringType,
			Optional:            true,
		},
	}
}

// listingOwnerAttribute is the owner argument of a data source that lists what an account
// owns ("algorithms").
func listingOwnerAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "User or organization whose " + what + " are listed. An owner without " + what + " gives an empty list.",
		Required:            true,
		Validators:          nameValidators(),
	}
}

// nameFilterModel is name_regex and exclude_names in the model of a listing data source,
// which embeds it.
type nameFilterModel struct {
	NameRegex    types.String `tfsdk:"name_regex"`
	ExcludeNames types.Set    `tfsdk:"exclude_names"`
}

func (m *nameFilterModel) nameFilterArgs() (types.String, types.Set) {
	return m.NameRegex, m.ExcludeNames
}

// nameFilter is the parsed name_regex and exclude_names of a listing data source.
type nameFilter struct {
	keep    *regexp.Regexp
	exclude map[string]bool
}

// newNameFilter reads the two arguments; the regular expression was validated at plan time.
func newNameFilter(ctx context.Context, regex types.String, exclude types.Set) (nameFilter, diag.Diagnostics) {
	f := nameFilter{exclude: map[string]bool{}}
	if s := regex.ValueString(); s != "" {
		f.keep = regexp.MustCompile(s)
	}
	var diags diag.Diagnostics
	if !exclude.IsNull() && !exclude.IsUnknown() {
		var names []string
		diags = exclude.ElementsAs(ctx, &names, false)
		for _, n := range names {
			f.exclude[n] = true
		}
	}
	return f, diags
}

// match says whether a listed object of this name is kept.
func (f nameFilter) match(name string) bool {
	return !f.exclude[name] && (f.keep == nil || f.keep.MatchString(name))
}

// listingConfig is the model of a listing data source, which names its filter arguments.
type listingConfig interface {
	nameFilterArgs() (regex types.String, exclude types.Set)
}

// readListingConfig reads a listing data source's configuration into cfg and parses its name
// filter; false when resp holds an error.
func readListingConfig(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse, cfg listingConfig) (nameFilter, bool) {
	resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	if resp.Diagnostics.HasError() {
		return nameFilter{}, false
	}
	regex, exclude := cfg.nameFilterArgs()
	filter, diags := newNameFilter(ctx, regex, exclude)
	resp.Diagnostics.Append(diags...)
	return filter, !resp.Diagnostics.HasError()
}

// keepMatching returns, in their order, the items whose name the filter keeps.
func keepMatching[T any](f nameFilter, items []T, name func(T) string) []T {
	kept := make([]T, 0, len(items))
	for _, it := range items {
		if f.match(name(it)) {
			kept = append(kept, it)
		}
	}
	return kept
}

// objectList builds a computed list of objects of one type, such as the items of a listing
// data source, gathering the diagnostics of every item.
type objectList struct {
	attrTypes map[string]attr.Type
	elems     []attr.Value
}

// newObjectList starts a list of objects of attrTypes with room for n items.
func newObjectList(attrTypes map[string]attr.Type, n int) *objectList {
	return &objectList{attrTypes: attrTypes, elems: make([]attr.Value, 0, n)}
}

// add appends the object of these attribute values.
func (l *objectList) add(values map[string]attr.Value, diags *diag.Diagnostics) {
	obj, d := types.ObjectValue(l.attrTypes, values)
	diags.Append(d...)
	l.elems = append(l.elems, obj)
}

// value is the list of the objects added.
func (l *objectList) value(diags *diag.Diagnostics) types.List {
	list, d := types.ListValue(types.ObjectType{AttrTypes: l.attrTypes}, l.elems)
	diags.Append(d...)
	return list
}
