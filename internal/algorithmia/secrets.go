package algorithmia

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// SecretOwnerAlgorithm is the owner_type of an algorithm's secret.
const SecretOwnerAlgorithm = "algorithm"

// SecretProvider is a secret store the cluster offers (the spec's ProviderInfo).
type SecretProvider struct {
	// ID is the provider's UUID, which secrets name as provider_id.
	ID string `json:"id"`
	// Name is the provider's display name.
	Name string `json:"name"`
	// Description says what the provider is.
	Description string `json:"description"`
	// ModuleName is the plug-in module.
	ModuleName string `json:"moduleName"`
	// IsEnabled says whether secrets can use the provider.
	IsEnabled bool `json:"isEnabled"`
	// IsDefault marks the provider secrets get when they name none.
	IsDefault bool `json:"isDefault"`
}

// AlgorithmSecret is an algorithm's secret as the platform returns it: its
// metadata only. The platform never returns the value.
type AlgorithmSecret struct {
	// ID is the secret's UUID.
	ID string `json:"id"`
	// ShortName is the secret's name, unique per algorithm.
	ShortName string `json:"short_name"`
	// Description is free text.
	Description string `json:"description"`
	// SecretKey is the name the algorithm reads the value under.
	SecretKey string `json:"secret_key,omitempty"`
	// OwnerType is "algorithm".
	OwnerType string `json:"owner_type,omitempty"`
	// OwnerID is the algorithm's UUID.
	OwnerID string `json:"owner_id,omitempty"`
	// ProviderID is the secret provider holding the value.
	ProviderID string `json:"provider_id,omitempty"`
	// DefaultSecretValueID names the current value; it changes when the value does.
	DefaultSecretValueID string `json:"default_secret_value_id,omitempty"`
}

// CreateAlgorithmSecretRequest is the body of POST /v1/algorithms/{id}/secrets.
type CreateAlgorithmSecretRequest struct {
	// OwnerType is "algorithm" (CreateAlgorithmSecret fills it in).
	OwnerType string `json:"owner_type"`
	// OwnerID is the algorithm's UUID (CreateAlgorithmSecret fills it in).
	OwnerID string `json:"owner_id"`
	// ShortName is the secret's name.
	ShortName string `json:"short_name"`
	// ProviderID picks the secret provider; empty means the cluster's default.
	ProviderID string `json:"provider_id,omitempty"`
	// SecretKey is the name the algorithm reads the value under.
	SecretKey string `json:"secret_key"`
	// SecretValue is the value: a secret, scrubbed from errors and never printed.
	SecretValue string `json:"secret_value"`
	// Description is free text.
	Description string `json:"description"`
}

// String hides the value so a request printed with %v leaks nothing.
func (r CreateAlgorithmSecretRequest) String() string {
	return fmt.Sprintf("CreateAlgorithmSecretRequest{OwnerID:%q ShortName:%q ProviderID:%q SecretKey:%q SecretValue:%s Description:%q}",
		r.OwnerID, r.ShortName, r.ProviderID, r.SecretKey, maskIfSet(r.SecretValue), r.Description)
}

// UpdateAlgorithmSecretRequest is the body of PUT /v1/algorithms/{id}/secrets/{secretId}.
type UpdateAlgorithmSecretRequest struct {
	// ShortName is the secret's name.
	ShortName string `json:"short_name"`
	// Description is free text.
	Description string `json:"description"`
	// SecretKey is the name the algorithm reads the value under.
	SecretKey string `json:"secret_key"`
	// SecretValue is a new value; empty keeps the current one.
	SecretValue string `json:"secret_value,omitempty"`
}

// String hides the value so a request printed with %v leaks nothing.
func (r UpdateAlgorithmSecretRequest) String() string {
	return fmt.Sprintf("UpdateAlgorithmSecretRequest{ShortName:%q SecretKey:%q SecretValue:%s Description:%q}",
		r.ShortName, r.SecretKey, maskIfSet(r.SecretValue), r.Description)
}

// ListSecretProviders returns the cluster's secret providers (GET /v1/secret-provider).
func (c *Client) ListSecretProviders(ctx context.Context) ([]SecretProvider, error) {
	var out []SecretProvider
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("secret-provider"), key: keyPreferStandard, out: &out}); err != nil {
		return nil, err
	}
	return out, nil
}

// DefaultSecretProvider returns the provider marked default, else the only
// enabled one; an error matching ErrNotFound when there is none.
func (c *Client) DefaultSecretProvider(ctx context.Context) (*SecretProvider, error) {
	ps, err := c.ListSecretProviders(ctx)
	if err != nil {
		return nil, err
	}
	var enabled []SecretProvider
	for _, p := range ps {
		if p.IsDefault {
			return &p, nil
		}
		if p.IsEnabled {
			enabled = append(enabled, p)
		}
	}
	if len(enabled) == 1 {
		return &enabled[0], nil
	}
	return nil, fmt.Errorf("algorithmia: %s offers no default secret provider (%d enabled): %w", c.base.String(), len(enabled), ErrNotFound)
}

// secretList accepts both shapes of the list: the SPEC's "results" and the
// Python mock's "secrets" (CONTRACT.md §13 CONFLICT).
type secretList struct {
	Results []AlgorithmSecret `json:"results"`
	Secrets []AlgorithmSecret `json:"secrets"`
}

// ListAlgorithmSecrets returns the metadata of every secret of the algorithm
// with the given UUID.
func (c *Client) ListAlgorithmSecrets(ctx context.Context, algorithmID string) ([]AlgorithmSecret, error) {
	var raw json.RawMessage
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", algorithmID, "secrets"), out: &raw}); err != nil {
		return nil, err
	}
	var out secretList
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("algorithmia: GET %s: decoding secrets: %w", apiPath("algorithms", algorithmID, "secrets"), err)
		}
	}
	if out.Results == nil {
		return out.Secrets, nil
	}
	return out.Results, nil
}

// FindAlgorithmSecret returns the algorithm's secret named shortName, or an
// error matching ErrNotFound.
func (c *Client) FindAlgorithmSecret(ctx context.Context, algorithmID, shortName string) (*AlgorithmSecret, error) {
	list, err := c.ListAlgorithmSecrets(ctx, algorithmID)
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		if s.ShortName == shortName {
			return &s, nil
		}
	}
	return nil, fmt.Errorf("algorithmia: algorithm %s has no secret %q: %w", algorithmID, shortName, ErrNotFound)
}

// GetAlgorithmSecret returns one secret by id (from the list: the platform has
// no GET for a single secret), or an error matching ErrNotFound.
func (c *Client) GetAlgorithmSecret(ctx context.Context, algorithmID, secretID string) (*AlgorithmSecret, error) {
	list, err := c.ListAlgorithmSecrets(ctx, algorithmID)
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		if s.ID == secretID {
			return &s, nil
		}
	}
	return nil, fmt.Errorf("algorithmia: algorithm %s has no secret %s: %w", algorithmID, secretID, ErrNotFound)
}

// CreateAlgorithmSecret creates a secret of the algorithm with the given UUID.
// owner_type and owner_id are filled in. The value is scrubbed from every error
// and log line of the call. It is a POST and is never retried: after a
// transport error, FindAlgorithmSecret tells whether it exists.
func (c *Client) CreateAlgorithmSecret(ctx context.Context, algorithmID string, req CreateAlgorithmSecretRequest) (*AlgorithmSecret, error) {
	req.OwnerType, req.OwnerID = SecretOwnerAlgorithm, algorithmID
	var out AlgorithmSecret
	_, err := c.do(ctx, request{
		method: http.MethodPost, path: apiPath("algorithms", algorithmID, "secrets"),
		body: req, out: &out, secrets: []string{req.SecretValue},
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAlgorithmSecret changes a secret's metadata and, when req.SecretValue is
// set, its value (scrubbed like CreateAlgorithmSecret's).
func (c *Client) UpdateAlgorithmSecret(ctx context.Context, algorithmID, secretID string, req UpdateAlgorithmSecretRequest) (*AlgorithmSecret, error) {
	var out AlgorithmSecret
	_, err := c.do(ctx, request{
		method: http.MethodPut, path: apiPath("algorithms", algorithmID, "secrets", secretID),
		body: req, out: &out, secrets: []string{req.SecretValue},
	})
	if err != nil {
		return nil, err
	}
	if out.ID == "" {
		return c.GetAlgorithmSecret(ctx, algorithmID, secretID)
	}
	return &out, nil
}

// DeleteAlgorithmSecret deletes a secret; a missing one is an error matching ErrNotFound.
func (c *Client) DeleteAlgorithmSecret(ctx context.Context, algorithmID, secretID string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: apiPath("algorithms", algorithmID, "secrets", secretID)})
	return err
}
