package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
)

// scmCredentialModel is one entry of the provider's scm_credentials.
type scmCredentialModel struct {
	Username types.String `tfsdk:"username"`
	Token    types.String `tfsdk:"token"`
}

// scmCredentialsAttribute is the provider's scm_credentials. Git credentials of external
// SCM hosts live in the provider block, not in algorithmia_algorithm_source: the resource
// reads the destination repository on every refresh to see drift, and a refresh has no
// configuration, so a write-only argument would not reach it.
func scmCredentialsAttribute() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		MarkdownDescription: "Git credentials for repositories on external SCM hosts, by SCM configuration id (the `id` " +
			"of an `algorithmia_scm`). `algorithmia_algorithm_source` pushes into an SCM-backed algorithm's repository, and " +
			"reads it back to detect drift, with these; `algorithmia_algorithm.head_commit` of the data source too. " +
			"Pass the token through an ephemeral variable so it is in no plan or state. The platform itself never sees it.",
		Optional: true,
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"username": schema.StringAttribute{
					MarkdownDescription: "Git username on the host. Defaults to the provider's `username`; GitHub accepts any " +
						"name with a token, GitLab expects `oauth2`, Bitbucket the account name.",
					Optional: true,
				},
				"token": schema.StringAttribute{
					MarkdownDescription: "Personal access token (or password) with write access to the repositories.",
					Required:            true,
					Sensitive:           true,
				},
			},
		},
	}
}

// scmCredentialsFromConfig reads scm_credentials; a null map is none.
func scmCredentialsFromConfig(ctx context.Context, v types.Map) (map[string]promote.Credentials, error) {
	out := map[string]promote.Credentials{}
	if v.IsNull() {
		return out, nil
	}
	var m map[string]scmCredentialModel
	if diags := v.ElementsAs(ctx, &m, false); diags.HasError() {
		return nil, fmt.Errorf("cannot read scm_credentials: %v", diags)
	}
	for id, c := range m {
		if c.Token.IsUnknown() || c.Username.IsUnknown() {
			return nil, fmt.Errorf("scm_credentials[%q] is only known after apply; the provider needs it when configured", id)
		}
		if c.Token.ValueString() == "" {
			return nil, fmt.Errorf("scm_credentials[%q].token is empty", id)
		}
		out[id] = promote.Credentials{Username: c.Username.ValueString(), Password: c.Token.ValueString()}
	}
	return out, nil
}

// scmSecrets are the SCM tokens, masked in every log line like the API keys.
func (c *clusterClient) scmSecrets() []string {
	var out []string
	for _, cr := range c.scmCreds {
		out = append(out, cr.Password)
	}
	return out
}

// hasRepoCredentials reports whether the provider can read the algorithm's repository over
// Git: with username and api_key on the internal SCM, with scm_credentials on an external one.
func (c *clusterClient) hasRepoCredentials(a *algorithmia.Algorithm) bool {
	if id := scmIDOf(a); id != algorithmia.SCMInternal {
		_, ok := c.scmCreds[id]
		return ok
	}
	return c.username != "" && c.apiKey != ""
}

// algorithmRepo is the Git repository of an algorithm and the branch the platform builds:
// the cluster's own repository and master for the internal SCM, the repository on the
// external host and its default branch (read from the host) for an SCM-backed one, with
// that host's credentials from scm_credentials.
func (c *clusterClient) algorithmRepo(ctx context.Context, owner, name string, a *algorithmia.Algorithm, diags *diag.Diagnostics) (promote.Remote, string, bool) {
	if scmIDOf(a) == algorithmia.SCMInternal {
		if c.username == "" || c.apiKey == "" {
			diags.AddError("Git credentials missing for the destination cluster",
				"Pushing algorithm source authenticates to Git as the provider's username with its api_key. "+
					"Set username (or ALGORITHMIA_USERNAME) and api_key in the provider block of the destination alias.")
			return promote.Remote{}, "", false
		}
		return c.repo(owner, name), promote.DefaultBranch, true
	}
	scmID, url := a.Source.SCM.ID, a.Source.RepositoryHTTPSURL
	if url == "" {
		diags.AddError("Repository address unknown",
			fmt.Sprintf("The algorithm %s/%s on %s is backed by the SCM %q, but the cluster reports no repository_https_url for it.", owner, name, c.apiAddress, scmID))
		return promote.Remote{}, "", false
	}
	cred, ok := c.scmCreds[scmID]
	if !ok {
		known := make([]string, 0, len(c.scmCreds))
		for id := range c.scmCreds {
			known = append(known, id)
		}
		sort.Strings(known)
		diags.AddError("Git credentials missing for SCM "+scmID,
			fmt.Sprintf("The algorithm %s/%s lives in %s on the SCM %q. Reading or pushing it needs that host's credentials: "+
				"add scm_credentials = { %q = { token = ... } } to the provider block of %s (configured for: [%s]).",
				owner, name, url, scmID, scmID, c.apiAddress, strings.Join(known, ", ")))
		return promote.Remote{}, "", false
	}
	if cred.Username == "" {
		cred.Username = c.username
	}
	if cred.Username == "" {
		cred.Username = "git"
	}
	remote := promote.Remote{URL: url, Auth: &cred, CABundle: c.caPEM, InsecureSkipTLS: c.insecure, Retry: c.retry}
	branch, err := promote.DefaultBranchOf(ctx, remote)
	if err != nil {
		addPromoteError(diags, owner+"/"+name, err)
		return promote.Remote{}, "", false
	}
	return remote, branch, true
}
