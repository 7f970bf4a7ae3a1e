package localcluster

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// userJSON is the spec's User.
type userJSON struct {
	ID           string `json:"id"`
	Username     string `json:"username"`
	Email        string `json:"email"`
	Fullname     string `json:"fullname"`
	CompanyName  string `json:"company_name,omitempty"`
	CompanyRole  string `json:"company_role,omitempty"`
	SelfLink     string `json:"self_link"`
	ResourceType string `json:"resource_type"`
}

// userBody is the request body of POST/PUT /v1/users; passwordHash and
// shouldCreateHello, sent by the Python client, are accepted and ignored.
type userBody struct {
	Username    *string `json:"username"`
	Email       *string `json:"email"`
	Fullname    *string `json:"fullname"`
	CompanyName *string `json:"company_name"`
	CompanyRole *string `json:"company_role"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func userFromRecord(r *http.Request, u userRecord) userJSON {
	return userJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, Fullname: u.Fullname,
		CompanyName: u.CompanyName, CompanyRole: u.CompanyRole,
		SelfLink:     baseURL(r) + "/v1/users/" + u.Username,
		ResourceType: "user",
	}
}

func (c *Cluster) userRoutes(h func(string, func(http.ResponseWriter, *http.Request) error)) {
	h("GET /v1/users", c.listUsers)
	h("POST /v1/users", c.createUser)
	h("GET /v1/users/{user}", c.getUser)
	h("PUT /v1/users/{user}", c.updateUser)
	h("DELETE /v1/users/{user}", c.deleteUser)
	h("GET /v1/users/{user}/algorithms", c.listUserAlgorithms)
	h("GET /v1/users/{user}/errors", c.listAccountErrors)
}

// validateUserFields checks the length and pattern limits of CONTRACT.md §10.1.
func validateUserFields(b userBody) error {
	if b.Username != nil && !validName(*b.Username) {
		return errf(http.StatusBadRequest, codeInputValidation, "username must match ^[a-zA-Z][a-zA-Z0-9_]*$ and be at most 30 characters")
	}
	if b.Email != nil && (len(*b.Email) > 100 || !emailPattern.MatchString(*b.Email)) {
		return errf(http.StatusBadRequest, codeInputValidation, "email is not a valid address of at most 100 characters")
	}
	if len(str(b.Fullname)) > 100 || len(str(b.CompanyName)) > 100 {
		return errf(http.StatusBadRequest, codeInputValidation, "fullname and company_name are limited to 100 characters")
	}
	if len(str(b.CompanyRole)) > 200 {
		return errf(http.StatusBadRequest, codeInputValidation, "company_role is limited to 200 characters")
	}
	return nil
}

func (c *Cluster) createUser(w http.ResponseWriter, r *http.Request) error {
	var b userBody
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
		return err
	}
	if str(b.Username) == "" || str(b.Email) == "" {
		return errf(http.StatusBadRequest, codeMissingRequiredFields, "Not all required fields have been provided: username and email are required.")
	}
	if err := validateUserFields(b); err != nil {
		return err
	}
	u := userRecord{
		ID: uuid.NewString(), Username: *b.Username, Email: *b.Email, Fullname: str(b.Fullname),
		CompanyName: str(b.CompanyName), CompanyRole: str(b.CompanyRole), CreatedAt: time.Now().UTC(),
	}
	if u.Fullname == "" {
		u.Fullname = u.Username
	}
	err := c.st.Update(func(tx *store.Tx) error {
		if tx.Has(bucketUsers, u.Username) || tx.Has(bucketOrgs, u.Username) {
			return errf(http.StatusConflict, codeUsernameTaken, "The username is already taken.")
		}
		if tx.Has(bucketEmails, strings.ToLower(u.Email)) {
			return errf(http.StatusConflict, codeEmailTaken, "The email address is already taken by a different username.")
		}
		if err := tx.Put(bucketUsers, u.Username, u); err != nil {
			return err
		}
		if err := tx.Put(bucketUserIDs, u.ID, u.Username); err != nil {
			return err
		}
		return tx.Put(bucketEmails, strings.ToLower(u.Email), u.Username)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userFromRecord(r, u))
	return nil
}

// lookupUser resolves a path segment that is either a username or a user id.
func lookupUser(tx *store.Tx, seg string) (userRecord, error) {
	var u userRecord
	name := seg
	if uuidPattern.MatchString(seg) {
		if err := tx.Get(bucketUserIDs, seg, &name); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return u, errUserNotFound
			}
			return u, err
		}
	}
	if err := tx.Get(bucketUsers, name, &u); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return u, errUserNotFound
		}
		return u, err
	}
	return u, nil
}

func (c *Cluster) getUser(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var u userRecord
	err := c.st.View(func(tx *store.Tx) (err error) {
		u, err = lookupUser(tx, r.PathValue("user"))
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userFromRecord(r, u))
	return nil
}

func (c *Cluster) listUsers(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	p, err := c.parsePage(r)
	if err != nil {
		return err
	}
	var users []userRecord
	if err := c.st.View(func(tx *store.Tx) (err error) {
		users, err = store.All[userRecord](tx, bucketUsers, "")
		return err
	}); err != nil {
		return err
	}
	items := make([]userJSON, len(users))
	for i, u := range users {
		items[i] = userFromRecord(r, u)
	}
	writeJSON(w, http.StatusOK, paginate(r, p, items, func(u userJSON) string { return u.Username }, false))
	return nil
}

func (c *Cluster) updateUser(w http.ResponseWriter, r *http.Request) error {
	var b userBody
	if err := c.decodeAdminJSON(r, &b, false); err != nil {
		return err
	}
	if err := validateUserFields(b); err != nil {
		return err
	}
	var u userRecord
	err := c.st.Update(func(tx *store.Tx) (err error) {
		u, err = lookupUser(tx, r.PathValue("user"))
		if err != nil {
			return err
		}
		if str(b.Username) != "" && *b.Username != u.Username {
			return errf(http.StatusBadRequest, codeInconsistentUsername, "Username in body does not match username in path.")
		}
		if str(b.Username) == "" || str(b.Email) == "" || str(b.Fullname) == "" {
			return errf(http.StatusBadRequest, codeMissingRequiredFields, "Not all required fields have been provided: username, email and fullname are required.")
		}
		if !strings.EqualFold(*b.Email, u.Email) {
			return errf(http.StatusBadRequest, codeUpdatingEmailNotAllowed, "Updating the email of a user is not allowed.")
		}
		u.Fullname, u.CompanyName, u.CompanyRole = *b.Fullname, str(b.CompanyName), str(b.CompanyRole)
		return tx.Put(bucketUsers, u.Username, u)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userFromRecord(r, u))
	return nil
}

func (c *Cluster) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	var (
		algos    []algorithmRecord
		username string
	)
	err := c.st.Update(func(tx *store.Tx) error {
		u, err := lookupUser(tx, r.PathValue("user"))
		if err != nil {
			return err
		}
		username = u.Username
		if err := deleteAccountKeys(tx, u.Username); err != nil {
			return err
		}
		// Memberships go too; an organization may thereby lose its last owner,
		// which the member endpoint forbids but deleting the user cannot refuse.
		ms, err := store.All[memberRecord](tx, bucketMembers, "")
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Username == u.Username {
				if err := tx.Delete(bucketMembers, memberKey(m.Org, m.Username)); err != nil {
					return err
				}
			}
		}
		if algos, err = deleteOwnedAlgorithms(tx, u.Username); err != nil {
			return err
		}
		if err := deleteAccountScmAuths(tx, u.Username); err != nil {
			return err
		}
		if err := deleteOwnedData(tx, u.Username); err != nil {
			return err
		}
		if err := tx.Delete(bucketUserIDs, u.ID); err != nil {
			return err
		}
		if err := tx.Delete(bucketEmails, strings.ToLower(u.Email)); err != nil {
			return err
		}
		return tx.Delete(bucketUsers, u.Username)
	})
	if err != nil {
		return err
	}
	c.removeRepos(algos)
	c.removeAccountData(username)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAccountKeys removes every key that acts for or was issued to account.
func deleteAccountKeys(tx *store.Tx, account string) error {
	var doomed []string
	if err := tx.Scan(bucketKeys, "", func(k string, raw []byte) (bool, error) {
		var kr keyRecord
		if err := jsonUnmarshal(raw, &kr); err != nil {
			return false, err
		}
		if kr.Owner == account || kr.Username == account {
			doomed = append(doomed, k)
		}
		return true, nil
	}); err != nil {
		return err
	}
	for _, k := range doomed {
		if err := tx.Delete(bucketKeys, k); err != nil {
			return err
		}
	}
	return nil
}

// utilityAlgorithm is the spec's UtilityAlgorithm.
type utilityAlgorithm struct {
	ID       string `json:"id"`
	Algoname string `json:"algoname"`
	Username string `json:"username"`
}

// listUserAlgorithms serves GET /v1/users/{username}/algorithms (CONTRACT.md §5.6): a bare
// array, for the account itself, its organizations' members, or an admin.
func (c *Cluster) listUserAlgorithms(w http.ResponseWriter, r *http.Request) error {
	cl, err := c.authenticate(r)
	if err != nil {
		return err
	}
	owner := r.PathValue("user")
	out := []utilityAlgorithm{}
	err = c.st.View(func(tx *store.Tx) error {
		if !tx.Has(bucketUsers, owner) && !tx.Has(bucketOrgs, owner) {
			return errUserNotFound
		}
		if !cl.admin && !actsFor(tx, cl.owner, owner) {
			return errForbidden
		}
		algos, err := store.All[algorithmRecord](tx, bucketAlgorithms, owner+"/")
		for _, a := range algos {
			out = append(out, utilityAlgorithm{ID: a.ID, Algoname: a.Name, Username: a.Owner})
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Algoname < out[j].Algoname })
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAccountErrors serves the per-account error lists of CONTRACT.md §5.7; this cluster
// runs no algorithm, so there is never an error to report.
func (c *Cluster) listAccountErrors(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, []any{})
	return nil
}
