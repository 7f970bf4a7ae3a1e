package localcluster

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// publishBody is the spec's VersionRequest plus the legacy spellings of CONTRACT.md §7.1:
// version_info.type and version_info.git_hash.
type publishBody struct {
	Details     *detailsBody        `json:"details"`
	Settings    *settingsPatch      `json:"settings"`
	VersionInfo *publishVersionInfo `json:"version_info"`
}

// publishVersionInfo is the version_info of a publish body.
type publishVersionInfo struct {
	VersionType     *string `json:"version_type"`
	Type            *string `json:"type"`
	GitHash         *string `json:"git_hash"`
	ReleaseNotes    *string `json:"release_notes"`
	SampleInput     *string `json:"sample_input"`
	SampleOutput    *string `json:"sample_output"`
	InsightsEnabled *bool   `json:"insights_enabled"`
}

type semver [3]int

func parseSemver(s string) (semver, bool) {
	parts := strings.Split(s, ".")
	var v semver
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func (v semver) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

func (v semver) less(o semver) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

// bump applies a version type to the highest published version: major ->
// (x+1).0.0, minor -> x.(y+1).0, revision/patch -> x.y.(z+1), from 0.0.0 (CONTRACT.md §7.2).
func (v semver) bump(kind string) semver {
	switch kind {
	case "major":
		return semver{v[0] + 1, 0, 0}
	case "revision":
		return semver{v[0], v[1], v[2] + 1}
	default:
		return semver{v[0], v[1] + 1, 0}
	}
}

// versionType normalises the version type spellings of CONTRACT.md §7.1: revision and
// patch are synonyms, legacy "default" and an empty value mean minor.
func versionType(vt, legacy *string) (string, error) {
	s := str(vt)
	if s == "" {
		s = str(legacy)
	}
	switch s {
	case "", "default", "minor":
		return "minor", nil
	case "major":
		return "major", nil
	case "revision", "patch":
		return "revision", nil
	}
	return "", errf(http.StatusBadRequest, codeInvalidRequest, "version_info.version_type must be major, minor or revision")
}

// publish publishes the latest successful build, or the one of
// version_info.git_hash (CONTRACT.md §7.1).
func (c *Cluster) publish(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	if _, err := c.requireStandard(r); err != nil { // before the body: 401 beats 400
		return err
	}
	var b publishBody
	if err := decodeJSON(r, &b, true); err != nil {
		return err
	}
	var p publication
	err := c.withAlgorithm(r, ref, true, func(tx *store.Tx, a *algorithmRecord) (err error) {
		p, err = publishVersion(tx, a, &b)
		return err
	})
	if err != nil {
		return err
	}
	c.pinPublished(p.algo, p.version)
	var out algorithmJSON
	if err := c.st.View(func(tx *store.Tx) error {
		out = renderVersion(tx, r, p.algo, p.version, p.build)
		return nil
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// publication is what a publish stored: the algorithm after the body's
// changes, the version it published and the build behind it.
type publication struct {
	algo    algorithmRecord
	version versionRecord
	build   buildRecord
}

// publishVersion gives the chosen build's version the next semantic version
// and stores it, with the body's details and settings written to both the
// version and the algorithm.
func publishVersion(tx *store.Tx, a *algorithmRecord, b *publishBody) (publication, error) {
	kind, legacyHash, err := b.versionRequest()
	if err != nil {
		return publication{}, err
	}
	build, err := publishableBuild(tx, a, legacyHash)
	if err != nil {
		return publication{}, err
	}
	v, err := unpublishedVersion(tx, a, build)
	if err != nil {
		return publication{}, err
	}
	highest, prev, err := highestPublished(tx, a)
	if err != nil {
		return publication{}, err
	}
	s, err := publishSettings(a.Settings, b.Settings, prev, kind)
	if err != nil {
		return publication{}, err
	}
	b.Details.mergeInto(&a.Details)
	v.SampleInput = a.SampleInput
	b.VersionInfo.applyTo(a, &v, &s)
	a.Settings = s
	seq, err := tx.NextSequence(bucketVersions)
	if err != nil {
		return publication{}, err
	}
	v.SemanticVersion = highest.bump(kind).String()
	v.PublishedAt, v.Seq, v.BuildID, v.BuildSeq = time.Now().UTC(), seq, build.ID, build.Seq
	v.Details, v.Settings = a.Details, a.Settings
	if err := tx.Put(bucketVersions, versionKey(a.Owner, a.Name, build.CommitSHA), v); err != nil {
		return publication{}, err
	}
	if err := tx.Put(bucketAlgorithms, algoKey(a.Owner, a.Name), a); err != nil {
		return publication{}, err
	}
	return publication{algo: *a, version: v, build: build}, nil
}

// versionRequest reads the version type and the legacy git_hash of
// CONTRACT.md §7.1; without version_info the type is minor.
func (b *publishBody) versionRequest() (kind, legacyHash string, err error) {
	vi := b.VersionInfo
	if vi == nil {
		return "minor", "", nil
	}
	if kind, err = versionType(vi.VersionType, vi.Type); err != nil {
		return "", "", err
	}
	return kind, str(vi.GitHash), nil
}

// publishableBuild is the newest successful build, of legacyHash when set.
func publishableBuild(tx *store.Tx, a *algorithmRecord, legacyHash string) (buildRecord, error) {
	builds, err := store.All[buildRecord](tx, bucketBuilds, algoKey(a.Owner, a.Name)+"/")
	if err != nil {
		return buildRecord{}, err
	}
	for i := len(builds) - 1; i >= 0; i-- {
		if builds[i].Status == buildSucceeded && (legacyHash == "" || builds[i].CommitSHA == legacyHash) {
			return builds[i], nil
		}
	}
	if legacyHash != "" {
		return buildRecord{}, errf(http.StatusBadRequest, codeBuildNotFound, "There is no successful build of commit %s to publish.", legacyHash)
	}
	return buildRecord{}, errf(http.StatusBadRequest, codeBuildNotFound, "There is no successful build to publish. Please compile your algorithm.")
}

// unpublishedVersion is the hash version of build, which must not have a
// semantic version yet.
func unpublishedVersion(tx *store.Tx, a *algorithmRecord, build buildRecord) (versionRecord, error) {
	var v versionRecord
	if err := tx.Get(bucketVersions, versionKey(a.Owner, a.Name, build.CommitSHA), &v); err != nil {
		return v, err
	}
	if v.SemanticVersion != "" {
		return v, errf(http.StatusBadRequest, codeVersionAlreadyPublished, "Version already published. Please compile your algorithm.")
	}
	return v, nil
}

// highestPublished is the highest semantic version of the algorithm (0.0.0
// when none) and its record (nil when none).
func highestPublished(tx *store.Tx, a *algorithmRecord) (semver, *versionRecord, error) {
	versions, err := store.All[versionRecord](tx, bucketVersions, algoKey(a.Owner, a.Name)+"/")
	if err != nil {
		return semver{}, nil, err
	}
	var highest semver
	var prev *versionRecord
	for i, o := range versions {
		if sv, ok := parseSemver(o.SemanticVersion); ok && (prev == nil || highest.less(sv)) {
			highest, prev = sv, &versions[i]
		}
	}
	return highest, prev, nil
}

// publishSettings merges the body's settings over the algorithm's, which
// they overwrite (CONTRACT.md §7.1 "will overwrite those specified in the
// initial create() call"). Changing the callability of the previous version
// takes a major version.
func publishSettings(cur settings, patch *settingsPatch, prev *versionRecord, kind string) (settings, error) {
	s := cur
	if err := patch.applyTo(&s); err != nil {
		return s, err
	}
	if prev != nil && prev.Settings.AlgorithmCallability != s.AlgorithmCallability && kind != "major" {
		return s, errf(http.StatusBadRequest, codeInputValidation,
			"Changing algorithm_callability from %s to %s requires a major version.", prev.Settings.AlgorithmCallability, s.AlgorithmCallability)
	}
	return s, nil
}

// applyTo writes the version_info of a publish body to the version; the
// sample input also becomes the algorithm's, and insights_enabled a setting.
func (vi *publishVersionInfo) applyTo(a *algorithmRecord, v *versionRecord, s *settings) {
	if vi == nil {
		return
	}
	v.ReleaseNotes = str(vi.ReleaseNotes)
	if vi.SampleInput != nil {
		v.SampleInput = *vi.SampleInput
		a.SampleInput = *vi.SampleInput
	}
	v.SampleOutput = str(vi.SampleOutput)
	if vi.InsightsEnabled != nil {
		s.InsightsEnabled = *vi.InsightsEnabled
	}
}

// pinPublished pins the published version in the algorithm's Git repository.
// An SCM-backed algorithm's code lives on its host: there is no version
// repository. A failure is logged only: the version is published, and the
// next start pins it again (repairRepos).
func (c *Cluster) pinPublished(a algorithmRecord, v versionRecord) {
	if a.Source != nil {
		return
	}
	if err := c.repos.PinVersion(a.Owner, a.Name, v.SemanticVersion, v.GitHash); err != nil {
		c.log.Error("pin version", "algorithm", algoKey(a.Owner, a.Name), "version", v.SemanticVersion, "err", err.Error())
	}
}

// renderVersion is the algorithm object of one hash version (CONTRACT.md §7.4).
func renderVersion(tx *store.Tx, r *http.Request, a algorithmRecord, v versionRecord, b buildRecord) algorithmJSON {
	bj := renderBuild(tx, b)
	return algorithmJSON{
		ID: a.ID, Name: a.Name, Details: v.Details, Settings: v.Settings, Source: renderSource(tx, r, a),
		VersionInfo: &versionInfoJSON{
			SemanticVersion: v.SemanticVersion, GitHash: v.GitHash, VersionUUID: v.VersionUUID,
			ReleaseNotes: v.ReleaseNotes, SampleInput: v.SampleInput, SampleOutput: v.SampleOutput,
			InsightsEnabled: v.Settings.InsightsEnabled,
		},
		Build:        &bj,
		Compilation:  &compilationJSON{Successful: b.Status == buildSucceeded, Output: b.Logs},
		SelfLink:     baseURL(r) + "/v1/algorithms/" + a.Owner + "/" + a.Name + "/versions/" + v.GitHash,
		ResourceType: "algorithm",
	}
}

func versionBuild(tx *store.Tx, a *algorithmRecord, v versionRecord) buildRecord {
	var b buildRecord
	if err := tx.Get(bucketBuilds, buildKey(a.Owner, a.Name, v.BuildSeq), &b); err != nil {
		// Cannot happen while records are consistent; keep the object valid.
		b = buildRecord{ID: v.BuildID, CommitSHA: v.GitHash, Status: buildSucceeded, Owner: a.Owner, Name: a.Name}
	}
	return b
}

// listVersions lists hash versions newest first, filtered by published and
// callable (CONTRACT.md §7.3). callable=true means published and public.
func (c *Cluster) listVersions(w http.ResponseWriter, r *http.Request, ref algoRef) error {
	p, err := c.parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	published, err := boolQuery(q, "published")
	if err != nil {
		return err
	}
	callable, err := boolQuery(q, "callable")
	if err != nil {
		return err
	}
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		all, err := store.All[versionRecord](tx, bucketVersions, algoKey(a.Owner, a.Name)+"/")
		if err != nil {
			return err
		}
		var items []versionRecord
		for _, v := range all {
			isPublished := v.SemanticVersion != ""
			isCallable := isPublished && v.Settings.AlgorithmCallability == "public"
			if (published != nil && *published != isPublished) || (callable != nil && *callable != isCallable) {
				continue
			}
			items = append(items, v)
		}
		sort.Slice(items, func(i, j int) bool { return items[i].Seq > items[j].Seq })
		page := paginate(r, p, items, func(v versionRecord) string { return padSeq(v.Seq) }, true)
		recs, ok := page.Results.([]versionRecord)
		if !ok {
			return fmt.Errorf("paginate returned %T, want []versionRecord", page.Results)
		}
		out := make([]algorithmJSON, len(recs))
		for i, v := range recs {
			out[i] = renderVersion(tx, r, *a, v, versionBuild(tx, a, v))
		}
		page.Results = out
		writeJSON(w, http.StatusOK, page)
		return nil
	})
}

// getVersion looks a version up by git hash (CONTRACT.md §7.4) or, as a convenience, by
// semantic version.
func (c *Cluster) getVersion(w http.ResponseWriter, r *http.Request, ref algoRef, id string) error {
	return c.withAlgorithm(r, ref, false, func(tx *store.Tx, a *algorithmRecord) error {
		var v versionRecord
		err := tx.Get(bucketVersions, versionKey(a.Owner, a.Name, id), &v)
		if errors.Is(err, store.ErrNotFound) {
			all, err2 := store.All[versionRecord](tx, bucketVersions, algoKey(a.Owner, a.Name)+"/")
			if err2 != nil {
				return err2
			}
			for _, o := range all {
				if o.SemanticVersion == id {
					v, err = o, nil
				}
			}
		}
		if errors.Is(err, store.ErrNotFound) {
			return errf(http.StatusNotFound, codeVersionDoesNotExist, "Version %q was not found.", id)
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderVersion(tx, r, *a, v, versionBuild(tx, a, v)))
		return nil
	})
}
