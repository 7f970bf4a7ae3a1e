package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// computedString is a read-only string attribute of a data source.
func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
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

// withAttributes returns base plus extra; it lets a schema start from shared attributes.
func withAttributes(base, extra map[string]schema.Attribute) map[string]schema.Attribute {
	for k, v := range extra {
		base[k] = v
	}
	return base
}
