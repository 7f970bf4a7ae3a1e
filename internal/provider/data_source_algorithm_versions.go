package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

var _ datasource.DataSourceWithConfigure = (*algorithmVersionsDataSource)(nil)

// NewAlgorithmVersionsDataSource is the factory of the algorithmia_algorithm_versions data source.
func NewAlgorithmVersionsDataSource() datasource.DataSource {
	return &algorithmVersionsDataSource{}
}

type algorithmVersionsDataSource struct {
	cluster *clusterClient
}

type algorithmVersionsDataModel struct {
	ID types.String `tfsdk:"id"`
	algorithmLookupModel
	Versions []publishedVersionModel `tfsdk:"versions"`
	Latest   types.String            `tfsdk:"latest"`
}

type publishedVersionModel struct {
	SemanticVersion types.String `tfsdk:"semantic_version"`
	GitHash         types.String `tfsdk:"git_hash"`
	ReleaseNotes    types.String `tfsdk:"release_notes"`
	Callability     types.String `tfsdk:"callability"`
	CreatedAt       types.String `tfsdk:"created_at"`
}

func (d *algorithmVersionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithm_versions"
}

func (d *algorithmVersionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the published versions of an algorithm on one cluster, newest first. Unpublished " +
			"builds are left out. Use it to pick a version to promote or to check what a cluster serves.",
		Attributes: withAttributes(algorithmLookupAttributes(), map[string]schema.Attribute{
			"id": computedString("`owner/name`."),
			"versions": schema.ListNestedAttribute{
				MarkdownDescription: "Published versions, newest first; empty when none was published.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"semantic_version": computedString("Semantic version, such as `1.4.0`."),
						"git_hash":         computedString("Full SHA of the commit the version was built from."),
						"release_notes":    computedString("Release notes given at publish; null if none."),
						"callability":      computedString("`public` or `private`: the version's `settings.algorithm_callability`."),
						"created_at": computedString("When the version's build finished (or started, if the cluster does not " +
							"report the end), as an RFC 3339 timestamp; null if the cluster reports neither."),
					},
				},
			},
			"latest": computedString("The newest published semantic version, such as `1.4.0`; null if none was published."),
		}),
	}
}

func (d *algorithmVersionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *algorithmVersionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg algorithmVersionsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := cfg.names()
	published := true
	versions, err := d.cluster.api.ListAllVersions(ctx, owner, name, algorithmia.VersionFilter{Published: &published})
	if err != nil {
		addReadError(&resp.Diagnostics, d.cluster, err, "Algorithm not found", "algorithm "+owner+"/"+name, "list versions of "+owner+"/"+name)
		return
	}
	out := algorithmVersionsDataModel{
		ID:                   types.StringValue(owner + "/" + name),
		algorithmLookupModel: cfg.algorithmLookupModel,
		Versions:             publishedVersionsFromAPI(versions),
		Latest:               types.StringNull(),
	}
	if len(out.Versions) > 0 {
		out.Latest = out.Versions[0].SemanticVersion
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

// publishedVersionsFromAPI maps the versions API's answer (newest first) to the list in
// state. It is never nil, so "none published" is an empty list rather than null.
func publishedVersionsFromAPI(versions []algorithmia.Algorithm) []publishedVersionModel {
	out := make([]publishedVersionModel, 0, len(versions))
	for _, v := range versions {
		if v.VersionInfo == nil || v.VersionInfo.SemanticVersion == "" {
			continue // the filter asked for published versions only; a server that ignores it must not leak builds
		}
		created := ""
		if v.Build != nil {
			created = v.Build.FinishedAt
			if created == "" {
				created = v.Build.StartedAt
			}
		}
		out = append(out, publishedVersionModel{
			SemanticVersion: types.StringValue(v.VersionInfo.SemanticVersion),
			GitHash:         types.StringValue(v.VersionInfo.GitHash),
			ReleaseNotes:    optionalString(v.VersionInfo.ReleaseNotes),
			Callability:     optionalString(v.Settings.AlgorithmCallability),
			CreatedAt:       optionalString(created),
		})
	}
	return out
}
