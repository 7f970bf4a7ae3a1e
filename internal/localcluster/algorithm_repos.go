package localcluster

import (
	"errors"
	"net/http"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/runtimes"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// createRepo makes the algorithm's repository with the template commit
// (CONTRACT.md §8.3) and marks the record ready. A leftover internal repository from a
// crashed delete is replaced. An external repository is created on its
// host with the webhook and deploy key; fresh says the request is new, so a
// repository that exists is a conflict, while a repair (fresh false)
// completes what a crash left.
func (c *Cluster) createRepo(a *algorithmRecord, message string, fresh bool) error {
	lang := a.Settings.Language
	if lang == "" {
		lang = a.BuildLanguage
	}
	files := runtimes.TemplateFiles(a.Owner, a.Name, lang)
	var err error
	if a.Source != nil {
		err = c.createLinkedRepo(a, files, message, fresh)
	} else {
		_, err = c.repos.Create(a.Owner, a.Name, files, message)
		if errors.Is(err, gitserver.ErrExists) {
			if err = c.repos.Delete(a.Owner, a.Name); err == nil {
				_, err = c.repos.Create(a.Owner, a.Name, files, message)
			}
		}
	}
	if err != nil {
		return err
	}
	a.RepoReady = true
	return c.st.Update(func(tx *store.Tx) error {
		var cur algorithmRecord
		if err := tx.Get(bucketAlgorithms, algoKey(a.Owner, a.Name), &cur); err != nil {
			return err
		}
		if cur.ID != a.ID {
			return errors.New("algorithm replaced while its repository was created")
		}
		cur.RepoReady = true
		return tx.Put(bucketAlgorithms, algoKey(a.Owner, a.Name), cur)
	})
}

// createRepoOrUndo makes a new algorithm's repository; when that fails it
// removes the algorithm's records again, so the request leaves nothing
// behind, and answers with the API error or a 500 that names no internals.
func (c *Cluster) createRepoOrUndo(a *algorithmRecord, message string) error {
	err := c.createRepo(a, message, true)
	if err == nil {
		return nil
	}
	_ = c.st.Update(func(tx *store.Tx) error {
		_ = tx.Delete(bucketAlgorithmIDs, a.ID)
		return tx.Delete(bucketAlgorithms, algoKey(a.Owner, a.Name))
	})
	var ae *apiError
	if errors.As(err, &ae) {
		return err
	}
	c.log.Error("create repository", "algorithm", algoKey(a.Owner, a.Name), "err", err.Error())
	return errf(http.StatusInternalServerError, codeScmFailedToCreateRepo, "Failed to create algorithm on backing SCM.")
}

// repairRepos finishes what a crash interrupted: algorithms whose repository
// was never completed get it now, and published versions get pinned.
func (c *Cluster) repairRepos() error {
	var algos []algorithmRecord
	var versions []versionRecord
	var keys []string
	if err := c.st.View(func(tx *store.Tx) error {
		all, err := store.All[algorithmRecord](tx, bucketAlgorithms, "")
		for _, a := range all {
			if !a.RepoReady {
				algos = append(algos, a)
			}
		}
		if err != nil {
			return err
		}
		return tx.Scan(bucketVersions, "", func(k string, raw []byte) (bool, error) {
			var v versionRecord
			if err := jsonUnmarshal(raw, &v); err != nil {
				return false, err
			}
			if v.SemanticVersion != "" {
				versions, keys = append(versions, v), append(keys, k)
			}
			return true, nil
		})
	}); err != nil {
		return err
	}
	for i := range algos {
		if err := c.createRepo(&algos[i], "Initial commit", false); err != nil {
			return err
		}
	}
	for i, v := range versions {
		parts := strings.SplitN(keys[i], "/", 3)
		if !c.repos.Exists(parts[0], parts[1]) {
			continue // SCM-backed: no internal repository, so no version repositories
		}
		if err := c.repos.PinVersion(parts[0], parts[1], v.SemanticVersion, v.GitHash); err != nil && !errors.Is(err, gitserver.ErrExists) {
			c.log.Error("pin version", "algorithm", parts[0]+"/"+parts[1], "version", v.SemanticVersion, "err", err.Error())
		}
	}
	return nil
}

// removeRepos deletes repositories whose records are already gone. A
// failure only leaves an orphan directory, which createRepo replaces.
func (c *Cluster) removeRepos(algos []algorithmRecord) {
	for _, a := range algos {
		if a.Source != nil {
			continue // the external repository stays (CONTRACT.md §8.4)
		}
		if err := c.repos.Delete(a.Owner, a.Name); err != nil && !errors.Is(err, gitserver.ErrNotFound) {
			c.log.Error("delete repository", "algorithm", algoKey(a.Owner, a.Name), "err", err.Error())
		}
	}
}
