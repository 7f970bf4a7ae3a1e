package algorithmia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"
)

// DataScheme starts every hosted-data URI (CONTRACT.md §12.1).
const DataScheme = "data://"

// Read ACL entries of a collection (CONTRACT.md §12.2); an empty list means private.
const (
	// ACLMyAlgorithms lets the owner's algorithms read the collection (the platform default).
	ACLMyAlgorithms = "algo://.my/*"
	// ACLPublic lets anyone read the collection.
	ACLPublic = "user://*"
)

// Values of the X-Data-Type header.
const (
	DataTypeFile      = "file"
	DataTypeDirectory = "directory"
)

// Sentinel errors of the Data API, matched with errors.Is.
var (
	// ErrInvalidDataPath matches a *DataPathError.
	ErrInvalidDataPath = errors.New("algorithmia: invalid data path")
	// ErrNotAFile means a file was expected and the path is a directory.
	ErrNotAFile = errors.New("algorithmia: not a file")
	// ErrNotADirectory means a collection was expected and the path is a file.
	ErrNotADirectory = errors.New("algorithmia: not a directory")
	// ErrChecksumMismatch means the bytes stored differ from the bytes sent.
	ErrChecksumMismatch = errors.New("algorithmia: checksum mismatch")
	// ErrSourceChanged means the bytes being uploaded changed while they were read.
	ErrSourceChanged = errors.New("algorithmia: source changed during upload")
)

// DataPath is a hosted-data location: an owner (a user, an organization or the
// caller's alias ".my"), optionally a collection, optionally a file in it.
type DataPath struct {
	// Owner is the user or organization, or ".my".
	Owner string
	// Collection is empty for the owner's root.
	Collection string
	// File is empty for a collection.
	File string
}

// DataPathError explains why a string is not a valid hosted-data path.
type DataPathError struct {
	// Input is the rejected string.
	Input string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the input and the reason.
func (e *DataPathError) Error() string {
	return fmt.Sprintf("algorithmia: %q is not a valid data path: %s", e.Input, e.Reason)
}

// Is matches ErrInvalidDataPath.
func (e *DataPathError) Is(target error) bool { return target == ErrInvalidDataPath }

// ParseDataPath parses data://owner[/collection[/file]]. Hosted data has one
// level of collections and no folders inside them, so a deeper path is refused,
// as are empty segments, "." and "..", backslashes and control characters.
func ParseDataPath(s string) (DataPath, error) {
	rest, ok := strings.CutPrefix(s, DataScheme)
	if !ok {
		return DataPath{}, &DataPathError{Input: s, Reason: "it must start with " + DataScheme}
	}
	segs := strings.Split(rest, "/")
	if len(segs) > 3 {
		return DataPath{}, &DataPathError{Input: s, Reason: "hosted data has one level of collections under an owner and no " +
			"folders inside a collection; use data://owner/collection/file"}
	}
	for i, seg := range segs {
		if err := checkSegment(seg); err != "" {
			what := [...]string{"owner", "collection", "file name"}[i]
			return DataPath{}, &DataPathError{Input: s, Reason: fmt.Sprintf("the %s %s", what, err)}
		}
	}
	p := DataPath{Owner: segs[0]}
	if len(segs) > 1 {
		p.Collection = segs[1]
	}
	if len(segs) > 2 {
		p.File = segs[2]
	}
	return p, nil
}

// checkSegment returns why seg cannot be one path segment, or "".
func checkSegment(seg string) string {
	switch {
	case seg == "":
		return "is empty (check for a doubled or trailing /)"
	case seg == "." || seg == "..":
		return "must not be . or .."
	case !utf8.ValidString(seg):
		return "is not valid UTF-8"
	case strings.ContainsRune(seg, '\\'):
		return "must not contain a backslash"
	case strings.IndexFunc(seg, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// String renders the path as a data:// URI.
func (p DataPath) String() string {
	s := DataScheme + p.Owner
	if p.Collection != "" {
		s += "/" + p.Collection
		if p.File != "" {
			s += "/" + p.File
		}
	}
	return s
}

// IsFile reports whether the path names a file in a collection.
func (p DataPath) IsFile() bool { return p.Owner != "" && p.Collection != "" && p.File != "" }

// IsCollection reports whether the path names a collection.
func (p DataPath) IsCollection() bool { return p.Owner != "" && p.Collection != "" && p.File == "" }

// apiPath is /v1/data/owner[/collection[/file]] with every segment escaped, so
// a file name with ?, # or % cannot change the route.
func (p DataPath) apiPath() string {
	segs := []string{"data", p.Owner}
	if p.Collection != "" {
		segs = append(segs, p.Collection)
		if p.File != "" {
			segs = append(segs, p.File)
		}
	}
	return apiPath(segs...)
}

// DataACL is a collection's access list (CONTRACT.md §12.2).
type DataACL struct {
	// Read is [] (private), ["algo://.my/*"] or ["user://*"].
	Read []string `json:"read"`
}

// DataFolder is a folder (a collection, under an owner) of a listing.
type DataFolder struct {
	// Name is the folder's name.
	Name string `json:"name"`
	// ACL is sent by some servers with each folder.
	ACL *DataACL `json:"acl,omitempty"`
}

// DataFile is a file of a listing.
type DataFile struct {
	// Filename is the file's name within its collection.
	Filename string `json:"filename"`
	// LastModified is as the server sent it, e.g. 2016-01-06T00:52:34.000Z.
	LastModified string `json:"last_modified"`
	// Size is in bytes.
	Size int64 `json:"size"`
	// ETag is not in CONTRACT.md §12's listing; it is kept when a server sends one.
	ETag string `json:"etag,omitempty"`
}

// ModTime parses LastModified; the zero time when it is absent or malformed.
func (f DataFile) ModTime() time.Time {
	t, err := time.Parse(time.RFC3339Nano, f.LastModified)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// DataDirectory is one page of a directory listing (CONTRACT.md §12.2).
type DataDirectory struct {
	// Folders is empty inside a collection.
	Folders []DataFolder `json:"folders"`
	// Files are this page's files.
	Files []DataFile `json:"files"`
	// ACL is present when the listing asked for it.
	ACL *DataACL `json:"acl"`
	// Marker asks for the next page; empty on the last page.
	Marker string `json:"marker"`
}

// DataListOptions select one page of a listing.
type DataListOptions struct {
	// Marker is the previous page's marker; empty for the first page.
	Marker string
	// ACL asks for the directory's ACL (?acl=true).
	ACL bool
}

// ObjectInfo is what HEAD (or a download's headers) says about a file.
type ObjectInfo struct {
	// Size is Content-Length in bytes, -1 when the server did not say.
	Size int64
	// ETag is the md5 of the content in hex, unquoted; empty when not sent.
	ETag string
	// LastModified is the Last-Modified header, zero when absent. The Date header is
	// not used: it is the time of the answer, so it would change on every call.
	LastModified time.Time
	// DataType is the X-Data-Type header (file or directory).
	DataType string
}

// Collection is a collection's ACL and whether it holds files.
type Collection struct {
	// Path is data://owner/name.
	Path DataPath
	// ACL is nil when the server did not report one.
	ACL *DataACL
	// Empty is true when the collection holds no file.
	Empty bool
}

// CreateCollection creates owner/name (POST on the parent, CONTRACT.md §12.2). A nil acl lets
// the platform apply its default (the owner's algorithms may read).
func (c *Client) CreateCollection(ctx context.Context, owner, name string, acl *DataACL) error {
	body := map[string]any{"name": name}
	if acl != nil {
		body["acl"] = normalizeACL(*acl)
	}
	_, err := c.do(ctx, request{method: http.MethodPost, path: DataPath{Owner: owner}.apiPath(), key: keyStandard, body: body})
	return err
}

// UpdateCollectionACL replaces the read ACL of owner/name (PATCH, CONTRACT.md §12.2).
func (c *Client) UpdateCollectionACL(ctx context.Context, owner, name string, acl DataACL) error {
	p := DataPath{Owner: owner, Collection: name}
	_, err := c.do(ctx, request{method: http.MethodPatch, path: p.apiPath(), key: keyStandard,
		body: map[string]any{"acl": normalizeACL(acl)}})
	return err
}

// normalizeACL sends [] rather than null for a private collection.
func normalizeACL(acl DataACL) DataACL {
	if acl.Read == nil {
		acl.Read = []string{}
	}
	return acl
}

// GetCollection reads the first page of owner/name with its ACL.
func (c *Client) GetCollection(ctx context.Context, owner, name string) (*Collection, error) {
	p := DataPath{Owner: owner, Collection: name}
	dir, err := c.ListDirectory(ctx, p, DataListOptions{ACL: true})
	if err != nil {
		return nil, err
	}
	return &Collection{Path: p, ACL: dir.ACL, Empty: len(dir.Files) == 0 && dir.Marker == ""}, nil
}

// DeleteCollection deletes owner/name; without force the platform refuses a
// non-empty collection. It returns how many objects were deleted.
func (c *Client) DeleteCollection(ctx context.Context, owner, name string, force bool) (int, error) {
	p := DataPath{Owner: owner, Collection: name}
	var q url.Values
	if force {
		q = url.Values{"force": {"true"}}
	}
	var out struct {
		Result struct {
			Deleted int `json:"deleted"`
		} `json:"result"`
	}
	_, err := c.do(ctx, request{method: http.MethodDelete, path: p.apiPath(), query: q, key: keyStandard, out: &out})
	return out.Result.Deleted, err
}

// DeleteObject deletes one file.
func (c *Client) DeleteObject(ctx context.Context, p DataPath) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: p.apiPath(), key: keyStandard})
	return err
}

// ListDirectory returns one page of the listing of an owner or a collection.
func (c *Client) ListDirectory(ctx context.Context, p DataPath, opts DataListOptions) (*DataDirectory, error) {
	return c.listDirectory(ctx, keyStandard, p, opts)
}

// ListCollectionsAsAdmin returns the names of every collection owner (a user or an
// organization) holds, private ones included, with the admin key (all pages).
func (c *Client) ListCollectionsAsAdmin(ctx context.Context, owner string) ([]string, error) {
	names := []string{}
	err := c.walkCollections(ctx, keyAdmin, owner, false, func(f DataFolder) bool {
		names = append(names, f.Name)
		return true
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}

// ListCollections returns the collections of owner (a user or an organization) with
// their ACLs, following markers through every page. The standard key is preferred: it
// sees every collection of its own account and of its organizations, and only the
// public ones of other owners; the admin key sees them all.
func (c *Client) ListCollections(ctx context.Context, owner string) ([]DataFolder, error) {
	folders := []DataFolder{}
	err := c.walkCollections(ctx, keyPreferStandard, owner, true, func(f DataFolder) bool {
		folders = append(folders, f)
		return true
	})
	if err != nil {
		return nil, err
	}
	return folders, nil
}

// walkCollections calls fn for each folder of the listing of data://owner, page after
// page; fn returning false stops the walk without error.
func (c *Client) walkCollections(ctx context.Context, kind keyKind, owner string, withACL bool, fn func(DataFolder) bool) error {
	marker := ""
	seen := map[string]bool{}
	for {
		dir, err := c.listDirectory(ctx, kind, DataPath{Owner: owner}, DataListOptions{Marker: marker, ACL: withACL})
		if err != nil {
			return err
		}
		for _, f := range dir.Folders {
			if !fn(f) {
				return nil
			}
		}
		if dir.Marker == "" {
			return nil
		}
		if seen[dir.Marker] {
			return fmt.Errorf("algorithmia: listing data://%s stopped: the server returned marker %q twice", owner, dir.Marker)
		}
		seen[dir.Marker] = true
		marker = dir.Marker
	}
}

func (c *Client) listDirectory(ctx context.Context, kind keyKind, p DataPath, opts DataListOptions) (*DataDirectory, error) {
	q := url.Values{}
	if opts.Marker != "" {
		q.Set("marker", opts.Marker)
	}
	if opts.ACL {
		q.Set("acl", "true")
	}
	path := p.apiPath()
	resp, err := c.sendAs(ctx, kind, http.MethodGet, path, q)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if t := resp.Header.Get("X-Data-Type"); t != "" && t != DataTypeDirectory {
		return nil, fmt.Errorf("%w: %s is a %s", ErrNotADirectory, p, t)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, &RequestError{Method: http.MethodGet, Path: path, Err: fmt.Errorf("reading response: %w", err), redact: c.redact}
	}
	if apiErr := errorIn2xx(resp.StatusCode, http.MethodGet, path, raw, c.redact); apiErr != nil {
		return nil, apiErr
	}
	var dir DataDirectory
	if err := json.Unmarshal(raw, &dir); err != nil {
		return nil, &RequestError{Method: http.MethodGet, Path: path, Err: fmt.Errorf("decoding listing: %w", err), redact: c.redact}
	}
	return &dir, nil
}

// Caller returns the name of the account that owns the client's standard key. The
// platform has no "who am I" call; its Python client lists the data root, whose first
// folder is the caller's own account (CONTRACT.md §2.4), and so does this.
func (c *Client) Caller(ctx context.Context) (string, error) {
	dir, err := c.ListDirectory(ctx, DataPath{}, DataListOptions{})
	if err != nil {
		return "", err
	}
	if len(dir.Folders) == 0 || dir.Folders[0].Name == "" {
		return "", &RequestError{Method: http.MethodGet, Path: DataPath{}.apiPath(),
			Err: errors.New("the data root lists no folder, so the key's owner is unknown"), redact: c.redact}
	}
	return dir.Folders[0].Name, nil
}

// WalkFiles calls fn for every file of a collection, following markers; fn
// returning false stops the walk without error.
func (c *Client) WalkFiles(ctx context.Context, p DataPath, fn func(DataFile) bool) error {
	marker := ""
	seen := map[string]bool{}
	for {
		dir, err := c.ListDirectory(ctx, p, DataListOptions{Marker: marker})
		if err != nil {
			return err
		}
		for _, f := range dir.Files {
			if !fn(f) {
				return nil
			}
		}
		if dir.Marker == "" {
			return nil
		}
		if seen[dir.Marker] {
			return fmt.Errorf("algorithmia: listing %s stopped: the server returned marker %q twice", p, dir.Marker)
		}
		seen[dir.Marker] = true
		marker = dir.Marker
	}
}

// ListFiles returns every file of a collection.
func (c *Client) ListFiles(ctx context.Context, p DataPath) ([]DataFile, error) {
	files := []DataFile{}
	err := c.WalkFiles(ctx, p, func(f DataFile) bool {
		files = append(files, f)
		return true
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// FindFile looks p up in its collection's listing; nil when it is not there.
// It gives last_modified when HEAD carries no Last-Modified.
func (c *Client) FindFile(ctx context.Context, p DataPath) (*DataFile, error) {
	var found *DataFile
	err := c.WalkFiles(ctx, DataPath{Owner: p.Owner, Collection: p.Collection}, func(f DataFile) bool {
		if f.Filename == p.File {
			found = &f
			return false
		}
		return true
	})
	return found, err
}

// HeadObject reads a file's size, ETag and modification time without its
// content. A directory gives ErrNotAFile, a missing file ErrNotFound.
func (c *Client) HeadObject(ctx context.Context, p DataPath) (*ObjectInfo, error) {
	resp, err := c.send(ctx, http.MethodHead, p.apiPath(), nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	info := objectInfo(resp)
	if info.DataType == DataTypeDirectory {
		return nil, fmt.Errorf("%w: %s is a directory", ErrNotAFile, p)
	}
	return &info, nil
}

// objectInfo reads the file headers of an answer.
func objectInfo(resp *http.Response) ObjectInfo {
	info := ObjectInfo{Size: -1, DataType: resp.Header.Get("X-Data-Type")}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			info.Size = n
		}
	} else if resp.ContentLength >= 0 {
		info.Size = resp.ContentLength
	}
	info.ETag = cleanETag(resp.Header.Get("ETag"))
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			info.LastModified = t.UTC()
		}
	}
	return info
}

// cleanETag strips a weak prefix and quotes; hex digests are lower-cased.
func cleanETag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.ToLower(strings.Trim(v, `"`))
}

// Object is an open download; the caller must Close Body.
type Object struct {
	// Info comes from the answer's headers.
	Info ObjectInfo
	// Body streams the file's bytes.
	Body io.ReadCloser
}

// GetObject opens a download of p. The body is streamed, never buffered; a
// failure before the answer is retried, a failure while reading is the
// caller's to retry by calling GetObject again.
func (c *Client) GetObject(ctx context.Context, p DataPath) (*Object, error) {
	resp, err := c.streamDo(ctx, http.MethodGet, p.apiPath(), nil)
	if err != nil {
		return nil, err
	}
	info := objectInfo(resp)
	if info.DataType == DataTypeDirectory {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s is a directory", ErrNotAFile, p)
	}
	return &Object{Info: info, Body: resp.Body}, nil
}

// BodyOpener opens the bytes of an upload and says how many there are (-1 if
// unknown). PutObject calls it once per attempt, so a retry re-opens the file
// or re-issues the download instead of buffering.
type BodyOpener func(ctx context.Context) (body io.ReadCloser, size int64, err error)

// PutResult describes a finished upload.
type PutResult struct {
	// Info is what HEAD reports after the upload.
	Info ObjectInfo
	// Size is the number of bytes sent.
	Size int64
	// MD5 is the hex md5 of the bytes sent, computed while sending.
	MD5 string
	// SHA256 is the hex sha256 of the bytes sent, computed while sending.
	SHA256 string
}

// ChecksumError says the stored object is not what was sent.
type ChecksumError struct {
	// Path is the uploaded file.
	Path DataPath
	// Sent is the md5 computed while sending.
	Sent string
	// Stored is the ETag the server reports ("" if none).
	Stored string
}

// Error names both digests.
func (e *ChecksumError) Error() string {
	if e.Stored == "" {
		return fmt.Sprintf("algorithmia: %s: the server reports no ETag after the upload, so the upload (md5 %s) cannot be verified", e.Path, e.Sent)
	}
	return fmt.Sprintf("algorithmia: %s: the server stored md5 %s but md5 %s was sent", e.Path, e.Stored, e.Sent)
}

// Is matches ErrChecksumMismatch.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksumMismatch }

// PutObject uploads the bytes that open returns to p, streaming them: memory
// use does not grow with the size. md5 and sha256 are computed in the same
// pass, each on its own goroutine (see digests); afterwards HEAD must report the md5 as ETag, else ErrChecksumMismatch.
// A retry (connection error, 429, 5xx) calls open again.
func (c *Client) PutObject(ctx context.Context, p DataPath, open BodyOpener) (*PutResult, error) {
	var last *hashingReader
	defer func() {
		if last != nil {
			last.sum.stop()
		}
	}()
	wrapped := func(ctx context.Context) (io.ReadCloser, int64, error) {
		if last != nil {
			last.sum.stop() // an earlier attempt's hashes are not needed
		}
		body, size, err := open(ctx)
		if err != nil {
			last = nil
			return nil, 0, err
		}
		last = newHashingReader(body, size)
		return last, size, nil
	}
	path := p.apiPath()
	resp, err := c.streamDo(ctx, http.MethodPut, path, wrapped)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	resp.Body.Close()
	if err != nil {
		return nil, &RequestError{Method: http.MethodPut, Path: path, Err: fmt.Errorf("reading response: %w", err), redact: c.redact}
	}
	if apiErr := errorIn2xx(resp.StatusCode, http.MethodPut, path, raw, c.redact); apiErr != nil {
		return nil, apiErr
	}
	if last.err != nil {
		return nil, &RequestError{Method: http.MethodPut, Path: path, Err: last.err, redact: c.redact}
	}
	if last.size >= 0 && last.n != last.size {
		return nil, &RequestError{Method: http.MethodPut, Path: path, Err: fmt.Errorf("%w: %d of %d bytes were sent", ErrSourceChanged, last.n, last.size), redact: c.redact}
	}
	md5Hex, shaHex, ok := last.sum.sums()
	if !ok {
		return nil, &RequestError{Method: http.MethodPut, Path: path, Err: errors.New("the upload's checksums were abandoned"), redact: c.redact}
	}
	res := &PutResult{Size: last.n, MD5: md5Hex, SHA256: shaHex}
	info, err := c.HeadObject(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("algorithmia: verifying the upload of %s: %w", p, err)
	}
	res.Info = *info
	if info.ETag != res.MD5 {
		return res, &ChecksumError{Path: p, Sent: res.MD5, Stored: info.ETag}
	}
	if info.Size >= 0 && info.Size != res.Size {
		return res, fmt.Errorf("%w: %s: the server stores %d bytes but %d were sent", ErrChecksumMismatch, p, info.Size, res.Size)
	}
	return res, nil
}

// CopyOptions tune CopyObject.
type CopyOptions struct {
	// ExpectETag, when set, makes the copy fail with ErrSourceChanged if the
	// source's ETag is another one (it changed since the plan).
	ExpectETag string
}

// CopyObject pipes a download of from (on src) into an upload to to (on dst):
// memory stays constant whatever the size. A retry of the upload starts a new
// download. The source's ETag, when sent, must equal the md5 of the bytes read.
func CopyObject(ctx context.Context, src *Client, from DataPath, dst *Client, to DataPath, opts CopyOptions) (*PutResult, error) {
	var srcETag string
	res, err := dst.PutObject(ctx, to, func(ctx context.Context) (io.ReadCloser, int64, error) {
		obj, err := src.GetObject(ctx, from)
		if err != nil {
			return nil, 0, fmt.Errorf("reading the source %s: %w", from, err)
		}
		if opts.ExpectETag != "" && obj.Info.ETag != "" && obj.Info.ETag != cleanETag(opts.ExpectETag) {
			obj.Body.Close()
			return nil, 0, fmt.Errorf("%w: %s now has md5 %s, expected %s", ErrSourceChanged, from, obj.Info.ETag, opts.ExpectETag)
		}
		srcETag = obj.Info.ETag
		return obj.Body, obj.Info.Size, nil
	})
	if err != nil {
		return res, err
	}
	if srcETag != "" && srcETag != res.MD5 {
		return res, fmt.Errorf("%w: %s reports md5 %s but the bytes read have md5 %s", ErrChecksumMismatch, from, srcETag, res.MD5)
	}
	return res, nil
}

// hashingReader hashes and counts what it passes on, and turns a body that is
// shorter or longer than announced into ErrSourceChanged.
type hashingReader struct {
	body io.ReadCloser
	size int64
	n    int64
	sum  *digests
	err  error // the first error this reader returned, other than io.EOF
}

func newHashingReader(body io.ReadCloser, size int64) *hashingReader {
	return &hashingReader{body: body, size: size, sum: newDigests()}
}

// Read passes bytes on while hashing them. It never passes on more than the
// announced size, and when the last announced byte is read it checks that the
// source really ends there: if not, the final bytes are withheld, so the server
// sees a short body and stores nothing.
func (h *hashingReader) Read(p []byte) (int, error) {
	if h.size >= 0 {
		if h.n >= h.size {
			return 0, io.EOF
		}
		if rest := h.size - h.n; int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	n, err := h.body.Read(p)
	if n > 0 {
		h.sum.Write(p[:n])
		h.n += int64(n)
	}
	if h.size >= 0 && h.n == h.size && err == nil {
		var one [1]byte
		k, perr := io.ReadFull(h.body, one[:])
		switch {
		case k > 0:
			return h.fail(0, &permanentError{fmt.Errorf("%w: it has more than the announced %d bytes", ErrSourceChanged, h.size)})
		case errors.Is(perr, io.EOF):
			err = io.EOF
		default:
			return h.fail(0, perr)
		}
	}
	if errors.Is(err, io.EOF) && h.size >= 0 && h.n < h.size {
		return h.fail(0, &permanentError{fmt.Errorf("%w: it ended after %d of the announced %d bytes", ErrSourceChanged, h.n, h.size)})
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return h.fail(n, err)
	}
	return n, err
}

// fail records the first error and returns it.
func (h *hashingReader) fail(n int, err error) (int, error) {
	if h.err == nil {
		h.err = err
	}
	return n, err
}

// Close closes the underlying body.
func (h *hashingReader) Close() error { return h.body.Close() }

// permanentError marks a failure that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// send performs a body-less data request through the retrying client and
// returns the answer with its body unread; non-2xx answers become *APIError.
func (c *Client) send(ctx context.Context, method, path string, query url.Values) (*http.Response, error) {
	return c.sendAs(ctx, keyStandard, method, path, query)
}

// sendAs is send with the key of the given kind.
func (c *Client) sendAs(ctx context.Context, kind keyKind, method, path string, query url.Values) (*http.Response, error) {
	key, err := c.pickKey(kind, method, path)
	if err != nil {
		return nil, err
	}
	target := c.base.String() + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	ctx = context.WithValue(ctx, callInfoKey{}, &callInfo{method: method, path: path})
	req, err := retryablehttp.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, &RequestError{Method: method, Path: path, Err: err, redact: c.redact}
	}
	c.setDataHeaders(req.Header, key)
	resp, err := c.retry.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, &RequestError{Method: method, Path: path, Err: err, redact: c.redact}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, c.dataError(resp, method, path)
	}
	return resp, nil
}

func (c *Client) setDataHeaders(h http.Header, key string) {
	h.Set("Authorization", "Simple "+key)
	h.Set("User-Agent", c.userAgent)
	h.Set("Accept", "*/*")
}

// dataError builds the *APIError of a failed data call; HEAD answers carry
// their message in X-Error-Message (CONTRACT.md §3.4).
func (c *Client) dataError(resp *http.Response, method, path string) *APIError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := parseAPIError(resp.StatusCode, method, path, raw, c.redact)
	if msg := resp.Header.Get("X-Error-Message"); msg != "" && len(raw) == 0 {
		e.Message = c.redact(truncate(msg))
	}
	return e
}

// streamDo sends a data request whose request or response body may be large,
// with the plain HTTP client: go-retryablehttp would read a non-seekable body
// into memory to be able to replay it. A retry calls open again instead. The
// answer is returned on 2xx with its body unread.
func (c *Client) streamDo(ctx context.Context, method, path string, open BodyOpener) (*http.Response, error) {
	key, err := c.pickKey(keyStandard, method, path)
	if err != nil {
		return nil, err
	}
	ci := &callInfo{method: method, path: path}
	ctx = context.WithValue(ctx, callInfoKey{}, ci)
	for {
		resp, err := c.streamAttempt(ctx, method, path, key, open)
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return resp, nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return nil, &RequestError{Method: method, Path: path, Err: perm.err, redact: c.redact}
		}
		before := ci.attempt
		retry, cerr := c.checkRetry(ctx, resp, err)
		if cerr != nil {
			drain(resp)
			return nil, &RequestError{Method: method, Path: path, Err: cerr, redact: c.redact}
		}
		if !retry || ci.attempt == before {
			if err != nil {
				return nil, &RequestError{Method: method, Path: path, Err: err, redact: c.redact}
			}
			defer resp.Body.Close()
			return nil, c.dataError(resp, method, path)
		}
		wait := c.backoff(c.retry.RetryWaitMin, c.retry.RetryWaitMax, ci.attempt-1, resp)
		drain(resp)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &RequestError{Method: method, Path: path, Err: ctx.Err(), redact: c.redact}
		case <-t.C:
		}
	}
}

// drain reads a little of an unwanted answer so its connection can be reused.
func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// streamAttempt makes one request. When the client has a request timeout it
// bounds inactivity, not the whole transfer: the attempt is cancelled when no
// byte moved (request or answer) for that long.
func (c *Client) streamAttempt(ctx context.Context, method, path, key string, open BodyOpener) (*http.Response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	wd := newWatchdog(c.idle, cancel)
	var body *attemptBody
	req, err := http.NewRequestWithContext(actx, method, c.base.String()+path, nil)
	if err != nil {
		wd.stop()
		cancel(nil)
		return nil, &permanentError{err}
	}
	c.setDataHeaders(req.Header, key)
	if open != nil {
		rc, size, err := open(actx)
		if err != nil {
			wd.stop()
			cancel(nil)
			// A source that cannot be opened (a missing file, a download that
			// already failed its own retries) is not fixed by sending again.
			var perm *permanentError
			if errors.As(err, &perm) {
				return nil, err
			}
			return nil, &permanentError{err}
		}
		body = &attemptBody{rc: rc, wd: wd}
		req.Body = body
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
			rc.Close()
		}
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := c.stream.Do(req)
	if err != nil {
		wd.stop()
		cause := context.Cause(actx)
		cancel(nil)
		if body != nil && body.err != nil {
			return nil, body.err
		}
		if cause != nil && !errors.Is(cause, context.Canceled) {
			return nil, cause
		}
		return nil, err
	}
	resp.Body = &watchedBody{rc: resp.Body, wd: wd, cancel: func() { cancel(nil) }}
	wd.kick()
	return resp, nil
}

// attemptBody is the request body of one attempt: it feeds the
// watchdog and remembers the body's own error, so that a failure of the
// source (and not of the connection) is reported as such.
type attemptBody struct {
	rc  io.ReadCloser
	wd  *watchdog
	err error
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.wd.kick()
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *attemptBody) Close() error { return b.rc.Close() }

// watchedBody is an answer body that feeds the watchdog; Close ends the attempt.
type watchedBody struct {
	rc     io.ReadCloser
	wd     *watchdog
	cancel func()
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.wd.kick()
	return n, err
}

func (b *watchedBody) Close() error {
	b.wd.stop()
	err := b.rc.Close()
	b.cancel()
	return err
}

// watchdog cancels an attempt when kick is not called for d. A nil watchdog
// (no timeout configured) does nothing.
type watchdog struct {
	d time.Duration
	t *time.Timer
}

func newWatchdog(d time.Duration, cancel context.CancelCauseFunc) *watchdog {
	if d <= 0 {
		return nil
	}
	return &watchdog{d: d, t: time.AfterFunc(d, func() {
		cancel(fmt.Errorf("no data moved for %s (the request timeout)", d))
	})}
}

func (w *watchdog) kick() {
	if w != nil {
		w.t.Reset(w.d)
	}
}

func (w *watchdog) stop() {
	if w != nil {
		w.t.Stop()
	}
}
