// Package provider is the Terraform glue for Algorithmia clusters: it maps Terraform
// configuration, plan and state to calls of the REST client (internal/algorithmia) and
// the Git promotion engine (internal/promote). It never talks HTTP or Git itself.
package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/promote"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// Environment variables read when the matching provider argument is not set.
const (
	envAPIAddress  = "ALGORITHMIA_API"
	envAPIKey      = "ALGORITHMIA_API_KEY"
	envUsername    = "ALGORITHMIA_USERNAME"
	envAdminAPIKey = "ALGORITHMIA_ADMIN_API_KEY"
	envGitAddress  = "ALGORITHMIA_GIT"
	envCACertFile  = "ALGORITHMIA_CA_CERT_FILE"
	envAdopt       = "ALGORITHMIA_ADOPT_EXISTING"
	envGitCacheDir = "ALGORITHMIA_GIT_CACHE_DIR"

	defaultGitCacheMaxMB = promote.DefaultCacheMaxBytes >> 20

	defaultMaxRetries     = 4
	defaultRequestTimeout = 60 * time.Second
)

var _ provider.Provider = (*algorithmiaProvider)(nil)

// New returns the provider factory; version is "dev" for local builds and "test" in tests.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &algorithmiaProvider{version: version}
	}
}

type algorithmiaProvider struct {
	version string
}

type providerModel struct {
	APIAddress         types.String `tfsdk:"api_address"`
	APIKey             types.String `tfsdk:"api_key"`
	Username           types.String `tfsdk:"username"`
	AdminAPIKey        types.String `tfsdk:"admin_api_key"`
	GitAddress         types.String `tfsdk:"git_address"`
	CACertFile         types.String `tfsdk:"ca_cert_file"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	RequestTimeout     types.String `tfsdk:"request_timeout"`
	MaxRetries         types.Int64  `tfsdk:"max_retries"`
	AdoptExisting      types.Bool   `tfsdk:"adopt_existing"`
	SCMCredentials     types.Map    `tfsdk:"scm_credentials"`
	GitCacheDir        types.String `tfsdk:"git_cache_dir"`
	GitCacheMaxMB      types.Int64  `tfsdk:"git_cache_max_mb"`
}

// clusterClient is what every resource and data source of one provider alias shares:
// the REST client and the addresses of that cluster.
type clusterClient struct {
	api        *algorithmia.Client
	apiAddress string
	gitAddress string
	httpClient *http.Client
	apiKey     string
	username   string
	caPEM      []byte
	insecure   bool
	userAgent  string
	timeout    time.Duration
	// retry is the policy of this alias's REST requests and Git requests alike (max_retries).
	retry retry.Policy
	// adoptExisting lets Create take over an object that already exists (adopt_existing).
	adoptExisting bool
	// scmCreds are the Git credentials of external SCM hosts, by SCM id (scm_credentials).
	scmCreds map[string]promote.Credentials
	// gitCache keeps Git objects between calls (git_cache_dir); nil fetches into temporary stores.
	gitCache *promote.Cache
	// environments remembers each language's environments for this configuration (nil: none).
	environments *environmentMemo
}

// newClient is a REST client with this alias's user agent, timeouts, retries and masked
// logging; Configure uses it for the alias's cluster, resources for peer clusters.
func (c *clusterClient) newClient(address, apiKey, adminKey string, httpClient *http.Client, more ...string) (*algorithmia.Client, error) {
	secrets := append([]string{apiKey, adminKey}, more...)
	return algorithmia.New(algorithmia.Config{
		BaseURL:        address,
		APIKey:         apiKey,
		AdminAPIKey:    adminKey,
		HTTPClient:     httpClient,
		RequestTimeout: c.timeout,
		Retry:          &c.retry,
		UserAgent:      c.userAgent,
		Logf: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(maskSecrets(ctx, secrets...), msg, fields)
		},
	})
}

// peerClient is a standard-key client for another cluster (such as the source of a copy),
// trusting caPEM in addition to the system's CAs. The same address without a CA of its own
// shares this alias's HTTP client and TLS settings.
func (c *clusterClient) peerClient(address, apiKey string, caPEM []byte) (*algorithmia.Client, error) {
	httpClient := c.httpClient
	if len(caPEM) > 0 || strings.TrimRight(address, "/") != c.apiAddress {
		var err error
		if httpClient, err = httpclient.New(caPEM, false); err != nil {
			return nil, err
		}
	}
	return c.newClient(address, apiKey, "", httpClient)
}

// gitURL is the credential-free clone URL of an algorithm on this cluster (CONTRACT.md §8.1).
func (c *clusterClient) gitURL(owner, name string) string {
	return c.gitAddress + "/git/" + owner + "/" + name + ".git"
}

// repo is an algorithm's repository on this cluster, authenticated as the provider's
// account and with the alias's TLS settings and HTTP client.
func (c *clusterClient) repo(owner, name string) promote.Remote {
	return promote.Remote{
		URL:             c.gitURL(owner, name),
		Auth:            &promote.Credentials{Username: c.username, Password: c.apiKey},
		CABundle:        c.caPEM,
		InsecureSkipTLS: c.insecure,
		HTTPClient:      c.httpClient,
		Retry:           c.retry,
		Cache:           c.gitCache,
	}
}

func (p *algorithmiaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "algorithmia"
	resp.Version = p.version
}

func (p *algorithmiaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages users, algorithms, algorithm source and hosted data on one Algorithmia cluster. " +
			"Configure one provider alias per cluster to promote between clusters.",
		Attributes: map[string]schema.Attribute{
			"api_address": schema.StringAttribute{
				MarkdownDescription: "Base URL of the cluster's API, for example `https://api.example.com`. " +
					"Falls back to the `" + envAPIAddress + "` environment variable, the one the official clients use.",
				Optional:   true,
				Validators: []validator.String{httpURLValidator()},
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Standard API key, used for algorithms and data. It needs \"algorithm management\" " +
					"to create, update or publish algorithms. Falls back to `" + envAPIKey + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Name of the account that owns `api_key`. Git over HTTPS authenticates as this account " +
					"with `api_key` as the password, so it is needed to push algorithm source and to read `head_commit`. " +
					"Falls back to `" + envUsername + "`.",
				Optional: true,
			},
			"admin_api_key": schema.StringAttribute{
				MarkdownDescription: "Admin API key, used only for admin endpoints (users, organizations, keys). " +
					"Falls back to `" + envAdminAPIKey + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"git_address": schema.StringAttribute{
				MarkdownDescription: "Base URL of the cluster's Git server. Defaults to the API address with a leading " +
					"`api.` in the host replaced by `git.` (as the official CLI does), or the API address itself. " +
					"Falls back to `" + envGitAddress + "`.",
				Optional:   true,
				Validators: []validator.String{httpURLValidator()},
			},
			"ca_cert_file": schema.StringAttribute{
				MarkdownDescription: "Path to a PEM file of extra certificate authorities to trust (for clusters with a private CA). " +
					"Falls back to `" + envCACertFile + "`.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("ca_cert_pem")),
				},
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "PEM text of extra certificate authorities to trust.",
				Optional:            true,
				Validators:          []validator.String{pemValidator()},
			},
			"insecure_skip_verify": schema.BoolAttribute{
				MarkdownDescription: "Skip TLS certificate verification. Only for throwaway test clusters.",
				Optional:            true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP request, as a Go duration such as `30s`. Defaults to `60s`.",
				Optional:            true,
				Validators:          []validator.String{positiveDuration(true)},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a safe request is retried on HTTP 429 (honouring `Retry-After`), "+
					"5xx other than 501, or a connection error, with exponential backoff, within the operation's timeout. It covers "+
					"REST requests (GET, PUT, DELETE; a POST is never repeated blindly) and every Git request: ref advertisements, "+
					"fetches, and pushes, which are first settled by reading the branch back. `0` turns retries off. Defaults to `%d`.", defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"git_cache_dir": schema.StringAttribute{
				MarkdownDescription: "Directory where the Git objects of every repository the provider fetches are kept between " +
					"runs, one subdirectory per repository named by a hash of its URL, so a later promotion fetches only what " +
					"is new (a re-promotion after a small change moves about the size of the change, not the repository). " +
					"It never holds a credential. Each repository is locked while in use, so parallel resources and " +
					"concurrent Terraform runs take turns; a damaged repository is rebuilt from a fresh fetch. Defaults to " +
					"`terraform-provider-algorithmia/git` under the user's cache directory (`$XDG_CACHE_HOME` or `~/.cache` on " +
					"Linux, `~/Library/Caches` on macOS, `%LocalAppData%` on Windows). `\"off\"` fetches into a temporary " +
					"directory removed after each operation instead (so does `\"\"`). Falls back to `" +
					envGitCacheDir + "`.",
				Optional: true,
			},
			"git_cache_max_mb": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Size bound of `git_cache_dir`, in MiB: after each Git operation the least "+
					"recently used repositories are removed until the cache fits. Set it above your largest repository, or "+
					"that repository is fetched whole every time. Defaults to `%d`.", defaultGitCacheMaxMB),
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"adopt_existing": schema.BoolAttribute{
				MarkdownDescription: "When a resource is to be created but its object already exists on the cluster " +
					"(an algorithm, user, organization, membership, collection or data object of the same name), adopt it " +
					"into the state and change it in place to match the configuration, with a warning that names it and " +
					"the fields changed. Set it for unattended pipelines, so a lost or partial state converges on the next " +
					"apply instead of failing until someone runs `terraform import`. Defaults to `false`: adopting can " +
					"take over an object someone made by hand with the same name (and a later destroy would delete it), " +
					"so by default Create fails and names the import command. Whatever it says, a create whose answer was " +
					"lost adopts the object if it is exactly what was sent, and `algorithmia_user_api_key` adopts a key whose " +
					"value already authenticates as its user. Falls back to `" + envAdopt + "`.",
				Optional: true,
			},
			"scm_credentials": scmCredentialsAttribute(),
		},
	}
}

func (p *algorithmiaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	diags := &resp.Diagnostics
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if diags.HasError() || !allKnown(cfg, diags) {
		return
	}
	cc := &clusterClient{
		username: stringOr(cfg.Username, os.Getenv(envUsername)),
		userAgent: fmt.Sprintf("terraform-provider-algorithmia/%s (+https://registry.terraform.io/providers/algorithmia-iac/algorithmia) Terraform/%s",
			p.version, req.TerraformVersion),
		environments: &environmentMemo{calls: map[string]*environmentCall{}},
	}
	ep, ok := configuredEndpoints(cfg, diags)
	if !ok || !cc.configureRequests(cfg, diags) || !cc.configureTLS(cfg, diags) || !cc.configureAdopt(cfg, diags) {
		return
	}
	cc.apiAddress, cc.gitAddress, cc.apiKey = strings.TrimRight(ep.api, "/"), ep.git, ep.apiKey
	cc.gitCache = gitCache(ctx, cfg, diags)
	var err error
	if cc.scmCreds, err = scmCredentialsFromConfig(ctx, cfg.SCMCredentials); err != nil {
		diags.AddAttributeError(path.Root("scm_credentials"), "Invalid scm_credentials", err.Error())
		return
	}
	cc.api, err = cc.newClient(ep.api, ep.apiKey, ep.adminKey, cc.httpClient, cc.scmSecrets()...)
	if err != nil {
		diags.AddAttributeError(path.Root("api_address"), "Invalid Algorithmia provider configuration", err.Error())
		return
	}
	resp.ResourceData = cc
	resp.DataSourceData = cc
}

// allKnown reports an error for every provider argument that is unknown: such an argument
// would otherwise fall back silently to its environment variable.
func allKnown(cfg providerModel, diags *diag.Diagnostics) bool {
	for name, v := range map[string]attr.Value{
		"api_address": cfg.APIAddress, "api_key": cfg.APIKey, "admin_api_key": cfg.AdminAPIKey, "git_address": cfg.GitAddress,
		"username": cfg.Username, "ca_cert_file": cfg.CACertFile, "ca_cert_pem": cfg.CACertPEM,
		"insecure_skip_verify": cfg.InsecureSkipVerify, "request_timeout": cfg.RequestTimeout, "max_retries": cfg.MaxRetries,
		"scm_credentials": cfg.SCMCredentials,
		"git_cache_dir":   cfg.GitCacheDir, "git_cache_max_mb": cfg.GitCacheMaxMB,
	} {
		if v.IsUnknown() {
			diags.AddAttributeError(path.Root(name), "Unknown value for "+name,
				"The provider cannot be configured with a value that is only known after apply. Create the value in an "+
					"earlier apply (for example a bootstrap configuration) or set it with a variable.")
		}
	}
	return !diags.HasError()
}

// endpoints are where an alias's cluster answers and the keys it is called with.
type endpoints struct {
	api, git, apiKey, adminKey string
}

// configuredEndpoints reads the API and Git addresses and the keys from the configuration
// or the environment, and checks them.
func configuredEndpoints(cfg providerModel, diags *diag.Diagnostics) (endpoints, bool) {
	ep := endpoints{
		api:      stringOr(cfg.APIAddress, os.Getenv(envAPIAddress)),
		apiKey:   stringOr(cfg.APIKey, os.Getenv(envAPIKey)),
		adminKey: stringOr(cfg.AdminAPIKey, os.Getenv(envAdminAPIKey)),
		git:      stringOr(cfg.GitAddress, os.Getenv(envGitAddress)),
	}
	if ep.api == "" {
		diags.AddAttributeError(path.Root("api_address"), "Missing Algorithmia API address",
			"Set api_address in the provider block or the "+envAPIAddress+" environment variable.")
		return ep, false
	}
	apiURL, err := httpclient.CheckURL(ep.api)
	if err != nil {
		diags.AddAttributeError(path.Root("api_address"), "Invalid Algorithmia API address",
			fmt.Sprintf("%q is not an absolute http(s) URL without credentials, such as https://api.example.com.", redactURL(ep.api)))
		return ep, false
	}
	if ep.apiKey == "" && ep.adminKey == "" {
		diags.AddAttributeError(path.Root("api_key"), "Missing Algorithmia API key",
			"Set api_key (or "+envAPIKey+") for algorithms and data, and/or admin_api_key (or "+envAdminAPIKey+") for users and organizations.")
		return ep, false
	}
	if ep.git == "" {
		ep.git = defaultGitAddress(apiURL)
	} else if _, err := httpclient.CheckURL(ep.git); err != nil {
		diags.AddAttributeError(path.Root("git_address"), "Invalid Git address",
			fmt.Sprintf("%q is not an absolute http(s) URL without credentials.", redactURL(ep.git)))
		return ep, false
	}
	ep.git = strings.TrimRight(ep.git, "/")
	return ep, true
}

// configureRequests sets the per-request timeout and the retry policy (request_timeout,
// max_retries).
func (c *clusterClient) configureRequests(cfg providerModel, diags *diag.Diagnostics) bool {
	c.timeout = defaultRequestTimeout
	if s := cfg.RequestTimeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid request timeout",
				fmt.Sprintf("%q is not a positive Go duration such as 30s or 2m.", s))
			return false
		}
		c.timeout = d
	}
	maxRetries := defaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	c.retry = retry.Policy{MaxRetries: maxRetries}
	return true
}

// configureTLS builds the alias's one HTTP client from the extra CA certificates and
// insecure_skip_verify; every REST and Git request of the alias goes through it.
func (c *clusterClient) configureTLS(cfg providerModel, diags *diag.Diagnostics) bool {
	caPEM, diagSummary, diagDetail := caBundle(cfg)
	caAttr := path.Root("ca_cert_pem")
	if stringOr(cfg.CACertFile, os.Getenv(envCACertFile)) != "" {
		caAttr = path.Root("ca_cert_file")
	}
	if diagSummary != "" {
		diags.AddAttributeError(caAttr, diagSummary, diagDetail)
		return false
	}
	insecure := cfg.InsecureSkipVerify.ValueBool()
	if insecure {
		diags.AddAttributeWarning(path.Root("insecure_skip_verify"), "TLS verification is off",
			"insecure_skip_verify = true lets anyone on the network read and change the traffic, API keys included. Use it only for throwaway test clusters; prefer ca_cert_file.")
	}
	httpClient, err := httpclient.New(caPEM, insecure)
	if err != nil {
		diags.AddAttributeError(caAttr, "Invalid CA certificate", err.Error())
		return false
	}
	c.httpClient, c.caPEM, c.insecure = httpClient, caPEM, insecure
	return true
}

// configureAdopt reads adopt_existing, or ALGORITHMIA_ADOPT_EXISTING when it is not set.
func (c *clusterClient) configureAdopt(cfg providerModel, diags *diag.Diagnostics) bool {
	c.adoptExisting = cfg.AdoptExisting.ValueBool()
	if !cfg.AdoptExisting.IsNull() {
		return true
	}
	v := os.Getenv(envAdopt)
	if v == "" {
		return true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		diags.AddAttributeError(path.Root("adopt_existing"), "Invalid "+envAdopt,
			fmt.Sprintf("%s=%q is not a boolean such as true or false.", envAdopt, v))
		return false
	}
	c.adoptExisting = b
	return true
}

func (p *algorithmiaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAlgorithmResource,
		NewAlgorithmSourceResource,
		NewAlgorithmSecretResource,
		NewUserResource,
		NewUserAPIKeyResource,
		NewOrganizationResource,
		NewOrganizationMemberResource,
		NewDataCollectionResource,
		NewDataObjectResource,
		NewSCMResource,
		NewSCMAuthorizationResource,
	}
}

func (p *algorithmiaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAlgorithmDataSource,
		NewEnvironmentDataSource,
		NewGitRefDataSource,
		NewAlgorithmVersionsDataSource,
		NewAlgorithmSecretsDataSource,
		NewUserDataSource,
		NewUsersDataSource,
		NewOrganizationDataSource,
		NewAlgorithmsDataSource,
		NewOrganizationsDataSource,
		NewDataCollectionsDataSource,
		NewDataObjectsDataSource,
		NewDataObjectDataSource,
		NewSCMsDataSource,
	}
}

// gitCache is the Git object cache of git_cache_dir and git_cache_max_mb, or nil when it
// is off. A directory that cannot be used is a warning, not an error: the cache only saves
// traffic, and every operation works without it.
func gitCache(ctx context.Context, cfg providerModel, diags *diag.Diagnostics) *promote.Cache {
	dir := os.Getenv(envGitCacheDir)
	if !cfg.GitCacheDir.IsNull() {
		dir = cfg.GitCacheDir.ValueString()
	}
	if strings.EqualFold(strings.TrimSpace(dir), "off") || (!cfg.GitCacheDir.IsNull() && dir == "") {
		return nil
	}
	if dir == "" {
		var err error
		if dir, err = promote.DefaultCacheDir(); err != nil {
			tflog.Info(ctx, "no user cache directory; Git objects are fetched into temporary directories", map[string]any{"error": err.Error()})
			return nil
		}
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(abs, 0o700)
	}
	if err != nil {
		diags.AddAttributeWarning(path.Root("git_cache_dir"), "Git cache directory not usable",
			fmt.Sprintf("The Git object cache %q cannot be created (%s); every Git operation fetches into a temporary "+
				"directory instead. Set git_cache_dir (or %s) to a writable directory, or to \"off\".", dir, err, envGitCacheDir))
		return nil
	}
	maxMB := defaultGitCacheMaxMB
	if !cfg.GitCacheMaxMB.IsNull() {
		maxMB = cfg.GitCacheMaxMB.ValueInt64()
	}
	return &promote.Cache{Dir: abs, MaxBytes: maxMB << 20}
}

// defaultGitAddress follows the official CLI: api.<domain> becomes git.<domain>;
// any other host (a local cluster, for one) serves Git on the API address itself.
func defaultGitAddress(api *url.URL) string {
	u := url.URL{Scheme: api.Scheme, Host: api.Host}
	if strings.HasPrefix(u.Host, "api.") {
		u.Host = "git." + strings.TrimPrefix(u.Host, "api.")
	}
	return u.String()
}

// caBundle returns the PEM of the extra certificate authorities the configuration names,
// or a diagnostic summary and detail.
func caBundle(cfg providerModel) ([]byte, string, string) {
	pemText := cfg.CACertPEM.ValueString()
	if file := stringOr(cfg.CACertFile, os.Getenv(envCACertFile)); file != "" && pemText == "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, "Cannot read CA certificate file", err.Error()
		}
		pemText = string(b)
	}
	if pemText == "" {
		return nil, "", ""
	}
	return []byte(pemText), "", ""
}

// maskSecrets makes tflog replace every occurrence of the given secrets, plain or
// URL-escaped, in messages and fields.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	forms := httpclient.SecretForms(secrets...)
	if len(forms) == 0 {
		return ctx
	}
	ctx = tflog.MaskMessageStrings(ctx, forms...)
	return tflog.MaskAllFieldValuesStrings(ctx, forms...)
}

// redactURL replaces the userinfo of a URL-looking string with REDACTED so it can appear
// in a diagnostic.
func redactURL(s string) string { return httpclient.RedactURL(s, "REDACTED") }
