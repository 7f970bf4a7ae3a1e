package localcluster

import (
	"errors"
	"net/http"
	"sort"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

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
	var t orgType
	if err := c.decodeAdminJSON(r, &t, false); err != nil {
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
