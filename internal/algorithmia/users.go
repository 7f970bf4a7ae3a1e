package algorithmia

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Key types of ApiKeyCreation (CONTRACT.md §2.3).
const (
	KeyTypeAlgorithm        = "AlgorithmKey"
	KeyTypePlatformAdmin    = "PlatformAdminKey"
	KeyTypeManagementLegacy = "ManagementKey"
)

// User is an account (CONTRACT.md §10.1).
type User struct {
	// ID is the user's UUID.
	ID string `json:"id,omitempty"`
	// Username is the account name.
	Username string `json:"username"`
	// Email is the address; it cannot be changed by update.
	Email string `json:"email"`
	// Fullname is the display name.
	Fullname string `json:"fullname,omitempty"`
	// CompanyName is optional.
	CompanyName string `json:"company_name,omitempty"`
	// CompanyRole is optional.
	CompanyRole string `json:"company_role,omitempty"`
	// SelfLink is the user's API URL.
	SelfLink string `json:"self_link,omitempty"`
	// ResourceType is "user".
	ResourceType string `json:"resource_type,omitempty"`
}

// CreateUserRequest is the body of POST /v1/users.
type CreateUserRequest struct {
	// Username is the new account name.
	Username string `json:"username"`
	// Email is the address.
	Email string `json:"email"`
	// Fullname is the display name.
	Fullname string `json:"fullname"`
	// CompanyName is optional.
	CompanyName string `json:"company_name,omitempty"`
	// CompanyRole is optional.
	CompanyRole string `json:"company_role,omitempty"`
	// PasswordHash is undocumented (seen in the Python tests); empty omits it.
	PasswordHash string `json:"passwordHash,omitempty"`
	// ShouldCreateHello is undocumented (seen in the Python tests); nil omits it.
	ShouldCreateHello *bool `json:"shouldCreateHello,omitempty"`
}

// UpdateUserRequest is the body of PUT /v1/users/{username}; it replaces the
// user, so optional fields are always sent and "" clears them.
type UpdateUserRequest struct {
	// Username must equal the path (no renames).
	Username string `json:"username"`
	// Email must equal the current address.
	Email string `json:"email"`
	// Fullname is the display name.
	Fullname string `json:"fullname"`
	// CompanyName is sent even when empty.
	CompanyName string `json:"company_name"`
	// CompanyRole is sent even when empty.
	CompanyRole string `json:"company_role"`
}

// AuthPermissions are a standard key's permissions (SPEC AuthPermissions).
type AuthPermissions struct {
	// AllowData lets the key read data.
	AllowData bool `json:"allow_data"`
	// AllowDataWrite lets the key write data.
	AllowDataWrite bool `json:"allow_data_write"`
	// AllowAlgo lets the key call algorithms.
	AllowAlgo bool `json:"allow_algo"`
	// AllowWebAlgo lets the key be used from browsers.
	AllowWebAlgo bool `json:"allow_web_algo"`
	// RefererHost restricts browser use to a host.
	RefererHost string `json:"referer_host,omitempty"`
	// AllowAlgoManagement lets the key create, build, publish and delete algorithms.
	AllowAlgoManagement bool `json:"allow_algo_management"`
	// AlgoACL lists callable algorithms (algo://*, algo://owner/*); always sent, [] when empty.
	AlgoACL []string `json:"algo_acl"`
}

// MarshalJSON sends algo_acl as [] rather than null, as the SPEC requires the field.
func (p AuthPermissions) MarshalJSON() ([]byte, error) {
	type plain AuthPermissions
	if p.AlgoACL == nil {
		p.AlgoACL = []string{}
	}
	return json.Marshal(plain(p))
}

// CreateAPIKeyRequest is ApiKeyCreation plus the optional key value of
// POST /v1/admin/users/{u}/keys ("add a specific API key").
type CreateAPIKeyRequest struct {
	// KeyLabel names the key.
	KeyLabel string `json:"key_label,omitempty"`
	// KeyType is AlgorithmKey, PlatformAdminKey or ManagementKey.
	KeyType string `json:"key_type"`
	// Permissions are required for AlgorithmKey.
	Permissions *AuthPermissions `json:"permissions,omitempty"`
	// APIKey imports this exact key value; empty lets the server generate one.
	APIKey string `json:"api_key,omitempty"`
}

// String hides the key value so a request printed with %v leaks nothing.
func (r CreateAPIKeyRequest) String() string {
	return fmt.Sprintf("CreateAPIKeyRequest{KeyLabel:%q KeyType:%q APIKey:%s}", r.KeyLabel, r.KeyType, maskIfSet(r.APIKey))
}

// APIKey is a key as the platform returns it; APIKey holds the clear value
// only in the creation answer.
type APIKey struct {
	// Username is the key's user.
	Username string `json:"username"`
	// KeyLabel names the key.
	KeyLabel string `json:"key_label"`
	// CreatedAt is when the key was created.
	CreatedAt string `json:"created_at,omitempty"`
	// APIKeyMask is the masked key for display.
	APIKeyMask string `json:"api_key_mask,omitempty"`
	// APIKey is the clear key value: a secret.
	APIKey string `json:"api_key,omitempty"`
	// KeyType is AlgorithmKey, PlatformAdminKey or ManagementKey.
	KeyType string `json:"key_type"`
	// Permissions are the key's permissions.
	Permissions *AuthPermissions `json:"permissions,omitempty"`
	// OwnerName is the owning user or organization.
	OwnerName string `json:"owner_name,omitempty"`
}

// String hides the key value so a key printed with %v leaks nothing.
func (k APIKey) String() string {
	return fmt.Sprintf("APIKey{Username:%q KeyLabel:%q KeyType:%q Mask:%q APIKey:%s}", k.Username, k.KeyLabel, k.KeyType, k.APIKeyMask, maskIfSet(k.APIKey))
}

// MaskAPIKey masks a key value the way the local cluster shows it (its first three and last
// four characters; stars only for a short key), for a key whose mask the platform never sent.
func MaskAPIKey(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:3] + strings.Repeat("*", len(key)-7) + key[len(key)-4:]
}

func maskIfSet(s string) string {
	if s == "" {
		return `""`
	}
	return Redacted
}

// CreateUser creates an account (admin key). It is a POST and is never
// retried; after a transport error GetUser tells whether it exists.
func (c *Client) CreateUser(ctx context.Context, req CreateUserRequest) (*User, error) {
	var out User
	if _, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("users"), key: keyAdmin, body: req, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetUser returns one account (admin key).
func (c *Client) GetUser(ctx context.Context, username string) (*User, error) {
	var out User
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("users", username), key: keyAdmin, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateUser replaces an account's fields (admin key); username and email cannot change.
func (c *Client) UpdateUser(ctx context.Context, username string, req UpdateUserRequest) (*User, error) {
	var out User
	if _, err := c.do(ctx, request{method: http.MethodPut, path: apiPath("users", username), key: keyAdmin, body: req, out: &out}); err != nil {
		return nil, err
	}
	if out.Username == "" {
		return c.GetUser(ctx, username)
	}
	return &out, nil
}

// DeleteUser deletes an account (admin key).
func (c *Client) DeleteUser(ctx context.Context, username string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: apiPath("users", username), key: keyAdmin})
	return err
}

// ListUsers returns one page of accounts (admin key).
func (c *Client) ListUsers(ctx context.Context, opts ListOptions) (*Page[User], error) {
	var out Page[User]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("users"), key: keyAdmin, query: opts.values(), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllUsers returns every account (admin key).
func (c *Client) ListAllUsers(ctx context.Context) ([]User, error) {
	return collectPages(ctx, func(ctx context.Context, marker string) (*Page[User], error) {
		return c.ListUsers(ctx, ListOptions{Marker: marker})
	})
}

// CreateUserAPIKey adds a key to a user through POST /v1/admin/users/{u}/keys
// (admin key). The key value in req and in the answer is scrubbed from any
// error. It is a POST and is never retried.
func (c *Client) CreateUserAPIKey(ctx context.Context, username string, req CreateAPIKeyRequest) (*APIKey, error) {
	var out APIKey
	_, err := c.do(ctx, request{
		method: http.MethodPost, path: apiPath("admin", "users", username, "keys"), key: keyAdmin,
		body: req, out: &out, secrets: []string{req.APIKey},
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateOrganizationMemberAPIKey creates a key for an org member through
// POST /v1/organizations/{org}/members/{u}/keys (admin key); never retried.
func (c *Client) CreateOrganizationMemberAPIKey(ctx context.Context, orgName, username string, req CreateAPIKeyRequest) (*APIKey, error) {
	var out APIKey
	_, err := c.do(ctx, request{
		method: http.MethodPost, path: apiPath("organizations", orgName, "members", username, "keys"), key: keyAdmin,
		body: req, out: &out, secrets: []string{req.APIKey},
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
