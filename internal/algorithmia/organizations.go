package algorithmia

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// StringList decodes a JSON array of strings, a single string or null: the
// SPEC types the external group fields as arrays, DOCS as strings.
type StringList []string

// UnmarshalJSON accepts null, "x" or ["x", ...].
func (l *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*l = nil
		} else {
			*l = StringList{s}
		}
		return nil
	default:
		var ss []string
		if err := json.Unmarshal(b, &ss); err != nil {
			return fmt.Errorf("algorithmia: expected a string or an array of strings: %w", err)
		}
		*l = ss
		return nil
	}
}

// Organization is an organization (CONTRACT.md §10.2).
type Organization struct {
	// ID is the organization's UUID.
	ID string `json:"id,omitempty"`
	// OrgName is the short name.
	OrgName string `json:"org_name"`
	// OrgLabel is the display name.
	OrgLabel string `json:"org_label"`
	// OrgContactName is the contact person.
	OrgContactName string `json:"org_contact_name"`
	// OrgEmail is the contact address.
	OrgEmail string `json:"org_email"`
	// OrgURL is the web site; empty when null.
	OrgURL string `json:"org_url,omitempty"`
	// OrgCreatedAt is the creation time, kept as sent.
	OrgCreatedAt string `json:"org_created_at,omitempty"`
	// TypeID is an organization type UUID.
	TypeID string `json:"type_id"`
	// StripeCustomerID is a billing id, usually null.
	StripeCustomerID string `json:"stripe_customer_id,omitempty"`
	// ExternalAdminGroup maps an identity-provider group to org admins.
	ExternalAdminGroup StringList `json:"external_admin_group,omitempty"`
	// ExternalMemberGroup maps an identity-provider group to members.
	ExternalMemberGroup StringList `json:"external_member_group,omitempty"`
	// ExternalExecutorGroup maps an identity-provider group to executors.
	ExternalExecutorGroup StringList `json:"external_executor_group,omitempty"`
	// ExternalID is the identity-provider id.
	ExternalID string `json:"external_id,omitempty"`
	// OwnerIDs are the owners' UUIDs.
	OwnerIDs []string `json:"owner_ids,omitempty"`
	// SelfLink is the organization's API URL.
	SelfLink string `json:"self_link,omitempty"`
	// ResourceType is "organization".
	ResourceType string `json:"resource_type,omitempty"`
}

// OrganizationRequest is the body of POST and PUT /v1/organizations; PUT
// replaces the organization, so org_url is always sent ("" clears it).
type OrganizationRequest struct {
	// OrgName is the short name (must equal the path on update).
	OrgName string `json:"org_name"`
	// OrgLabel is the display name.
	OrgLabel string `json:"org_label"`
	// OrgContactName is the contact person.
	OrgContactName string `json:"org_contact_name"`
	// OrgEmail is the contact address.
	OrgEmail string `json:"org_email"`
	// OrgURL is the web site.
	OrgURL string `json:"org_url"`
	// TypeID is an organization type UUID (see ListOrganizationTypes).
	TypeID string `json:"type_id"`
	// ExternalAdminGroup is sent only when non-empty.
	ExternalAdminGroup []string `json:"external_admin_group,omitempty"`
	// ExternalMemberGroup is sent only when non-empty.
	ExternalMemberGroup []string `json:"external_member_group,omitempty"`
	// ExternalID is sent only when non-empty.
	ExternalID string `json:"external_id,omitempty"`
}

// OrganizationType is one entry of /v1/organization/types.
type OrganizationType struct {
	// ID is the type's UUID, used as type_id.
	ID string `json:"id,omitempty"`
	// Name is basic, legacy, pro or a custom name.
	Name string `json:"name"`
}

// Member is one organization member (CONTRACT.md §10.3).
type Member struct {
	// Username is the member's account.
	Username string `json:"username"`
	// Role is owner, member, invited or unknown.
	Role string `json:"role"`
	// UserLink is the member's API URL.
	UserLink string `json:"user_link,omitempty"`
	// ResourceType is "organization_member".
	ResourceType string `json:"resource_type,omitempty"`
}

// CreateOrganization creates an organization (admin key); the key's user
// becomes its admin. It is a POST and is never retried.
func (c *Client) CreateOrganization(ctx context.Context, req OrganizationRequest) (*Organization, error) {
	var out Organization
	if _, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("organizations"), key: keyAdmin, body: req, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetOrganization returns one organization (admin key).
func (c *Client) GetOrganization(ctx context.Context, orgName string) (*Organization, error) {
	var out Organization
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("organizations", orgName), key: keyAdmin, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateOrganization replaces an organization (admin key); the platform
// answers 204, so read it back with GetOrganization if needed.
func (c *Client) UpdateOrganization(ctx context.Context, orgName string, req OrganizationRequest) error {
	_, err := c.do(ctx, request{method: http.MethodPut, path: apiPath("organizations", orgName), key: keyAdmin, body: req})
	return err
}

// DeleteOrganization deletes an organization (admin key); the platform
// answers 204 even when it does not exist.
func (c *Client) DeleteOrganization(ctx context.Context, orgName string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: apiPath("organizations", orgName), key: keyAdmin})
	return err
}

// ListOrganizations returns one page of organizations (admin key).
func (c *Client) ListOrganizations(ctx context.Context, opts ListOptions) (*Page[Organization], error) {
	var out Page[Organization]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("organizations"), key: keyAdmin, query: opts.values(), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllOrganizations returns every organization (admin key).
func (c *Client) ListAllOrganizations(ctx context.Context) ([]Organization, error) {
	return collectPages(ctx, func(ctx context.Context, marker string) (*Page[Organization], error) {
		return c.ListOrganizations(ctx, ListOptions{Marker: marker})
	})
}

// ListOrganizationTypes returns the organization types. Any key may call
// it; the admin key is used when configured, since org management runs with it.
func (c *Client) ListOrganizationTypes(ctx context.Context) ([]OrganizationType, error) {
	out := []OrganizationType{}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("organization", "types"), key: keyPreferAdmin, out: &out}); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateOrganizationType adds an organization type (admin key); never retried.
func (c *Client) CreateOrganizationType(ctx context.Context, t OrganizationType) (*OrganizationType, error) {
	var out OrganizationType
	if _, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("organization", "types"), key: keyAdmin, body: t, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddOrganizationMember adds username to the organization (admin key);
// added is false when the user was already a member (200 rather than 201).
func (c *Client) AddOrganizationMember(ctx context.Context, orgName, username string) (added bool, err error) {
	status, err := c.do(ctx, request{method: http.MethodPut, path: apiPath("organizations", orgName, "members", username), key: keyAdmin})
	if err != nil {
		return false, err
	}
	return status == http.StatusCreated, nil
}

// RemoveOrganizationMember removes username from the organization (admin
// key); removing the last owner fails with code 3102.
func (c *Client) RemoveOrganizationMember(ctx context.Context, orgName, username string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: apiPath("organizations", orgName, "members", username), key: keyAdmin})
	return err
}

// ListOrganizationMembers returns one page of members (admin key).
func (c *Client) ListOrganizationMembers(ctx context.Context, orgName string, opts ListOptions) (*Page[Member], error) {
	var out Page[Member]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("organizations", orgName, "members"), key: keyAdmin, query: opts.values(), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllOrganizationMembers returns every member (admin key).
func (c *Client) ListAllOrganizationMembers(ctx context.Context, orgName string) ([]Member, error) {
	return collectPages(ctx, func(ctx context.Context, marker string) (*Page[Member], error) {
		return c.ListOrganizationMembers(ctx, orgName, ListOptions{Marker: marker})
	})
}
