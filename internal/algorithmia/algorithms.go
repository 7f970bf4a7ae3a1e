package algorithmia

import (
	"context"
	"net/http"
)

// Values of settings fields (CONTRACT.md §5.1).
const (
	CallabilityPublic      = "public"
	CallabilityPrivate     = "private"
	SourceVisibilityOpen   = "open"
	SourceVisibilityClosed = "closed"
	NetworkAccessFull      = "full"
	NetworkAccessIsolated  = "isolated"
	EnvironmentCPU         = "cpu"
	EnvironmentGPU         = "gpu"
)

// Algorithm is the algorithm (= version) object of CONTRACT.md §5.1; version_info,
// build, compilation and self_link appear only after the first build.
type Algorithm struct {
	// ID is the algorithm's stable UUID.
	ID string `json:"id,omitempty"`
	// Name is the short name, unique per owner.
	Name string `json:"name"`
	// Details holds the display texts.
	Details Details `json:"details"`
	// Settings describes runtime and permissions of the latest version.
	Settings Settings `json:"settings"`
	// VersionInfo describes the build or version this object stands for.
	VersionInfo *VersionInfo `json:"version_info,omitempty"`
	// Build is the build that produced this version.
	Build *Build `json:"build,omitempty"`
	// Compilation is the outcome and log of the build.
	Compilation *Compilation `json:"compilation,omitempty"`
	// Source says which SCM holds the code.
	Source *Source `json:"source,omitempty"`
	// SelfLink is the API URL of this version.
	SelfLink string `json:"self_link,omitempty"`
	// ResourceType is always "algorithm".
	ResourceType string `json:"resource_type,omitempty"`
}

// Details are an algorithm's display texts; every field is always sent so a
// PUT can clear summary or tagline.
type Details struct {
	// Label is the display name (required on create).
	Label string `json:"label"`
	// Summary is the Docs tab text; the platform overwrites it from README.md.
	Summary string `json:"summary"`
	// Tagline is the one-line description.
	Tagline string `json:"tagline"`
}

// Settings are the settings as the platform reports them.
type Settings struct {
	// AlgorithmCallability is "public" or "private".
	AlgorithmCallability string `json:"algorithm_callability,omitempty"`
	// SourceVisibility is "open" or "closed".
	SourceVisibility string `json:"source_visibility,omitempty"`
	// Language is the legacy language (e.g. "python3-1"), empty in the environment model.
	Language string `json:"language,omitempty"`
	// Environment is "cpu" or "gpu" for the legacy language model.
	Environment string `json:"environment,omitempty"`
	// PackageSet is the package set the server chose or was given.
	PackageSet string `json:"package_set,omitempty"`
	// AlgorithmEnvironment is the environment id of CONTRACT.md §9.
	AlgorithmEnvironment string `json:"algorithm_environment,omitempty"`
	// License is apl, apache2, gpl3 or mit.
	License string `json:"license,omitempty"`
	// RoyaltyMicrocredits is the per-call royalty.
	RoyaltyMicrocredits *int64 `json:"royalty_microcredits,omitempty"`
	// NetworkAccess is "full" or "isolated".
	NetworkAccess string `json:"network_access,omitempty"`
	// PipelineEnabled says whether the algorithm may call other algorithms.
	PipelineEnabled bool `json:"pipeline_enabled"`
	// InsightsEnabled is reported by some servers.
	InsightsEnabled *bool `json:"insights_enabled,omitempty"`
}

// VersionInfo describes one build or published version.
type VersionInfo struct {
	// SemanticVersion is set only once published.
	SemanticVersion string `json:"semantic_version,omitempty"`
	// GitHash is the commit the version was built from.
	GitHash string `json:"git_hash,omitempty"`
	// VersionUUID identifies the version.
	VersionUUID string `json:"version_uuid,omitempty"`
	// ReleaseNotes are the publish notes.
	ReleaseNotes string `json:"release_notes,omitempty"`
	// SampleInput is the example input (JSON passed as an encoded string).
	SampleInput string `json:"sample_input,omitempty"`
	// SampleOutput is computed by the platform from SampleInput.
	SampleOutput string `json:"sample_output,omitempty"`
	// InsightsEnabled is the SPEC's place for the insights flag.
	InsightsEnabled *bool `json:"insights_enabled,omitempty"`
}

// Compilation is the outcome of the build behind a version.
type Compilation struct {
	// Successful is true when the build succeeded.
	Successful bool `json:"successful"`
	// Output is the build log.
	Output string `json:"output,omitempty"`
}

// Source says where an algorithm's code lives (CONTRACT.md §8.4).
type Source struct {
	// SCM is the SCM configuration (id "internal" for the platform's Git).
	SCM *SCM `json:"scm,omitempty"`
	// RepositoryOwner is the owner on an external SCM.
	RepositoryOwner string `json:"repository_owner,omitempty"`
	// RepositoryName is the repository on an external SCM.
	RepositoryName string `json:"repository_name,omitempty"`
	// RepositoryHTTPSURL is the HTTPS URL on an external SCM.
	RepositoryHTTPSURL string `json:"repository_https_url,omitempty"`
	// RepositorySSHURL is the SSH URL on an external SCM.
	RepositorySSHURL string `json:"repository_ssh_url,omitempty"`
}

// CreateSettings are the settings of a create request (SPEC SettingsMandatory).
type CreateSettings struct {
	// SourceVisibility is required: "open" or "closed".
	SourceVisibility string `json:"source_visibility"`
	// License is required: apl, apache2, gpl3 or mit.
	License string `json:"license"`
	// NetworkAccess is required: "full" or "isolated".
	NetworkAccess string `json:"network_access"`
	// PipelineEnabled is required.
	PipelineEnabled bool `json:"pipeline_enabled"`
	// Language is the legacy language; leave empty when using AlgorithmEnvironment.
	Language string `json:"language,omitempty"`
	// Environment is "cpu" or "gpu", needed with Language.
	Environment string `json:"environment,omitempty"`
	// PackageSet names a package set.
	PackageSet string `json:"package_set,omitempty"`
	// AlgorithmEnvironment is an environment id from ListEnvironments.
	AlgorithmEnvironment string `json:"algorithm_environment,omitempty"`
	// AlgorithmCallability is "public" or "private"; the server starts with "private".
	AlgorithmCallability string `json:"algorithm_callability,omitempty"`
	// RoyaltyMicrocredits is read-only on most servers; nil omits it.
	RoyaltyMicrocredits *int64 `json:"royalty_microcredits,omitempty"`
	// InsightsEnabled is sent only when non-nil.
	InsightsEnabled *bool `json:"insights_enabled,omitempty"`
}

// UpdateSettings are the settings of a PUT (SPEC Settings). The server
// replaces its settings with these, so send every field the algorithm uses;
// there is no Language because the language cannot change.
type UpdateSettings struct {
	// SourceVisibility is "open" or "closed".
	SourceVisibility string `json:"source_visibility"`
	// License is apl, apache2, gpl3 or mit.
	License string `json:"license"`
	// NetworkAccess is "full" or "isolated".
	NetworkAccess string `json:"network_access"`
	// PipelineEnabled is always sent, false included.
	PipelineEnabled bool `json:"pipeline_enabled"`
	// Environment is "cpu" or "gpu" for legacy-language algorithms.
	Environment string `json:"environment,omitempty"`
	// PackageSet must be repeated if the algorithm has one.
	PackageSet string `json:"package_set,omitempty"`
	// AlgorithmEnvironment is an environment id from ListEnvironments.
	AlgorithmEnvironment string `json:"algorithm_environment,omitempty"`
	// AlgorithmCallability is "public" or "private".
	AlgorithmCallability string `json:"algorithm_callability,omitempty"`
	// RoyaltyMicrocredits is read-only on most servers; nil omits it.
	RoyaltyMicrocredits *int64 `json:"royalty_microcredits,omitempty"`
	// InsightsEnabled is sent only when non-nil.
	InsightsEnabled *bool `json:"insights_enabled,omitempty"`
}

// UpdateSettings converts reported settings into a PUT body that keeps them
// unchanged, so callers can read, modify one field, and write back.
func (s Settings) UpdateSettings() UpdateSettings {
	return UpdateSettings{
		SourceVisibility:     s.SourceVisibility,
		License:              s.License,
		NetworkAccess:        s.NetworkAccess,
		PipelineEnabled:      s.PipelineEnabled,
		Environment:          s.Environment,
		PackageSet:           s.PackageSet,
		AlgorithmEnvironment: s.AlgorithmEnvironment,
		AlgorithmCallability: s.AlgorithmCallability,
		InsightsEnabled:      s.InsightsEnabled,
	}
}

// SampleInputInfo is the version_info of create and update requests.
type SampleInputInfo struct {
	// SampleInput is always sent, so "" clears it on update.
	SampleInput string `json:"sample_input"`
}

// SourceCreate picks the SCM for a new algorithm; nil uses the cluster default.
type SourceCreate struct {
	// SCM is the SCM configuration id (required when Source is given).
	SCM string `json:"scm"`
	// RepositoryOwner is the owner on the external SCM.
	RepositoryOwner string `json:"repository_owner,omitempty"`
	// RepositoryName defaults to the algorithm name.
	RepositoryName string `json:"repository_name,omitempty"`
	// InitialCommitMessage is the message of the template commit.
	InitialCommitMessage string `json:"initial_commit_message,omitempty"`
	// ExistingRepositoryName links an existing repository instead of creating one.
	ExistingRepositoryName string `json:"existing_repository_name,omitempty"`
}

// SCMCredentials authorise the platform on an external SCM.
type SCMCredentials struct {
	// Username for user+password credentials.
	Username string `json:"username,omitempty"`
	// Password for user+password credentials.
	Password string `json:"password,omitempty"`
	// SecretToken for token credentials.
	SecretToken string `json:"secretToken,omitempty"`
}

// CreateAlgorithmRequest is the body of POST /v1/algorithms/{owner} (SPEC CreateRequest).
type CreateAlgorithmRequest struct {
	// Name is the algorithm's short name.
	Name string `json:"name"`
	// Details are the display texts (Label required).
	Details Details `json:"details"`
	// Settings are the runtime and permission settings.
	Settings CreateSettings `json:"settings"`
	// VersionInfo carries the sample input; nil omits it.
	VersionInfo *SampleInputInfo `json:"version_info,omitempty"`
	// Source selects the SCM; nil uses the cluster's default.
	Source *SourceCreate `json:"source,omitempty"`
	// SCMCredentials are needed by some external SCMs.
	SCMCredentials *SCMCredentials `json:"scmsCredentials,omitempty"`
}

// UpdateAlgorithmRequest is the body of PUT /v1/algorithms/{owner}/{name} (SPEC UpdateRequest).
type UpdateAlgorithmRequest struct {
	// Details replace the current display texts.
	Details Details `json:"details"`
	// Settings replace the current settings.
	Settings UpdateSettings `json:"settings"`
	// VersionInfo carries the sample input; nil leaves it alone.
	VersionInfo *SampleInputInfo `json:"version_info,omitempty"`
}

// AlgorithmSummary is one item of GET /v1/users/{u}/algorithms.
type AlgorithmSummary struct {
	// ID is the algorithm's UUID.
	ID string `json:"id"`
	// AlgoName is the algorithm's short name.
	AlgoName string `json:"algoname"`
	// Username is the owner.
	Username string `json:"username"`
}

// CreateAlgorithm creates an algorithm owned by owner (a user or an
// organization). It is a POST and is never retried: after a transport error
// the caller should GetAlgorithm to learn whether it exists.
func (c *Client) CreateAlgorithm(ctx context.Context, owner string, req CreateAlgorithmRequest) (*Algorithm, error) {
	var out Algorithm
	_, err := c.do(ctx, request{method: http.MethodPost, path: apiPath("algorithms", owner), body: req, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetAlgorithm returns the algorithm as of its latest build.
func (c *Client) GetAlgorithm(ctx context.Context, owner, name string) (*Algorithm, error) {
	var out Algorithm
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", owner, name), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetAlgorithmByID returns the algorithm with the given UUID.
func (c *Client) GetAlgorithmByID(ctx context.Context, id string) (*Algorithm, error) {
	var out Algorithm
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("algorithms", id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAlgorithm replaces the algorithm's details and settings. Servers
// that answer without a body (the SPEC's HashResponse may be partial) are
// followed by a GET so the caller always gets the full object.
func (c *Client) UpdateAlgorithm(ctx context.Context, owner, name string, req UpdateAlgorithmRequest) (*Algorithm, error) {
	var out Algorithm
	if _, err := c.do(ctx, request{method: http.MethodPut, path: apiPath("algorithms", owner, name), body: req, out: &out}); err != nil {
		return nil, err
	}
	if out.Name == "" {
		return c.GetAlgorithm(ctx, owner, name)
	}
	return &out, nil
}

// DeleteAlgorithm deletes the algorithm; an external repository is left alone by the platform.
func (c *Client) DeleteAlgorithm(ctx context.Context, owner, name string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: apiPath("algorithms", owner, name)})
	return err
}

// ListUserAlgorithmsAsAdmin lists the algorithms owned by username (a user or an
// organization) with the admin key, which may list any account's algorithms.
func (c *Client) ListUserAlgorithmsAsAdmin(ctx context.Context, username string) ([]AlgorithmSummary, error) {
	out := []AlgorithmSummary{}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("users", username, "algorithms"), key: keyAdmin, out: &out}); err != nil {
		return nil, err
	}
	return out, nil
}

// ListUserAlgorithms lists the algorithms owned by username (not paged).
func (c *Client) ListUserAlgorithms(ctx context.Context, username string) ([]AlgorithmSummary, error) {
	out := []AlgorithmSummary{}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: apiPath("users", username, "algorithms"), key: keyPreferStandard, out: &out}); err != nil {
		return nil, err
	}
	return out, nil
}
