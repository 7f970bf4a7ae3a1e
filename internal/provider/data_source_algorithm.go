package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

var _ datasource.DataSourceWithConfigure = (*algorithmDataSource)(nil)

// NewAlgorithmDataSource is the factory of the algorithmia_algorithm data source.
func NewAlgorithmDataSource() datasource.DataSource {
	return &algorithmDataSource{}
}

type algorithmDataSource struct {
	cluster *clusterClient
}

type algorithmDataModel struct {
	ID types.String `tfsdk:"id"`
	algorithmLookupModel
	Details              types.Object `tfsdk:"details"`
	Settings             types.Object `tfsdk:"settings"`
	SampleInput          types.String `tfsdk:"sample_input"`
	AlgorithmID          types.String `tfsdk:"algorithm_id"`
	GitURL               types.String `tfsdk:"git_url"`
	PackageSet           types.String `tfsdk:"package_set"`
	LatestBuildCommit    types.String `tfsdk:"latest_build_commit"`
	HeadCommit           types.String `tfsdk:"head_commit"`
	LatestVersion        types.String `tfsdk:"latest_version"`
	LatestVersionGitHash types.String `tfsdk:"latest_version_git_hash"`
	Source               types.Object `tfsdk:"source"`
	RepositoryHTTPSURL   types.String `tfsdk:"repository_https_url"`
}

func (d *algorithmDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithm"
}

func (d *algorithmDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an algorithm on one cluster: its settings, Git URL, the head of `master`, and its " +
			"latest published version. Use it on the source alias to copy settings and source to another cluster.",
		Attributes: withAttributes(algorithmLookupAttributes(), map[string]schema.Attribute{
			"id":                  computedString("`owner/name`."),
			"details":             algorithmDetailsDataAttribute(),
			"settings":            algorithmSettingsDataAttribute(),
			"sample_input":        computedString("Sample input."),
			"algorithm_id":        computedString("The algorithm's UUID on this cluster."),
			"git_url":             computedString("Clone URL of the algorithm's repository on the cluster's Git (no credentials in it). An SCM-backed algorithm's code is at `repository_https_url`."),
			"package_set":         computedString("Package set of the runtime, such as `python38`."),
			"latest_build_commit": computedString("Commit SHA of the most recent build."),
			"head_commit": computedString("Commit SHA at the head of the branch the platform builds (`master`; the " +
				"default branch of an external SCM's repository), read from the Git server. Null when the provider has no " +
				"credentials for it: `username` and `api_key`, or `scm_credentials` for an SCM-backed algorithm."),
			"source": algorithmSourceDataAttribute(),
			"repository_https_url": computedString("HTTPS URL of the repository on the external SCM host (a `source.git_url` " +
				"for `algorithmia_algorithm_source`); null on the internal SCM."),
			"latest_version":          computedString("Latest published semantic version, such as `1.4.0`; null if none was published."),
			"latest_version_git_hash": computedString("Commit SHA of the latest published version."),
		}),
	}
}

// algorithmDetailsDataAttribute is the computed details of algorithmia_algorithm and algorithmia_algorithms.
func algorithmDetailsDataAttribute() schema.SingleNestedAttribute {
	return computedObject("Display details.", map[string]schema.Attribute{
		"label":   computedString("Display name."),
		"summary": computedString("Documentation text."),
		"tagline": computedString("One-line description."),
	})
}

// algorithmSettingsDataAttribute is the computed settings of algorithmia_algorithm and algorithmia_algorithms.
func algorithmSettingsDataAttribute() schema.SingleNestedAttribute {
	return computedObject("Runtime and settings, in the shape of `algorithmia_algorithm.settings`.", map[string]schema.Attribute{
		"language":              computedString("Legacy language, if the algorithm uses the language model."),
		"environment":           computedString("`cpu` or `gpu` for the legacy language model."),
		"algorithm_environment": computedString("Environment ID on this cluster, if the algorithm uses the environment model."),
		"license":               computedString("License."),
		"network_access":        computedString("`full` or `isolated`."),
		"pipeline_enabled":      schema.BoolAttribute{MarkdownDescription: "Whether the algorithm may call other algorithms.", Computed: true},
		"source_visibility":     computedString("`open` or `closed`."),
		"algorithm_callability": computedString("`public` or `private`."),
	})
}

func (d *algorithmDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *algorithmDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg algorithmDataModel
	a := readAlgorithmConfig(ctx, d.cluster, req, resp, &cfg)
	if a == nil {
		return
	}
	owner, name := cfg.names()
	m, diags := algorithmModelFromAPI(ctx, d.cluster, owner, a, algorithmModel{})
	resp.Diagnostics.Append(diags...)

	out := algorithmDataModel{
		ID: m.ID, algorithmLookupModel: algorithmLookupModel{Owner: m.Owner, Name: m.Name}, Details: m.Details, Settings: m.Settings, SampleInput: m.SampleInput,
		AlgorithmID: m.AlgorithmID, GitURL: m.GitURL, PackageSet: m.PackageSet, LatestBuildCommit: m.LatestBuildCommit,
		HeadCommit: types.StringNull(), LatestVersion: types.StringNull(), LatestVersionGitHash: types.StringNull(),
		Source: m.Source, RepositoryHTTPSURL: m.RepositoryHTTPSURL,
	}

	latest, err := d.cluster.api.LatestPublishedVersion(ctx, owner, name)
	if err != nil {
		addClientError(&resp.Diagnostics, "list versions of "+owner+"/"+name, err)
		return
	}
	out.LatestVersion, out.LatestVersionGitHash = latestVersionFromAPI(latest)

	if d.cluster.hasRepoCredentials(a) {
		repo, branch, ok := d.cluster.algorithmRepo(ctx, owner, name, a, &resp.Diagnostics)
		if !ok {
			return
		}
		head, err := promote.Head(ctx, repo, branch)
		if err != nil {
			resp.Diagnostics.AddError("Failed to read the head of "+branch+" of "+owner+"/"+name, err.Error())
			return
		}
		out.HeadCommit = optionalString(head)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

// algorithmSourceDataAttribute is the computed source of algorithmia_algorithm and algorithmia_algorithms.
func algorithmSourceDataAttribute() schema.SingleNestedAttribute {
	return computedObject("Where the algorithm's repository lives, in the shape of `algorithmia_algorithm.source`.", map[string]schema.Attribute{
		"scm_id":           computedString("SCM configuration id; `internal` for the cluster's own Git."),
		"repository_owner": computedString("Owner of the repository on the external SCM host; null on the internal SCM."),
		"repository_name":  computedString("Name of the repository on the external SCM host; null on the internal SCM."),
	})
}

// scmIDOf is the id of the algorithm's SCM, "internal" when it reports none.
func scmIDOf(a *algorithmia.Algorithm) string {
	if a == nil || a.Source == nil || a.Source.SCM == nil || a.Source.SCM.ID == "" {
		return algorithmia.SCMInternal
	}
	return a.Source.SCM.ID
}

// latestVersionFromAPI maps the latest published version (nil when none) to its
// semantic version and commit, both null when nothing was published.
func latestVersionFromAPI(v *algorithmia.Algorithm) (types.String, types.String) {
	if v == nil || v.VersionInfo == nil {
		return types.StringNull(), types.StringNull()
	}
	return optionalString(v.VersionInfo.SemanticVersion), optionalString(v.VersionInfo.GitHash)
}

// readAlgorithmConfig reads the configuration of a data source that reads one algorithm into
// cfg, then the algorithm it names; nil, with an error that says whether the algorithm is
// missing, when it cannot.
func readAlgorithmConfig(ctx context.Context, cc *clusterClient, req datasource.ReadRequest, resp *datasource.ReadResponse, cfg algorithmLookup) *algorithmia.Algorithm {
	resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	if resp.Diagnostics.HasError() {
		return nil
	}
	owner, name := cfg.names()
	a, err := cc.api.GetAlgorithm(ctx, owner, name)
	if err != nil {
		addReadError(&resp.Diagnostics, cc, err, "Algorithm not found", "algorithm "+owner+"/"+name, "read algorithm "+owner+"/"+name)
		return nil
	}
	return a
}
