package algorithmia

import (
	"context"
	"fmt"
	"net/http"
)

// SCM providers (CONTRACT.md §11) and the id of the platform's own SCM.
const (
	SCMInternal           = "internal"
	SCMProviderGitHub     = "github"
	SCMProviderGitLab     = "gitlab"
	SCMProviderBitbucket  = "bitbucket"
	SCMProviderBitbucketC = "bitbucket-cloud"
)

// Authorization statuses of a user on an SCM (CONTRACT.md §8.4).
const (
	SCMAuthorized   = "authorized"
	SCMUnauthorized = "unauthorized"
)

// SCM is an SCM configuration (SPEC ScmConfigurationResponseDto), also embedded in an
// algorithm's source.
type SCM struct {
	// ID is the configuration id ("internal", a vanity id such as "github", or a UUID).
	ID string `json:"id"`
	// Provider is internal, github, gitlab, bitbucket or bitbucket-cloud.
	Provider string `json:"provider,omitempty"`
	// Name is the display name (often the web URL).
	Name string `json:"name,omitempty"`
	// Default is true for the cluster's default SCM.
	Default bool `json:"default"`
	// Enabled is true when the SCM can be used.
	Enabled bool `json:"enabled"`
	// SCM holds the OAuth client id (and, on create answers, a Bitbucket Server project key).
	SCM *SCMClient `json:"scm,omitempty"`
	// OAuth holds the OAuth client id, when the server reports it there.
	OAuth *SCMClient `json:"oauth,omitempty"`
	// URLs are the web, API and SSH addresses of the host.
	URLs *SCMURLs `json:"urls,omitempty"`
}

// ClientID is the OAuth client id wherever the server put it (the SPEC maps it into
// "scm" on reads and shows it under "oauth" in examples).
func (s *SCM) ClientID() string {
	switch {
	case s.OAuth != nil && s.OAuth.ClientID != "":
		return s.OAuth.ClientID
	case s.SCM != nil:
		return s.SCM.ClientID
	}
	return ""
}

// ProjectKey is the Bitbucket Server project key, when reported.
func (s *SCM) ProjectKey() string {
	if s.SCM != nil {
		return s.SCM.ProjectKey
	}
	return ""
}

// SCMClient is the OAuth application of an SCM (SPEC ScmConfiguration / ScmOAuthConfiguration).
type SCMClient struct {
	// ClientID is the OAuth application id.
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret is write-only: sent on create, never returned.
	ClientSecret string `json:"client_secret,omitempty"`
	// ProjectKey is the Bitbucket Server project.
	ProjectKey string `json:"project_key,omitempty"`
}

// SCMURLs are an SCM host's addresses (SPEC ScmUrls; all three are required).
type SCMURLs struct {
	// Web is the website, e.g. https://github.com.
	Web string `json:"web"`
	// API is the API base, e.g. https://api.github.com.
	API string `json:"api"`
	// SSH is the SSH address, e.g. ssh://git@github.com.
	SSH string `json:"ssh"`
}

// CreateSCMRequest is the body of POST /v1/admin/scms (SPEC ScmConfigurationRequestDto).
type CreateSCMRequest struct {
	// ID is an optional vanity id; the server makes a UUID otherwise.
	ID string `json:"id,omitempty"`
	// Enabled defaults to true on the server; always sent.
	Enabled bool `json:"enabled"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
	// Provider is github, gitlab, bitbucket or bitbucket-cloud.
	Provider string `json:"provider"`
	// URLs are required.
	URLs SCMURLs `json:"urls"`
	// OAuth is the OAuth application (client_secret is scrubbed from errors and logs).
	OAuth *SCMClient `json:"oauth,omitempty"`
	// SCM carries the Bitbucket Server project key.
	SCM *SCMClient `json:"scm,omitempty"`
}

// String hides the OAuth client secret.
func (r CreateSCMRequest) String() string {
	secret := ""
	if r.OAuth != nil {
		secret = r.OAuth.ClientSecret
	}
	return fmt.Sprintf("CreateSCMRequest{ID:%q Provider:%q Name:%q Enabled:%t URLs:%+v ClientSecret:%s}",
		r.ID, r.Provider, r.Name, r.Enabled, r.URLs, maskIfSet(secret))
}

// UpdateSCMRequest is the body of PATCH /v1/admin/scms/{id}; nil fields are left alone.
type UpdateSCMRequest struct {
	// Enabled turns the SCM on or off (the default SCM cannot be turned off: 4041).
	Enabled *bool `json:"enabled,omitempty"`
	// URLs replace all three addresses.
	URLs *SCMURLs `json:"urls,omitempty"`
}

// SCMAuthorization is a user's authorization on an SCM (SPEC ScmUserOAuthStatus).
type SCMAuthorization struct {
	// AuthorizationStatus is "authorized" or "unauthorized".
	AuthorizationStatus string `json:"authorization_status"`
	// SCMUsername is the user's name on the SCM host.
	SCMUsername string `json:"scm_username,omitempty"`
	// SCMOrganizations are the host organizations the user may create repositories in.
	SCMOrganizations []SCMOrganization `json:"scm_organizations,omitempty"`
}

// SCMOrganization is an organization of the SCM host that an authorized user belongs to.
type SCMOrganization struct {
	// SCMOrgUsername is the organization's name on the host.
	SCMOrgUsername string `json:"scm_org_username"`
	// AccessLevel is the user's role, e.g. MEMBER or ADMIN.
	AccessLevel string `json:"access_level,omitempty"`
}

// SCMTokenConnectRequest is the body of POST /v1/scms/{id}/token/connect. The SPEC gives
// no schema; the token goes under "token" (our choice, see DESIGN.md).
type SCMTokenConnectRequest struct {
	// Token is the personal access token of the user on the SCM host.
	Token string `json:"token"`
}

// String hides the token.
func (r SCMTokenConnectRequest) String() string {
	return "SCMTokenConnectRequest{Token:" + maskIfSet(r.Token) + "}"
}

type scmList struct {
	Results []SCM `json:"results"`
}

// ListSCMs returns every SCM configuration of the cluster, the internal one included
// (GET /v1/scms; the SPEC allows an admin key, the official clients send a standard key).
func (c *Client) ListSCMs(ctx context.Context) ([]SCM, error) {
	var out scmList
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("scms"), key: keyPreferStandard, out: &out}); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// GetSCM returns one SCM configuration; a missing one matches ErrNotFound.
func (c *Client) GetSCM(ctx context.Context, id string) (*SCM, error) {
	var out SCM
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("scms", id), key: keyPreferStandard, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateSCM creates an SCM configuration (admin). A taken id matches ErrAlreadyExists
// (4044). It is a POST and is never retried blindly: after a transport error, GetSCM
// tells whether it exists (when the id was chosen).
func (c *Client) CreateSCM(ctx context.Context, req CreateSCMRequest) (*SCM, error) {
	var secrets []string
	if req.OAuth != nil {
		secrets = append(secrets, req.OAuth.ClientSecret)
	}
	var out SCM
	if _, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("admin", "scms"), key: keyAdmin, body: req, out: &out, secrets: secrets}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSCM changes an SCM configuration's enabled flag or URLs (admin).
func (c *Client) UpdateSCM(ctx context.Context, id string, req UpdateSCMRequest) (*SCM, error) {
	var out SCM
	if _, err := c.do(ctx, request{method: http.MethodPatch, path: apiPath("admin", "scms", id), key: keyAdmin, body: req, out: &out}); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return c.GetSCM(ctx, id)
	}
	return &out, nil
}

// DeleteSCM deletes an SCM configuration (admin). The platform refuses an enabled one
// (4040), one used by an algorithm (4043) and the internal one (4045).
func (c *Client) DeleteSCM(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: apiPath("admin", "scms", id), key: keyAdmin})
	return err
}

// SetDefaultSCM makes the SCM the cluster's default (admin); a disabled one is refused (4042).
func (c *Client) SetDefaultSCM(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("admin", "scms", id, "default"), key: keyAdmin})
	return err
}

// ConnectSCMToken authorizes the key's user on the SCM with a personal access token of
// the host. The token is scrubbed from every error and log line of the call.
func (c *Client) ConnectSCMToken(ctx context.Context, id, token string) error {
	_, err := c.do(ctx, request{
		method: http.MethodPost, path: apiPath("scms", id, "token", "connect"),
		body: SCMTokenConnectRequest{Token: token}, secrets: []string{token},
	})
	return err
}

// SCMTokenStatus returns the key's user's token authorization on the SCM.
func (c *Client) SCMTokenStatus(ctx context.Context, id string) (*SCMAuthorization, error) {
	var out SCMAuthorization
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("scms", id, "token", "status"), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// SCMOAuthStatus returns the key's user's OAuth authorization on the SCM.
func (c *Client) SCMOAuthStatus(ctx context.Context, id string) (*SCMAuthorization, error) {
	var out SCMAuthorization
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("scms", id, "oauth", "status"), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeSCMAuthorization discards the key's user's access token on the SCM
// (POST /v1/scms/{id}/oauth/revoke, the only revoke route; it covers tokens too).
// Algorithms already created keep working.
func (c *Client) RevokeSCMAuthorization(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("scms", id, "oauth", "revoke")})
	return err
}
