package localcluster

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/runtimes"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// languageJSON is one entry of GET .../edge/languages (§9).
type languageJSON struct {
	Name          string `json:"name"`
	DisplayName   string `json:"display_name"`
	Configuration string `json:"configuration"`
}

// environmentJSON is one entry of .../languages/{language}/environments (§9).
type environmentJSON struct {
	ID                         string       `json:"id"`
	EnvironmentSpecificationID string       `json:"environment_specification_id"`
	DisplayName                string       `json:"display_name"`
	Description                string       `json:"description"`
	CreatedAt                  string       `json:"created_at"`
	Language                   languageJSON `json:"language"`
	MachineType                string       `json:"machine_type"`
}

// environment is a catalogue entry joined with this cluster's ids.
type environment struct {
	runtimes.Environment
	environmentIDs
}

func (c *Cluster) environmentRoutes(h func(string, func(http.ResponseWriter, *http.Request) error)) {
	h("GET /v1/algorithm-environments/edge/languages", c.listLanguages)
	h("GET /v1/algorithm-environments/edge/languages/{language}/environments", c.listEnvironments)
	h("GET /v1/algorithm-environments/edge/environment-specifications/{spec}/template", c.getTemplate)
	h("GET /v1/secret-provider", c.listSecretProviders)
}

// seed gives a new cluster its organization types and random environment
// ids, and adds ids for catalogue entries a newer binary brought along.
func (c *Cluster) seed() error {
	return c.st.Update(func(tx *store.Tx) error {
		if err := seedOrgTypes(tx); err != nil {
			return err
		}
		if err := seedSecretProvider(tx); err != nil {
			return err
		}
		for _, e := range runtimes.Environments() {
			if tx.Has(bucketEnvironments, e.SpecName) {
				continue
			}
			ids := environmentIDs{ID: uuid.NewString(), SpecID: uuid.NewString(), CreatedAt: time.Now().UTC()}
			if err := tx.Put(bucketEnvironments, e.SpecName, ids); err != nil {
				return err
			}
		}
		return nil
	})
}

// environments returns the catalogue with this cluster's ids.
func environments(tx *store.Tx) ([]environment, error) {
	var out []environment
	for _, e := range runtimes.Environments() {
		var ids environmentIDs
		if err := tx.Get(bucketEnvironments, e.SpecName, &ids); err != nil {
			return nil, err
		}
		out = append(out, environment{Environment: e, environmentIDs: ids})
	}
	return out, nil
}

func findEnvironment(tx *store.Tx, match func(environment) bool) (environment, bool, error) {
	envs, err := environments(tx)
	if err != nil {
		return environment{}, false, err
	}
	for _, e := range envs {
		if match(e) {
			return e, true, nil
		}
	}
	return environment{}, false, nil
}

func languageByName(name string) (languageJSON, bool) {
	for _, l := range runtimes.Languages() {
		if l.Name == name {
			return languageJSON{Name: l.Name, DisplayName: l.DisplayName, Configuration: l.Configuration}, true
		}
	}
	return languageJSON{}, false
}

func (c *Cluster) listLanguages(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	out := []languageJSON{}
	for _, l := range runtimes.Languages() {
		out = append(out, languageJSON{Name: l.Name, DisplayName: l.DisplayName, Configuration: l.Configuration})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (c *Cluster) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.authenticate(r); err != nil {
		return err
	}
	name := r.PathValue("language")
	lang, ok := languageByName(name)
	if !ok {
		return errf(http.StatusNotFound, codeUnknownLanguage, "Unknown language %q", name)
	}
	out := []environmentJSON{}
	err := c.st.View(func(tx *store.Tx) error {
		envs, err := environments(tx)
		for _, e := range envs {
			if e.Language != name {
				continue
			}
			out = append(out, environmentJSON{
				ID: e.ID, EnvironmentSpecificationID: e.SpecID, DisplayName: e.DisplayName,
				Description: e.Description, CreatedAt: e.CreatedAt.UTC().Format("2006-01-02T15:04:05.000"),
				Language: lang, MachineType: e.MachineType,
			})
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"environments": out})
	return nil
}

// getTemplate serves an environment specification's template as a gzip
// tarball with the platform's __USER__/__ALGO__ placeholders. No key needed (§8.3).
func (c *Cluster) getTemplate(w http.ResponseWriter, r *http.Request) error {
	spec := r.PathValue("spec")
	var env environment
	var found bool
	if err := c.st.View(func(tx *store.Tx) (err error) {
		env, found, err = findEnvironment(tx, func(e environment) bool { return e.SpecID == spec })
		return err
	}); err != nil {
		return err
	}
	if !found {
		return errf(http.StatusNotFound, codePackageSetNotFound, "Environment specification %q was not found.", spec)
	}
	files := runtimes.TemplateFiles("__USER__", "__ALGO__", env.Language)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="template.tar.gz"`)
	// The response has started, so a failed write cannot become an error
	// document: the client, which has most likely gone away, gets a
	// truncated archive and there is nothing more to say.
	_ = writeTarGz(w, names, files, env.CreatedAt)
	return nil
}

// writeTarGz writes files, in the order of names, as a gzip tarball. It
// stops at the first failed write without closing the archive.
func writeTarGz(w io.Writer, names []string, files map[string][]byte, modTime time.Time) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: modTime}); err != nil {
			return err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return err
		}
	}
	twErr := tw.Close()
	return errors.Join(twErr, gz.Close())
}
