package localcluster

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// orgJSON is the spec's Organization. The external group fields echo whatever
// was sent, string or array (CONTRACT.md §10.2 CONFLICT).
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
	var b orgBody
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
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

// updateOrg answers 204 with no body, as the platform did (CONTRACT.md §10.2).
func (c *Cluster) updateOrg(w http.ResponseWriter, r *http.Request) error {
	var b orgBody
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
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

// deleteOrg answers 204 even when the organization does not exist (CONTRACT.md §10.2).
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
