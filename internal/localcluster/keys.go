package localcluster

import (
	"crypto/rand"
	"net/http"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// apiKeyJSON is the spec's ApiKey.
type apiKeyJSON struct {
	Username    string       `json:"username"`
	KeyLabel    string       `json:"key_label"`
	CreatedAt   string       `json:"created_at"`
	APIKeyMask  string       `json:"api_key_mask"`
	APIKey      string       `json:"api_key"`
	KeyType     string       `json:"key_type"`
	Permissions *permissions `json:"permissions,omitempty"`
	OwnerName   string       `json:"owner_name"`
}

// keyCreation is ApiKeyCreation plus the optional api_key that sets the
// key's value (issue 2 §2), so tests and demos can use known keys.
type keyCreation struct {
	KeyLabel    string       `json:"key_label"`
	KeyType     string       `json:"key_type"`
	Permissions *permissions `json:"permissions"`
	APIKey      string       `json:"api_key"`
}

func (c *Cluster) keyRoutes(h func(string, func(http.ResponseWriter, *http.Request) error)) {
	h("POST /v1/admin/users/{username}/keys", c.createUserKey)
	h("POST /v1/organizations/{org}/members/{username}/keys", c.createMemberKey)
}

const keyAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newKeyValue generates a standard-looking key: "sim" + 29 random characters.
func newKeyValue() string {
	b := make([]byte, 29)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = keyAlphabet[int(b[i])%len(keyAlphabet)]
	}
	return "sim" + string(b)
}

// maskKey keeps only enough of a key to recognise it.
func maskKey(k string) string {
	if len(k) <= 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}

func (c *Cluster) createUserKey(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	username := r.PathValue("username")
	return c.createKey(w, r, username, username, http.StatusOK, func(tx *store.Tx) error {
		if !tx.Has(bucketUsers, username) {
			return errUserNotFound
		}
		return nil
	})
}

// createMemberKey issues a key owned by the organization to one of its members
// (CONTRACT.md §2.3); the key acts for the organization.
func (c *Cluster) createMemberKey(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	org, username := r.PathValue("org"), r.PathValue("username")
	return c.createKey(w, r, org, username, http.StatusCreated, func(tx *store.Tx) error {
		if !tx.Has(bucketOrgs, org) {
			return errOrgNotFound
		}
		if !tx.Has(bucketMembers, memberKey(org, username)) {
			return errf(http.StatusBadRequest, codeInvalidRequest, "%s is not a member of %s", username, org)
		}
		return nil
	})
}

func (c *Cluster) createKey(w http.ResponseWriter, r *http.Request, owner, username string, status int, check func(*store.Tx) error) error {
	var b keyCreation
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	switch b.KeyType {
	case keyTypeAlgorithm:
		if b.Permissions == nil {
			return errf(http.StatusBadRequest, codeInvalidRequest, "permissions are required for an AlgorithmKey")
		}
		if b.Permissions.AlgoACL == nil {
			b.Permissions.AlgoACL = []string{}
		}
	case keyTypeAdmin, keyTypeManagement:
	case "":
		return errf(http.StatusBadRequest, codeInvalidRequest, "key_type is required")
	default:
		return errf(http.StatusBadRequest, codeInvalidRequest, "key_type must be AlgorithmKey, PlatformAdminKey or ManagementKey")
	}
	value := b.APIKey
	if value == "" {
		value = newKeyValue()
	} else if len(value) < 8 || strings.ContainsAny(value, " \t\r\n:") {
		return errf(http.StatusBadRequest, codeInvalidRequest, "api_key must be at least 8 characters without spaces or colons")
	}
	rec := keyRecord{
		Owner: owner, Username: username, Label: b.KeyLabel, Type: b.KeyType,
		Mask: maskKey(value), CreatedAt: time.Now().UTC(),
	}
	if b.Permissions != nil {
		rec.Permissions = *b.Permissions
	}
	if value == c.opts.AdminKey {
		return errf(http.StatusBadRequest, codeInvalidRequest, "api_key is already in use")
	}
	err := c.st.Update(func(tx *store.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		if tx.Has(bucketKeys, hashKey(value)) {
			return errf(http.StatusBadRequest, codeInvalidRequest, "api_key is already in use")
		}
		return tx.Put(bucketKeys, hashKey(value), rec)
	})
	if err != nil {
		return err
	}
	out := apiKeyJSON{
		Username: username, KeyLabel: rec.Label, CreatedAt: formatTime(rec.CreatedAt),
		APIKeyMask: rec.Mask, APIKey: value, KeyType: rec.Type, OwnerName: owner,
	}
	if b.Permissions != nil {
		out.Permissions = &rec.Permissions
	}
	writeJSON(w, status, out)
	return nil
}
