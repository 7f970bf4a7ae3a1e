package provider

import (
	"context"
	"errors"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

var _ datasource.DataSourceWithConfigure = (*algorithmsDataSource)(nil)

// NewAlgorithmsDataSource is the factory of the algorithmia_algorithms data source.
func NewAlgorithmsDataSource() datasource.DataSource {
	return &algorithmsDataSource{}
}

type algorithmsDataSource struct {
	cluster *clusterClient
}

type algorithmsDataModel struct {
	ID    types.String `tfsdk:"id"`
	Owner types.String `tfsdk:"owner"`
	nameFilterModel
	ReadHeads  types.Bool `tfsdk:"read_heads"`
	Algorithms types.List `tfsdk:"algorithms"`
}

var listedAlgorithmAttrTypes = map[string]attr.Type{
	"id": types.StringType, "owner": types.StringType, "name": types.StringType, "algorithm_id": types.StringType,
	"details":  types.ObjectType{AttrTypes: detailsAttrTypes},
	"settings": types.ObjectType{AttrTypes: settingsAttrTypes},
	"git_url":  types.StringType, "package_set": types.StringType, "latest_build_commit": types.StringType,
	"latest_version": types.StringType, "latest_version_git_hash": types.StringType,
	"head_commit": types.StringType, "head_tree": types.StringType,
	"source": types.ObjectType{AttrTypes: scmSourceAttrTypes}, "repository_https_url": types.StringType,
}

func (d *algorithmsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithms"
}

func (d *algorithmsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every algorithm of one user or organization (`GET /v1/users/{owner}/algorithms`, which the " +
			"platform does not page), each read in full with its latest published version. It drives bulk algorithm " +
			"migration: `for_each` over `algorithms` on another alias creates the same algorithms there. Use `name_regex` " +
			"and `exclude_names` to leave out test algorithms. The provider's `api_key` must belong to the owner or to a " +
			"member of the owning organization (the admin key lists, but cannot read, algorithms).",
		Attributes: withAttributes(nameFilterAttributes("algorithms"), map[string]schema.Attribute{
			"id":    computedString("The owner."),
			"owner": listingOwnerAttribute("algorithms"),
			"read_heads": schema.BoolAttribute{
				MarkdownDescription: "Also read each algorithm's head of `master` and its tree from the Git server (a " +
					"depth-1 fetch per algorithm), filling `head_commit` and `head_tree`. Needs the provider's `username` " +
					"and `api_key`. Use it in a `check` block to assert what a cluster serves; narrow the list with " +
					"`name_regex`, since every listed repository is fetched. An SCM-backed algorithm's head is read from " +
					"its repository's default branch when `scm_credentials` has its SCM, else left null.",
				Optional: true,
			},
			"algorithms": schema.ListNestedAttribute{
				MarkdownDescription: "The algorithms, sorted by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                      computedString("`owner/name`."),
					"owner":                   computedString("The owner."),
					"name":                    computedString("Algorithm name."),
					"algorithm_id":            computedString("The algorithm's UUID on this cluster."),
					"details":                 algorithmDetailsDataAttribute(),
					"settings":                algorithmSettingsDataAttribute(),
					"git_url":                 computedString("Clone URL of the algorithm's repository (no credentials in it)."),
					"package_set":             computedString("Package set of the runtime, such as `python38`."),
					"latest_build_commit":     computedString("Commit SHA of the most recent build; null before the first build."),
					"latest_version":          computedString("Latest published semantic version, such as `1.4.0`; null if none was published."),
					"latest_version_git_hash": computedString("Commit SHA of the latest published version; null if none was published."),
					"head_commit":             computedString("Commit at the head of `master`; null unless `read_heads`, or when the repository is empty."),
					"head_tree":               computedString("Tree hash of `head_commit`; null when `head_commit` is."),
					"source":                  algorithmSourceDataAttribute(),
					"repository_https_url":    computedString("HTTPS URL of the repository on the external SCM host; null on the internal SCM."),
				}},
			},
		}),
	}
}

func (d *algorithmsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *algorithmsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg algorithmsDataModel
	filter, ok := readListingConfig(ctx, req, resp, &cfg)
	if !ok {
		return
	}
	owner := cfg.Owner.ValueString()
	summaries, err := d.cluster.api.ListUserAlgorithms(ctx, owner)
	if err != nil {
		addReadError(&resp.Diagnostics, d.cluster, err, "Owner not found", "user or organization "+owner, "list the algorithms of "+owner)
		return
	}
	names := make([]string, 0, len(summaries))
	for _, s := range summaries {
		if filter.match(s.AlgoName) {
			names = append(names, s.AlgoName)
		}
	}
	sort.Strings(names)

	readHeads := cfg.ReadHeads.ValueBool()
	if readHeads && (d.cluster.username == "" || d.cluster.apiKey == "") {
		resp.Diagnostics.AddAttributeError(path.Root("read_heads"), "Git credentials needed",
			"read_heads reads each repository over Git, which needs the provider's username and api_key.")
		return
	}
	list := newObjectList(listedAlgorithmAttrTypes, len(names))
	for _, name := range names {
		values, ok := d.readOne(ctx, owner, name, readHeads, resp)
		if !ok {
			return
		}
		if values != nil {
			list.add(values, &resp.Diagnostics)
		}
	}
	cfg.ID = types.StringValue(owner)
	cfg.Algorithms = list.value(&resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

// readOne reads one listed algorithm and its latest published version, through the same
// mapping as algorithmia_algorithm, into its attribute values. An algorithm deleted since the
// listing is left out (nil).
func (d *algorithmsDataSource) readOne(ctx context.Context, owner, name string, readHeads bool, resp *datasource.ReadResponse) (map[string]attr.Value, bool) {
	a, err := d.cluster.api.GetAlgorithm(ctx, owner, name)
	if errors.Is(err, algorithmia.ErrNotFound) {
		return nil, true
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "read algorithm "+owner+"/"+name, err)
		return nil, false
	}
	m, diags := algorithmModelFromAPI(ctx, d.cluster, owner, a, algorithmModel{})
	resp.Diagnostics.Append(diags...)
	latest, err := d.cluster.api.LatestPublishedVersion(ctx, owner, name)
	if err != nil {
		addClientError(&resp.Diagnostics, "list versions of "+owner+"/"+name, err)
		return nil, false
	}
	version, gitHash := latestVersionFromAPI(latest)
	headCommit, headTree := types.StringNull(), types.StringNull()
	if readHeads && d.cluster.hasRepoCredentials(a) {
		repo, branch, ok := d.cluster.algorithmRepo(ctx, owner, name, a, &resp.Diagnostics)
		if !ok {
			return nil, false
		}
		commit, tree, err := promote.HeadTree(ctx, repo, branch)
		switch {
		case errors.Is(err, promote.ErrRefNotFound):
		case err != nil:
			resp.Diagnostics.AddError("Failed to read the head of "+branch+" of "+owner+"/"+name, err.Error())
			return nil, false
		default:
			headCommit, headTree = types.StringValue(commit), types.StringValue(tree)
		}
	}
	return map[string]attr.Value{
		"id": m.ID, "owner": m.Owner, "name": m.Name, "algorithm_id": m.AlgorithmID, "details": m.Details, "settings": m.Settings,
		"git_url": m.GitURL, "package_set": m.PackageSet, "latest_build_commit": m.LatestBuildCommit,
		"latest_version": version, "latest_version_git_hash": gitHash, "head_commit": headCommit, "head_tree": headTree,
		"source": m.Source, "repository_https_url": m.RepositoryHTTPSURL,
	}, !resp.Diagnostics.HasError()
}
