package promote

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"crypto/sha1" //nolint:gosec // Git's own checksum of pack and index files
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/gofrs/flock"
)

// Cache keeps the Git objects of each remote repository on disk between calls, so a
// later fetch tells the server which commits it already has and only new objects
// travel. One subdirectory of Dir per repository, named by a hash of its URL (never
// holding credentials: a URL with userinfo is rejected before any cache is opened,
// and nothing the engine writes there names a password). A repository is locked
// (a lock file beside its directory) for the whole call, so concurrent calls and
// provider processes take turns. After each call the least recently used
// repositories are removed until the cache fits in MaxBytes.
//
// Promote keeps both repositories' objects in the destination's cache (the push is
// computed from them); HeadTree and CommitTree use the cache of the remote they read.
type Cache struct {
	Dir      string // root directory; created when missing
	MaxBytes int64  // size bound; 0 means DefaultCacheMaxBytes
}

// DefaultCacheMaxBytes bounds a Cache whose MaxBytes is 0.
const DefaultCacheMaxBytes int64 = 4 << 30

// maxCachedPacks is how many pack files a repository's cache may gather (one per
// fetch that brought objects) before it is rebuilt from one fresh fetch; go-git
// looks an object up pack by pack, and it cannot repack cheaply.
const maxCachedPacks = 200

// DefaultCacheDir is the Cache directory used when the caller names none: the
// "terraform-provider-algorithmia/git" directory under the user's cache directory.
func DefaultCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "terraform-provider-algorithmia", "git"), nil
}

// cacheKey names a repository's directory: a hash of its URL without userinfo,
// query or fragment, with the scheme and host in lower case and no trailing slash.
func cacheKey(raw string) string {
	s := raw
	if u, err := url.Parse(raw); err == nil {
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		u.Path, u.RawPath = strings.TrimRight(u.Path, "/"), ""
		s = u.String()
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// cachedRepo is one repository's directory in a Cache, locked by this call.
type cachedRepo struct {
	cache *Cache
	dir   string
	lock  *flock.Flock
}

// lockRepo takes the lock of rawURL's repository in c, waiting as long as ctx allows.
func (c *Cache) lockRepo(ctx context.Context, rawURL string, log logFunc) (*cachedRepo, error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, newError("git cache", nil, "create cache directory: %v", err)
	}
	key := cacheKey(rawURL)
	lock := flock.New(filepath.Join(c.Dir, key+".lock"), flock.SetPermissions(0o600))
	ok, err := lock.TryLock()
	if err == nil && !ok {
		log("waiting for another process using the Git cache of this repository", map[string]any{"repository": RedactURL(rawURL)})
		ok, err = lock.TryLockContext(ctx, 50*time.Millisecond)
	}
	if !ok || err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, newError("git cache", cerr, "waiting for the lock of the Git cache of %s: %v", RedactURL(rawURL), cerr)
		}
		return nil, newError("git cache", nil, "lock the Git cache of %s: %v", RedactURL(rawURL), err)
	}
	repo := &cachedRepo{cache: c, dir: filepath.Join(c.Dir, key), lock: lock}
	if reason := verifyRepo(repo.dir); reason != "" {
		log("rebuilding the Git cache of a repository", map[string]any{"repository": RedactURL(rawURL), "reason": reason})
		if err := os.RemoveAll(repo.dir); err != nil {
			_ = lock.Unlock()
			return nil, newError("git cache", nil, "remove the corrupt Git cache of %s: %v", RedactURL(rawURL), err)
		}
	}
	if err := os.MkdirAll(repo.dir, 0o700); err != nil {
		_ = lock.Unlock()
		return nil, newError("git cache", nil, "create cache directory: %v", err)
	}
	return repo, nil
}

// release marks the repository used (its directory's time orders eviction), or
// removes it when its objects turned out corrupt, unlocks it, and evicts when the call
// grew the cache (a call that only read leaves its size as it was).
func (r *cachedRepo) release(corrupt, grew bool, log logFunc) {
	if corrupt {
		_ = os.RemoveAll(r.dir)
	} else {
		now := time.Now()
		_ = os.Chtimes(r.dir, now, now)
	}
	_ = r.lock.Unlock()
	if grew {
		r.cache.evict(log)
	}
}

// evict removes the least recently used repositories until the cache fits its bound.
// A repository another call holds is skipped; its lock file (empty) stays, because
// removing a lock file that someone may be waiting on would let two holders in.
func (c *Cache) evict(log logFunc) {
	limit := c.MaxBytes
	if limit <= 0 {
		limit = DefaultCacheMaxBytes
	}
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	type repo struct {
		name string
		used time.Time
		size int64
	}
	var repos []repo
	var total int64
	for _, e := range entries {
		if !e.IsDir() || len(e.Name()) != 32 {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		r := repo{name: e.Name(), used: info.ModTime(), size: dirSize(filepath.Join(c.Dir, e.Name()))}
		repos = append(repos, r)
		total += r.size
	}
	if total <= limit {
		return
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].used.Before(repos[j].used) })
	for _, r := range repos {
		if total <= limit {
			return
		}
		lock := flock.New(filepath.Join(c.Dir, r.name+".lock"), flock.SetPermissions(0o600))
		if ok, err := lock.TryLock(); !ok || err != nil {
			continue
		}
		if err := os.RemoveAll(filepath.Join(c.Dir, r.name)); err == nil {
			total -= r.size
			log("evicted a repository from the Git cache", map[string]any{"bytes": r.size, "cache_bytes": total, "max_bytes": limit})
		}
		_ = lock.Unlock()
	}
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// verifyRepo checks a cached repository cheaply before use and says why it must be
// rebuilt, or "" when it may be used: every pack has its index, both are whole
// (the pack's trailing checksum is the one its index records, the index's own
// checksum holds, they count the same objects), and there are not too many packs.
// Damage inside a pack that these checks miss surfaces when an object is read; the
// call then rebuilds the cache and starts again (see isCorrupt).
func verifyRepo(dir string) string {
	packDir := filepath.Join(dir, "objects", "pack")
	entries, err := os.ReadDir(packDir)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		return "cannot list packs: " + err.Error()
	}
	packs := 0
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "tmp_"):
			// A fetch cut short (the process died): nobody else holds the lock, so it is stale.
			_ = os.Remove(filepath.Join(packDir, name))
		case strings.HasSuffix(name, ".pack"):
			packs++
			if reason := verifyPack(filepath.Join(packDir, strings.TrimSuffix(name, ".pack"))); reason != "" {
				return name + ": " + reason
			}
		case strings.HasSuffix(name, ".idx"):
			if _, err := os.Stat(filepath.Join(packDir, strings.TrimSuffix(name, ".idx")+".pack")); err != nil {
				return name + ": index without its pack"
			}
		}
	}
	if packs > maxCachedPacks {
		return "too many pack files"
	}
	return ""
}

// verifyPack checks base.pack against base.idx (version 2 index, version 2 or 3 pack).
func verifyPack(base string) string {
	idx, err := os.ReadFile(base + ".idx")
	if err != nil {
		return "unreadable index: " + err.Error()
	}
	const hdr, fanout = 8, 256 * 4
	if len(idx) < hdr+fanout+40 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:8]) != 2 {
		return "malformed index"
	}
	if sum := sha1.Sum(idx[:len(idx)-20]); !bytes.Equal(sum[:], idx[len(idx)-20:]) { //nolint:gosec // Git's checksum
		return "index checksum mismatch"
	}
	objects := binary.BigEndian.Uint32(idx[hdr+fanout-4 : hdr+fanout])
	f, err := os.Open(base + ".pack")
	if err != nil {
		return "unreadable pack: " + err.Error()
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil || info.Size() < 32 {
		return "truncated pack"
	}
	head := make([]byte, 12)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head[:4], []byte("PACK")) {
		return "malformed pack header"
	}
	if v := binary.BigEndian.Uint32(head[4:8]); v != 2 && v != 3 {
		return "unsupported pack version"
	}
	if binary.BigEndian.Uint32(head[8:12]) != objects {
		return "pack and index count different objects"
	}
	trailer := make([]byte, 20)
	if _, err := f.ReadAt(trailer, info.Size()-20); err != nil {
		return "unreadable pack trailer"
	}
	if !bytes.Equal(trailer, idx[len(idx)-40:len(idx)-20]) {
		return "pack does not end with the checksum its index records (truncated or overwritten)"
	}
	return ""
}

// isCorrupt reports whether err, from reading or writing the local object store,
// says the store is damaged (rather than that the network or the server failed).
func isCorrupt(err error) bool {
	if err == nil {
		return false
	}
	var pe *packfile.Error
	var fe flate.CorruptInputError
	if errors.As(err, &pe) || errors.As(err, &fe) {
		return true
	}
	for _, target := range []error{
		plumbing.ErrObjectNotFound, zlib.ErrChecksum, zlib.ErrHeader, io.ErrUnexpectedEOF,
		packfile.ErrMalformedPackFile, packfile.ErrInvalidDelta, packfile.ErrDeltaCmd, packfile.ErrReferenceDeltaNotFound,
		packfile.ErrInflatedSizeMismatch, packfile.ErrLengthOverflow, idxfile.ErrMalformedIdxFile, idxfile.ErrUnsupportedVersion,
		dotgit.ErrIdxNotFound, dotgit.ErrPackfileNotFound, dotgit.ErrPackedRefsBadFormat, dotgit.ErrEmptyRefFile,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
