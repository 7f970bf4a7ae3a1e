package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

var _ datasource.DataSourceWithConfigure = (*gitRefDataSource)(nil)

// Values of the kind attribute of algorithmia_git_ref.
const (
	refKindVersion = "version"
	refKindBranch  = "branch"
	refKindTag     = "tag"
	refKindCommit  = "commit"
)

// semverRef matches a published version such as 1.4.0; such a ref is looked up in the
// versions API, never in Git, so it means the same thing on every cluster that published it.
var semverRef = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// shaRef matches what promote.ResolveRef accepts as a full or short commit SHA.
var shaRef = regexp.MustCompile(`^[0-9a-fA-F]{4,40}$`)

// NewGitRefDataSource is the factory of the algorithmia_git_ref data source.
func NewGitRefDataSource() datasource.DataSource {
	return &gitRefDataSource{}
}

type gitRefDataSource struct {
	cluster *clusterClient
}

type gitRefDataModel struct {
	ID types.String `tfsdk:"id"`
	algorithmLookupModel
	Ref    types.String `tfsdk:"ref"`
	Commit types.String `tfsdk:"commit"`
	GitURL types.String `tfsdk:"git_url"`
	Kind   types.String `tfsdk:"kind"`
}

func (d *gitRefDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_git_ref"
}

func (d *gitRefDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Resolves a branch, tag, commit SHA or published version of an algorithm on one cluster " +
			"to a full commit SHA, so that a promotion pins exactly what it ships and the plan shows it. " +
			"Branches, tags and SHAs are read from the Git server and need the provider's `username` and `api_key`; " +
			"published versions are read from the versions API.",
		Attributes: withAttributes(algorithmLookupAttributes(), map[string]schema.Attribute{
			"id": computedString("`owner/name@ref`."),
			"ref": schema.StringAttribute{
				MarkdownDescription: "What to resolve: a published semantic version such as `1.4.0`, a branch such as " +
					"`master`, a tag, a full ref name such as `refs/tags/1.4.0` (to reach a Git tag named like a version), " +
					"or a full or short (at least 4 characters) commit SHA. A name that is both a branch and a tag at " +
					"different commits is an error; spell it `refs/heads/...` or `refs/tags/...`. A full SHA that no " +
					"branch or tag points at is returned as given: only a fetch can prove it exists, and a promotion does.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"commit":  computedString("Full 40-character SHA of the commit the ref resolves to."),
			"git_url": computedString("Clone URL of the algorithm's repository (no credentials in it): the cluster's Git, or for an SCM-backed algorithm its `repository_https_url`, where a branch or tag is then resolved with `scm_credentials`."),
			"kind": computedString("What `ref` named: `version` (a published semantic version), `branch`, `tag` or `commit` " +
				"(a SHA, or a full ref name outside `refs/heads/` and `refs/tags/`)."),
		}),
	}
}

func (d *gitRefDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *gitRefDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg gitRefDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := cfg.names()
	ref := cfg.Ref.ValueString()
	algo := owner + "/" + name

	// An SCM-backed algorithm's code is on its external host, not on the cluster's Git.
	gitURL := d.cluster.gitURL(owner, name)
	var scmBacked *algorithmia.Algorithm
	if a, err := d.cluster.api.GetAlgorithm(ctx, owner, name); err == nil && scmIDOf(a) != algorithmia.SCMInternal {
		scmBacked, gitURL = a, a.Source.RepositoryHTTPSURL
	}
	var commit, kind string
	if semverRef.MatchString(ref) {
		commit, kind = d.resolveVersion(ctx, owner, name, ref, &resp.Diagnostics), refKindVersion
	} else {
		commit, kind = d.resolveGit(ctx, owner, name, ref, scmBacked, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	out := gitRefDataModel{
		ID:                   types.StringValue(algo + "@" + ref),
		algorithmLookupModel: cfg.algorithmLookupModel,
		Ref:                  cfg.Ref,
		Commit:               types.StringValue(commit),
		GitURL:               types.StringValue(gitURL),
		Kind:                 types.StringValue(kind),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

// resolveVersion returns the commit a published version was built from.
func (d *gitRefDataSource) resolveVersion(ctx context.Context, owner, name, version string, diags *diag.Diagnostics) string {
	algo := owner + "/" + name
	published := true
	var commit string
	var seen []string
	err := d.cluster.api.WalkVersions(ctx, owner, name, algorithmia.VersionFilter{Published: &published}, 50, func(v algorithmia.Algorithm) bool {
		if v.VersionInfo == nil {
			return true
		}
		if v.VersionInfo.SemanticVersion == version {
			commit = v.VersionInfo.GitHash
			return false
		}
		seen = append(seen, v.VersionInfo.SemanticVersion)
		return true
	})
	switch {
	case errors.Is(err, algorithmia.ErrNotFound):
		diags.AddError("Algorithm not found", fmt.Sprintf("No algorithm %s exists on %s, so version %s cannot be resolved.", algo, d.cluster.apiAddress, version))
		return ""
	case err != nil:
		addClientError(diags, "list versions of "+algo, err)
		return ""
	case commit == "":
		detail := fmt.Sprintf("Algorithm %s on %s has no published version %s.", algo, d.cluster.apiAddress, version)
		if len(seen) == 0 {
			detail += " It has no published version at all."
		} else {
			detail += " Published versions, newest first: " + strings.Join(seen, ", ") + "."
		}
		diags.AddError(fmt.Sprintf("Unknown version %s of %s", version, algo), detail+
			" To resolve a Git tag named like a version, set ref to refs/tags/"+version+".")
		return ""
	}
	return commit
}

// resolveGit resolves a branch, tag or SHA from the Git server's ref advertisement and says
// which of them the ref named.
func (d *gitRefDataSource) resolveGit(ctx context.Context, owner, name, ref string, scmBacked *algorithmia.Algorithm, diags *diag.Diagnostics) (string, string) {
	algo := owner + "/" + name
	remote := d.cluster.repo(owner, name)
	if scmBacked != nil { // its host's repository, with scm_credentials
		var ok bool
		if remote, _, ok = d.cluster.algorithmRepo(ctx, owner, name, scmBacked, diags); !ok {
			return "", ""
		}
	} else if d.cluster.username == "" || d.cluster.apiKey == "" {
		missing := "username"
		if d.cluster.username != "" {
			missing = "api_key"
		} else if d.cluster.apiKey == "" {
			missing = "username and api_key"
		}
		diags.AddError("Missing Git credentials to resolve "+ref,
			fmt.Sprintf("Resolving ref %q of %s reads the cluster's Git server, which authenticates with the provider's "+
				"username and api_key; this provider configuration has no %s. Set them in the provider block of this "+
				"cluster's alias (or %s and %s). A published version such as 1.4.0 resolves without them.",
				ref, algo, missing, envUsername, envAPIKey))
		return "", ""
	}
	commit, err := promote.ResolveRef(ctx, remote, ref)
	switch {
	case errors.Is(err, promote.ErrRefNotFound):
		diags.AddError(fmt.Sprintf("Unknown ref %q of %s", ref, algo),
			fmt.Sprintf("No branch, tag or commit %q was found in the Git repository of %s on %s: %s", ref, algo, d.cluster.apiAddress, err))
		return "", ""
	case errors.Is(err, promote.ErrNotFound):
		diags.AddError("Algorithm not found", fmt.Sprintf("No Git repository for %s exists on %s, so ref %q cannot be resolved.", algo, d.cluster.apiAddress, ref))
		return "", ""
	case err != nil:
		addClientError(diags, fmt.Sprintf("resolve ref %q of %s", ref, algo), err)
		return "", ""
	}

	switch {
	case strings.HasPrefix(ref, "refs/heads/"), ref == "HEAD":
		return commit, refKindBranch
	case strings.HasPrefix(ref, "refs/tags/"):
		return commit, refKindTag
	case strings.HasPrefix(ref, "refs/"):
		return commit, refKindCommit
	case shaRef.MatchString(ref) && strings.HasPrefix(commit, strings.ToLower(ref)):
		return commit, refKindCommit
	}
	// Any other ref that resolved is a branch or a tag; when it is both at one commit,
	// ResolveRef answered with the tag, so the tag wins here too.
	tagCommit, err := promote.ResolveRef(ctx, remote, "refs/tags/"+ref)
	switch {
	case err == nil && tagCommit == commit:
		return commit, refKindTag
	case err == nil || errors.Is(err, promote.ErrRefNotFound):
		return commit, refKindBranch
	default:
		addClientError(diags, fmt.Sprintf("resolve ref %q of %s", "refs/tags/"+ref, algo), err)
		return "", ""
	}
}
