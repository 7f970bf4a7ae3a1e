// Package localcluster is a local Algorithmia cluster: the management HTTP API
// of API.md (users, organizations, members, keys, algorithms, builds, versions,
// languages, environments, algorithm secrets) over an embedded store, the Data API of hosted
// data collections (§12), plus the Git smart HTTP endpoints of package
// gitserver, and stand-ins for the external Git hosts of SCM configurations
// (§8.4, §11; exthost.go), all behind one http.Handler.
//
// It owns the cluster's state under Options.DataDir and the rules of the
// platform (auth, validation, codes, paging, semver). It never runs algorithm
// code, never reaches the network, and imports nothing from the provider or its
// REST client. The choices the public record left open are in CHOICES.md.
package localcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/gitserver"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster/store"
)

// Options configures a Cluster.
type Options struct {
	DataDir       string        // required; all state lives under it (bbolt file, git repos under DataDir/git, hosted data under DataDir/data)
	AdminKey      string        // required; the cluster admin API key
	BuildDuration time.Duration // how long a build stays "in-progress" before finishing; 0 -> 1s
	Logger        *slog.Logger  // request log (method, path, status, duration; never a key); nil -> discard
	Faults        FaultConfig   // fault injection (faults.go); the zero value injects nothing; Cluster.SetFaults changes it later
	PageSize      int           // default `limit` of paged routes (§4); 0 -> 50, at most 1000
	DataPageSize  int           // entries per Data API listing page (§12.2); 0 -> 1000
}

// Cluster is one running local cluster.
type Cluster struct {
	opts    Options
	log     *slog.Logger
	st      *store.Store
	repos   *gitserver.Repos
	handler http.Handler
	faults  *faultInjector

	ctx    context.Context // cancelled by Close; stops build workers
	cancel context.CancelFunc
	wg     sync.WaitGroup

	extMu sync.Mutex
	ext   map[string]*gitserver.Repos // SCM id -> its external host's repositories (exthost.go)

	mu      sync.Mutex
	closed  bool                     // set by Close; no build is scheduled after it
	waiters map[string]chan struct{} // build id -> closed when that build finishes

	closeOnce sync.Once
	closeErr  error
}

// New opens (or creates) the cluster state under opts.DataDir and resumes any
// build that was still running when the cluster last stopped.
func New(opts Options) (*Cluster, error) {
	if opts.DataDir == "" {
		return nil, errors.New("localcluster: Options.DataDir is required")
	}
	if opts.AdminKey == "" {
		return nil, errors.New("localcluster: Options.AdminKey is required")
	}
	if err := opts.Faults.Validate(); err != nil {
		return nil, fmt.Errorf("localcluster: %w", err)
	}
	if opts.BuildDuration <= 0 {
		opts.BuildDuration = time.Second
	}
	if opts.PageSize <= 0 || opts.PageSize > maxPageSize {
		opts.PageSize = defaultPageSize
	}
	if opts.DataPageSize <= 0 {
		opts.DataPageSize = dataPageSize
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("localcluster: data dir: %w", err)
	}
	st, err := store.Open(filepath.Join(opts.DataDir, "cluster.db"))
	if err != nil {
		return nil, err
	}
	repos, err := gitserver.Open(filepath.Join(opts.DataDir, "git"))
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("localcluster: git repositories: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cluster{
		opts:    opts,
		log:     logger,
		st:      st,
		repos:   repos,
		ctx:     ctx,
		cancel:  cancel,
		waiters: map[string]chan struct{}{},
		ext:     map[string]*gitserver.Repos{},
		faults:  newFaultInjector(logger),
	}
	if opts.Faults.Enabled() {
		if err := c.SetFaults(opts.Faults); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	if err := c.seed(); err != nil {
		_ = c.Close()
		return nil, err
	}
	if err := c.repairRepos(); err != nil {
		_ = c.Close()
		return nil, err
	}
	if err := c.reconcileData(); err != nil {
		_ = c.Close()
		return nil, err
	}
	if err := c.resumeBuilds(); err != nil {
		_ = c.Close()
		return nil, err
	}
	c.handler = c.routes()
	return c, nil
}

// Handler serves /v1/... (with the Data API), /git/... and the external Git
// hosts under /ext/... (exthost.go).
func (c *Cluster) Handler() http.Handler { return c.handler }

// Close stops the build workers and closes the store; it is safe to call twice.
// Builds still running stay "in-progress" in the store and finish after the
// next New on the same DataDir.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.cancel()
		c.wg.Wait()
		c.closeErr = c.st.Close()
	})
	return c.closeErr
}

// GitStats returns the Git transfer counters of one algorithm's repository.
func (c *Cluster) GitStats(owner, name string) gitserver.Stats { return c.repos.Stats(owner, name) }

func (c *Cluster) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				c.writeError(w, r, err)
			}
		})
	}
	c.userRoutes(h)
	c.keyRoutes(h)
	c.orgRoutes(h)
	c.environmentRoutes(h)
	c.scmRoutes(h)
	h("/v1/algorithms/", c.serveAlgorithms)
	h("/v1/", func(http.ResponseWriter, *http.Request) error {
		return errf(http.StatusNotFound, codeInvalidRequest, "No such route")
	})
	mux.Handle("/git/", c.repos.Handler(c.authorizeGit, c.onPush))
	mux.HandleFunc(extPrefix, c.serveExternal)
	return c.faults.wrap(c.recoverer(c.logRequests(c.withData(mux))))
}

// statusRecorder remembers the status for the request log. It forwards Flush
// because git http-backend streams packs.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs method, path, status and duration. It logs the path only,
// never the query or headers, so no key can reach the log.
func (c *Cluster) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		c.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond).String())
	})
}

// recoverer turns a handler panic into 500/5001 so one bad request never
// takes the cluster down.
func (c *Cluster) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				c.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
