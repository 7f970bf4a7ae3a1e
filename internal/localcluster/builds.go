package localcluster

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/runtimes"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
	"github.com/google/uuid"
)

// buildJSON is the spec's Build (CONTRACT.md §6.1).
type buildJSON struct {
	BuildID      string            `json:"build_id"`
	Status       string            `json:"status"`
	CommitSHA    string            `json:"commit_sha"`
	StartedAt    string            `json:"started_at"`
	FinishedAt   string            `json:"finished_at,omitempty"`
	ResourceType string            `json:"resource_type"`
	VersionInfo  *buildVersionJSON `json:"version_info,omitempty"`
}

type buildVersionJSON struct {
	SemanticVersion string `json:"semantic_version"`
}

func renderBuild(tx *store.Tx, b buildRecord) buildJSON {
	out := buildJSON{
		BuildID: b.ID, Status: b.Status, CommitSHA: b.CommitSHA, StartedAt: formatTime(b.StartedAt),
		ResourceType: "algorithm_build",
	}
	if !b.FinishedAt.IsZero() {
		out.FinishedAt = formatTime(b.FinishedAt)
	}
	var v versionRecord
	if tx.Get(bucketVersions, versionKey(b.Owner, b.Name, b.CommitSHA), &v) == nil && v.SemanticVersion != "" && v.BuildID == b.ID {
		out.VersionInfo = &buildVersionJSON{SemanticVersion: v.SemanticVersion}
	}
	return out
}

// onPush implements gitserver.PushHook. It runs before the push's response
// is written, so the build record exists by the time the client can ask.
func (c *Cluster) onPush(owner, name, _, newHead string) {
	if _, err := c.startBuild(owner, name, newHead); err != nil {
		c.log.Error("start build", "algorithm", algoKey(owner, name), "commit", newHead, "err", err.Error())
	}
}

// startBuild records an in-progress build of commit and schedules its end.
func (c *Cluster) startBuild(owner, name, commit string) (buildRecord, error) {
	var b buildRecord
	err := c.st.Update(func(tx *store.Tx) error {
		if !tx.Has(bucketAlgorithms, algoKey(owner, name)) {
			return errNoSuchAlgo
		}
		seq, err := tx.NextSequence(bucketBuilds)
		if err != nil {
			return err
		}
		b = buildRecord{
			ID: uuid.NewString(), Owner: owner, Name: name, Seq: seq, CommitSHA: commit,
			Status: buildInProgress, StartedAt: time.Now().UTC(),
		}
		return tx.Put(bucketBuilds, buildKey(owner, name, seq), b)
	})
	if err != nil {
		return b, err
	}
	c.schedule(b)
	return b, nil
}

// schedule finishes b once BuildDuration has passed since it started. After
// Close nothing is scheduled: the build stays in-progress in the store and
// resumeBuilds picks it up at the next start.
func (c *Cluster) schedule(b buildRecord) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	done := c.waiters[b.ID]
	if done == nil {
		done = make(chan struct{})
		c.waiters[b.ID] = done
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		t := time.NewTimer(time.Until(b.StartedAt.Add(c.opts.BuildDuration)))
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.ctx.Done():
			return
		}
		if err := c.finishBuild(b); err != nil {
			c.log.Error("finish build", "algorithm", algoKey(b.Owner, b.Name), "build", b.ID, "err", err.Error())
		}
		c.mu.Lock()
		delete(c.waiters, b.ID)
		c.mu.Unlock()
		close(done)
	}()
}

// waitBuild blocks until the build finishes, the request ends or the cluster closes.
func (c *Cluster) waitBuild(r *http.Request, id string) error {
	c.mu.Lock()
	done := c.waiters[id]
	c.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-r.Context().Done():
		return r.Context().Err()
	case <-c.ctx.Done():
		return errf(http.StatusServiceUnavailable, codeInternal, "the cluster is shutting down")
	}
}

// finishBuild checks the commit's tree like a real build would (runtimes.Check)
// and records the outcome; a success creates or refreshes the commit's hash version.
func (c *Cluster) finishBuild(b buildRecord) error {
	var a algorithmRecord
	if err := c.st.View(func(tx *store.Tx) error { return tx.Get(bucketAlgorithms, algoKey(b.Owner, b.Name), &a) }); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted while building
		}
		return err
	}
	ok, logs := false, ""
	repos, owner, name, err := c.algoRepo(a)
	var (
		paths []string
		read  func(string) ([]byte, error)
	)
	if err == nil {
		paths, read, err = repos.Tree(owner, name, b.CommitSHA)
	}
	if err != nil {
		logs = fmt.Sprintf("Building algorithm %s/%s at %s\n[FAIL] cannot read the commit: %v\n", b.Owner, b.Name, b.CommitSHA, err)
	} else {
		ok, logs = runtimes.Check(a.BuildLanguage, a.Name, paths, read)
	}
	status := buildFailed
	if ok {
		status = buildSucceeded
	}
	logs += fmt.Sprintf("Build %s for commit %s.\n", status, b.CommitSHA)
	return c.st.Update(func(tx *store.Tx) error {
		key := buildKey(b.Owner, b.Name, b.Seq)
		var cur buildRecord
		if err := tx.Get(bucketBuilds, key, &cur); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		if cur.Status != buildInProgress {
			return nil
		}
		cur.Status, cur.Logs, cur.FinishedAt = status, logs, time.Now().UTC()
		if err := tx.Put(bucketBuilds, key, cur); err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := tx.Get(bucketAlgorithms, algoKey(b.Owner, b.Name), &a); err != nil {
			return err
		}
		vkey := versionKey(b.Owner, b.Name, b.CommitSHA)
		var v versionRecord
		err := tx.Get(bucketVersions, vkey, &v)
		switch {
		case errors.Is(err, store.ErrNotFound):
			v = versionRecord{GitHash: b.CommitSHA, VersionUUID: uuid.NewString()}
		case err != nil:
			return err
		case v.SemanticVersion != "":
			return nil // a published version keeps the build it was published from
		}
		seq, err := tx.NextSequence(bucketVersions)
		if err != nil {
			return err
		}
		v.BuildID, v.BuildSeq, v.Seq = cur.ID, cur.Seq, seq
		v.Details, v.Settings, v.SampleInput = a.Details, a.Settings, a.SampleInput
		return tx.Put(bucketVersions, vkey, v)
	})
}

// resumeBuilds schedules the builds a previous run left in progress.
func (c *Cluster) resumeBuilds() error {
	var pending []buildRecord
	if err := c.st.View(func(tx *store.Tx) error {
		all, err := store.All[buildRecord](tx, bucketBuilds, "")
		for _, b := range all {
			if b.Status == buildInProgress {
				pending = append(pending, b)
			}
		}
		return err
	}); err != nil {
		return err
	}
	for _, b := range pending {
		c.schedule(b)
	}
	return nil
}

func (c *Cluster) listBuilds(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	p, err := c.parsePage(r)
	if err != nil {
		return err
	}
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		builds, err := store.All[buildRecord](tx, bucketBuilds, algoKey(a.Owner, a.Name)+"/")
		if err != nil {
			return err
		}
		items := make([]buildRecord, len(builds))
		for i, b := range builds {
			items[len(builds)-1-i] = b // newest first
		}
		page := paginate(r, p, items, func(b buildRecord) string { return padSeq(b.Seq) }, true)
		recs, ok := page.Results.([]buildRecord)
		if !ok {
			return fmt.Errorf("paginate returned %T, want []buildRecord", page.Results)
		}
		out := make([]buildJSON, len(recs))
		for i, b := range recs {
			out[i] = renderBuild(tx, b)
		}
		page.Results = out
		writeJSON(w, http.StatusOK, page)
		return nil
	})
}

func findBuild(tx *store.Tx, a *algorithmRecord, id string) (buildRecord, error) {
	builds, err := store.All[buildRecord](tx, bucketBuilds, algoKey(a.Owner, a.Name)+"/")
	if err != nil {
		return buildRecord{}, err
	}
	for _, b := range builds {
		if b.ID == id {
			return b, nil
		}
	}
	return buildRecord{}, errf(http.StatusNotFound, codeBuildNotFound, "Build %q was not found.", id)
}

func (c *Cluster) getBuild(w http.ResponseWriter, r *http.Request, ref algoRef, id string) error {
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		b, err := findBuild(tx, a, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderBuild(tx, b))
		return nil
	})
}

// getBuildLogs answers 404 until the build has finished (CONTRACT.md §6.2).
func (c *Cluster) getBuildLogs(w http.ResponseWriter, r *http.Request, ref algoRef, id string) error {
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		b, err := findBuild(tx, a, id)
		if err != nil {
			return err
		}
		if b.Status == buildInProgress {
			return errf(http.StatusNotFound, codeBuildLogsNotFound, "Build logs are not available until the build has finished.")
		}
		writeJSON(w, http.StatusOK, map[string]string{"logs": b.Logs})
		return nil
	})
}

// algoRepo is where the algorithm's code lives: its internal repository, or
// the linked repository of its SCM's host.
func (c *Cluster) algoRepo(a algorithmRecord) (*gitserver.Repos, string, string, error) {
	if a.Source == nil {
		return c.repos, a.Owner, a.Name, nil
	}
	repos, err := c.hostRepos(a.Source.Scm)
	return repos, a.Source.RepoOwner, a.Source.RepoName, err
}

// compile builds the default branch's head (master, or the external
// repository's default branch) and answers once the build has finished,
// with the algorithm object (CONTRACT.md §6.2).
func (c *Cluster) compile(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	if _, err := c.requireStandard(r); err != nil { // before the body: 401 beats 400
		return err
	}
	var body map[string]any
	if err := decodeJSON(r, &body, true); err != nil {
		return err
	}
	var a algorithmRecord
	if err := c.withAlgorithm(r, ref, true, func(_ *store.Tx, rec *algorithmRecord) error {
		a = *rec
		return nil
	}); err != nil {
		return err
	}
	repos, owner, name, err := c.algoRepo(a)
	if err != nil {
		return err
	}
	head, err := repos.Head(owner, name)
	if err != nil {
		return err
	}
	b, err := c.startBuild(ref.owner, ref.name, head)
	if err != nil {
		return err
	}
	if err := c.waitBuild(r, b.ID); err != nil {
		return err
	}
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		return writeAlgorithm(w, tx, r, *a)
	})
}
