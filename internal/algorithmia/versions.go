package algorithmia

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Version types of a publish (CONTRACT.md §7.1).
const (
	VersionTypeMajor    = "major"
	VersionTypeMinor    = "minor"
	VersionTypeRevision = "revision"
)

// VersionRequest is the body of POST .../versions (SPEC VersionRequest);
// every part is optional and overrides what create set.
type VersionRequest struct {
	// Details override the display texts; nil keeps them.
	Details *Details `json:"details,omitempty"`
	// Settings override permissions for this version; nil keeps them.
	Settings *PublishSettings `json:"settings,omitempty"`
	// VersionInfo says how to number the version and what to note.
	VersionInfo PublishVersionInfo `json:"version_info"`
	// RegistryPushCredentials are needed only with registry mirroring.
	RegistryPushCredentials *RegistryPushCredentials `json:"registry_push_credentials,omitempty"`
}

// PublishSettings are the settings a publish may set (SPEC SettingsPublish).
type PublishSettings struct {
	// AlgorithmCallability is "public" or "private".
	AlgorithmCallability string `json:"algorithm_callability,omitempty"`
	// SourceVisibility is "open" or "closed".
	SourceVisibility string `json:"source_visibility,omitempty"`
	// License is apl, apache2, gpl3 or mit.
	License string `json:"license,omitempty"`
	// RoyaltyMicrocredits is writable at publish time; nil omits it.
	RoyaltyMicrocredits *int64 `json:"royalty_microcredits,omitempty"`
	// NetworkAccess is "full" or "isolated".
	NetworkAccess string `json:"network_access,omitempty"`
	// PipelineEnabled is sent only when non-nil.
	PipelineEnabled *bool `json:"pipeline_enabled,omitempty"`
}

// PublishVersionInfo is the version_info of a publish (SPEC VersionInfoPublish).
type PublishVersionInfo struct {
	// VersionType is major, minor or revision; empty lets the server default to minor.
	VersionType string `json:"version_type,omitempty"`
	// ReleaseNotes are shown with the version.
	ReleaseNotes string `json:"release_notes,omitempty"`
	// SampleInput is the example input for this version.
	SampleInput string `json:"sample_input,omitempty"`
	// SampleOutput overrides the computed sample output.
	SampleOutput string `json:"sample_output,omitempty"`
	// GitHash names the build to publish (older servers); empty means the latest successful build.
	GitHash string `json:"git_hash,omitempty"`
	// InsightsEnabled is sent only when non-nil.
	InsightsEnabled *bool `json:"insights_enabled,omitempty"`
}

// RegistryPushCredentials name the registry an image is pushed to.
type RegistryPushCredentials struct {
	// RegistryID names the registry.
	RegistryID string `json:"registry_id"`
	// RegistryUsername is the registry user, if needed.
	RegistryUsername string `json:"registry_username,omitempty"`
	// RegistryPassword is the registry password, if needed.
	RegistryPassword string `json:"registry_password,omitempty"`
}

// VersionFilter narrows ListVersions (CONTRACT.md §7.3); nil fields do not filter.
type VersionFilter struct {
	// Published true lists only versions with a semantic version, false only unpublished builds.
	Published *bool
	// Callable true lists only public versions, false only private ones.
	Callable *bool
}

func (f VersionFilter) apply(v url.Values) url.Values {
	if f.Published != nil {
		v.Set("published", strconv.FormatBool(*f.Published))
	}
	if f.Callable != nil {
		v.Set("callable", strconv.FormatBool(*f.Callable))
	}
	return v
}

// PublishVersion publishes the latest successful build and returns the
// published version. It is a POST and is never retried: after a transport
// error the caller should list published versions to see whether it landed.
func (c *Client) PublishVersion(ctx context.Context, owner, name string, req VersionRequest) (*Algorithm, error) {
	var out Algorithm
	_, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("algorithms", owner, name, "versions"), body: req, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListVersions returns one page of versions, newest first.
func (c *Client) ListVersions(ctx context.Context, owner, name string, filter VersionFilter, opts ListOptions) (*Page[Algorithm], error) {
	var out Page[Algorithm]
	_, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", owner, name, "versions"), query: filter.apply(opts.values()), out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// WalkVersions calls fn for each matching version, newest first, until the
// last page or until fn returns false.
func (c *Client) WalkVersions(ctx context.Context, owner, name string, filter VersionFilter, pageSize int, fn func(Algorithm) bool) error {
	return walkPages(ctx, func(ctx context.Context, marker string) (*Page[Algorithm], error) {
		return c.ListVersions(ctx, owner, name, filter, ListOptions{Limit: pageSize, Marker: marker})
	}, fn)
}

// ListAllVersions returns every matching version.
func (c *Client) ListAllVersions(ctx context.Context, owner, name string, filter VersionFilter) ([]Algorithm, error) {
	return collectPages(ctx, func(ctx context.Context, marker string) (*Page[Algorithm], error) {
		return c.ListVersions(ctx, owner, name, filter, ListOptions{Marker: marker})
	})
}

// LatestPublishedVersion returns the newest published version (the first of
// published=true&limit=1), or nil when none was published.
func (c *Client) LatestPublishedVersion(ctx context.Context, owner, name string) (*Algorithm, error) {
	published := true
	page, err := c.ListVersions(ctx, owner, name, VersionFilter{Published: &published}, ListOptions{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Results) == 0 {
		return nil, nil
	}
	return &page.Results[0], nil
}

// GetVersion returns the version built from gitHash.
func (c *Client) GetVersion(ctx context.Context, owner, name, gitHash string) (*Algorithm, error) {
	var out Algorithm
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", owner, name, "versions", gitHash), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}
