package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

var (
	_ resource.ResourceWithConfigure   = (*algorithmSourceResource)(nil)
	_ resource.ResourceWithImportState = (*algorithmSourceResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*algorithmSourceResource)(nil)
)

const defaultSourceTimeout = 30 * time.Minute

var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// NewAlgorithmSourceResource is the factory of algorithmia_algorithm_source.
func NewAlgorithmSourceResource() resource.Resource {
	return &algorithmSourceResource{}
}

type algorithmSourceResource struct {
	cluster *clusterClient
}

type algorithmSourceModel struct {
	ID               types.String   `tfsdk:"id"`
	Owner            types.String   `tfsdk:"owner"`
	Name             types.String   `tfsdk:"name"`
	Source           types.Object   `tfsdk:"source"`
	CommitMessage    types.String   `tfsdk:"commit_message"`
	Publish          types.Object   `tfsdk:"publish"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
	SourceCommit     types.String   `tfsdk:"source_commit"`
	SourceTree       types.String   `tfsdk:"source_tree"`
	Commit           types.String   `tfsdk:"commit"`
	Tree             types.String   `tfsdk:"tree"`
	BuildID          types.String   `tfsdk:"build_id"`
	BuildStatus      types.String   `tfsdk:"build_status"`
	PublishedVersion types.String   `tfsdk:"published_version"`
	VersionGitHash   types.String   `tfsdk:"version_git_hash"`
}

type sourceModel struct {
	GitURL     types.String `tfsdk:"git_url"`
	Commit     types.String `tfsdk:"commit"`
	Ref        types.String `tfsdk:"ref"`
	Username   types.String `tfsdk:"username"`
	Password   types.String `tfsdk:"password"`
	PasswordWO types.String `tfsdk:"password_wo"`
	CACertPEM  types.String `tfsdk:"ca_cert_pem"`
}

type publishModel struct {
	VersionType  types.String `tfsdk:"version_type"`
	ReleaseNotes types.String `tfsdk:"release_notes"`
	SampleInput  types.String `tfsdk:"sample_input"`
}

func (r *algorithmSourceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_algorithm_source"
}

func (r *algorithmSourceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Promotes the Git tree of another algorithm's commit (on this cluster or another one) into " +
			"an existing algorithm: one fast-forward commit on `master` whose tree equals the source commit's tree, then " +
			"the build that the push starts, then, with `publish`, exactly one published version of that commit.\n\n" +
			"An algorithm on an external SCM (`algorithmia_algorithm.source`) gets the commit on its repository's default " +
			"branch at `repository_https_url`, pushed with that host's credentials from the provider's `scm_credentials`; " +
			"the host's webhook starts the build.\n\n" +
			"Destroy only removes the resource from state: history is never rewritten and versions stay published.",
		Attributes: map[string]schema.Attribute{
			"id": keptAttribute("`owner/name` of the destination algorithm."),
			"owner": schema.StringAttribute{
				MarkdownDescription: "Owner of the destination algorithm, which must already exist (see `algorithmia_algorithm`).",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the destination algorithm.",
				Required:            true,
				Validators:          nameValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"source": schema.SingleNestedAttribute{
				MarkdownDescription: "Where the code comes from. Set exactly one of `commit` (pinned: the plan shows exactly " +
					"what ships) or `ref` (a branch or tag, followed: resolved at plan time and again at apply).",
				Required: true,
				Attributes: withAttributes(secretAttributes("password",
					"API key (or password) for the source repository. It is stored in state; prefer `password_wo`.",
					"Write-only API key (or password) for the source repository: never stored in state or plan. "+
						"Requires Terraform 1.11 or later.",
					stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("username")),
				), map[string]schema.Attribute{
					"git_url": schema.StringAttribute{
						MarkdownDescription: "Clone URL of the source repository, for example the `git_url` of the " +
							"`algorithmia_algorithm` data source on the source cluster. It must not contain credentials.",
						Required:   true,
						Validators: []validator.String{gitURLValidator()},
					},
					"commit": schema.StringAttribute{
						MarkdownDescription: "Full 40-character SHA of the source commit, for example from the " +
							"`algorithmia_git_ref` data source.",
						Optional: true,
						Validators: []validator.String{
							stringvalidator.RegexMatches(fullSHA, "must be a full 40-character lowercase commit SHA"),
							stringvalidator.ExactlyOneOf(path.MatchRelative().AtParent().AtName("ref")),
						},
					},
					"ref": schema.StringAttribute{
						MarkdownDescription: "Branch or tag of the source repository. It is resolved at plan time to decide " +
							"whether anything ships, and again at apply: a plan that ships shows `source_commit` and what " +
							"follows from it as unknown, so a branch that moves in between cannot break a saved plan. Use " +
							"`commit` for a plan that shows exactly what ships.",
						Optional:   true,
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"username": schema.StringAttribute{
						MarkdownDescription: "Git username on the source cluster: the account that owns the key given as password.",
						Optional:            true,
					},
					"ca_cert_pem": caCertAttribute("PEM of extra certificate authorities to trust for the source repository, " +
						"when the source cluster uses a private CA."),
				}),
			},
			"commit_message": schema.StringAttribute{
				MarkdownDescription: "Message of the promotion commit. Defaults to one naming the source URL and commit.",
				Optional:            true,
			},
			"publish": schema.SingleNestedAttribute{
				MarkdownDescription: "Publish the promoted commit as a new version. Without it the code is pushed and " +
					"built only, which lets a person approve before publishing: add this block later to publish the " +
					"same commit. The algorithm's details and settings (callability included) are sent unchanged: " +
					"they belong to `algorithmia_algorithm`.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"version_type": schema.StringAttribute{
						MarkdownDescription: "`major`, `minor` (default) or `revision`.",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString(algorithmia.VersionTypeMinor),
						Validators: []validator.String{stringvalidator.OneOf(
							algorithmia.VersionTypeMajor, algorithmia.VersionTypeMinor, algorithmia.VersionTypeRevision)},
					},
					"release_notes": schema.StringAttribute{
						MarkdownDescription: "Release notes of the version.",
						Optional:            true,
					},
					"sample_input": schema.StringAttribute{
						MarkdownDescription: "Sample input of the version; defaults to the algorithm's current one.",
						Optional:            true,
					},
				},
			},
			"timeouts":      timeoutsAttribute(ctx, timeouts.Opts{Create: true, Update: true}),
			"source_commit": computedAttribute("Source commit that was promoted."),
			"source_tree":   computedAttribute("Tree hash of the source commit."),
			"commit":        computedAttribute("Commit at the head of the destination's `master` (an external SCM's default branch) after the promotion (or as last read)."),
			"tree":          computedAttribute("Tree hash of the destination's head as last read; differs from `source_tree` after drift."),
			"build_id":      computedAttribute("Build of `commit` on the destination cluster."),
			"build_status":  computedAttribute("Status of that build: `succeeded` or `failed`."),
			"published_version": computedAttribute("Semantic version published for `commit`, null when it has none. Removing " +
				"`publish` unpublishes nothing, so the value stays. Version numbers differ between clusters, so this is " +
				"the destination's number for `source_commit`."),
			"version_git_hash": computedAttribute("Commit of the published version, checked to equal `commit`."),
		},
	}
}

func (r *algorithmSourceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.cluster = clusterFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan decides what will ship and plans exactly that: values an apply keeps stay
// known, values it changes are known when they can be worked out now, and unknown only
// when the apply decides them.
//
// A pinned commit is planned as is; when it differs from state, its tree is read (a
// depth-1 fetch of the branch or tag pointing at it) so the plan can tell a push from a
// no-op. A ref is resolved from the ref advertisement (no clone); an apply resolves it
// again, and Terraform plans once more at apply time, so whenever a ref-mode plan changes
// anything, every value the ref decides is unknown: a branch that moves in between cannot
// make the plan inconsistent. A ref equal to state, with nothing else to do, is an empty plan.
func (r *algorithmSourceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: no network call
	}
	plan, state, ok := planAndPriorState[algorithmSourceModel](ctx, req, resp)
	if !ok {
		return
	}

	desired, known := r.plannedSourceCommit(ctx, plan, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	refMode := isRefMode(ctx, plan)
	if state == nil {
		// Create: the apply decides everything else (the framework planned it unknown).
		if known && !refMode {
			plan.SourceCommit = types.StringValue(desired)
		} else {
			plan.SourceCommit = types.StringUnknown()
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}

	sourceTree := types.StringUnknown()
	switch {
	case !known:
	case desired == state.SourceCommit.ValueString() && !state.SourceTree.IsNull():
		sourceTree = state.SourceTree
	case !refMode:
		sourceTree = r.pinnedSourceTree(ctx, plan, req.Config, desired, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	sourceCommit := types.StringUnknown()
	if known {
		sourceCommit = types.StringValue(desired)
	}
	planOutputs(&plan, *state, sourceCommit, sourceTree)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	if resp.Diagnostics.HasError() || !refMode || resp.Plan.Raw.Equal(req.State.Raw) {
		return
	}
	// A ref-mode update of any kind: the apply resolves the ref again.
	planOutputs(&plan, *state, types.StringUnknown(), types.StringUnknown())
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// planOutputs plans the computed values of an update that promotes sourceCommit, whose
// tree is sourceTree (either may be unknown), over the refreshed state.
//
//   - Same tree as the destination's head: nothing is pushed. The head, its build (when it
//     succeeded) and its published version are kept; only a missing version is unknown.
//   - Another tree: a push. The new head's tree is the source tree; the commit, its build
//     and (with publish) its version are unknown; without publish, a new commit has none.
//   - Unknown tree: whatever a push could change is unknown.
//
// Removing publish never unpublishes: the version of the head stays in state.
func planOutputs(plan *algorithmSourceModel, state algorithmSourceModel, sourceCommit, sourceTree types.String) {
	publish := !plan.Publish.IsNull()
	plan.SourceCommit, plan.SourceTree = sourceCommit, sourceTree
	unknownBuild := func() {
		plan.BuildID, plan.BuildStatus = types.StringUnknown(), types.StringUnknown()
	}
	switch {
	case !sourceTree.IsUnknown() && !state.Tree.IsNull() && state.Tree.Equal(sourceTree):
		plan.Commit, plan.Tree = state.Commit, state.Tree
		plan.BuildID, plan.BuildStatus = state.BuildID, state.BuildStatus
		if state.BuildID.IsNull() || state.BuildStatus.ValueString() != algorithmia.BuildStatusSucceeded {
			unknownBuild()
		}
		plan.PublishedVersion, plan.VersionGitHash = state.PublishedVersion, state.VersionGitHash
		if publish && state.PublishedVersion.IsNull() {
			plan.PublishedVersion, plan.VersionGitHash = types.StringUnknown(), state.Commit
		}
	case !sourceTree.IsUnknown():
		plan.Commit, plan.Tree = types.StringUnknown(), sourceTree
		unknownBuild()
		plan.PublishedVersion, plan.VersionGitHash = types.StringNull(), types.StringNull()
		if publish {
			plan.PublishedVersion, plan.VersionGitHash = types.StringUnknown(), types.StringUnknown()
		}
	default:
		plan.Commit, plan.Tree = types.StringUnknown(), types.StringUnknown()
		unknownBuild()
		plan.PublishedVersion, plan.VersionGitHash = types.StringNull(), types.StringNull()
		if publish || !state.PublishedVersion.IsNull() {
			plan.PublishedVersion, plan.VersionGitHash = types.StringUnknown(), types.StringUnknown()
		}
	}
}

// isRefMode reports whether the source is given as a ref (or is not known yet).
func isRefMode(ctx context.Context, plan algorithmSourceModel) bool {
	if plan.Source.IsUnknown() || plan.Source.IsNull() {
		return true
	}
	var src sourceModel
	if diags := plan.Source.As(ctx, &src, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true}); diags.HasError() {
		return true
	}
	return src.Commit.IsNull() || src.Commit.IsUnknown()
}

// pinnedSourceTree reads the tree of a pinned source commit when a branch or tag points at
// it; otherwise (or while credentials are unknown) the tree stays unknown until apply.
func (r *algorithmSourceResource) pinnedSourceTree(ctx context.Context, plan algorithmSourceModel, config tfsdk.Config, sha string, diags *diag.Diagnostics) types.String {
	var src sourceModel
	diags.Append(plan.Source.As(ctx, &src, basetypes.ObjectAsOptions{})...)
	if diags.HasError() || src.GitURL.IsUnknown() || src.Username.IsUnknown() || src.Password.IsUnknown() || src.CACertPEM.IsUnknown() || r.cluster == nil {
		return types.StringUnknown()
	}
	remote, ok := sourceRemote(ctx, src, config, r.cluster, diags)
	if !ok {
		return types.StringUnknown()
	}
	tree, found, err := promote.CommitTree(ctx, remote, sha)
	if err != nil {
		diags.AddAttributeError(path.Root("source").AtName("commit"), "Cannot read the source commit",
			fmt.Sprintf("Reading the tree of %s in %s failed: %s", sha, promote.RedactURL(src.GitURL.ValueString()), err))
		return types.StringUnknown()
	}
	if !found {
		tflog.Debug(ctx, "no branch or tag points at the source commit; its tree is read at apply", map[string]any{"commit": sha})
		return types.StringUnknown()
	}
	return types.StringValue(tree)
}

// plannedSourceCommit returns the source commit the plan promotes, and whether it is known
// now. Refs are resolved only when the provider is configured and the inputs are known.
func (r *algorithmSourceResource) plannedSourceCommit(ctx context.Context, plan algorithmSourceModel, config tfsdk.Config, diags *diag.Diagnostics) (string, bool) {
	if plan.Source.IsUnknown() || plan.Source.IsNull() {
		return "", false
	}
	var src sourceModel
	diags.Append(plan.Source.As(ctx, &src, basetypes.ObjectAsOptions{})...)
	if diags.HasError() {
		return "", false
	}
	if !src.Commit.IsNull() {
		if src.Commit.IsUnknown() {
			return "", false
		}
		return src.Commit.ValueString(), true
	}
	if src.Ref.IsUnknown() || src.GitURL.IsUnknown() || src.Username.IsUnknown() || src.Password.IsUnknown() || r.cluster == nil {
		return "", false
	}
	remote, ok := sourceRemote(ctx, src, config, r.cluster, diags)
	if !ok {
		return "", false
	}
	sha, err := promote.ResolveRef(ctx, remote, src.Ref.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("source").AtName("ref"), "Cannot resolve source ref",
			fmt.Sprintf("Resolving %q in %s failed: %s", src.Ref.ValueString(), promote.RedactURL(src.GitURL.ValueString()), err))
		return "", false
	}
	return sha, true
}

// sourceRemote builds the source remote, retried and cached like the alias's own
// repositories; the write-only password is only in the configuration.
func sourceRemote(ctx context.Context, src sourceModel, config tfsdk.Config, c *clusterClient, diags *diag.Diagnostics) (promote.Remote, bool) {
	remote := promote.Remote{URL: src.GitURL.ValueString(), Retry: c.retry, Cache: c.gitCache}
	if pemText := src.CACertPEM.ValueString(); pemText != "" {
		remote.CABundle = []byte(pemText)
	}
	password := src.Password.ValueString()
	wo := configString(ctx, config, path.Root("source").AtName("password_wo"), diags)
	if diags.HasError() {
		return remote, false
	}
	if wo.IsUnknown() {
		return remote, false
	}
	if !wo.IsNull() {
		password = wo.ValueString()
	}
	if user := src.Username.ValueString(); user != "" {
		remote.Auth = &promote.Credentials{Username: user, Password: password}
	}
	return remote, true
}

func (r *algorithmSourceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan algorithmSourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultSourceTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.apply(ctx, plan, req.Config, &resp.State, &resp.Diagnostics)
}

func (r *algorithmSourceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan algorithmSourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if shipsNothing(plan) {
		// Only arguments or recorded source values change; the cluster already has the rest.
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultSourceTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.apply(ctx, plan, req.Config, &resp.State, &resp.Diagnostics)
}

// shipsNothing reports whether an update's plan promises no push, no build and no publish:
// every output is known, the build succeeded and a wanted version exists.
func shipsNothing(plan algorithmSourceModel) bool {
	for _, v := range []types.String{plan.SourceCommit, plan.SourceTree, plan.Commit, plan.Tree, plan.BuildID, plan.PublishedVersion, plan.VersionGitHash} {
		if v.IsUnknown() {
			return false
		}
	}
	return plan.BuildStatus.ValueString() == algorithmia.BuildStatusSucceeded && (plan.Publish.IsNull() || !plan.PublishedVersion.IsNull())
}

// apply promotes, waits for the build and publishes. It is safe to run again after any
// failure: equal trees mean no new commit, and an existing build or version is adopted.
// Whatever was done is written to state even on failure, so the next plan retries.
func (r *algorithmSourceResource) apply(ctx context.Context, plan algorithmSourceModel, config tfsdk.Config, state *tfsdk.State, diags *diag.Diagnostics) {
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	res, ok := r.promoteSource(ctx, plan, config, diags)
	if !ok {
		return
	}
	out := plan
	out.ID = types.StringValue(owner + "/" + name)
	out.SourceCommit, out.SourceTree = types.StringValue(res.SourceCommit), types.StringValue(res.SourceTree)
	out.Commit, out.Tree = types.StringValue(res.DestCommit), types.StringValue(res.SourceTree)
	out.BuildID, out.BuildStatus = types.StringNull(), types.StringNull()
	out.PublishedVersion, out.VersionGitHash = types.StringNull(), types.StringNull()
	// From here on the cluster has our commit: record it even if a later step fails.
	defer func() { diags.Append(state.Set(ctx, out)...) }()

	if !r.awaitBuild(ctx, &out, res, diags) {
		return
	}
	if plan.Publish.IsNull() {
		// Nothing is published, and nothing can be unpublished: a planned value is the
		// head's version as state knew it; otherwise a new commit has none.
		out.PublishedVersion, out.VersionGitHash = plan.PublishedVersion, plan.VersionGitHash
		if plan.PublishedVersion.IsUnknown() {
			out.PublishedVersion, out.VersionGitHash = types.StringNull(), types.StringNull()
			if !res.Pushed {
				r.readVersion(ctx, &out, owner, name, res.DestCommit, diags)
			}
		}
		return
	}
	r.publish(ctx, &out, res.DestCommit, diags)
}

// promoteSource resolves the source commit and the destination repository, and has the
// engine make the destination's branch carry the source tree.
func (r *algorithmSourceResource) promoteSource(ctx context.Context, plan algorithmSourceModel, config tfsdk.Config, diags *diag.Diagnostics) (*promote.Result, bool) {
	owner, name := plan.Owner.ValueString(), plan.Name.ValueString()
	var src sourceModel
	diags.Append(plan.Source.As(ctx, &src, basetypes.ObjectAsOptions{})...)
	srcRemote, ok := sourceRemote(ctx, src, config, r.cluster, diags)
	if !ok || diags.HasError() {
		return nil, false
	}
	algo, err := r.cluster.api.GetAlgorithm(ctx, owner, name)
	if err != nil {
		if errors.Is(err, algorithmia.ErrNotFound) {
			diags.AddError("Destination algorithm not found",
				fmt.Sprintf("No algorithm %s/%s exists on %s. Create it first, for example with algorithmia_algorithm.", owner, name, r.cluster.apiAddress))
			return nil, false
		}
		addClientError(diags, "read destination algorithm "+owner+"/"+name, err)
		return nil, false
	}
	// The internal repository and master, or the external SCM's repository and its default branch.
	dest, branch, ok := r.cluster.algorithmRepo(ctx, owner, name, algo, diags)
	if !ok {
		return nil, false
	}

	sha := src.Commit.ValueString()
	if sha == "" {
		resolved, err := promote.ResolveRef(ctx, srcRemote, src.Ref.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("source").AtName("ref"), "Cannot resolve source ref", err.Error())
			return nil, false
		}
		sha = resolved
	}
	tflog.Info(ctx, "promoting source commit", map[string]any{"source": promote.RedactURL(srcRemote.URL), "commit": sha, "destination": owner + "/" + name})
	// A known planned commit means the plan promised no push onto that head: keep the promise
	// or fail before pushing, rather than return a result that contradicts the plan.
	expectHead := ""
	if !plan.Commit.IsUnknown() {
		expectHead = plan.Commit.ValueString()
	}
	res, err := promote.Promote(ctx, promote.Request{
		Source:         srcRemote,
		SourceCommit:   sha,
		Dest:           dest,
		DestBranch:     branch,
		ExpectDestHead: expectHead,
		Message:        plan.CommitMessage.ValueString(), // empty: the engine's deterministic default

		Logf: func(msg string, fields map[string]any) {
			tflog.Debug(ctx, "promote: "+msg, fields)
		},
	})
	if err != nil {
		addPromoteError(diags, owner+"/"+name, err)
		return nil, false
	}
	return res, true
}

// awaitBuild waits for the build of the promoted commit and records it in out; it reports
// whether the build succeeded. A commit that was already there is compiled if it has no build.
func (r *algorithmSourceResource) awaitBuild(ctx context.Context, out *algorithmSourceModel, res *promote.Result, diags *diag.Diagnostics) bool {
	owner, name := out.Owner.ValueString(), out.Name.ValueString()
	build, err := r.cluster.api.WaitForBuild(ctx, owner, name, res.DestCommit, algorithmia.WaitOptions{
		CompileIfMissing: !res.Pushed,
		Progress: func(b algorithmia.Build) {
			tflog.Info(ctx, "waiting for build", map[string]any{"build_id": b.BuildID, "status": b.Status, "commit": b.CommitSHA})
		},
	})
	if build != nil {
		out.BuildID, out.BuildStatus = types.StringValue(build.BuildID), types.StringValue(build.Status)
	}
	if err != nil && build != nil && errors.Is(err, context.DeadlineExceeded) {
		diags.AddError("Timed out waiting for build "+build.BuildID,
			fmt.Sprintf("Build %s of %s/%s (commit %s) was still %q when this resource's timeout expired. The build goes on "+
				"on the cluster and the commit is recorded: run terraform apply again to resume the wait (nothing is pushed "+
				"twice), or raise timeouts.create / timeouts.update of this resource if builds take longer.",
				build.BuildID, owner, name, res.DestCommit, build.Status))
		return false
	}
	if err != nil {
		addClientError(diags, "wait for the build of "+owner+"/"+name, err)
		return false
	}
	if build.Status != algorithmia.BuildStatusSucceeded {
		logs, lerr := r.cluster.api.GetBuildLogs(ctx, owner, name, build.BuildID)
		if lerr != nil {
			logs = "(build logs unavailable: " + lerr.Error() + ")"
		}
		diags.AddError("Build failed",
			fmt.Sprintf("Build %s of %s/%s for commit %s ended with status %q. Fix the source and promote a new commit.\n\nLast lines of the build log:\n%s",
				build.BuildID, owner, name, res.DestCommit, build.Status, tail(logs, 20)))
		return false
	}
	return true
}

// publish publishes commit as the version that out.publish describes and records it in out.
func (r *algorithmSourceResource) publish(ctx context.Context, out *algorithmSourceModel, commit string, diags *diag.Diagnostics) {
	owner, name := out.Owner.ValueString(), out.Name.ValueString()
	var pub publishModel
	diags.Append(out.Publish.As(ctx, &pub, basetypes.ObjectAsOptions{})...)
	if diags.HasError() {
		return
	}
	version, err := r.cluster.api.PublishCommit(ctx, owner, name, commit, algorithmia.PublishVersionInfo{
		VersionType:  pub.VersionType.ValueString(),
		ReleaseNotes: pub.ReleaseNotes.ValueString(),
		SampleInput:  pub.SampleInput.ValueString(),
	})
	if err != nil {
		addClientError(diags, "publish "+owner+"/"+name+" at "+commit, err)
		return
	}
	out.PublishedVersion = types.StringValue(version.VersionInfo.SemanticVersion)
	out.VersionGitHash = types.StringValue(version.VersionInfo.GitHash)
}

func (r *algorithmSourceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state algorithmSourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, name := state.Owner.ValueString(), state.Name.ValueString()
	dest, branch, head, ok := r.readHead(ctx, owner, name, &resp.Diagnostics)
	if !ok {
		return
	}
	if dest.URL == "" {
		resp.State.RemoveResource(ctx)
		return
	}
	if head != state.Commit.ValueString() {
		_, tree, err := promote.HeadTree(ctx, dest, branch)
		if err != nil {
			addPromoteError(&resp.Diagnostics, owner+"/"+name, err)
			return
		}
		state.Commit, state.Tree = types.StringValue(head), types.StringValue(tree)
		// After import or drift: the build and version in state describe the new head.
		r.readBuildAndVersion(ctx, &state, owner, name, head, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// readBuildAndVersion sets the build and published version of commit (null when the
// cluster has none), so they always describe the head in state.
func (r *algorithmSourceResource) readBuildAndVersion(ctx context.Context, m *algorithmSourceModel, owner, name, commit string, diags *diag.Diagnostics) {
	m.BuildID, m.BuildStatus = types.StringNull(), types.StringNull()
	if b, err := r.cluster.api.FindBuild(ctx, owner, name, commit); err != nil {
		addClientError(diags, "list builds of "+owner+"/"+name, err)
	} else if b != nil {
		m.BuildID, m.BuildStatus = types.StringValue(b.BuildID), types.StringValue(b.Status)
	}
	r.readVersion(ctx, m, owner, name, commit, diags)
}

// readVersion sets the published version of commit, or null.
func (r *algorithmSourceResource) readVersion(ctx context.Context, m *algorithmSourceModel, owner, name, commit string, diags *diag.Diagnostics) {
	m.PublishedVersion, m.VersionGitHash = types.StringNull(), types.StringNull()
	if v, err := r.cluster.api.FindPublishedVersion(ctx, owner, name, commit); err != nil {
		addClientError(diags, "list versions of "+owner+"/"+name, err)
	} else if v != nil {
		m.PublishedVersion, m.VersionGitHash = types.StringValue(v.VersionInfo.SemanticVersion), types.StringValue(v.VersionInfo.GitHash)
	}
}

// Delete only forgets: promoted commits stay in the destination's history and published
// versions stay published, because rewriting history or unpublishing is not possible safely.
func (r *algorithmSourceResource) Delete(ctx context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
	tflog.Info(ctx, "algorithmia_algorithm_source removed from state; the destination keeps its history and versions")
}

func (r *algorithmSourceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	owner, name, ok := parseAlgorithmID(req.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("owner"), owner)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("timeouts"), timeouts.Value{
		Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType}),
	})...)
}

// readHead reads the head of the destination's default branch. Lean refresh: for an
// algorithm on the internal SCM, one ref advertisement of its repository on the cluster is the
// only request while nothing changed. The API is asked only when that fails: to tell a
// deleted algorithm (an empty dest.URL, ok) from other errors, and to find the repository of
// an algorithm backed by an external SCM (whose internal repository does not exist), where
// the host's default branch is read first.
func (r *algorithmSourceResource) readHead(ctx context.Context, owner, name string, diags *diag.Diagnostics) (dest promote.Remote, branch, head string, ok bool) {
	var gitErr error
	if r.cluster.username != "" && r.cluster.apiKey != "" {
		dest = r.cluster.repo(owner, name)
		head, gitErr = promote.Head(ctx, dest, promote.DefaultBranch)
		if gitErr == nil {
			return dest, promote.DefaultBranch, head, true
		}
	}
	algo, err := r.cluster.api.GetAlgorithm(ctx, owner, name)
	switch {
	case errors.Is(err, algorithmia.ErrNotFound):
		return promote.Remote{}, "", "", true
	case err != nil && gitErr != nil:
		addPromoteError(diags, owner+"/"+name, gitErr)
		return promote.Remote{}, "", "", false
	case err != nil:
		addClientError(diags, "read algorithm "+owner+"/"+name, err)
		return promote.Remote{}, "", "", false
	case gitErr != nil && scmIDOf(algo) == algorithmia.SCMInternal:
		addPromoteError(diags, owner+"/"+name, gitErr)
		return promote.Remote{}, "", "", false
	}
	dest, branch, ok = r.cluster.algorithmRepo(ctx, owner, name, algo, diags)
	if !ok {
		return promote.Remote{}, "", "", false
	}
	if head, err = promote.Head(ctx, dest, branch); err != nil {
		addPromoteError(diags, owner+"/"+name, err)
		return promote.Remote{}, "", "", false
	}
	return dest, branch, head, true
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
