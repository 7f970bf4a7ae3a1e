package localcluster

import (
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// SCM configurations (CONTRACT.md §11) and the authorisations of users on them (CONTRACT.md §8.4).
const (
	bucketScms     = "scms"      // scm id -> scmRecord (never "internal", which is built in)
	bucketScmMeta  = "scm_meta"  // "default" -> scm id
	bucketScmAuths = "scm_auths" // scm id "/" account -> scmAuthRecord

	scmInternal = "internal"
)

// SCM error codes of CONTRACT.md §3.2.
const (
	codeScmConfigurationNotFound  = 4009
	codeScmInternalOnly           = 4011
	codeScmBadCreatePayload       = 4020
	codeScmBadUpdatePayload       = 4021
	codeScmEnabled                = 4040
	codeScmDefault                = 4041
	codeScmDisabled               = 4042
	codeScmInUse                  = 4043
	codeScmConflict               = 4044
	codeScmDisallowedOperation    = 4045
	codeScmNotAuthorized          = 4080
	codeScmNotAuthenticated       = 4081
	codeBadScmConnectionUpdateReq = 2018
)

var (
	scmProviders = []string{"github", "gitlab", "bitbucket", "bitbucket-cloud"}
	scmIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
)

type scmURLs struct {
	Web string `json:"web"`
	API string `json:"api"`
	SSH string `json:"ssh"`
}

// scmRecord is a stored SCM configuration. The OAuth client secret is
// write-only and never needed by this cluster, so it is not kept at all.
type scmRecord struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Provider      string    `json:"provider"`
	Enabled       bool      `json:"enabled"`
	URLs          scmURLs   `json:"urls"`
	OAuthClientID string    `json:"oauth_client_id,omitempty"`
	ProjectKey    string    `json:"project_key,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// defaultBranch is the branch new repositories of this SCM's host start
// with (CONTRACT.md §8.4): GitHub's new repositories use main, the others master.
func (s scmRecord) defaultBranch() string {
	if s.Provider == "github" {
		return "main"
	}
	return "master"
}

// scmAuthRecord is one account's authorisation on one SCM. The token is
// kept only as its SHA-256: the host checks tokens against its own table,
// so the cluster never needs the clear value again.
type scmAuthRecord struct {
	Scm         string    `json:"scm"`
	Account     string    `json:"account"`
	ScmUsername string    `json:"scm_username"`
	TokenHash   string    `json:"token_sha256"`
	Method      string    `json:"method"` // "token"
	ConnectedAt time.Time `json:"connected_at"`
}

func scmAuthKey(scm, account string) string { return scm + "/" + account }

// scmJSON is the spec's ScmConfigurationResponseDto, with `oauth` as CONTRACT.md
// §11 shows it.
type scmJSON struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Provider string         `json:"provider"`
	Default  bool           `json:"default"`
	Enabled  bool           `json:"enabled"`
	Scm      *scmConfigJSON `json:"scm,omitempty"`
	OAuth    *scmConfigJSON `json:"oauth,omitempty"`
	URLs     *scmURLs       `json:"urls,omitempty"`
}

type scmConfigJSON struct {
	ClientID   string `json:"client_id,omitempty"`
	ProjectKey string `json:"project_key,omitempty"`
}

func internalScmRecord() scmRecord {
	return scmRecord{ID: scmInternal, Provider: scmInternal, Enabled: true}
}

func defaultScmID(tx *store.Tx) string {
	var id string
	if err := tx.Get(bucketScmMeta, "default", &id); err != nil || id == "" {
		return scmInternal
	}
	return id
}

func renderScm(tx *store.Tx, s scmRecord) scmJSON {
	out := scmJSON{ID: s.ID, Name: s.Name, Provider: s.Provider, Enabled: s.Enabled, Default: defaultScmID(tx) == s.ID}
	if s.ID == scmInternal {
		return out
	}
	urls := s.URLs
	out.URLs = &urls
	out.Scm = &scmConfigJSON{ClientID: s.OAuthClientID, ProjectKey: s.ProjectKey}
	out.OAuth = &scmConfigJSON{ClientID: s.OAuthClientID}
	return out
}

// findScm loads an SCM configuration; unknown ids are 404/4009.
func findScm(tx *store.Tx, id string) (scmRecord, error) {
	if id == scmInternal {
		return internalScmRecord(), nil
	}
	var s scmRecord
	err := tx.Get(bucketScms, id, &s)
	if errors.Is(err, store.ErrNotFound) {
		return s, errf(http.StatusNotFound, codeScmConfigurationNotFound, "SCM configuration %q was not found.", id)
	}
	return s, err
}

func (c *Cluster) scmRoutes(h func(string, func(http.ResponseWriter, *http.Request) error)) {
	h("GET /v1/scms", c.listScms)
	h("GET /v1/scms/{id}", c.getScm)
	h("POST /v1/admin/scms", c.createScm)
	h("PATCH /v1/admin/scms/{id}", c.updateScm)
	h("DELETE /v1/admin/scms/{id}", c.deleteScm)
	h("POST /v1/admin/scms/{id}/default", c.setDefaultScm)
	h("POST /v1/scms/{id}/token/connect", c.connectScmToken)
	h("GET /v1/scms/{id}/token/status", c.scmAuthStatus)
	h("POST /v1/scms/{id}/token/status", c.scmAuthStatus) // the DC page POSTs (CONTRACT.md §8.4)
	h("GET /v1/scms/{id}/oauth/status", c.scmAuthStatus)
	h("POST /v1/scms/{id}/oauth/revoke", c.revokeScmAuth)
	h("GET /v1/scms/{id}/oauth/start", func(http.ResponseWriter, *http.Request) error {
		return errf(http.StatusBadRequest, codeNotImplemented, "OAuth is not available on this cluster; connect with a personal access token (POST /v1/scms/{id}/token/connect)")
	})
}

func (c *Cluster) listScms(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	return c.st.View(func(tx *store.Tx) error {
		all, err := store.All[scmRecord](tx, bucketScms, "")
		if err != nil {
			return err
		}
		sort.Slice(all, func(i, j int) bool { return all[i].CreatedAt.Before(all[j].CreatedAt) })
		out := []scmJSON{renderScm(tx, internalScmRecord())}
		for _, s := range all {
			out = append(out, renderScm(tx, s))
		}
		writeJSON(w, http.StatusOK, map[string]any{"results": out})
		return nil
	})
}

func (c *Cluster) getScm(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	return c.st.View(func(tx *store.Tx) error {
		s, err := findScm(tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderScm(tx, s))
		return nil
	})
}

type scmCreateBody struct {
	ID       *string  `json:"id"`
	Enabled  *bool    `json:"enabled"`
	Name     *string  `json:"name"`
	Provider *string  `json:"provider"`
	URLs     *scmURLs `json:"urls"`
	OAuth    *struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	} `json:"oauth"`
	Scm *struct {
		ProjectKey string `json:"project_key"`
	} `json:"scm"`
}

func validURLs(u *scmURLs) bool {
	return u != nil && strings.TrimSpace(u.Web) != "" && strings.TrimSpace(u.API) != "" && strings.TrimSpace(u.SSH) != ""
}

func (c *Cluster) createScm(w http.ResponseWriter, r *http.Request) error {
	var b scmCreateBody
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
		return err
	}
	provider := str(b.Provider)
	if provider == scmInternal || str(b.ID) == scmInternal {
		return errf(http.StatusBadRequest, codeScmDisallowedOperation, "The internal SCM is built in; it cannot be created.")
	}
	if provider == "" {
		return errf(http.StatusBadRequest, codeScmBadCreatePayload, "provider is required")
	}
	if !contains(scmProviders, provider) {
		return errf(http.StatusBadRequest, codeScmBadCreatePayload, "provider must be one of %s", strings.Join(scmProviders, ", "))
	}
	if !validURLs(b.URLs) {
		return errf(http.StatusBadRequest, codeScmBadCreatePayload, "urls must hold web, api and ssh")
	}
	s := scmRecord{
		ID: str(b.ID), Name: str(b.Name), Provider: provider, Enabled: b.Enabled == nil || *b.Enabled,
		URLs: *b.URLs, CreatedAt: time.Now().UTC(),
	}
	if s.ID == "" {
		s.ID = uuid.NewString()
	} else if !scmIDPattern.MatchString(s.ID) {
		return errf(http.StatusBadRequest, codeScmBadCreatePayload, "id must match %s", scmIDPattern)
	}
	if s.Name == "" {
		s.Name = s.URLs.Web
	}
	if b.OAuth != nil {
		s.OAuthClientID = b.OAuth.ClientID
	}
	if b.Scm != nil {
		s.ProjectKey = b.Scm.ProjectKey
	}
	var out scmJSON
	err := c.st.Update(func(tx *store.Tx) error {
		if tx.Has(bucketScms, s.ID) {
			return errf(http.StatusConflict, codeScmConflict, "An SCM configuration with id %q already exists.", s.ID)
		}
		if err := tx.Put(bucketScms, s.ID, s); err != nil {
			return err
		}
		out = renderScm(tx, s)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

type scmUpdateBody struct {
	Enabled *bool    `json:"enabled"`
	URLs    *scmURLs `json:"urls"`
}

func (c *Cluster) updateScm(w http.ResponseWriter, r *http.Request) error {
	var b scmUpdateBody
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
		return err
	}
	id := r.PathValue("id")
	return c.st.Update(func(tx *store.Tx) error {
		s, err := findScm(tx, id)
		if err != nil {
			return err
		}
		if id == scmInternal {
			return errf(http.StatusBadRequest, codeScmDisallowedOperation, "The internal SCM cannot be changed.")
		}
		if b.URLs != nil {
			if !validURLs(b.URLs) {
				return errf(http.StatusBadRequest, codeScmBadUpdatePayload, "urls must hold all of web, api and ssh, or be left out")
			}
			s.URLs = *b.URLs
		}
		if b.Enabled != nil {
			if !*b.Enabled && defaultScmID(tx) == id {
				return errf(http.StatusBadRequest, codeScmDefault, "SCM %q is the default; make another SCM the default before disabling it.", id)
			}
			s.Enabled = *b.Enabled
		}
		if err := tx.Put(bucketScms, id, s); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderScm(tx, s))
		return nil
	})
}

// scmInUse reports whether any algorithm is backed by the SCM.
func scmInUse(tx *store.Tx, id string) (bool, error) {
	used := false
	err := tx.Scan(bucketAlgorithms, "", func(_ string, raw []byte) (bool, error) {
		var a algorithmRecord
		if err := jsonUnmarshal(raw, &a); err != nil {
			return false, err
		}
		used = a.scmID() == id
		return !used, nil
	})
	return used, err
}

// changeScm is a change by the cluster admin to the SCM the request names: change runs in
// a write transaction on the SCM's record, and the answer is 204 No Content.
func (c *Cluster) changeScm(w http.ResponseWriter, r *http.Request, change func(tx *store.Tx, id string, s scmRecord) error) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	err := c.st.Update(func(tx *store.Tx) error {
		s, err := findScm(tx, id)
		if err != nil {
			return err
		}
		return change(tx, id, s)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *Cluster) deleteScm(w http.ResponseWriter, r *http.Request) error {
	return c.changeScm(w, r, func(tx *store.Tx, id string, s scmRecord) error {
		if id == scmInternal {
			return errf(http.StatusBadRequest, codeScmDisallowedOperation, "The internal SCM cannot be deleted.")
		}
		used, err := scmInUse(tx, id)
		if err != nil {
			return err
		}
		if used {
			return errf(http.StatusBadRequest, codeScmInUse, "SCM %q backs algorithms; once an SCM has been used to create an algorithm it may not be deleted, only disabled.", id)
		}
		if s.Enabled {
			return errf(http.StatusBadRequest, codeScmEnabled, "SCM %q is enabled; disable it before deleting it.", id)
		}
		if err := tx.DeletePrefix(bucketScmAuths, id+"/"); err != nil {
			return err
		}
		return tx.Delete(bucketScms, id)
	})
}

func (c *Cluster) setDefaultScm(w http.ResponseWriter, r *http.Request) error {
	return c.changeScm(w, r, func(tx *store.Tx, id string, s scmRecord) error {
		if !s.Enabled {
			return errf(http.StatusBadRequest, codeScmDisabled, "SCM %q is disabled; a disabled SCM cannot become the default.", id)
		}
		return tx.Put(bucketScmMeta, "default", id)
	})
}

// scmStatusJSON is the spec's ScmUserOAuthStatus.
type scmStatusJSON struct {
	AuthorizationStatus string       `json:"authorization_status"`
	ScmUsername         string       `json:"scm_username,omitempty"`
	ScmOrganizations    []scmOrgJSON `json:"scm_organizations,omitzero"` // [] when authorised, absent otherwise
}

type scmOrgJSON struct {
	ScmOrgUsername string `json:"scm_org_username"`
	AccessLevel    string `json:"access_level"`
}

func authorizedStatus(login string) scmStatusJSON {
	return scmStatusJSON{AuthorizationStatus: "authorized", ScmUsername: login, ScmOrganizations: []scmOrgJSON{}}
}

type tokenConnectBody struct {
	Token       *string `json:"token"`
	SecretToken *string `json:"secretToken"`
}

// scmAuthCaller is who asks about their authorisation on an SCM, and which SCM: only
// standard accounts have authorisations.
func (c *Cluster) scmAuthCaller(r *http.Request) (*caller, string, error) {
	cl, err := c.requireStandard(r)
	if err != nil {
		return nil, "", err
	}
	return cl, r.PathValue("id"), nil
}

// connectScmToken authorises the caller's account on an SCM with a personal
// access token of that SCM's host. The host must know the token; the
// authorisation records whose it is. The token itself is never answered,
// logged or kept in clear.
func (c *Cluster) connectScmToken(w http.ResponseWriter, r *http.Request) error {
	cl, id, err := c.scmAuthCaller(r)
	if err != nil {
		return err
	}
	var b tokenConnectBody
	if err := decodeJSON(r, &b, true); err != nil {
		return err
	}
	token := str(b.Token)
	if token == "" {
		token = str(b.SecretToken)
	}
	var out scmStatusJSON
	err = c.st.Update(func(tx *store.Tx) error {
		s, err := findScm(tx, id)
		if err != nil {
			return err
		}
		if id == scmInternal {
			return errf(http.StatusBadRequest, codeScmDisallowedOperation, "The internal SCM needs no authorisation.")
		}
		if !s.Enabled {
			return errf(http.StatusBadRequest, codeScmDisabled, "SCM %q is disabled.", id)
		}
		if token == "" {
			return errf(http.StatusBadRequest, codeBadScmConnectionUpdateReq, "Request body is invalid, missing field: 'token'.")
		}
		login, ok, err := extTokenLogin(tx, id, token)
		if err != nil {
			return err
		}
		if !ok || login == "" {
			return errf(http.StatusBadRequest, codeScmNotAuthenticated, "The SCM %q did not accept the token.", id)
		}
		rec := scmAuthRecord{Scm: id, Account: cl.owner, ScmUsername: login, TokenHash: hashKey(token), Method: "token", ConnectedAt: time.Now().UTC()}
		if err := tx.Put(bucketScmAuths, scmAuthKey(id, cl.owner), rec); err != nil {
			return err
		}
		out = authorizedStatus(login)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// scmAuthStatus answers token/status and oauth/status alike: an account
// authorised either way is authorised.
func (c *Cluster) scmAuthStatus(w http.ResponseWriter, r *http.Request) error {
	cl, id, err := c.scmAuthCaller(r)
	if err != nil {
		return err
	}
	return c.st.View(func(tx *store.Tx) error {
		if _, err := findScm(tx, id); err != nil {
			return err
		}
		if id == scmInternal {
			writeJSON(w, http.StatusOK, authorizedStatus(cl.owner))
			return nil
		}
		var a scmAuthRecord
		err := tx.Get(bucketScmAuths, scmAuthKey(id, cl.owner), &a)
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusOK, scmStatusJSON{AuthorizationStatus: "unauthorized"})
			return nil
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, authorizedStatus(a.ScmUsername))
		return nil
	})
}

// revokeScmAuth forgets the caller's authorisation; algorithms created with
// it keep working (CONTRACT.md §8.4). Revoking twice is not an error.
func (c *Cluster) revokeScmAuth(w http.ResponseWriter, r *http.Request) error {
	cl, id, err := c.scmAuthCaller(r)
	if err != nil {
		return err
	}
	err = c.st.Update(func(tx *store.Tx) error {
		if _, err := findScm(tx, id); err != nil {
			return err
		}
		return tx.Delete(bucketScmAuths, scmAuthKey(id, cl.owner))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAccountScmAuths forgets every authorisation of account, when the
// account is deleted.
func deleteAccountScmAuths(tx *store.Tx, account string) error {
	var keys []string
	if err := tx.Scan(bucketScmAuths, "", func(k string, _ []byte) (bool, error) {
		if _, acc, _ := strings.Cut(k, "/"); acc == account {
			keys = append(keys, k)
		}
		return true, nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucketScmAuths, k); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
