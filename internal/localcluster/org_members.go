package localcluster

import (
	"errors"
	"net/http"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// memberJSON is the spec's OrganizationMember.
type memberJSON struct {
	Username     string `json:"username"`
	Role         string `json:"role"`
	UserLink     string `json:"user_link"`
	ResourceType string `json:"resource_type"`
}

func (c *Cluster) listMembers(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	p, err := c.parsePage(r)
	if err != nil {
		return err
	}
	org := r.PathValue("org")
	var ms []memberRecord
	err = c.st.View(func(tx *store.Tx) error {
		if _, err := getOrgRecord(tx, org); err != nil {
			return err
		}
		ms, err = store.All[memberRecord](tx, bucketMembers, org+"/")
		return err
	})
	if err != nil {
		return err
	}
	items := make([]memberJSON, len(ms))
	for i, m := range ms {
		items[i] = memberJSON{Username: m.Username, Role: m.Role, UserLink: baseURL(r) + "/v1/users/" + m.Username, ResourceType: "organization_member"}
	}
	writeJSON(w, http.StatusOK, paginate(r, p, items, func(m memberJSON) string { return m.Username }, false))
	return nil
}

// putMember adds a user: 201 when added, 200 when already a member (CONTRACT.md §10.3).
// The spec has no body; an optional {"role": "owner"|"member"} sets the role,
// and the first member of an organization without owners becomes its owner.
func (c *Cluster) putMember(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Role string `json:"role"`
	}
	if err := c.decodeAdminJSON(r, &b, true); err != nil {
		return err
	}
	if b.Role != "" && b.Role != "owner" && b.Role != "member" {
		return errf(http.StatusBadRequest, codeInvalidRequest, "role must be owner or member")
	}
	org, username := r.PathValue("org"), r.PathValue("username")
	status := http.StatusOK
	err := c.st.Update(func(tx *store.Tx) error {
		if _, err := getOrgRecord(tx, org); err != nil {
			return err
		}
		if !tx.Has(bucketUsers, username) {
			return errUserNotFound
		}
		var m memberRecord
		err := tx.Get(bucketMembers, memberKey(org, username), &m)
		switch {
		case errors.Is(err, store.ErrNotFound):
			status = http.StatusCreated
			m = memberRecord{Org: org, Username: username, Role: b.Role, AddedAt: time.Now().UTC()}
			if m.Role == "" {
				m.Role = "member"
				if n, err := countOwners(tx, org); err != nil {
					return err
				} else if n == 0 {
					m.Role = "owner"
				}
			}
		case err != nil:
			return err
		case b.Role == "" || b.Role == m.Role:
			return nil
		default:
			if err := keepAnOwner(tx, org, m); err != nil {
				return err
			}
			m.Role = b.Role
		}
		return tx.Put(bucketMembers, memberKey(org, username), m)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(status)
	return nil
}

func countOwners(tx *store.Tx, org string) (int, error) {
	ms, err := store.All[memberRecord](tx, bucketMembers, org+"/")
	n := 0
	for _, m := range ms {
		if m.Role == "owner" {
			n++
		}
	}
	return n, err
}

// keepAnOwner refuses (3102) to demote or remove m when it is the last owner
// of org (CONTRACT.md §10.3).
func keepAnOwner(tx *store.Tx, org string, m memberRecord) error {
	if m.Role != "owner" {
		return nil
	}
	n, err := countOwners(tx, org)
	if err != nil {
		return err
	}
	if n == 1 {
		return errf(http.StatusBadRequest, codeOrganizationRequiresOwner, "Unable to remove the last owner of an organization.")
	}
	return nil
}

// deleteMember answers 204 also when the user is no member (CONTRACT.md §10.3), and
// refuses to remove the last owner (3102).
func (c *Cluster) deleteMember(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	org, username := r.PathValue("org"), r.PathValue("username")
	err := c.st.Update(func(tx *store.Tx) error {
		if _, err := getOrgRecord(tx, org); err != nil {
			return err
		}
		var m memberRecord
		if err := tx.Get(bucketMembers, memberKey(org, username), &m); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		if err := keepAnOwner(tx, org, m); err != nil {
			return err
		}
		return tx.Delete(bucketMembers, memberKey(org, username))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
