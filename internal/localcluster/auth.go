package localcluster

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// Key types of the spec's ApiKeyType.
const (
	keyTypeAlgorithm  = "AlgorithmKey"
	keyTypeManagement = "ManagementKey"
	keyTypeAdmin      = "PlatformAdminKey"
)

// caller is the authenticated principal of a request.
type caller struct {
	admin bool
	owner string // the account (user or organization) that owns the key
	perms permissions
}

// hashKey is how keys are stored: the store never holds a key in clear.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// keyFromHeader accepts `Simple <k>`, `Bearer <k>` and a bare `<k>` (§2.1).
func keyFromHeader(h string) string {
	h = strings.TrimSpace(h)
	for _, scheme := range []string{"Simple ", "Bearer "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return h
}

// lookupKey resolves a key value to its caller, or nil when unknown.
func (c *Cluster) lookupKey(key string) (*caller, error) {
	if key == "" {
		return nil, nil
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(c.opts.AdminKey)) == 1 {
		return &caller{admin: true}, nil
	}
	var k keyRecord
	err := c.st.View(func(tx *store.Tx) error { return tx.Get(bucketKeys, hashKey(key), &k) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if k.Type == keyTypeAdmin || k.Type == keyTypeManagement {
		return &caller{admin: true, owner: k.Owner}, nil
	}
	return &caller{owner: k.Owner, perms: k.Permissions}, nil
}

// authenticate returns the caller of r: 401/2002 without a key or with an
// unknown one.
func (c *Cluster) authenticate(r *http.Request) (*caller, error) {
	key := keyFromHeader(r.Header.Get("Authorization"))
	if key == "" {
		return nil, errNoKey
	}
	cl, err := c.lookupKey(key)
	if err != nil {
		return nil, err
	}
	if cl == nil {
		return nil, errUnknownKey
	}
	return cl, nil
}

// requireAdmin admits admin keys only (§2.2): a standard key gets 403/2001.
func (c *Cluster) requireAdmin(r *http.Request) error {
	cl, err := c.authenticate(r)
	if err != nil {
		return err
	}
	if !cl.admin {
		return errForbidden
	}
	return nil
}

// requireStandard admits standard keys only (§2.2): an admin key gets 403/2001.
func (c *Cluster) requireStandard(r *http.Request) (*caller, error) {
	cl, err := c.authenticate(r)
	if err != nil {
		return nil, err
	}
	if cl.admin {
		return nil, errForbidden
	}
	return cl, nil
}

// actsFor reports whether account may act for owner: it is the owner, or owner
// is an organization and account is one of its members (§10.3).
func actsFor(tx *store.Tx, account, owner string) bool {
	if account == "" {
		return false
	}
	if account == owner {
		return true
	}
	return tx.Has(bucketMembers, memberKey(owner, account))
}

// authorizeGit implements gitserver.Authorizer: HTTP Basic with the key's
// owner as user name and a standard key as password (§8.1). Writing needs a
// key that allows algorithm management; reading needs access to the algorithm.
func (c *Cluster) authorizeGit(username, password, owner, name string, write bool) error {
	if username == "" || password == "" {
		return gitserver.ErrUnauthenticated
	}
	cl, err := c.lookupKey(password)
	if err != nil {
		return err
	}
	if cl == nil || cl.admin || cl.owner != username {
		return gitserver.ErrUnauthenticated
	}
	var (
		found, allowed bool
		scm            string
	)
	err = c.st.View(func(tx *store.Tx) error {
		var a algorithmRecord
		if err := tx.Get(bucketAlgorithms, algoKey(owner, name), &a); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		found, scm = a.RepoReady, a.scmID()
		member := actsFor(tx, cl.owner, owner)
		if write {
			allowed = member && cl.perms.AllowAlgoManagement
		} else {
			allowed = member || a.Settings.SourceVisibility == "open"
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case !found:
		return gitserver.ErrNotFound
	case !allowed:
		return gitserver.ErrForbidden
	case scm != scmInternal && write:
		return &gitserver.Denial{Err: gitserver.ErrForbidden, Message: fmt.Sprintf(
			"Only algorithms backed with the internal SCM can modify code through Algorithmia APIs (%d); push to the repository on SCM %q.", codeScmInternalOnly, scm)}
	case scm != scmInternal:
		return &gitserver.Denial{Err: gitserver.ErrNotFound, Message: fmt.Sprintf(
			"The source of %s/%s is on SCM %q, not on this Git server.", owner, name, scm)}
	}
	return nil
}
