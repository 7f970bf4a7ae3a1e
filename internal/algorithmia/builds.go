package algorithmia

import (
	"context"
	"net/http"
)

// Build statuses (CONTRACT.md §6.1).
const (
	BuildStatusInProgress = "in-progress"
	BuildStatusSucceeded  = "succeeded"
	BuildStatusFailed     = "failed"
)

// Build is one build of an algorithm (CONTRACT.md §6.1). Timestamps are kept as the
// platform's RFC 3339 strings so they round-trip unchanged.
type Build struct {
	// BuildID is the build's UUID.
	BuildID string `json:"build_id"`
	// CommitSHA is the commit that was built.
	CommitSHA string `json:"commit_sha"`
	// Status is in-progress, succeeded or failed.
	Status string `json:"status"`
	// StartedAt is when the build started.
	StartedAt string `json:"started_at,omitempty"`
	// FinishedAt is when the build ended; empty while in progress.
	FinishedAt string `json:"finished_at,omitempty"`
	// ResourceType is "algorithm_build" when present; servers may leave it out.
	ResourceType string `json:"resource_type,omitempty"`
	// VersionInfo is set only if this build was published.
	VersionInfo *BuildVersionInfo `json:"version_info,omitempty"`
	// RegistryStatus is the image registry push status, when mirroring is on.
	RegistryStatus *RegistryStatus `json:"registry_status,omitempty"`
}

// Finished reports whether the build has ended (succeeded or failed).
func (b Build) Finished() bool {
	return b.Status == BuildStatusSucceeded || b.Status == BuildStatusFailed
}

// BuildVersionInfo is the published version of a build.
type BuildVersionInfo struct {
	// SemanticVersion is the version this build was published as.
	SemanticVersion string `json:"semantic_version"`
}

// RegistryStatus is the status of pushing a build's image to a registry.
type RegistryStatus struct {
	// Status is the push status.
	Status string `json:"status,omitempty"`
	// UpdatedAt is when the status last changed.
	UpdatedAt string `json:"updated_at,omitempty"`
	// StatusMessage explains the status.
	StatusMessage string `json:"status_message,omitempty"`
	// RegistryID names the registry.
	RegistryID string `json:"registry_id,omitempty"`
}

// buildLogs is the body of GET .../builds/{id}/logs.
type buildLogs struct {
	Logs string `json:"logs"`
}

// Compile builds the latest commit of the default branch and returns the
// algorithm with the new version_info.git_hash and compilation. It is a POST
// and is never retried; after a transport error list the builds instead.
func (c *Client) Compile(ctx context.Context, owner, name string) (*Algorithm, error) {
	var out Algorithm
	_, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("algorithms", owner, name, "compile"), body: struct{}{}, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListBuilds returns one page of builds, newest first.
func (c *Client) ListBuilds(ctx context.Context, owner, name string, opts ListOptions) (*Page[Build], error) {
	var out Page[Build]
	_, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", owner, name, "builds"), query: opts.values(), out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// WalkBuilds calls fn for each build, newest first, following markers until
// the last page or until fn returns false (e.g. once a commit is found).
func (c *Client) WalkBuilds(ctx context.Context, owner, name string, pageSize int, fn func(Build) bool) error {
	return walkPages(ctx, func(ctx context.Context, marker string) (*Page[Build], error) {
		return c.ListBuilds(ctx, owner, name, ListOptions{Limit: pageSize, Marker: marker})
	}, fn)
}

// ListAllBuilds returns every build of the algorithm.
func (c *Client) ListAllBuilds(ctx context.Context, owner, name string) ([]Build, error) {
	return collectPages(ctx, func(ctx context.Context, marker string) (*Page[Build], error) {
		return c.ListBuilds(ctx, owner, name, ListOptions{Marker: marker})
	})
}

// GetBuild returns one build.
func (c *Client) GetBuild(ctx context.Context, owner, name, buildID string) (*Build, error) {
	var out Build
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", owner, name, "builds", buildID), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetBuildLogs returns a finished build's log; the platform answers 404
// (ErrNotFound) while the build is still running.
func (c *Client) GetBuildLogs(ctx context.Context, owner, name, buildID string) (string, error) {
	var out buildLogs
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", owner, name, "builds", buildID, "logs"), out: &out}); err != nil {
		return "", err
	}
	return out.Logs, nil
}
