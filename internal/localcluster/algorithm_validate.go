package localcluster

import (
	"errors"
	"net/http"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/runtimes"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// sourceCreateBody is the spec's SourceCreate.
type sourceCreateBody struct {
	Scm                    *string `json:"scm"`
	RepositoryOwner        *string `json:"repository_owner"`
	RepositoryName         *string `json:"repository_name"`
	InitialCommitMessage   *string `json:"initial_commit_message"`
	ExistingRepositoryName *string `json:"existing_repository_name"`
}

// detailsBody and settingsBody tell "absent" from "zero" so validation can
// name missing fields.
type detailsBody struct {
	Label   *string `json:"label"`
	Summary *string `json:"summary"`
	Tagline *string `json:"tagline"`
}

type settingsBody struct {
	settingsPatch
	Language             *string `json:"language"`
	Environment          *string `json:"environment"`
	PackageSet           *string `json:"package_set"`
	AlgorithmEnvironment *string `json:"algorithm_environment"`
	InsightsEnabled      *bool   `json:"insights_enabled"`
}

// settingsPatch holds the settings that both a create or update body and a
// publish body (CONTRACT.md §7.1) may set; a nil field keeps the current value.
type settingsPatch struct {
	AlgorithmCallability *string `json:"algorithm_callability"`
	SourceVisibility     *string `json:"source_visibility"`
	License              *string `json:"license"`
	RoyaltyMicrocredits  *int64  `json:"royalty_microcredits"`
	NetworkAccess        *string `json:"network_access"`
	PipelineEnabled      *bool   `json:"pipeline_enabled"`
}

var (
	callabilities = []string{"public", "private"}
	visibilities  = []string{"open", "closed"}
	licenses      = []string{"apl", "apache2", "gpl3", "mit"}
	networks      = []string{"isolated", "full"}
	machines      = []string{"cpu", "gpu"}
)

func oneOf(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return errf(http.StatusBadRequest, codeInvalidRequest, "settings.%s must be one of %s", field, strings.Join(allowed, ", "))
}

// applyTo overwrites the settings p names and checks the result with
// validateSettings. A negative royalty is refused before the enumerations.
func (p *settingsPatch) applyTo(s *settings) error {
	if p == nil {
		return validateSettings(*s)
	}
	if p.AlgorithmCallability != nil {
		s.AlgorithmCallability = *p.AlgorithmCallability
	}
	if p.SourceVisibility != nil {
		s.SourceVisibility = *p.SourceVisibility
	}
	if p.License != nil {
		s.License = *p.License
	}
	if p.NetworkAccess != nil {
		s.NetworkAccess = *p.NetworkAccess
	}
	if p.PipelineEnabled != nil {
		s.PipelineEnabled = *p.PipelineEnabled
	}
	if p.RoyaltyMicrocredits != nil {
		if *p.RoyaltyMicrocredits < 0 {
			return errf(http.StatusBadRequest, codeInvalidRequest, "settings.royalty_microcredits must not be negative")
		}
		s.RoyaltyMicrocredits = *p.RoyaltyMicrocredits
	}
	return validateSettings(*s)
}

// validateSettings checks the enumerated settings every algorithm and
// version carries.
func validateSettings(s settings) error {
	for _, chk := range []error{
		oneOf("algorithm_callability", s.AlgorithmCallability, callabilities),
		oneOf("source_visibility", s.SourceVisibility, visibilities),
		oneOf("license", s.License, licenses),
		oneOf("network_access", s.NetworkAccess, networks),
	} {
		if chk != nil {
			return chk
		}
	}
	return nil
}

// resolveSettings validates a create or update body's settings against the
// previous ones (nil on create) and returns the full settings to store plus
// the language builds check the tree as. Settings are replaced as a whole;
// the language can never change.
func resolveSettings(tx *store.Tx, b *settingsBody, prev *algorithmRecord) (settings, string, error) {
	s, err := resolveGeneralSettings(b, prev)
	if err != nil {
		return s, "", err
	}
	buildLang, err := resolveRuntime(tx, b, prev, &s)
	if err != nil {
		return s, "", err
	}
	return s, buildLang, nil
}

// resolveGeneralSettings checks that the required settings are present and
// merges them over the defaults: private, or the previous callability,
// royalty and insights.
func resolveGeneralSettings(b *settingsBody, prev *algorithmRecord) (settings, error) {
	var s settings
	if b == nil {
		return s, errf(http.StatusBadRequest, codeInvalidRequest, "settings is required")
	}
	var missing []string
	for name, v := range map[string]bool{
		"source_visibility": b.SourceVisibility == nil, "license": b.License == nil,
		"network_access": b.NetworkAccess == nil, "pipeline_enabled": b.PipelineEnabled == nil,
	} {
		if v {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return s, errf(http.StatusBadRequest, codeInvalidRequest, "settings is missing required fields: %s", strings.Join(sortedStrings(missing), ", "))
	}
	// The four fields checked above are present, so the patch replaces them;
	// callability, royalty and insights default to the previous values.
	s.AlgorithmCallability = "private"
	if prev != nil {
		s.AlgorithmCallability, s.RoyaltyMicrocredits, s.InsightsEnabled = prev.Settings.AlgorithmCallability, prev.Settings.RoyaltyMicrocredits, prev.Settings.InsightsEnabled
	}
	if b.InsightsEnabled != nil {
		s.InsightsEnabled = *b.InsightsEnabled
	}
	if err := b.applyTo(&s); err != nil {
		return s, err
	}
	return s, nil
}

// resolveRuntime sets the language, machine type, package set and algorithm
// environment on s and returns the language builds check the tree as. The
// language family can never change.
func resolveRuntime(tx *store.Tx, b *settingsBody, prev *algorithmRecord, s *settings) (string, error) {
	buildLang := ""
	if prev != nil {
		s.Language, s.Environment, s.PackageSet, s.AlgorithmEnvironment = prev.Settings.Language, prev.Settings.Environment, prev.Settings.PackageSet, prev.Settings.AlgorithmEnvironment
		buildLang = prev.BuildLanguage
		if b.Language != nil && *b.Language != prev.Settings.Language {
			return "", errf(http.StatusBadRequest, codeInvalidRequest, "the language of an algorithm cannot change (it is %q)", prev.Settings.Language)
		}
	} else if b.Language != nil {
		if !runtimes.IsLegacyLanguage(*b.Language) {
			return "", errf(http.StatusBadRequest, codeUnknownLanguage, "Unknown algorithm language %q", *b.Language)
		}
		s.Language, buildLang = *b.Language, *b.Language
	}
	if b.Environment != nil {
		if err := oneOf("environment", *b.Environment, machines); err != nil {
			return "", err
		}
		s.Environment = *b.Environment
	}
	env, err := requestedEnvironment(tx, b, prev)
	if err != nil {
		return "", err
	}
	if env != nil {
		if buildLang != "" && runtimes.Family(buildLang) != runtimes.Family(env.Language) {
			return "", errf(http.StatusBadRequest, codeInvalidRequest, "the language of an algorithm cannot change: environment %q is for %s", env.DisplayName, env.Language)
		}
		s.AlgorithmEnvironment, s.PackageSet = env.ID, env.PackageSet
		if b.Environment == nil {
			s.Environment = strings.ToLower(env.MachineType)
		}
		if prev == nil || buildLang == "" {
			buildLang = env.Language
		}
	}
	if buildLang == "" {
		return "", errf(http.StatusBadRequest, codeInvalidRequest, "settings.language or settings.algorithm_environment is required")
	}
	if s.Language != "" && s.Environment == "" {
		return "", errf(http.StatusBadRequest, codeInvalidRequest, "settings.environment is required with settings.language")
	}
	return buildLang, nil
}

// requestedEnvironment is the environment the body names by id or, when it
// changes, by package set; nil when it names none.
func requestedEnvironment(tx *store.Tx, b *settingsBody, prev *algorithmRecord) (*environment, error) {
	var match func(environment) bool
	var notFound error
	switch {
	case b.AlgorithmEnvironment != nil && *b.AlgorithmEnvironment != "":
		match = func(e environment) bool { return e.ID == *b.AlgorithmEnvironment }
		notFound = errf(http.StatusBadRequest, codePackageSetNotFound, "Unknown algorithm environment %q", *b.AlgorithmEnvironment)
	case b.PackageSet != nil && *b.PackageSet != "" && (prev == nil || *b.PackageSet != prev.Settings.PackageSet):
		match = func(e environment) bool { return e.PackageSet == *b.PackageSet }
		notFound = errf(http.StatusBadRequest, codePackageSetNotFound, "Unknown package set %q", *b.PackageSet)
	default:
		return nil, nil
	}
	e, ok, err := findEnvironment(tx, match)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound
	}
	return &e, nil
}

func resolveDetails(b *detailsBody, prev details) (details, error) {
	if b == nil || b.Label == nil || *b.Label == "" {
		return prev, errf(http.StatusBadRequest, codeInvalidRequest, "details.label is required")
	}
	return details{Label: *b.Label, Summary: str(b.Summary), Tagline: str(b.Tagline)}, nil
}

// resolveSource checks the source of a create request (CONTRACT.md §5.2, §8.4) and
// returns the link to record, or nil for the internal SCM. Without source,
// or without source.scm, the cluster's default SCM is used.
func resolveSource(tx *store.Tx, r *http.Request, cl *caller, b *sourceCreateBody, oneShotToken, owner, name string) (*algoSource, error) {
	id := defaultScmID(tx)
	if b != nil && str(b.Scm) != "" {
		id = *b.Scm
	}
	s, err := findScm(tx, id)
	if err != nil {
		return nil, errf(http.StatusBadRequest, codeScmConfigurationNotFound, "SCM configuration %q was not found.", id)
	}
	if !s.Enabled {
		return nil, errf(http.StatusBadRequest, codeScmDisabled, "SCM %q is disabled; algorithms cannot be created on it.", id)
	}
	if id == scmInternal {
		return nil, nil
	}
	if b != nil && str(b.ExistingRepositoryName) != "" {
		return nil, errf(http.StatusBadRequest, codeNotImplemented, "source.existing_repository_name is not supported by this cluster; the platform creates the repository.")
	}
	var auth scmAuthRecord
	if oneShotToken != "" {
		login, ok, err := extTokenLogin(tx, id, oneShotToken)
		if err != nil {
			return nil, err
		}
		if !ok || login == "" {
			return nil, errf(http.StatusBadRequest, codeScmNotAuthenticated, "The SCM %q did not accept scmsCredentials.", id)
		}
		auth.ScmUsername = login
	} else if err := tx.Get(bucketScmAuths, scmAuthKey(id, cl.owner), &auth); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errf(http.StatusBadRequest, codeScmConnectionNotFound, "%s has not authorised SCM %q; connect first (POST /v1/scms/%s/token/connect) or send scmsCredentials.", cl.owner, id, id)
		}
		return nil, err
	}
	src := &algoSource{Scm: id, RepoOwner: auth.ScmUsername, RepoName: name}
	if b != nil && str(b.RepositoryOwner) != "" {
		src.RepoOwner = *b.RepositoryOwner
	}
	if b != nil && str(b.RepositoryName) != "" {
		src.RepoName = *b.RepositoryName
	}
	if !gitserver.ValidHostName(src.RepoOwner) || !gitserver.ValidHostName(src.RepoName) {
		return nil, errf(http.StatusBadRequest, codeInputValidation, "source.repository_owner and source.repository_name must be letters, digits, '.', '-' or '_', start with a letter or digit and not end in .git")
	}
	if src.RepoOwner != auth.ScmUsername {
		return nil, errf(http.StatusBadRequest, codeScmNotAuthorized, "SCM %q does not let %s create repositories under %q.", id, auth.ScmUsername, src.RepoOwner)
	}
	if tx.Has(bucketExtRepos, extRepoKey(id, src.RepoOwner, src.RepoName)) {
		return nil, errRepoExists(id, src.RepoOwner, src.RepoName)
	}
	src.WebhookURL = baseURL(r) + "/v1/algorithms/" + owner + "/" + name + "/scm/webhook"
	src.WebhookSecret = randomHex(20)
	if src.DeployKey, err = newDeployKey("algorithmia:" + owner + "/" + name); err != nil {
		return nil, err
	}
	return src, nil
}

// mergeInto copies the details a publish body names onto dst; unlike an
// update, a publish may leave any of them out, and an empty label is ignored.
func (d *detailsBody) mergeInto(dst *details) {
	if d == nil {
		return
	}
	if d.Label != nil && *d.Label != "" {
		dst.Label = *d.Label
	}
	if d.Summary != nil {
		dst.Summary = *d.Summary
	}
	if d.Tagline != nil {
		dst.Tagline = *d.Tagline
	}
}
