package algorithmia

import (
	"context"
	"net/http"
)

// Machine types of an environment (CONTRACT.md §9).
const (
	MachineTypeCPU = "CPU"
	MachineTypeGPU = "GPU"
)

// Language is one entry of the languages list (CONTRACT.md §9).
type Language struct {
	// Name is the language id, e.g. "python3".
	Name string `json:"name"`
	// DisplayName is the human name.
	DisplayName string `json:"display_name"`
	// Configuration is a JSON document serialised as a string.
	Configuration string `json:"configuration,omitempty"`
}

// Environment is one runtime environment of a language (CONTRACT.md §9).
type Environment struct {
	// ID goes into settings.algorithm_environment; it differs per cluster.
	ID string `json:"id"`
	// EnvironmentSpecificationID identifies the template spec (not for settings).
	EnvironmentSpecificationID string `json:"environment_specification_id"`
	// DisplayName is the human name, e.g. "Python 3.8".
	DisplayName string `json:"display_name"`
	// Description says what is installed.
	Description string `json:"description,omitempty"`
	// CreatedAt is a timestamp without time zone, kept as sent.
	CreatedAt string `json:"created_at,omitempty"`
	// Language is the language this environment belongs to.
	Language *Language `json:"language,omitempty"`
	// MachineType is "CPU" or "GPU".
	MachineType string `json:"machine_type"`
}

type environmentList struct {
	Environments []Environment `json:"environments"`
}

// ListLanguages returns the languages the cluster supports.
func (c *Client) ListLanguages(ctx context.Context) ([]Language, error) {
	out := []Language{}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithm-environments", "edge", "languages"), out: &out}); err != nil {
		return nil, err
	}
	return out, nil
}

// ListEnvironments returns the environments of one language.
func (c *Client) ListEnvironments(ctx context.Context, language string) ([]Environment, error) {
	var out environmentList
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithm-environments", "edge", "languages", language, "environments"), out: &out}); err != nil {
		return nil, err
	}
	if out.Environments == nil {
		out.Environments = []Environment{}
	}
	return out.Environments, nil
}
