package localcluster

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// orgJSON is the spec's Organization. The external group fields echo whatever
// was sent, string or array (§10.2 CONFLICT).
type orgJSON struct {
	ID                    string          `json:"id"`
	OrgName               string          `json:"org_name"`
	OrgLabel              string          `json:"org_label"`
	OrgContactName        string          `json:"org_contact_name"`
	OrgEmail              string          `json:"org_email"`
	OrgURL                string          `json:"org_url,omitempty"`
	OrgCreatedAt          string          `json:"org_created_at"`
	TypeID                string          `json:"type_id"`
	StripeCustomerID      string          `json:"stripe_customer_id,omitempty"`
	ExternalID            string          `json:"external_id,omitempty"`
	ExternalAdminGroup    json.RawMessage `json:"external_admin_group,omitempty"`
	ExternalMemberGroup   json.RawMessage `json:"external_member_group,omitempty"`
	ExternalExecutorGroup json.RawMessage `json:"external_executor_group,omitempty"`
	OwnerIDs              []string        `json:"owner_ids"`
	ResourceType          string          `json:"resource_type"`
	SelfLink              string          `json:"self_link"`
}

type orgBody struct {
	OrgName               *string         `json:"org_name"`
	OrgLabel              *string         `json:"org_label"`
	OrgContactName        *string         `json:"org_contact_name"`
	OrgEmail              *string         `json:"org_email"`
	OrgURL                *string         `json:"org_url"`
	TypeID                *string         `json:"type_id"`
	StripeCustomerID      *string         `json:"stripe_customer_id"`
	ExternalID            *string         `json:"external_id"`
	ExternalAdminGroup    json.RawMessage `json:"external_admin_group"`
	ExternalMemberGroup   json.RawMessage `json:"external_member_group"`
	ExternalExecutorGroup json.RawMessage `json:"external_executor_group"`
	OwnerIDs              []string        `json:"owner_ids"`
}

// memberJSON is the spec's OrganizationMember.
type memberJSON struct {
	Username     string `json:"username"`
	Role         string `json:"role"`
	UserLink     string `json:"user_link"`
	ResourceType string `json:"resource_type"`
}

func (c *Cluster) orgRoutes(h func(string, func(http.ResponseWriter, *http.Request) error)) {
	h("GET /v1/organizations", c.listOrgs)
	h("POST /v1/organizations", c.createOrg)
	h("GET /v1/organizations/{org}", c.getOrg)
	h("PUT /v1/organizations/{org}", c.updateOrg)
	h("DELETE /v1/organizations/{org}", c.deleteOrg)
	h("GET /v1/organizations/{org}/members", c.listMembers)
	h("PUT /v1/organizations/{org}/members/{username}", c.putMember)
	h("DELETE /v1/organizations/{org}/members/{username}", c.deleteMember)
	h("GET /v1/organizations/{org}/errors", c.listAccountErrors)
	h("GET /v1/organization/types", c.listOrgTypes)
	h("POST /v1/organization/types", c.createOrgType)
	h("DELETE /v1/organization/types/{name}", c.deleteOrgType)
}

// seedOrgTypes gives a new cluster the basic/legacy/pro types with random ids.
func seedOrgTypes(tx *store.Tx) error {
	for _, name := range []string{"basic", "legacy", "pro"} {
		if tx.Has(bucketOrgTypes, name) {
			continue
		}
		if err := tx.Put(bucketOrgTypes, name, orgType{ID: uuid.NewString(), Name: name}); err != nil {
			return err
		}
	}
	return nil
}

func orgFromRecord(tx *store.Tx, r *http.Request, o orgRecord) (orgJSON, error) {
	out := orgJSON{
		ID: o.ID, OrgName: o.Name, OrgLabel: o.Label, OrgContactName: o.ContactName, OrgEmail: o.Email,
		OrgURL: o.URL, OrgCreatedAt: o.CreatedAt.UTC().Format("2006-01-02T15:04:05"), TypeID: o.TypeID,
		StripeCustomerID: o.StripeID, ExternalID: o.ExternalID,
		ExternalAdminGroup: o.AdminGroup, ExternalMemberGroup: o.MemberGroup, ExternalExecutorGroup: o.ExecutorGroup,
		OwnerIDs: []string{}, ResourceType: "organization", SelfLink: baseURL(r) + "/v1/organizations/" + o.Name,
	}
	ms, err := store.All[memberRecord](tx, bucketMembers, o.Name+"/")
	for _, m := range ms {
		var u userRecord
		if m.Role == "owner" && tx.Get(bucketUsers, m.Username, &u) == nil {
			out.OwnerIDs = append(out.OwnerIDs, u.ID)
		}
	}
	return out, err
}

// resolveOrgType accepts a type id or, like the Python and Java clients do
// before sending, a type name.
func resolveOrgType(tx *store.Tx, idOrName string) (string, error) {
	types, err := store.All[orgType](tx, bucketOrgTypes, "")
	if err != nil {
		return "", err
	}
	for _, t := range types {
		if t.ID == idOrName || t.Name == idOrName {
			return t.ID, nil
		}
	}
	return "", errf(http.StatusBadRequest, codeOrgTypeNotFound, "Organization type %q was not found.", idOrName)
}

// applyOrgBody validates b and copies it onto o (a full replacement, as PUT
// clients send the whole object).
func applyOrgBody(tx *store.Tx, o *orgRecord, b orgBody) error {
	if str(b.OrgLabel) == "" || str(b.OrgContactName) == "" || str(b.OrgEmail) == "" || str(b.TypeID) == "" {
		return errf(http.StatusBadRequest, codeMissingRequiredFields, "Not all required fields have been provided: org_name, org_label, org_contact_name, org_email and type_id are required.")
	}
	if len(*b.OrgLabel) > 100 || len(*b.OrgContactName) > 100 || len(str(b.OrgURL)) > 100 {
		return errf(http.StatusBadRequest, codeInputValidation, "org_label, org_contact_name and org_url are limited to 100 characters")
	}
	if len(*b.OrgEmail) > 100 || !emailPattern.MatchString(*b.OrgEmail) {
		return errf(http.StatusBadRequest, codeInputValidation, "org_email is not a valid address of at most 100 characters")
	}
	typeID, err := resolveOrgType(tx, *b.TypeID)
	if err != nil {
		return err
	}
	o.Label, o.ContactName, o.Email, o.URL, o.TypeID = *b.OrgLabel, *b.OrgContactName, *b.OrgEmail, str(b.OrgURL), typeID
	o.StripeID, o.ExternalID = str(b.StripeCustomerID), str(b.ExternalID)
	o.AdminGroup, o.MemberGroup, o.ExecutorGroup = nullToNil(b.ExternalAdminGroup), nullToNil(b.ExternalMemberGroup), nullToNil(b.ExternalExecutorGroup)
	return nil
}

func nullToNil(m json.RawMessage) json.RawMessage {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return m
}

func (c *Cluster) createOrg(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var b orgBody
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	name := str(b.OrgName)
	if name == "" {
		return errf(http.StatusBadRequest, codeMissingRequiredFields, "Not all required fields have been provided: org_name is required.")
	}
	if !validName(name) {
		return errf(http.StatusBadRequest, codeInputValidation, "org_name must match ^[a-zA-Z][a-zA-Z0-9_]*$ and be at most 30 characters")
	}
	var out orgJSON
	err := c.st.Update(func(tx *store.Tx) error {
		if tx.Has(bucketOrgs, name) {
			return errf(http.StatusConflict, codeOrganizationExists, "An organization already exists with this name.")
		}
		if tx.Has(bucketUsers, name) {
			return errf(http.StatusConflict, codeCannotReserveUserForOrg, "The name %q is taken by a user.", name)
		}
		o := orgRecord{ID: uuid.NewString(), Name: name, CreatedAt: time.Now().UTC()}
		if err := applyOrgBody(tx, &o, b); err != nil {
			return err
		}
		if err := tx.Put(bucketOrgs, name, o); err != nil {
			return err
		}
		// An admin key stands for no user, so owners come from owner_ids.
		for _, id := range b.OwnerIDs {
			u, err := lookupUser(tx, id)
			if err != nil {
				return errf(http.StatusBadRequest, codeUserNotFound, "owner_ids: user %q was not found", id)
			}
			m := memberRecord{Org: name, Username: u.Username, Role: "owner", AddedAt: time.Now().UTC()}
			if err := tx.Put(bucketMembers, memberKey(name, u.Username), m); err != nil {
				return err
			}
		}
		var err error
		out, err = orgFromRecord(tx, r, o)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func getOrgRecord(tx *store.Tx, name string) (orgRecord, error) {
	var o orgRecord
	err := tx.Get(bucketOrgs, name, &o)
	if errors.Is(err, store.ErrNotFound) {
		return o, errOrgNotFound
	}
	return o, err
}

func (c *Cluster) getOrg(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var out orgJSON
	err := c.st.View(func(tx *store.Tx) error {
		o, err := getOrgRecord(tx, r.PathValue("org"))
		if err != nil {
			return err
		}
		out, err = orgFromRecord(tx, r, o)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (c *Cluster) listOrgs(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	p, err := c.parsePage(r)
	if err != nil {
		return err
	}
	var items []orgJSON
	err = c.st.View(func(tx *store.Tx) error {
		orgs, err := store.All[orgRecord](tx, bucketOrgs, "")
		if err != nil {
			return err
		}
		for _, o := range orgs {
			j, err := orgFromRecord(tx, r, o)
			if err != nil {
				return err
			}
			items = append(items, j)
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, paginate(r, p, items, func(o orgJSON) string { return o.OrgName }, false))
	return nil
}

// updateOrg answers 204 with no body, as the platform did (§10.2).
func (c *Cluster) updateOrg(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var b orgBody
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	name := r.PathValue("org")
	if b.OrgName != nil && *b.OrgName != name {
		return errf(http.StatusBadRequest, codeInvalidRequest, "org_name in body does not match the organization in the path")
	}
	err := c.st.Update(func(tx *store.Tx) error {
		o, err := getOrgRecord(tx, name)
		if err != nil {
			return err
		}
		if err := applyOrgBody(tx, &o, b); err != nil {
			return err
		}
		return tx.Put(bucketOrgs, name, o)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteOrg answers 204 even when the organization does not exist (§10.2).
// Its members, keys and algorithms (with their repositories) go with it.
func (c *Cluster) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	name := r.PathValue("org")
	var (
		algos   []algorithmRecord
		existed bool
	)
	err := c.st.Update(func(tx *store.Tx) error {
		if !tx.Has(bucketOrgs, name) {
			return nil
		}
		existed = true
		if err := tx.DeletePrefix(bucketMembers, name+"/"); err != nil {
			return err
		}
		if err := deleteAccountKeys(tx, name); err != nil {
			return err
		}
		var err error
		if algos, err = deleteOwnedAlgorithms(tx, name); err != nil {
			return err
		}
		if err := deleteAccountScmAuths(tx, name); err != nil {
			return err
		}
		if err := deleteOwnedData(tx, name); err != nil {
			return err
		}
		return tx.Delete(bucketOrgs, name)
	})
	if err != nil {
		return err
	}
	c.removeRepos(algos)
	if existed {
		c.removeAccountData(name)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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

// putMember adds a user: 201 when added, 200 when already a member (§10.3).
// The spec has no body; an optional {"role": "owner"|"member"} sets the role,
// and the first member of an organization without owners becomes its owner.
func (c *Cluster) putMember(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var b struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(r, &b, true); err != nil {
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
			if m.Role == "owner" {
				if n, err := countOwners(tx, org); err != nil {
					return err
				} else if n == 1 {
					return errf(http.StatusBadRequest, codeOrganizationRequiresOwner, "Unable to remove the last owner of an organization.")
				}
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

// deleteMember answers 204 also when the user is no member (§10.3), and
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
		if m.Role == "owner" {
			if n, err := countOwners(tx, org); err != nil {
				return err
			} else if n == 1 {
				return errf(http.StatusBadRequest, codeOrganizationRequiresOwner, "Unable to remove the last owner of an organization.")
			}
		}
		return tx.Delete(bucketMembers, memberKey(org, username))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listOrgTypes is open to any valid key: clients look types up by name
// before creating an organization.
func (c *Cluster) listOrgTypes(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	var types []orgType
	if err := c.st.View(func(tx *store.Tx) (err error) {
		types, err = store.All[orgType](tx, bucketOrgTypes, "")
		return err
	}); err != nil {
		return err
	}
	sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	writeJSON(w, http.StatusOK, types)
	return nil
}

func (c *Cluster) createOrgType(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var t orgType
	if err := decodeJSON(r, &t, false); err != nil {
		return err
	}
	if !validName(t.Name) {
		return errf(http.StatusBadRequest, codeInputValidation, "name must match ^[a-zA-Z][a-zA-Z0-9_]*$")
	}
	if t.ID == "" {
		t.ID = uuid.NewString()
	} else if _, err := uuid.Parse(t.ID); err != nil {
		return errf(http.StatusBadRequest, codeInputValidation, "id must be a UUID")
	}
	err := c.st.Update(func(tx *store.Tx) error {
		types, err := store.All[orgType](tx, bucketOrgTypes, "")
		if err != nil {
			return err
		}
		for _, o := range types {
			if o.Name == t.Name || o.ID == t.ID {
				return errf(http.StatusConflict, codeOrgTypeExists, "Organization type already exists.")
			}
		}
		return tx.Put(bucketOrgTypes, t.Name, t)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (c *Cluster) deleteOrgType(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	name := r.PathValue("name")
	err := c.st.Update(func(tx *store.Tx) error {
		var t orgType
		if err := tx.Get(bucketOrgTypes, name, &t); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errf(http.StatusNotFound, codeOrgTypeNotFound, "Organization type %q was not found.", name)
			}
			return err
		}
		orgs, err := store.All[orgRecord](tx, bucketOrgs, "")
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.TypeID == t.ID {
				return errf(http.StatusBadRequest, codeInvalidRequest, "Organization type %q is used by organization %s.", name, o.Name)
			}
		}
		return tx.Delete(bucketOrgTypes, name)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
