package localcluster

import (
	"encoding/json"
	"regexp"
	"time"
)

// Buckets of the store. Keys are chosen so that a prefix scan lists one
// owner's or one algorithm's records.
const (
	bucketUsers        = "users"         // username -> userRecord
	bucketUserIDs      = "user_ids"      // user id -> username
	bucketEmails       = "emails"        // lower-cased email -> username
	bucketKeys         = "keys"          // sha256(key) -> keyRecord
	bucketOrgs         = "orgs"          // org name -> orgRecord
	bucketMembers      = "members"       // org "/" username -> memberRecord
	bucketOrgTypes     = "org_types"     // type name -> orgType
	bucketAlgorithms   = "algorithms"    // owner "/" name -> algorithmRecord
	bucketAlgorithmIDs = "algorithm_ids" // algorithm id -> owner "/" name
	bucketBuilds       = "builds"        // owner "/" name "/" %020d(seq) -> buildRecord
	bucketVersions     = "versions"      // owner "/" name "/" git hash -> versionRecord
	bucketEnvironments = "environments"  // spec name -> environmentIDs
)

var (
	namePattern  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	emailPattern = regexp.MustCompile(`^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+[.][a-zA-Z]{2,6}$`)
	uuidPattern  = regexp.MustCompile(`^[a-zA-Z0-9]{8}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{12}$`)
)

func validName(s string) bool { return len(s) <= 30 && namePattern.MatchString(s) }

// timeFormat is ISO-8601 UTC with milliseconds and Z, as builds carry (§6.1).
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

type userRecord struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	Email       string    `json:"email"`
	Fullname    string    `json:"fullname"`
	CompanyName string    `json:"company_name,omitempty"`
	CompanyRole string    `json:"company_role,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// permissions is the spec's AuthPermissions.
type permissions struct {
	AllowData           bool     `json:"allow_data"`
	AllowDataWrite      bool     `json:"allow_data_write"`
	AllowAlgo           bool     `json:"allow_algo"`
	AllowWebAlgo        bool     `json:"allow_web_algo"`
	RefererHost         string   `json:"referer_host,omitempty"`
	AllowAlgoManagement bool     `json:"allow_algo_management"`
	AlgoACL             []string `json:"algo_acl"`
}

type keyRecord struct {
	Owner       string      `json:"owner"`    // account the key acts for (user or org)
	Username    string      `json:"username"` // user the key was issued to
	Label       string      `json:"label"`
	Type        string      `json:"type"`
	Permissions permissions `json:"permissions"`
	Mask        string      `json:"mask"`
	CreatedAt   time.Time   `json:"created_at"`
}

type orgRecord struct {
	ID            string          `json:"id"`
	Name          string          `json:"org_name"`
	Label         string          `json:"org_label"`
	ContactName   string          `json:"org_contact_name"`
	Email         string          `json:"org_email"`
	URL           string          `json:"org_url,omitempty"`
	TypeID        string          `json:"type_id"`
	StripeID      string          `json:"stripe_customer_id,omitempty"`
	ExternalID    string          `json:"external_id,omitempty"`
	AdminGroup    json.RawMessage `json:"external_admin_group,omitempty"`
	MemberGroup   json.RawMessage `json:"external_member_group,omitempty"`
	ExecutorGroup json.RawMessage `json:"external_executor_group,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
}

type memberRecord struct {
	Org      string    `json:"org"`
	Username string    `json:"username"`
	Role     string    `json:"role"`
	AddedAt  time.Time `json:"added_at"`
}

type orgType struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// details is the spec's Details.
type details struct {
	Label   string `json:"label"`
	Summary string `json:"summary,omitempty"`
	Tagline string `json:"tagline,omitempty"`
}

// settings is the union of Settings and SettingsMandatory as this cluster keeps them.
type settings struct {
	AlgorithmCallability string `json:"algorithm_callability"`
	SourceVisibility     string `json:"source_visibility"`
	Language             string `json:"language,omitempty"`
	Environment          string `json:"environment,omitempty"`
	PackageSet           string `json:"package_set,omitempty"`
	AlgorithmEnvironment string `json:"algorithm_environment,omitempty"`
	License              string `json:"license"`
	RoyaltyMicrocredits  int64  `json:"royalty_microcredits"`
	NetworkAccess        string `json:"network_access"`
	PipelineEnabled      bool   `json:"pipeline_enabled"`
	InsightsEnabled      bool   `json:"insights_enabled"`
}

type algorithmRecord struct {
	ID          string    `json:"id"`
	Owner       string    `json:"owner"`
	Name        string    `json:"name"`
	Details     details   `json:"details"`
	Settings    settings  `json:"settings"`
	SampleInput string    `json:"sample_input,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// RepoReady is set once the Git repository exists, so a crash between the
	// record and the repository is repaired at the next start.
	RepoReady bool `json:"repo_ready"`
	// BuildLanguage is what builds check the tree as: the legacy language or
	// the environment's language.
	BuildLanguage string `json:"build_language"`
	// Source is where an SCM-backed algorithm's code lives (§8.4); nil for
	// the internal SCM.
	Source *algoSource `json:"source,omitempty"`
}

// algoSource links an algorithm to a repository of an external host.
type algoSource struct {
	Scm           string `json:"scm"`
	RepoOwner     string `json:"repository_owner"`
	RepoName      string `json:"repository_name"`
	WebhookURL    string `json:"webhook_url"`
	WebhookSecret string `json:"webhook_secret"`
	DeployKey     string `json:"deploy_key"`
}

// scmID is the id of the SCM backing the algorithm.
func (a algorithmRecord) scmID() string {
	if a.Source == nil {
		return scmInternal
	}
	return a.Source.Scm
}

const (
	buildInProgress = "in-progress"
	buildSucceeded  = "succeeded"
	buildFailed     = "failed"
)

type buildRecord struct {
	ID         string    `json:"build_id"`
	Owner      string    `json:"owner"`
	Name       string    `json:"name"`
	Seq        uint64    `json:"seq"`
	CommitSHA  string    `json:"commit_sha"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Logs       string    `json:"logs,omitempty"`
}

// versionRecord is a "hash version": one per commit with a successful build,
// published once it has a semantic version.
type versionRecord struct {
	GitHash         string    `json:"git_hash"`
	VersionUUID     string    `json:"version_uuid"`
	BuildID         string    `json:"build_id"`
	BuildSeq        uint64    `json:"build_seq"`
	Seq             uint64    `json:"seq"` // orders the versions list: bumped when built and when published
	SemanticVersion string    `json:"semantic_version,omitempty"`
	PublishedAt     time.Time `json:"published_at,omitzero"`
	Details         details   `json:"details"`
	Settings        settings  `json:"settings"`
	ReleaseNotes    string    `json:"release_notes,omitempty"`
	SampleInput     string    `json:"sample_input,omitempty"`
	SampleOutput    string    `json:"sample_output,omitempty"`
}

type environmentIDs struct {
	ID        string    `json:"id"`
	SpecID    string    `json:"environment_specification_id"`
	CreatedAt time.Time `json:"created_at"`
}

func algoKey(owner, name string) string { return owner + "/" + name }
func memberKey(org, user string) string { return org + "/" + user }
func buildKey(owner, name string, seq uint64) string {
	return algoKey(owner, name) + "/" + padSeq(seq)
}
func versionKey(owner, name, hash string) string { return algoKey(owner, name) + "/" + hash }
