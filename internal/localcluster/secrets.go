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

// Secret-store codes of CONTRACT.md §3.2 (the spec's names).
const (
	codeMalformedSecretRequest      = 8000 // MalformedAlgorithmSecretRequestJson
	codeSecretConstraintViolation   = 8001 // SecretMetadataConstraintViolation
	codeCreateRequiresSecretValue   = 8004 // CreateRequiresSecretValue
	codeSecretProviderNotFound      = 8006 // SecretProviderNotFound
	codeSecretNotFound              = 8008 // SecretNotFound
	defaultSecretProviderName       = "internal"
	defaultSecretProviderModuleName = "secret-provider-internal"
)

const (
	bucketSecretProviders = "secret_providers" // provider id -> secretProviderRecord
	bucketSecrets         = "secrets"          // owner "/" name "/" secret id -> secretRecord
)

// secretNamePattern is what short_name and secret_key must match: they
// become environment variable names inside the algorithm (CHOICES.md).
var secretNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// secretProviderRecord is the spec's ProviderInfo as stored.
type secretProviderRecord struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	ModuleName       string    `json:"moduleName"`
	FactoryClassName string    `json:"factoryClassName"`
	InterfaceVersion string    `json:"interfaceVersion"`
	IsEnabled        bool      `json:"isEnabled"`
	IsDefault        bool      `json:"isDefault"`
	Created          time.Time `json:"created"`
	Modified         time.Time `json:"modified"`
}

// secretRecord is one algorithm secret. Value is the secret itself: this
// cluster is its own (internal) secret provider, so it keeps the value in the
// store. No route ever returns it.
type secretRecord struct {
	ID          string    `json:"id"`
	AlgorithmID string    `json:"algorithm_id"`
	ShortName   string    `json:"short_name"`
	Description string    `json:"description"`
	SecretKey   string    `json:"secret_key"`
	ProviderID  string    `json:"provider_id"`
	ValueID     string    `json:"value_id"` // changes with every new value
	Value       string    `json:"value"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

// secretJSON is the spec's AlgorithmSecretResult plus the fields the Python
// mock adds (secret_key, created, modified); never the value.
type secretJSON struct {
	ID                   string `json:"id"`
	ShortName            string `json:"short_name"`
	Description          string `json:"description"`
	SecretKey            string `json:"secret_key"`
	OwnerType            string `json:"owner_type"`
	OwnerID              string `json:"owner_id"`
	ProviderID           string `json:"provider_id"`
	DefaultSecretValueID string `json:"default_secret_value_id"`
	Created              string `json:"created"`
	Modified             string `json:"modified"`
}

func renderSecret(s secretRecord) secretJSON {
	return secretJSON{
		ID: s.ID, ShortName: s.ShortName, Description: s.Description, SecretKey: s.SecretKey,
		OwnerType: "algorithm", OwnerID: s.AlgorithmID, ProviderID: s.ProviderID,
		DefaultSecretValueID: s.ValueID, Created: formatTime(s.Created), Modified: formatTime(s.Modified),
	}
}

// secretCreateBody and secretEditBody tell "absent" from "empty".
type secretCreateBody struct {
	OwnerType   *string `json:"owner_type"`
	OwnerID     *string `json:"owner_id"`
	ShortName   *string `json:"short_name"`
	ProviderID  *string `json:"provider_id"`
	SecretKey   *string `json:"secret_key"`
	SecretValue *string `json:"secret_value"`
	Description *string `json:"description"`
}

type secretEditBody struct {
	ShortName   *string `json:"short_name"`
	Description *string `json:"description"`
	SecretKey   *string `json:"secret_key"`
	SecretValue *string `json:"secret_value"`
}

// seedSecretProvider gives a new cluster its one provider, the default.
func seedSecretProvider(tx *store.Tx) error {
	found := false
	if err := tx.Scan(bucketSecretProviders, "", func(string, []byte) (bool, error) {
		found = true
		return false, nil
	}); err != nil || found {
		return err
	}
	now := time.Now().UTC()
	p := secretProviderRecord{
		ID: uuid.NewString(), Name: defaultSecretProviderName,
		Description:      "Secrets kept in the cluster's own store",
		ModuleName:       defaultSecretProviderModuleName,
		FactoryClassName: "com.algorithmia.secrets.InternalSecretProviderFactory",
		InterfaceVersion: "1.0", IsEnabled: true, IsDefault: true, Created: now, Modified: now,
	}
	return tx.Put(bucketSecretProviders, p.ID, p)
}

// providerInfoJSON renders times as the spec's date-time.
type providerInfoJSON struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	ModuleName       string `json:"moduleName"`
	FactoryClassName string `json:"factoryClassName"`
	InterfaceVersion string `json:"interfaceVersion"`
	IsEnabled        bool   `json:"isEnabled"`
	IsDefault        bool   `json:"isDefault"`
	Created          string `json:"created"`
	Modified         string `json:"modified"`
}

// listSecretProviders serves GET /v1/secret-provider to any valid key.
func (c *Cluster) listSecretProviders(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	var out []providerInfoJSON
	err := c.st.View(func(tx *store.Tx) error {
		ps, err := store.All[secretProviderRecord](tx, bucketSecretProviders, "")
		for _, p := range ps {
			out = append(out, providerInfoJSON{
				ID: p.ID, Name: p.Name, Description: p.Description, ModuleName: p.ModuleName,
				FactoryClassName: p.FactoryClassName, InterfaceVersion: p.InterfaceVersion,
				IsEnabled: p.IsEnabled, IsDefault: p.IsDefault, Created: formatTime(p.Created), Modified: formatTime(p.Modified),
			})
		}
		return err
	})
	if err != nil {
		return err
	}
	if out == nil {
		out = []providerInfoJSON{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveSecrets routes /v1/algorithms/{algorithmId}/secrets[/{secretId}].
// Listing needs to act for the owner; changing also needs a key that allows
// algorithm management, as every other algorithm write does.
func (c *Cluster) serveSecrets(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	switch {
	case len(ref.rest) == 1 && r.Method == http.MethodGet:
		return c.withSecrets(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
			list, err := algorithmSecrets(tx, a)
			if err != nil {
				return err
			}
			out := struct {
				Results []secretJSON `json:"results"`
			}{Results: []secretJSON{}}
			for _, s := range list {
				out.Results = append(out.Results, renderSecret(s))
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		})
	case len(ref.rest) == 1 && r.Method == http.MethodPost:
		return c.createSecret(w, r, ref)
	case len(ref.rest) == 2 && r.Method == http.MethodPut:
		return c.editSecret(w, r, ref, ref.rest[1])
	case len(ref.rest) == 2 && r.Method == http.MethodDelete:
		return c.withSecrets(r, ref, true, func(tx *store.Tx, a *algorithmRecord) error {
			s, err := findSecret(tx, a, ref.rest[1])
			if err != nil {
				return err
			}
			if err := tx.Delete(bucketSecrets, secretKey(a, s.ID)); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	case len(ref.rest) <= 2:
		return methodNotAllowed()
	}
	return errf(http.StatusNotFound, codeInvalidRequest, "No such route")
}

// withSecrets is withAlgorithm with the secrets rule: reading needs
// membership too, not just a public algorithm.
func (c *Cluster) withSecrets(r *http.Request, ref algoRef, write bool, fn func(*store.Tx, *algorithmRecord) error) error {
	cl, err := c.requireStandard(r)
	if err != nil {
		return err
	}
	return c.withAlgorithm(r, ref, write, func(tx *store.Tx, a *algorithmRecord) error {
		if !actsFor(tx, cl.owner, a.Owner) {
			return errForbidden
		}
		return fn(tx, a)
	})
}

func secretKey(a *algorithmRecord, id string) string { return algoKey(a.Owner, a.Name) + "/" + id }

// algorithmSecrets lists a's secrets by short_name.
func algorithmSecrets(tx *store.Tx, a *algorithmRecord) ([]secretRecord, error) {
	list, err := store.All[secretRecord](tx, bucketSecrets, algoKey(a.Owner, a.Name)+"/")
	sort.Slice(list, func(i, j int) bool { return list[i].ShortName < list[j].ShortName })
	return list, err
}

func findSecret(tx *store.Tx, a *algorithmRecord, id string) (secretRecord, error) {
	var s secretRecord
	if !uuidPattern.MatchString(id) {
		return s, errf(http.StatusNotFound, codeSecretNotFound, "Secret not found")
	}
	if err := tx.Get(bucketSecrets, secretKey(a, id), &s); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return s, errf(http.StatusNotFound, codeSecretNotFound, "Secret not found")
		}
		return s, err
	}
	return s, nil
}

func malformedSecret(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.code == codeInvalidJSON {
		return errf(http.StatusBadRequest, codeMalformedSecretRequest, "%s", ae.message)
	}
	return err
}

// checkSecretNames validates the names and that no other secret of a uses short_name.
func checkSecretNames(tx *store.Tx, a *algorithmRecord, self, shortName, key string) error {
	for field, v := range map[string]string{"short_name": shortName, "secret_key": key} {
		if !secretNamePattern.MatchString(v) {
			return errf(http.StatusBadRequest, codeSecretConstraintViolation, "%s must match %s", field, secretNamePattern)
		}
	}
	list, err := algorithmSecrets(tx, a)
	if err != nil {
		return err
	}
	for _, s := range list {
		if s.ID != self && strings.EqualFold(s.ShortName, shortName) {
			return errf(http.StatusBadRequest, codeSecretConstraintViolation, "The algorithm already has a secret named %q", s.ShortName)
		}
	}
	return nil
}

func (c *Cluster) createSecret(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	if _, err := c.requireStandard(r); err != nil { // 401 beats 400
		return err
	}
	var b secretCreateBody
	if err := decodeJSON(r, &b, false); err != nil {
		return malformedSecret(err)
	}
	return c.withSecrets(r, ref, true, func(tx *store.Tx, a *algorithmRecord) error {
		if b.OwnerType != nil && *b.OwnerType != "algorithm" {
			return errf(http.StatusBadRequest, codeSecretConstraintViolation, `owner_type must be "algorithm"`)
		}
		if b.OwnerID != nil && *b.OwnerID != a.ID {
			return errf(http.StatusBadRequest, codeSecretConstraintViolation, "owner_id must be the algorithm's id %s", a.ID)
		}
		shortName, key := str(b.ShortName), str(b.SecretKey)
		if key == "" {
			key = shortName
		}
		if err := checkSecretNames(tx, a, "", shortName, key); err != nil {
			return err
		}
		if str(b.SecretValue) == "" {
			return errf(http.StatusBadRequest, codeCreateRequiresSecretValue, "Creating a secret requires secret_value")
		}
		provider, err := pickSecretProvider(tx, str(b.ProviderID))
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		s := secretRecord{
			ID: uuid.NewString(), AlgorithmID: a.ID, ShortName: shortName, Description: str(b.Description),
			SecretKey: key, ProviderID: provider, ValueID: uuid.NewString(), Value: *b.SecretValue,
			Created: now, Modified: now,
		}
		if err := tx.Put(bucketSecrets, secretKey(a, s.ID), s); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderSecret(s))
		return nil
	})
}

// pickSecretProvider returns id when it names an enabled provider, or the
// default provider when id is empty.
func pickSecretProvider(tx *store.Tx, id string) (string, error) {
	ps, err := store.All[secretProviderRecord](tx, bucketSecretProviders, "")
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if (id == "" && p.IsDefault) || (id != "" && p.ID == id) {
			return p.ID, nil
		}
	}
	if id == "" {
		return "", errf(http.StatusBadRequest, 8002, "No default secret provider is configured")
	}
	return "", errf(http.StatusBadRequest, codeSecretProviderNotFound, "Secret provider %q not found", id)
}

// editSecret changes what the body names; an absent or empty secret_value
// keeps the stored value.
func (c *Cluster) editSecret(w http.ResponseWriter, r *http.Request, ref algoRef, id string) error {
	if _, err := c.requireStandard(r); err != nil {
		return err
	}
	var b secretEditBody
	if err := decodeJSON(r, &b, false); err != nil {
		return malformedSecret(err)
	}
	return c.withSecrets(r, ref, true, func(tx *store.Tx, a *algorithmRecord) error {
		s, err := findSecret(tx, a, id)
		if err != nil {
			return err
		}
		if b.ShortName != nil {
			s.ShortName = *b.ShortName
		}
		if b.SecretKey != nil {
			s.SecretKey = *b.SecretKey
		}
		if b.Description != nil {
			s.Description = *b.Description
		}
		if err := checkSecretNames(tx, a, s.ID, s.ShortName, s.SecretKey); err != nil {
			return err
		}
		if v := str(b.SecretValue); v != "" && v != s.Value {
			s.Value, s.ValueID = v, uuid.NewString()
		}
		s.Modified = time.Now().UTC()
		if err := tx.Put(bucketSecrets, secretKey(a, s.ID), s); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderSecret(s))
		return nil
	})
}

// SecretValue returns the stored value of the secret short_name of
// owner/name, for tests that check a write-only value reached the cluster
// (no route returns it).
func (c *Cluster) SecretValue(owner, name, shortName string) (string, bool) {
	var value string
	var found bool
	_ = c.st.View(func(tx *store.Tx) error {
		list, err := store.All[secretRecord](tx, bucketSecrets, algoKey(owner, name)+"/")
		for _, s := range list {
			if s.ShortName == shortName {
				value, found = s.Value, true
			}
		}
		return err
	})
	return value, found
}
