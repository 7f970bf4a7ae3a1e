package localcluster

import (
	"crypto/md5" //nolint:gosec // the platform's ETag is an md5 (CONTRACT.md §12.2); it is an identity, not a security hash
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// uploadPrefix starts the name of an upload in progress, a temporary file in
// the collection's own directory, so the final rename never crosses file
// systems. No data file may have a name starting with it.
const uploadPrefix = ".upload-"

// copyBufSize is the buffer that file bytes stream through, both ways.
const copyBufSize = 256 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

func getCopyBuf() *[]byte {
	if b, ok := copyBufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, copyBufSize)
	return &b
}

// collectionLocks serialize, per collection, the short commit steps (rename
// and record, delete, open for reading) so that a file's bytes and its
// record always change together. Bodies stream outside the lock. The locks
// are striped by the collection's directory, so clusters sharing a process
// share them harmlessly.
var collectionLocks [64]sync.Mutex

func lockCollection(dir string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(dir))
	m := &collectionLocks[h.Sum32()%uint32(len(collectionLocks))]
	m.Lock()
	return m.Unlock
}

func (c *Cluster) dataRoot() string { return filepath.Join(c.opts.DataDir, "data") }

// collectionDir and filePath join names that dataSegments and validName have
// already checked, so they stay inside dataRoot.
func (c *Cluster) collectionDir(owner, coll string) string {
	return filepath.Join(c.dataRoot(), owner, coll)
}

func (c *Cluster) filePath(owner, coll, file string) string {
	return filepath.Join(c.collectionDir(owner, coll), file)
}

// putFile streams the body to a temporary file while hashing it, fsyncs it,
// and only then renames it over the file and records size and md5, so a
// reader (or a restart after kill -9) sees the old file or the new one,
// never a torn one.
func (c *Cluster) putFile(w http.ResponseWriter, r *http.Request, cl *caller, owner, coll, name string) error {
	// Refuse early, before reading a possibly huge body.
	if err := c.st.View(func(tx *store.Tx) error {
		_, err := writableCollection(tx, cl, owner, coll)
		return err
	}); err != nil {
		return err
	}
	dir := c.collectionDir(owner, coll)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, uploadPrefix+"*")
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	sum := md5.New() //nolint:gosec // see the import
	buf := getCopyBuf()
	n, err := io.CopyBuffer(io.MultiWriter(tmp, sum), r.Body, *buf)
	copyBufs.Put(buf)
	if err != nil {
		var we *os.PathError
		if errors.As(err, &we) {
			return fmt.Errorf("write upload: %w", err)
		}
		return dataError(http.StatusBadRequest, "Upload interrupted after %d bytes: %v", n, err)
	}
	if r.ContentLength >= 0 && n != r.ContentLength {
		return dataError(http.StatusBadRequest, "Upload incomplete: %d of %d bytes", n, r.ContentLength)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	final := c.filePath(owner, coll, name)
	unlock := lockCollection(dir)
	defer unlock()
	err = c.st.Update(func(tx *store.Tx) error {
		// The collection may have gone while the body streamed.
		if _, err := writableCollection(tx, cl, owner, coll); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), final); err != nil {
			return err
		}
		committed = true
		if err := syncDir(dir); err != nil {
			return err
		}
		st, err := os.Stat(final)
		if err != nil {
			return err
		}
		return tx.Put(bucketDataFiles, fileKey(owner, coll, name), fileRecord{
			Size: st.Size(), MD5: hex.EncodeToString(sum.Sum(nil)), ModTime: st.ModTime().UTC(),
		})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dataResult{Result: "data://" + owner + "/" + coll + "/" + name})
	return nil
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func errNoFile(owner, coll, name string) *apiError {
	return dataError(http.StatusNotFound, "File does not exist: data://%s/%s/%s", owner, coll, name)
}

// getFile answers HEAD from the record alone and GET by streaming the file.
// The record is read and the file opened under the collection lock, so the
// ETag sent matches the bytes sent even while a PUT replaces the file.
func (c *Cluster) getFile(w http.ResponseWriter, r *http.Request, cl *caller, owner, coll, name string) error {
	var (
		rec fileRecord
		f   *os.File
	)
	unlock := lockCollection(c.collectionDir(owner, coll))
	err := c.st.View(func(tx *store.Tx) error {
		if _, err := readableCollection(tx, cl, owner, coll); err != nil {
			return err
		}
		if err := tx.Get(bucketDataFiles, fileKey(owner, coll, name), &rec); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errNoFile(owner, coll, name)
			}
			return err
		}
		if r.Method == http.MethodHead {
			return nil
		}
		var err error
		f, err = os.Open(c.filePath(owner, coll, name))
		if errors.Is(err, fs.ErrNotExist) {
			c.log.Error("data file missing on disk", "path", fileKey(owner, coll, name))
			return errNoFile(owner, coll, name)
		}
		return err
	})
	unlock()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("X-Data-Type", "file")
	h.Set("ETag", rec.MD5)
	h.Set("Last-Modified", rec.ModTime.UTC().Format(http.TimeFormat))
	if f == nil {
		h.Set("Content-Length", strconv.FormatInt(rec.Size, 10))
		w.WriteHeader(http.StatusOK)
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	w.WriteHeader(http.StatusOK)
	buf := getCopyBuf()
	defer copyBufs.Put(buf)
	// A failure here is the client going away; the status is already sent.
	_, _ = io.CopyBuffer(w, onlyReader{f}, *buf)
	return nil
}

// onlyReader hides *os.File's WriteTo, so io.CopyBuffer uses the pooled
// buffer instead of allocating its own.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func (c *Cluster) deleteFile(w http.ResponseWriter, _ *http.Request, cl *caller, owner, coll, name string) error {
	unlock := lockCollection(c.collectionDir(owner, coll))
	defer unlock()
	err := c.st.Update(func(tx *store.Tx) error {
		if _, err := writableCollection(tx, cl, owner, coll); err != nil {
			return err
		}
		key := fileKey(owner, coll, name)
		if !tx.Has(bucketDataFiles, key) {
			return errNoFile(owner, coll, name)
		}
		// The bytes go first: a crash before the commit leaves a record
		// without a file, which the next start drops; never a resurrected file.
		if err := os.Remove(c.filePath(owner, coll, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return tx.Delete(bucketDataFiles, key)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dataResult{Result: dataDeleted{Deleted: 1}})
	return nil
}

// deleteCollection deletes an empty collection, or with force=true one with
// files; N in {"result":{"deleted":N}} counts the files removed.
func (c *Cluster) deleteCollection(w http.ResponseWriter, r *http.Request, cl *caller, owner, coll string) error {
	force, err := boolQuery(r.URL.Query(), "force")
	if err != nil {
		return err
	}
	dir := c.collectionDir(owner, coll)
	unlock := lockCollection(dir)
	defer unlock()
	n := 0
	err = c.st.Update(func(tx *store.Tx) error {
		if _, err := writableCollection(tx, cl, owner, coll); err != nil {
			return err
		}
		prefix := fileKey(owner, coll, "")
		if err := tx.Scan(bucketDataFiles, prefix, func(string, []byte) (bool, error) {
			n++
			return true, nil
		}); err != nil {
			return err
		}
		if n > 0 && (force == nil || !*force) {
			return dataError(http.StatusBadRequest, "Directory data://%s/%s is not empty (%d files); delete it with force=true", owner, coll, n)
		}
		if err := tx.DeletePrefix(bucketDataFiles, prefix); err != nil {
			return err
		}
		return tx.Delete(bucketDataCollections, collectionKey(owner, coll))
	})
	if err != nil {
		return err
	}
	// The records are gone; a leftover directory is removed at the next start.
	if err := os.RemoveAll(dir); err != nil {
		c.log.Error("remove collection directory", "collection", collectionKey(owner, coll), "err", err.Error())
	}
	writeJSON(w, http.StatusOK, dataResult{Result: dataDeleted{Deleted: n}})
	return nil
}

// deleteOwnedData removes the data records of an account being deleted; the
// caller removes the directory with removeAccountData after the commit.
func deleteOwnedData(tx *store.Tx, owner string) error {
	if err := tx.DeletePrefix(bucketDataFiles, owner+"/"); err != nil {
		return err
	}
	return tx.DeletePrefix(bucketDataCollections, owner+"/")
}

// removeAccountData deletes an account's data directory once its records
// are gone. A failure only leaves an orphan, which the next start removes.
func (c *Cluster) removeAccountData(owner string) {
	if !validName(owner) {
		return // never a path outside dataRoot
	}
	if err := os.RemoveAll(filepath.Join(c.dataRoot(), owner)); err != nil {
		c.log.Error("remove account data", "owner", owner, "err", err.Error())
	}
}

// reconcileData brings the records and the disk back together after a crash:
// unfinished uploads are removed, directories without a collection record
// (a deleted collection or account) are removed, a file renamed into place
// whose record was not committed is hashed and recorded, a record whose file
// changed is refreshed, and a record whose file is gone is dropped.
func (c *Cluster) reconcileData() error {
	root := c.dataRoot()
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("localcluster: data dir: %w", err)
	}
	return c.st.Update(func(tx *store.Tx) error {
		files := map[string]fileRecord{}
		if err := tx.Scan(bucketDataFiles, "", func(k string, raw []byte) (bool, error) {
			var f fileRecord
			if err := jsonUnmarshal(raw, &f); err != nil {
				return false, err
			}
			files[k] = f
			return true, nil
		}); err != nil {
			return err
		}
		owners, err := os.ReadDir(root)
		if err != nil {
			return err
		}
		for _, o := range owners {
			if !o.IsDir() {
				continue
			}
			colls, err := os.ReadDir(filepath.Join(root, o.Name()))
			if err != nil {
				return err
			}
			for _, cd := range colls {
				dir := filepath.Join(root, o.Name(), cd.Name())
				if !cd.IsDir() || !tx.Has(bucketDataCollections, collectionKey(o.Name(), cd.Name())) {
					if err := os.RemoveAll(dir); err != nil {
						return err
					}
					continue
				}
				if err := reconcileCollection(tx, files, dir, o.Name(), cd.Name()); err != nil {
					return err
				}
			}
			_ = os.Remove(filepath.Join(root, o.Name())) // only succeeds when empty
		}
		for k := range files {
			if err := tx.Delete(bucketDataFiles, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// reconcileCollection handles one collection directory for reconcileData;
// it removes from files every record it has seen on disk.
func reconcileCollection(tx *store.Tx, files map[string]fileRecord, dir, owner, coll string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() || strings.HasPrefix(e.Name(), uploadPrefix) {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
			continue
		}
		key := fileKey(owner, coll, e.Name())
		rec, known := files[key]
		delete(files, key)
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if known && rec.Size == st.Size() && rec.ModTime.Equal(st.ModTime()) {
			continue
		}
		sum, err := md5File(p)
		if err != nil {
			return err
		}
		if err := tx.Put(bucketDataFiles, key, fileRecord{Size: st.Size(), MD5: sum, ModTime: st.ModTime().UTC()}); err != nil {
			return err
		}
	}
	return nil
}

func md5File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New() //nolint:gosec // see the import
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
