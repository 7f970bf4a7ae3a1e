package localcluster

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// algorithmJSON is the algorithm object of CONTRACT.md §5.1 (the spec's VersionResponse,
// which also covers HashResponse).
type algorithmJSON struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Details      details          `json:"details"`
	Settings     settings         `json:"settings"`
	VersionInfo  *versionInfoJSON `json:"version_info,omitempty"`
	Build        *buildJSON       `json:"build,omitempty"`
	Compilation  *compilationJSON `json:"compilation,omitempty"`
	Source       sourceJSON       `json:"source"`
	SelfLink     string           `json:"self_link"`
	ResourceType string           `json:"resource_type"`
}

type versionInfoJSON struct {
	SemanticVersion string `json:"semantic_version,omitempty"`
	GitHash         string `json:"git_hash,omitempty"`
	VersionUUID     string `json:"version_uuid,omitempty"`
	ReleaseNotes    string `json:"release_notes,omitempty"`
	SampleInput     string `json:"sample_input,omitempty"`
	SampleOutput    string `json:"sample_output,omitempty"`
	InsightsEnabled bool   `json:"insights_enabled"`
}

type compilationJSON struct {
	Successful bool   `json:"successful"`
	Output     string `json:"output"`
}

// sourceJSON is the spec's Source (CONTRACT.md §8.4): the SCM, and for an external one
// the repository.
type sourceJSON struct {
	Scm                scmJSON `json:"scm"`
	RepositoryOwner    string  `json:"repository_owner,omitempty"`
	RepositoryName     string  `json:"repository_name,omitempty"`
	RepositoryHTTPSURL string  `json:"repository_https_url,omitempty"`
	RepositorySSHURL   string  `json:"repository_ssh_url,omitempty"`
}

type sampleInputBody struct {
	SampleInput *string `json:"sample_input"`
}

type createBody struct {
	Name        *string           `json:"name"`
	Details     *detailsBody      `json:"details"`
	Settings    *settingsBody     `json:"settings"`
	VersionInfo *sampleInputBody  `json:"version_info"`
	Source      *sourceCreateBody `json:"source"`
	// ScmsCredentials is the spec's SCMSUserPassOrSecretToken: a host token
	// for this request only, instead of a stored authorisation.
	ScmsCredentials *struct {
		Username    *string `json:"username"`
		Password    *string `json:"password"`
		SecretToken *string `json:"secretToken"`
	} `json:"scmsCredentials"`
}

type updateBody struct {
	Details     *detailsBody     `json:"details"`
	Settings    *settingsBody    `json:"settings"`
	VersionInfo *sampleInputBody `json:"version_info"`
}

// algoRef is an algorithm named in a request path.
type algoRef struct {
	owner, name string
	rest        []string // path segments after the algorithm
}

// serveAlgorithms routes /v1/algorithms/... by hand, because the platform
// tells /v1/algorithms/{username}/... from /v1/algorithms/{algorithmId}/...
// only by the shape of the segment (CONTRACT.md §1), and an algorithm may be named
// "builds" or "versions".
func (c *Cluster) serveAlgorithms(w http.ResponseWriter, r *http.Request) error {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1/algorithms/"), "/"), "/")
	if len(segs) == 0 || segs[0] == "" {
		return errf(http.StatusNotFound, codeInvalidRequest, "No such route")
	}
	if uuidPattern.MatchString(segs[0]) {
		ref, err := c.algoRefByID(r, segs)
		if err != nil {
			return err
		}
		return c.routeAlgorithm(w, r, ref, true)
	}
	if len(segs) == 1 {
		if r.Method == http.MethodPost {
			return c.createAlgorithm(w, r, segs[0])
		}
		return methodNotAllowed()
	}
	return c.routeAlgorithm(w, r, algoRef{owner: segs[0], name: segs[1], rest: segs[2:]}, false)
}

// algoRefByID resolves /v1/algorithms/{algorithmId}/... to the algorithm's
// owner and name.
func (c *Cluster) algoRefByID(r *http.Request, segs []string) (algoRef, error) {
	// Authenticate before resolving, so an unknown key never learns
	// whether an id exists. Webhooks come from SCM hosts, with no key.
	webhook := len(segs) == 3 && segs[1] == "scm" && segs[2] == "webhook"
	if _, err := c.authenticate(r); err != nil && !webhook {
		return algoRef{}, err
	}
	var key string
	err := c.st.View(func(tx *store.Tx) error { return tx.Get(bucketAlgorithmIDs, segs[0], &key) })
	if errors.Is(err, store.ErrNotFound) {
		return algoRef{}, errf(http.StatusNotFound, codeAlgorithmIDDoesNotExist, "An algorithm with the requested ID does not exist.")
	}
	if err != nil {
		return algoRef{}, err
	}
	owner, name, _ := strings.Cut(key, "/")
	return algoRef{owner: owner, name: name, rest: segs[1:]}, nil
}

// routeAlgorithm dispatches a request on one algorithm by the path after it;
// byID says the algorithm was named by id.
func (c *Cluster) routeAlgorithm(w http.ResponseWriter, r *http.Request, ref algoRef, byID bool) error {
	route := strings.Join(ref.rest, "/")
	switch {
	case route == "":
		switch r.Method {
		case http.MethodGet:
			return c.getAlgorithm(w, r, ref)
		case http.MethodPut:
			return c.updateAlgorithm(w, r, ref)
		case http.MethodDelete:
			return c.deleteAlgorithm(w, r, ref)
		}
	case byID && ref.rest[0] == "secrets": // the spec names secrets by algorithm id only
		return c.serveSecrets(w, r, ref)
	case route == "builds" && r.Method == http.MethodGet:
		return c.listBuilds(w, r, ref)
	case len(ref.rest) == 2 && ref.rest[0] == "builds" && r.Method == http.MethodGet:
		return c.getBuild(w, r, ref, ref.rest[1])
	case len(ref.rest) == 3 && ref.rest[0] == "builds" && ref.rest[2] == "logs" && r.Method == http.MethodGet:
		return c.getBuildLogs(w, r, ref, ref.rest[1])
	case route == "compile" && r.Method == http.MethodPost:
		return c.compile(w, r, ref)
	case route == "versions" && r.Method == http.MethodGet:
		return c.listVersions(w, r, ref)
	case (route == "versions" || route == "version") && r.Method == http.MethodPost:
		return c.publish(w, r, ref)
	case len(ref.rest) == 2 && ref.rest[0] == "versions" && r.Method == http.MethodGet:
		return c.getVersion(w, r, ref, ref.rest[1])
	case route == "scm/status" && r.Method == http.MethodGet:
		return c.withAlgorithm(r, ref, false, func(_ *store.Tx, a *algorithmRecord) error {
			writeJSON(w, http.StatusOK, scmConnectionStatus(*a))
			return nil
		})
	case route == "scm/webhook" && r.Method == http.MethodPost:
		return c.receiveWebhook(w, r, ref)
	case route == "errors" && r.Method == http.MethodGet:
		return c.withAlgorithm(r, ref, false, func(*store.Tx, *algorithmRecord) error {
			writeJSON(w, http.StatusOK, []any{})
			return nil
		})
	default:
		return errf(http.StatusNotFound, codeInvalidRequest, "No such route")
	}
	return methodNotAllowed()
}

// scmConnectionStatusJSON is the spec's ScmConnectionStatus (CONTRACT.md §6.2).
type scmConnectionStatusJSON struct {
	Status        string `json:"scm_connection_status"`
	DeployKey     string `json:"repository_public_deploy_key,omitempty"`
	WebhookSecret string `json:"repository_webhook_secret,omitempty"`
	WebhookURL    string `json:"repository_webhook_url,omitempty"`
}

// scmConnectionStatus is always active: the host's deploy keys and webhooks
// can only be removed by deleting the algorithm.
func scmConnectionStatus(a algorithmRecord) scmConnectionStatusJSON {
	out := scmConnectionStatusJSON{Status: "active"}
	if src := a.Source; src != nil {
		out.DeployKey, out.WebhookSecret, out.WebhookURL = src.DeployKey, src.WebhookSecret, src.WebhookURL
	}
	return out
}

func methodNotAllowed() error {
	return errf(http.StatusMethodNotAllowed, codeInvalidRequest, "Method not allowed")
}

// authorizeAlgorithm decides whether cl may read or change a. Reading is for
// the owner, its organization's members, and anyone when the algorithm is
// public; changing needs membership and a key allowing algorithm management.
func authorizeAlgorithm(tx *store.Tx, cl *caller, a *algorithmRecord, write bool) error {
	member := actsFor(tx, cl.owner, a.Owner)
	if write {
		if !member {
			return errForbidden
		}
		if !cl.perms.AllowAlgoManagement {
			return errNoManagement
		}
		return nil
	}
	if member || a.Settings.AlgorithmCallability == "public" {
		return nil
	}
	return errForbidden
}

// withAlgorithm authenticates a standard key, loads the algorithm and checks
// access, then runs fn in the same transaction (read-write when write).
func (c *Cluster) withAlgorithm(r *http.Request, ref algoRef, write bool, fn func(*store.Tx, *algorithmRecord) error) error {
	cl, err := c.requireStandard(r)
	if err != nil {
		return err
	}
	run := c.st.View
	if write {
		run = c.st.Update
	}
	return run(func(tx *store.Tx) error {
		var a algorithmRecord
		if err := tx.Get(bucketAlgorithms, algoKey(ref.owner, ref.name), &a); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errNoSuchAlgo
			}
			return err
		}
		if err := authorizeAlgorithm(tx, cl, &a, write); err != nil {
			return err
		}
		return fn(tx, &a)
	})
}

func (c *Cluster) createAlgorithm(w http.ResponseWriter, r *http.Request, owner string) error {
	cl, err := c.requireStandard(r)
	if err != nil {
		return err
	}
	var b createBody
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	var a algorithmRecord
	err = c.st.Update(func(tx *store.Tx) (err error) {
		a, err = newAlgorithm(tx, r, cl, owner, &b)
		return err
	})
	if err != nil {
		return err
	}
	message := "Initial commit"
	if b.Source != nil && str(b.Source.InitialCommitMessage) != "" {
		message = *b.Source.InitialCommitMessage
	}
	if err := c.createRepoOrUndo(&a, message); err != nil {
		return err
	}
	var out algorithmJSON
	if err := c.st.View(func(tx *store.Tx) (err error) {
		out, err = renderAlgorithm(tx, r, a)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// newAlgorithm checks a create request and stores the new algorithm's
// records; its repository is made after the commit (createRepoOrUndo).
func newAlgorithm(tx *store.Tx, r *http.Request, cl *caller, owner string, b *createBody) (algorithmRecord, error) {
	if !actsFor(tx, cl.owner, owner) {
		return algorithmRecord{}, errForbidden
	}
	if !cl.perms.AllowAlgoManagement {
		return algorithmRecord{}, errNoManagement
	}
	name := str(b.Name)
	if name == "" {
		return algorithmRecord{}, errf(http.StatusBadRequest, codeInvalidRequest, "name is required")
	}
	if !validName(name) {
		return algorithmRecord{}, errf(http.StatusBadRequest, codeInputValidation, "name must match ^[a-zA-Z][a-zA-Z0-9_]*$ and be at most 30 characters")
	}
	src, err := resolveSource(tx, r, cl, b.Source, b.oneShotToken(), owner, name)
	if err != nil {
		return algorithmRecord{}, err
	}
	d, err := resolveDetails(b.Details, details{})
	if err != nil {
		return algorithmRecord{}, err
	}
	s, lang, err := resolveSettings(tx, b.Settings, nil)
	if err != nil {
		return algorithmRecord{}, err
	}
	if tx.Has(bucketAlgorithms, algoKey(owner, name)) {
		return algorithmRecord{}, errf(http.StatusBadRequest, codeAlgorithmNameTaken, "An algorithm with the requested name already exists.")
	}
	a := algorithmRecord{
		ID: uuid.NewString(), Owner: owner, Name: name, Details: d, Settings: s,
		CreatedAt: time.Now().UTC(), BuildLanguage: lang, Source: src,
	}
	if b.VersionInfo != nil {
		a.SampleInput = str(b.VersionInfo.SampleInput)
	}
	if err := tx.Put(bucketAlgorithms, algoKey(owner, name), a); err != nil {
		return algorithmRecord{}, err
	}
	if err := tx.Put(bucketAlgorithmIDs, a.ID, algoKey(owner, name)); err != nil {
		return algorithmRecord{}, err
	}
	return a, nil
}

// oneShotToken is the SCM host token of scmsCredentials, if any: the secret
// token, else the password.
func (b *createBody) oneShotToken() string {
	cr := b.ScmsCredentials
	if cr == nil {
		return ""
	}
	if t := str(cr.SecretToken); t != "" {
		return t
	}
	return str(cr.Password)
}

// renderSource is the algorithm's `source` (CONTRACT.md §8.4).
func renderSource(tx *store.Tx, r *http.Request, a algorithmRecord) sourceJSON {
	s, err := findScm(tx, a.scmID())
	if err != nil {
		s = scmRecord{ID: a.scmID()} // unreachable: an SCM in use cannot be deleted
	}
	out := sourceJSON{Scm: renderScm(tx, s)}
	if src := a.Source; src != nil {
		out.RepositoryOwner, out.RepositoryName = src.RepoOwner, src.RepoName
		out.RepositoryHTTPSURL = baseURL(r) + extRepoPath(src.Scm, src.RepoOwner, src.RepoName)
		out.RepositorySSHURL = strings.TrimSuffix(s.URLs.SSH, "/") + ":" + src.RepoOwner + "/" + src.RepoName + ".git"
	}
	return out
}

// latestBuild returns the algorithm's newest build, if any.
func latestBuild(tx *store.Tx, owner, name string) (*buildRecord, error) {
	builds, err := store.All[buildRecord](tx, bucketBuilds, algoKey(owner, name)+"/")
	if err != nil || len(builds) == 0 {
		return nil, err
	}
	return &builds[len(builds)-1], nil
}

// renderAlgorithm builds the algorithm object of CONTRACT.md §5.1, describing the latest
// build (CONTRACT.md §5.3); an algorithm without a build has no version data.
func renderAlgorithm(tx *store.Tx, r *http.Request, a algorithmRecord) (algorithmJSON, error) {
	out := algorithmJSON{
		ID: a.ID, Name: a.Name, Details: a.Details, Settings: a.Settings, Source: renderSource(tx, r, a),
		SelfLink:     baseURL(r) + "/v1/algorithms/" + a.Owner + "/" + a.Name,
		ResourceType: "algorithm",
	}
	b, err := latestBuild(tx, a.Owner, a.Name)
	if err != nil || b == nil {
		return out, err
	}
	var v versionRecord
	hasVersion := tx.Get(bucketVersions, versionKey(a.Owner, a.Name, b.CommitSHA), &v) == nil
	bj := renderBuild(tx, *b)
	out.Build = &bj
	out.Compilation = &compilationJSON{Successful: b.Status == buildSucceeded, Output: b.Logs}
	out.VersionInfo = &versionInfoJSON{GitHash: b.CommitSHA, SampleInput: a.SampleInput, InsightsEnabled: a.Settings.InsightsEnabled}
	if hasVersion {
		out.VersionInfo.VersionUUID = v.VersionUUID
		out.VersionInfo.SemanticVersion = v.SemanticVersion
		out.VersionInfo.ReleaseNotes = v.ReleaseNotes
		out.VersionInfo.SampleOutput = v.SampleOutput
	}
	out.SelfLink += "/versions/" + b.CommitSHA
	return out, nil
}

// writeAlgorithm answers 200 with the algorithm object of a.
func writeAlgorithm(w http.ResponseWriter, tx *store.Tx, r *http.Request, a algorithmRecord) error {
	out, err := renderAlgorithm(tx, r, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (c *Cluster) getAlgorithm(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		return writeAlgorithm(w, tx, r, *a)
	})
}

// updateAlgorithm replaces details and settings when present (CONTRACT.md §5.4); the
// language cannot change.
func (c *Cluster) updateAlgorithm(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	if _, err := c.requireStandard(r); err != nil { // before the body: 401 beats 400
		return err
	}
	var b updateBody
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	return c.withAlgorithm(r, ref, true, func(tx *store.Tx, a *algorithmRecord) error {
		if b.Details != nil {
			d, err := resolveDetails(b.Details, a.Details)
			if err != nil {
				return err
			}
			a.Details = d
		}
		if b.Settings != nil {
			s, lang, err := resolveSettings(tx, b.Settings, a)
			if err != nil {
				return err
			}
			a.Settings, a.BuildLanguage = s, lang
		}
		if b.VersionInfo != nil && b.VersionInfo.SampleInput != nil {
			a.SampleInput = *b.VersionInfo.SampleInput
		}
		if err := tx.Put(bucketAlgorithms, algoKey(a.Owner, a.Name), a); err != nil {
			return err
		}
		return writeAlgorithm(w, tx, r, *a)
	})
}

func (c *Cluster) deleteAlgorithm(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	var a algorithmRecord
	err := c.withAlgorithm(r, ref, true, func(tx *store.Tx, rec *algorithmRecord) error {
		a = *rec
		return deleteAlgorithmRecords(tx, *rec)
	})
	if err != nil {
		return err
	}
	c.removeRepos([]algorithmRecord{a})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func deleteAlgorithmRecords(tx *store.Tx, a algorithmRecord) error {
	key := algoKey(a.Owner, a.Name)
	if err := tx.DeletePrefix(bucketBuilds, key+"/"); err != nil {
		return err
	}
	if err := tx.DeletePrefix(bucketVersions, key+"/"); err != nil {
		return err
	}
	if err := tx.DeletePrefix(bucketSecrets, key+"/"); err != nil {
		return err
	}
	if err := unlinkExtRepo(tx, a); err != nil {
		return err
	}
	if err := tx.Delete(bucketAlgorithmIDs, a.ID); err != nil {
		return err
	}
	return tx.Delete(bucketAlgorithms, key)
}

// deleteOwnedAlgorithms removes the records of every algorithm of owner and
// returns them, so the caller can remove the repositories after the commit.
func deleteOwnedAlgorithms(tx *store.Tx, owner string) ([]algorithmRecord, error) {
	algos, err := store.All[algorithmRecord](tx, bucketAlgorithms, owner+"/")
	if err != nil {
		return nil, err
	}
	for _, a := range algos {
		if err := deleteAlgorithmRecords(tx, a); err != nil {
			return nil, err
		}
	}
	return algos, nil
}
