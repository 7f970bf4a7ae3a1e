package localcluster

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// Hosted data (CONTRACT.md §12): collections directly under an owner (user or
// organization), files directly in a collection. Records live in the store,
// bytes under DataDir/data/<owner>/<collection>/<file> (see data_files.go).

const (
	bucketDataCollections = "data_collections" // owner "/" collection -> collectionRecord
	bucketDataFiles       = "data_files"       // owner "/" collection "/" file -> fileRecord

	aclMyAlgorithms = "algo://.my/*" // the default: the owner and the owner's algorithms
	aclPublic       = "user://*"     // any authenticated user may read

	dataPageSize = 1000 // entries per listing page (CONTRACT.md §12.2)
	myAlias      = ".my"
	// maxFileName is what common file systems allow for one name.
	maxFileName = 255
)

type collectionRecord struct {
	Owner     string    `json:"owner"`
	Name      string    `json:"name"`
	ReadACL   []string  `json:"read_acl"`
	CreatedAt time.Time `json:"created_at"`
}

// fileRecord is what HEAD answers from, so it never reads the file. ModTime
// and Size are the file's as stat saw them after the rename; the start-up
// reconciliation compares them with the disk.
type fileRecord struct {
	Size    int64     `json:"size"`
	MD5     string    `json:"md5"`
	ModTime time.Time `json:"mod_time"`
}

func collectionKey(owner, name string) string { return owner + "/" + name }
func fileKey(owner, coll, file string) string { return owner + "/" + coll + "/" + file }

// Wire shapes of CONTRACT.md §12.2.
type dataACL struct {
	Read []string `json:"read"`
}

type dataFolder struct {
	Name string   `json:"name"`
	ACL  *dataACL `json:"acl,omitempty"`
}

type dataFile struct {
	Filename     string `json:"filename"`
	LastModified string `json:"last_modified"`
	Size         int64  `json:"size"`
}

type dataListing struct {
	Folders []dataFolder `json:"folders,omitempty"`
	Files   []dataFile   `json:"files,omitempty"`
	ACL     *dataACL     `json:"acl,omitempty"`
	Marker  string       `json:"marker,omitempty"`
}

type dataResult struct {
	Result any `json:"result"`
}

type dataDeleted struct {
	Deleted int `json:"deleted"`
}

// dataError is an apiError of the Data API: code 2015 unless said otherwise.
func dataError(status int, format string, args ...any) *apiError {
	return errf(status, codeInvalidRequest, format, args...)
}

var (
	errNoDataRead  = errf(http.StatusForbidden, codeNotAuthorized, "Caller is not authorized to perform the operation: the API key does not allow data access.")
	errNoDataWrite = errf(http.StatusForbidden, codeNotAuthorized, "Caller is not authorized to perform the operation: the API key does not allow writing data.")
	errNested      = dataError(http.StatusBadRequest, "Hosted data has one folder level: data://owner/collection/file; nested folders are not supported")
)

// withData sends the Data API's paths to serveData before next (the mux)
// sees them: ServeMux would answer a path holding ".." with a redirect to
// its cleaned form, and the Data API refuses such paths instead.
func (c *Cluster) withData(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/v1/data" || strings.HasPrefix(p, "/v1/data/") || strings.HasPrefix(p, "/v1/connector/") {
			if err := c.serveData(w, r); err != nil {
				c.writeDataError(w, r, err)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeDataError is writeError, except that HEAD answers carry the message
// in X-Error-Message (CONTRACT.md §3.4), having no body.
func (c *Cluster) writeDataError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Method != http.MethodHead {
		c.writeError(w, r, err)
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		c.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err.Error())
		ae = errf(http.StatusInternalServerError, codeInternal, "Internal server error")
	}
	w.Header().Set("X-Error-Message", ae.message)
	w.WriteHeader(ae.status)
}

// dataSegments splits the escaped request path into the decoded segments
// after /v1/data or /v1/connector/data. Every segment is decoded on its own,
// so an encoded "/" cannot add a level; "..", ".", empty segments (a leading
// "//" is an absolute path), backslashes and control characters (NUL among
// them) are refused, whether sent plainly or percent-encoded.
func dataSegments(r *http.Request) ([]string, error) {
	raw := strings.Split(r.URL.EscapedPath(), "/")
	segs := make([]string, 0, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, dataError(http.StatusBadRequest, "Invalid path: bad escape")
		}
		if i > 0 {
			segs = append(segs, d)
		}
	}
	// segs[0] is "v1".
	var rest []string
	switch {
	case len(segs) >= 2 && segs[1] == "data":
		rest = segs[2:]
	case len(segs) >= 3 && segs[1] == "connector" && segs[2] == "data":
		rest = segs[3:]
	case len(segs) >= 3 && segs[1] == "connector":
		return nil, dataError(http.StatusNotFound, "Connector %q is not available: this cluster serves hosted data (data://) only", segs[2])
	default:
		return nil, dataError(http.StatusNotFound, "No such route")
	}
	if n := len(rest); n > 0 && rest[n-1] == "" {
		rest = rest[:n-1] // a trailing slash names the same directory
	}
	for _, s := range rest {
		switch {
		case s == "":
			return nil, dataError(http.StatusBadRequest, "Invalid path: empty segment (absolute paths are not allowed)")
		case s == "." || s == "..":
			return nil, dataError(http.StatusBadRequest, "Invalid path: %q segments are not allowed", s)
		case strings.ContainsAny(s, `/\`):
			return nil, dataError(http.StatusBadRequest, "Invalid path: a segment may not contain a slash or backslash")
		case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return nil, dataError(http.StatusBadRequest, "Invalid path: control characters or invalid UTF-8")
		}
	}
	if len(rest) > 3 {
		return nil, errNested
	}
	return rest, nil
}

// validFileName reports whether name may name a file in a collection; the
// segment checks of dataSegments have already passed.
func validFileName(name string) bool {
	return len(name) <= maxFileName && !strings.HasPrefix(name, uploadPrefix)
}

func (c *Cluster) serveData(w http.ResponseWriter, r *http.Request) error {
	cl, err := c.authenticate(r)
	if err != nil {
		return err
	}
	segs, err := dataSegments(r)
	if err != nil {
		return err
	}
	if cl.admin {
		// The spec lists the admin key on the Data API's GET. It may list the collections
		// an account owns, as it may list its algorithms (CONTRACT.md §5.6), so that deleting an
		// account can be checked first; it never reads or writes data.
		if len(segs) != 1 || segs[0] == myAlias || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			return errForbidden
		}
		return c.listOwner(w, r, cl, segs[0])
	}
	if len(segs) > 0 && segs[0] == myAlias {
		segs[0] = cl.owner
	}
	m := r.Method
	switch len(segs) {
	case 0:
		if m != http.MethodGet && m != http.MethodHead {
			return dataError(http.StatusMethodNotAllowed, "Method %s not allowed on the data root", m)
		}
		return c.listDataRoot(w, r, cl)
	case 1:
		switch m {
		case http.MethodGet, http.MethodHead:
			return c.listOwner(w, r, cl, segs[0])
		case http.MethodPost:
			return c.createCollection(w, r, cl, segs[0])
		case http.MethodPut, http.MethodDelete, http.MethodPatch:
			return dataError(http.StatusBadRequest, "%s needs a collection or file path: data://%s/<collection>[/<file>]", m, segs[0])
		}
	case 2:
		switch m {
		case http.MethodGet, http.MethodHead:
			return c.listCollection(w, r, cl, segs[0], segs[1])
		case http.MethodPatch:
			return c.updateCollectionACL(w, r, cl, segs[0], segs[1])
		case http.MethodDelete:
			return c.deleteCollection(w, r, cl, segs[0], segs[1])
		case http.MethodPost:
			return errNested
		case http.MethodPut:
			return dataError(http.StatusBadRequest, "Files live in a collection: PUT data://%s/%s/<file>", segs[0], segs[1])
		}
	case 3:
		if !validFileName(segs[2]) {
			return dataError(http.StatusBadRequest, "Invalid file name: at most %d bytes, and not starting with %q", maxFileName, uploadPrefix)
		}
		switch m {
		case http.MethodGet, http.MethodHead:
			return c.getFile(w, r, cl, segs[0], segs[1], segs[2])
		case http.MethodPut:
			return c.putFile(w, r, cl, segs[0], segs[1], segs[2])
		case http.MethodDelete:
			return c.deleteFile(w, r, cl, segs[0], segs[1], segs[2])
		case http.MethodPost:
			return errNested
		case http.MethodPatch:
			return dataError(http.StatusBadRequest, "ACLs belong to collections, not files")
		}
	}
	return dataError(http.StatusMethodNotAllowed, "Method %s not allowed", m)
}

// accountExists reports whether owner is a user or an organization.
func accountExists(tx *store.Tx, owner string) bool {
	return tx.Has(bucketUsers, owner) || tx.Has(bucketOrgs, owner)
}

func errNoOwner(owner string) *apiError {
	return dataError(http.StatusNotFound, "No such user or organization: %s", owner)
}

func errNoCollection(owner, coll string) *apiError {
	return dataError(http.StatusNotFound, "Directory does not exist: data://%s/%s", owner, coll)
}

// readableCollection loads a collection the caller may read: the owner and
// members of the owning organization always may, others when the ACL is
// user://*. algo://.my/* admits only the owner's algorithms, which no key of
// another account is, so for other callers it is private.
func readableCollection(tx *store.Tx, cl *caller, owner, coll string) (collectionRecord, error) {
	var col collectionRecord
	if !cl.perms.AllowData {
		return col, errNoDataRead
	}
	if !accountExists(tx, owner) {
		return col, errNoOwner(owner)
	}
	if err := tx.Get(bucketDataCollections, collectionKey(owner, coll), &col); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return col, errNoCollection(owner, coll)
		}
		return col, err
	}
	if !actsFor(tx, cl.owner, owner) && !slices.Contains(col.ReadACL, aclPublic) {
		return col, errForbidden
	}
	return col, nil
}

// writableOwner checks that the caller may write owner's data: the key allows
// data writes and the caller is the owner or a member of the owning
// organization. Write access is not configurable (CONTRACT.md §12.2).
func writableOwner(tx *store.Tx, cl *caller, owner string) error {
	if !cl.perms.AllowDataWrite {
		return errNoDataWrite
	}
	if !accountExists(tx, owner) {
		return errNoOwner(owner)
	}
	if !actsFor(tx, cl.owner, owner) {
		return errForbidden
	}
	return nil
}

// writableCollection is writableOwner plus the collection's record.
func writableCollection(tx *store.Tx, cl *caller, owner, coll string) (collectionRecord, error) {
	var col collectionRecord
	if err := writableOwner(tx, cl, owner); err != nil {
		return col, err
	}
	if err := tx.Get(bucketDataCollections, collectionKey(owner, coll), &col); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return col, errNoCollection(owner, coll)
		}
		return col, err
	}
	return col, nil
}

// parseACL validates acl.read: only [], [algo://.my/*] and [user://*] exist
// (CONTRACT.md §12.2). A missing list means the default.
func parseACL(a *dataACL) ([]string, error) {
	if a == nil || a.Read == nil {
		return []string{aclMyAlgorithms}, nil
	}
	switch {
	case len(a.Read) == 0:
		return []string{}, nil
	case len(a.Read) == 1 && (a.Read[0] == aclMyAlgorithms || a.Read[0] == aclPublic):
		return []string{a.Read[0]}, nil
	}
	return nil, dataError(http.StatusBadRequest, "Invalid ACL: acl.read must be [], [%q] or [%q]", aclMyAlgorithms, aclPublic)
}

type createCollectionBody struct {
	Name string   `json:"name"`
	ACL  *dataACL `json:"acl"`
}

func (c *Cluster) createCollection(w http.ResponseWriter, r *http.Request, cl *caller, owner string) error {
	var b createCollectionBody
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	if !validName(b.Name) {
		return errf(http.StatusBadRequest, codeInputValidation, "Invalid collection name %q: up to 30 letters, digits and underscores, starting with a letter", b.Name)
	}
	acl, err := parseACL(b.ACL)
	if err != nil {
		return err
	}
	err = c.st.Update(func(tx *store.Tx) error {
		if err := writableOwner(tx, cl, owner); err != nil {
			return err
		}
		key := collectionKey(owner, b.Name)
		if tx.Has(bucketDataCollections, key) {
			return dataError(http.StatusBadRequest, "Directory already exists: data://%s/%s", owner, b.Name)
		}
		return tx.Put(bucketDataCollections, key, collectionRecord{Owner: owner, Name: b.Name, ReadACL: acl, CreatedAt: time.Now().UTC()})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dataResult{Result: "data://" + owner + "/" + b.Name})
	return nil
}

type updateACLBody struct {
	ACL *dataACL `json:"acl"`
}

func (c *Cluster) updateCollectionACL(w http.ResponseWriter, r *http.Request, cl *caller, owner, coll string) error {
	var b updateACLBody
	if err := decodeJSON(r, &b, false); err != nil {
		return err
	}
	if b.ACL == nil || b.ACL.Read == nil {
		return dataError(http.StatusBadRequest, "acl.read is required")
	}
	acl, err := parseACL(b.ACL)
	if err != nil {
		return err
	}
	err = c.st.Update(func(tx *store.Tx) error {
		col, err := writableCollection(tx, cl, owner, coll)
		if err != nil {
			return err
		}
		col.ReadACL = acl
		return tx.Put(bucketDataCollections, collectionKey(owner, coll), col)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// writeListing answers a directory: HEAD gets the headers only.
func writeListing(w http.ResponseWriter, r *http.Request, l dataListing) {
	w.Header().Set("X-Data-Type", "directory")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// listDataRoot lists the empty path: the caller's own account first (the
// Python client takes it as the caller's name, CONTRACT.md §2.4), then the organizations
// the caller belongs to. It needs only a valid standard key.
func (c *Cluster) listDataRoot(w http.ResponseWriter, r *http.Request, cl *caller) error {
	l := dataListing{Folders: []dataFolder{{Name: cl.owner}}}
	err := c.st.View(func(tx *store.Tx) error {
		ms, err := store.All[memberRecord](tx, bucketMembers, "")
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Username == cl.owner {
				l.Folders = append(l.Folders, dataFolder{Name: m.Org})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeListing(w, r, l)
	return nil
}

// dataMarker encodes the last name of a page; the next page starts after
// it, so a marker whose entry was deleted meanwhile still resumes correctly.
// Pages are cut from a prefix scan that skips names up to the marker (the
// store has no seek-and-filter scan); that is linear per page, which a local
// cluster affords.
func dataMarker(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

func parseDataMarker(r *http.Request) (string, error) {
	m := r.URL.Query().Get("marker")
	if m == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(raw) == 0 {
		return "", errInvalidMarker
	}
	return string(raw), nil
}

// parseListingQuery reads a directory listing's marker and acl parameters.
func parseListingQuery(r *http.Request) (after string, withACL bool, err error) {
	if after, err = parseDataMarker(r); err != nil {
		return "", false, err
	}
	b, err := boolQuery(r.URL.Query(), "acl")
	return after, b != nil && *b, err
}

// listOwner lists the collections of owner the caller may read; an admin sees them all.
func (c *Cluster) listOwner(w http.ResponseWriter, r *http.Request, cl *caller, owner string) error {
	if !cl.admin && !cl.perms.AllowData {
		return errNoDataRead
	}
	after, withACL, err := parseListingQuery(r)
	if err != nil {
		return err
	}
	var l dataListing
	err = c.st.View(func(tx *store.Tx) error {
		if !accountExists(tx, owner) {
			return errNoOwner(owner)
		}
		member := cl.admin || actsFor(tx, cl.owner, owner)
		prefix := owner + "/"
		return tx.Scan(bucketDataCollections, prefix, func(k string, raw []byte) (bool, error) {
			name := strings.TrimPrefix(k, prefix)
			if name <= after {
				return true, nil
			}
			var col collectionRecord
			if err := jsonUnmarshal(raw, &col); err != nil {
				return false, err
			}
			if !member && !slices.Contains(col.ReadACL, aclPublic) {
				return true, nil
			}
			if len(l.Folders) == c.opts.DataPageSize {
				l.Marker = dataMarker(l.Folders[len(l.Folders)-1].Name)
				return false, nil
			}
			f := dataFolder{Name: name}
			if withACL {
				f.ACL = &dataACL{Read: col.ReadACL}
			}
			l.Folders = append(l.Folders, f)
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	writeListing(w, r, l)
	return nil
}

// listCollection lists the files of a collection the caller may read.
func (c *Cluster) listCollection(w http.ResponseWriter, r *http.Request, cl *caller, owner, coll string) error {
	after, withACL, err := parseListingQuery(r)
	if err != nil {
		return err
	}
	var l dataListing
	err = c.st.View(func(tx *store.Tx) error {
		col, err := readableCollection(tx, cl, owner, coll)
		if err != nil {
			return err
		}
		if withACL {
			l.ACL = &dataACL{Read: col.ReadACL}
		}
		prefix := fileKey(owner, coll, "")
		return tx.Scan(bucketDataFiles, prefix, func(k string, raw []byte) (bool, error) {
			name := strings.TrimPrefix(k, prefix)
			if name <= after {
				return true, nil
			}
			if len(l.Files) == c.opts.DataPageSize {
				l.Marker = dataMarker(l.Files[len(l.Files)-1].Filename)
				return false, nil
			}
			var f fileRecord
			if err := jsonUnmarshal(raw, &f); err != nil {
				return false, err
			}
			l.Files = append(l.Files, dataFile{Filename: name, LastModified: formatTime(f.ModTime), Size: f.Size})
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	writeListing(w, r, l)
	return nil
}
