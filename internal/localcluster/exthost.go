package localcluster

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// The external Git hosts: every SCM configuration other than internal gets a
// stand-in for its GitHub, GitLab or Bitbucket, served by this cluster under
// /ext/{scm id}/{owner}/{repository}[.git]. A host has accounts known only
// by their personal access tokens, repositories with a default branch,
// deploy keys and webhooks. It shares nothing with the cluster's own
// accounts: the cluster reaches it the way the platform reached GitHub,
// through a user's token and the webhook of each linked repository.
const (
	bucketExtRepos  = "ext_repos"  // scm "/" owner "/" repository -> extRepoRecord
	bucketExtTokens = "ext_tokens" // sha256(token) -> extTokenRecord

	extPrefix = "/ext/"
)

type extRepoRecord struct {
	Scm           string         `json:"scm"`
	Owner         string         `json:"owner"`
	Name          string         `json:"name"`
	DefaultBranch string         `json:"default_branch"`
	Private       bool           `json:"private"`
	CreatedAt     time.Time      `json:"created_at"`
	Hooks         []extHook      `json:"hooks,omitempty"`
	DeployKeys    []extDeployKey `json:"deploy_keys,omitempty"`
}

// extHook is a webhook: a push to the default branch delivers to URL, which
// for a linked algorithm means one build of that algorithm.
type extHook struct {
	URL         string `json:"url"`
	Secret      string `json:"secret"`
	AlgorithmID string `json:"algorithm_id"`
}

// extDeployKey is a read-only deploy key the platform installed.
type extDeployKey struct {
	Title       string `json:"title"`
	PublicKey   string `json:"public_key"`
	AlgorithmID string `json:"algorithm_id"`
}

// extTokenRecord is a personal access token of a host account, or a host
// admin token (Admin, no Login) that may read and push every repository.
type extTokenRecord struct {
	Scm       string    `json:"scm"`
	Login     string    `json:"login,omitempty"`
	Admin     bool      `json:"admin,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func extRepoKey(scm, owner, name string) string { return scm + "/" + owner + "/" + name }

// extRepoPath is the URL path of a repository on its host, without ".git",
// as GitHub writes repository URLs; the host accepts both forms.
func extRepoPath(scm, owner, name string) string {
	return extPrefix + scm + "/" + owner + "/" + name
}

// hostRepos returns the repositories of one SCM's host, opening them on first use.
func (c *Cluster) hostRepos(scm string) (*gitserver.Repos, error) {
	if !scmIDPattern.MatchString(scm) || scm == scmInternal {
		return nil, fmt.Errorf("%w: SCM %q", gitserver.ErrInvalidName, scm)
	}
	c.extMu.Lock()
	defer c.extMu.Unlock()
	if r := c.ext[scm]; r != nil {
		return r, nil
	}
	r, err := gitserver.OpenHost(filepath.Join(c.opts.DataDir, "ext", scm), extPrefix+scm+"/")
	if err != nil {
		return nil, err
	}
	r.ErrorLog = c.repos.ErrorLog
	c.ext[scm] = r
	return r, nil
}

// extTokenLogin resolves a host token of scm to its account: ok is false
// for a token the host does not know; admin tokens have no login.
func extTokenLogin(tx *store.Tx, scm, token string) (login string, ok bool, err error) {
	t, ok, err := extToken(tx, scm, token)
	return t.Login, ok, err
}

func extToken(tx *store.Tx, scm, token string) (extTokenRecord, bool, error) {
	var t extTokenRecord
	if token == "" {
		return t, false, nil
	}
	err := tx.Get(bucketExtTokens, hashKey(token), &t)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Scm != scm) {
		return extTokenRecord{}, false, nil
	}
	return t, err == nil, err
}

// tokenPrefixes imitate each host's token format, so a token in a log
// excerpt tells which host it belongs to.
var tokenPrefixes = map[string]string{"github": "ghp_", "gitlab": "glpat-", "bitbucket": "bbs_", "bitbucket-cloud": "bbc_"}

func (c *Cluster) mintExtToken(scm, login string, admin bool) (string, error) {
	if !admin && !gitserver.ValidHostName(login) {
		return "", fmt.Errorf("localcluster: %q is not a valid account name on an external host", login)
	}
	var token string
	err := c.st.Update(func(tx *store.Tx) error {
		s, err := findScm(tx, scm)
		if err != nil {
			return err
		}
		if s.ID == scmInternal {
			return errors.New("localcluster: the internal SCM has no external host")
		}
		token = tokenPrefixes[s.Provider] + randomHex(18)
		if admin {
			token = "admin_" + token
		}
		return tx.Put(bucketExtTokens, hashKey(token), extTokenRecord{Scm: scm, Login: login, Admin: admin, CreatedAt: time.Now().UTC()})
	})
	return token, err
}

// ExternalToken issues a new personal access token for account login on the
// external host of SCM scm (the account exists from then on). A user
// connects to the SCM with it (POST /v1/scms/{id}/token/connect), and Git
// accepts it as the Basic password (any user name) for login's repositories.
func (c *Cluster) ExternalToken(scm, login string) (string, error) {
	return c.mintExtToken(scm, login, false)
}

// ExternalAdminToken issues a new admin token of the external host of SCM
// scm: Git accepts it (any user name) to read and push every repository.
func (c *Cluster) ExternalAdminToken(scm string) (string, error) {
	return c.mintExtToken(scm, "", true)
}

// ExternalRepoPath is the URL path of a repository on the external host of
// SCM scm (append it to the cluster's base URL; ".git" may be added).
func ExternalRepoPath(scm, owner, name string) string { return extRepoPath(scm, owner, name) }

// ExternalRepo describes a repository of an external host.
type ExternalRepo struct {
	DefaultBranch string
	Head          string   // the default branch's commit
	Private       bool     // made from source_visibility "closed"
	Webhooks      []string // webhook URLs, one per linked algorithm
	DeployKeys    []string // deploy keys' public keys (OpenSSH format)
}

// ExternalRepo returns the state of owner/name on the external host of SCM
// scm; the error wraps gitserver.ErrNotFound when there is no such repository.
func (c *Cluster) ExternalRepo(scm, owner, name string) (ExternalRepo, error) {
	var rec extRepoRecord
	err := c.st.View(func(tx *store.Tx) error { return tx.Get(bucketExtRepos, extRepoKey(scm, owner, name), &rec) })
	if errors.Is(err, store.ErrNotFound) {
		return ExternalRepo{}, fmt.Errorf("%w: %s on %s", gitserver.ErrNotFound, owner+"/"+name, scm)
	}
	if err != nil {
		return ExternalRepo{}, err
	}
	repos, err := c.hostRepos(scm)
	if err != nil {
		return ExternalRepo{}, err
	}
	head, err := repos.Head(owner, name)
	if err != nil {
		return ExternalRepo{}, err
	}
	out := ExternalRepo{DefaultBranch: rec.DefaultBranch, Head: head, Private: rec.Private}
	for _, h := range rec.Hooks {
		out.Webhooks = append(out.Webhooks, h.URL)
	}
	for _, k := range rec.DeployKeys {
		out.DeployKeys = append(out.DeployKeys, k.PublicKey)
	}
	return out, nil
}

// CreateExternalRepo makes owner/name on the external host of SCM scm, as
// its owner would on GitHub: one commit "Initial commit" holding a README on
// the host's default branch (main for GitHub, master otherwise), linked to
// no algorithm. It fails if the repository exists.
func (c *Cluster) CreateExternalRepo(scm, owner, name string, private bool) error {
	files := map[string][]byte{"README.md": []byte("# " + name + "\n")}
	return c.createExtRepo(scm, owner, name, private, files, "Initial commit", nil, nil)
}

// ExternalGitStats returns the Git transfer counters of a repository of an external host.
func (c *Cluster) ExternalGitStats(scm, owner, name string) gitserver.Stats {
	repos, err := c.hostRepos(scm)
	if err != nil {
		return gitserver.Stats{}
	}
	return repos.Stats(owner, name)
}

// errRepoExists is 400/4044: the platform could not create a repository
// that already exists on the host.
func errRepoExists(scm, owner, name string) error {
	return errf(http.StatusBadRequest, codeScmConflict, "The repository %s/%s already exists on SCM %q.", owner, name, scm)
}

// createExtRepo records and creates a repository on scm's host, linked to
// an algorithm when hook and key are given. The record comes first, so a
// crash leaves a record repairRepos completes; a failure removes it.
func (c *Cluster) createExtRepo(scm, owner, name string, private bool, files map[string][]byte, message string, hook *extHook, key *extDeployKey) error {
	repos, err := c.hostRepos(scm)
	if err != nil {
		return err
	}
	if repos.Exists(owner, name) {
		return errRepoExists(scm, owner, name)
	}
	var rec extRepoRecord
	err = c.st.Update(func(tx *store.Tx) error {
		s, err := findScm(tx, scm)
		if err != nil {
			return err
		}
		if tx.Has(bucketExtRepos, extRepoKey(scm, owner, name)) {
			return errRepoExists(scm, owner, name)
		}
		rec = extRepoRecord{Scm: scm, Owner: owner, Name: name, DefaultBranch: s.defaultBranch(), Private: private, CreatedAt: time.Now().UTC()}
		if hook != nil {
			rec.Hooks = []extHook{*hook}
		}
		if key != nil {
			rec.DeployKeys = []extDeployKey{*key}
		}
		return tx.Put(bucketExtRepos, extRepoKey(scm, owner, name), rec)
	})
	if err != nil {
		return err
	}
	if _, err := repos.CreateOn(owner, name, rec.DefaultBranch, files, message); err != nil {
		_ = c.st.Update(func(tx *store.Tx) error { return tx.Delete(bucketExtRepos, extRepoKey(scm, owner, name)) })
		if errors.Is(err, gitserver.ErrExists) {
			return errRepoExists(scm, owner, name)
		}
		return err
	}
	return nil
}

// unlinkExtRepo removes the webhook and deploy key an algorithm installed;
// the repository itself stays (CONTRACT.md §8.4).
func unlinkExtRepo(tx *store.Tx, a algorithmRecord) error {
	if a.Source == nil {
		return nil
	}
	key := extRepoKey(a.Source.Scm, a.Source.RepoOwner, a.Source.RepoName)
	var rec extRepoRecord
	if err := tx.Get(bucketExtRepos, key, &rec); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	hooks, keys := rec.Hooks[:0], rec.DeployKeys[:0]
	for _, h := range rec.Hooks {
		if h.AlgorithmID != a.ID {
			hooks = append(hooks, h)
		}
	}
	for _, k := range rec.DeployKeys {
		if k.AlgorithmID != a.ID {
			keys = append(keys, k)
		}
	}
	rec.Hooks, rec.DeployKeys = hooks, keys
	return tx.Put(bucketExtRepos, key, rec)
}

// serveExternal routes /ext/{scm}/...: Git smart HTTP of the host, and
// POST /ext/{scm}/-/tokens, which issues a host token to a cluster admin
// (the way a demo outside this process gets one; tests call ExternalToken).
func (c *Cluster) serveExternal(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, extPrefix)
	scm, tail, _ := strings.Cut(rest, "/")
	var s scmRecord
	err := c.st.View(func(tx *store.Tx) (err error) {
		s, err = findScm(tx, scm)
		return err
	})
	if err != nil || s.ID == scmInternal {
		var ae *apiError
		if err != nil && !errors.As(err, &ae) {
			c.writeError(w, r, err)
			return
		}
		http.Error(w, "no such external host", http.StatusNotFound)
		return
	}
	if tail == "-/tokens" {
		if err := c.issueExtToken(w, r, scm); err != nil {
			c.writeError(w, r, err)
		}
		return
	}
	repos, err := c.hostRepos(scm)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	repos.Handler(c.authorizeExt(scm), c.onExternalPush(scm)).ServeHTTP(w, r)
}

func (c *Cluster) issueExtToken(w http.ResponseWriter, r *http.Request, scm string) error {
	if r.Method != http.MethodPost {
		return methodNotAllowed()
	}
	var b struct {
		Login string `json:"login"`
		Admin bool   `json:"admin"`
	}
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
		return err
	}
	if !b.Admin && !gitserver.ValidHostName(b.Login) {
		return errf(http.StatusBadRequest, codeInputValidation, "login must be a valid account name of the host")
	}
	token, err := c.mintExtToken(scm, b.Login, b.Admin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"login": b.Login, "admin": b.Admin, "token": token})
	return nil
}

// authorizeExt is the host's gitserver.Authorizer: the password is a token
// of this host (the user name is ignored, as GitHub does). Owners read and
// push their repositories, anyone with a token reads public ones, admin
// tokens do everything; a private repository looks absent to others.
func (c *Cluster) authorizeExt(scm string) gitserver.Authorizer {
	return func(_, password, owner, name string, write bool) error {
		var (
			t      extTokenRecord
			ok     bool
			rec    extRepoRecord
			exists bool
		)
		err := c.st.View(func(tx *store.Tx) error {
			var err error
			if t, ok, err = extToken(tx, scm, password); err != nil || !ok {
				return err
			}
			err = tx.Get(bucketExtRepos, extRepoKey(scm, owner, name), &rec)
			exists = err == nil
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		})
		switch {
		case err != nil:
			return err
		case !ok:
			return gitserver.ErrUnauthenticated
		case !exists:
			return gitserver.ErrNotFound
		case t.Admin || t.Login == owner:
			return nil
		case rec.Private:
			return gitserver.ErrNotFound
		case write:
			return gitserver.ErrForbidden
		}
		return nil
	}
}

// onExternalPush delivers the repository's webhooks: each linked algorithm
// builds the new head of the default branch, before the push is answered
// (as internal pushes do), so a client finds the build right after pushing.
func (c *Cluster) onExternalPush(scm string) gitserver.PushHook {
	return func(owner, name, _, newHead string) {
		var targets []algorithmRecord
		err := c.st.View(func(tx *store.Tx) error {
			var rec extRepoRecord
			if err := tx.Get(bucketExtRepos, extRepoKey(scm, owner, name), &rec); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			}
			for _, h := range rec.Hooks {
				var key string
				if tx.Get(bucketAlgorithmIDs, h.AlgorithmID, &key) != nil {
					continue
				}
				var a algorithmRecord
				if tx.Get(bucketAlgorithms, key, &a) == nil && a.Source != nil && a.Source.Scm == scm &&
					a.Source.RepoOwner == owner && a.Source.RepoName == name {
					targets = append(targets, a)
				}
			}
			return nil
		})
		if err != nil {
			c.log.Error("webhook", "scm", scm, "repository", owner+"/"+name, "err", err.Error())
			return
		}
		for _, a := range targets {
			if _, err := c.startBuild(a.Owner, a.Name, newHead); err != nil {
				c.log.Error("start build", "algorithm", algoKey(a.Owner, a.Name), "commit", newHead, "err", err.Error())
			}
		}
	}
}

// newDeployKey makes the OpenSSH public key of a fresh ed25519 key pair; the
// private half is thrown away, since this cluster clones from disk.
func newDeployKey(comment string) (string, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	var wire []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		wire = binary.BigEndian.AppendUint32(wire, uint32(len(part)))
		wire = append(wire, part...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(wire) + " " + comment, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// createLinkedRepo creates an SCM-backed algorithm's repository on its host,
// linked by the webhook and deploy key of a.Source.
func (c *Cluster) createLinkedRepo(a *algorithmRecord, files map[string][]byte, message string, fresh bool) error {
	src := a.Source
	hook := &extHook{URL: src.WebhookURL, Secret: src.WebhookSecret, AlgorithmID: a.ID}
	key := &extDeployKey{Title: "Algorithmia " + algoKey(a.Owner, a.Name), PublicKey: src.DeployKey, AlgorithmID: a.ID}
	private := a.Settings.SourceVisibility != "open"
	if fresh {
		return c.createExtRepo(src.Scm, src.RepoOwner, src.RepoName, private, files, message, hook, key)
	}
	// Repair: the record may exist without its directory, or both may.
	repos, err := c.hostRepos(src.Scm)
	if err != nil {
		return err
	}
	var rec extRepoRecord
	err = c.st.View(func(tx *store.Tx) error {
		return tx.Get(bucketExtRepos, extRepoKey(src.Scm, src.RepoOwner, src.RepoName), &rec)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return c.createExtRepo(src.Scm, src.RepoOwner, src.RepoName, private, files, message, hook, key)
	case err != nil:
		return err
	case !repos.Exists(src.RepoOwner, src.RepoName):
		_, err = repos.CreateOn(src.RepoOwner, src.RepoName, rec.DefaultBranch, files, message)
		return err
	}
	return nil
}
