package gitserver

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/cgi"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpcount"
)

// Authorizer decides whether username/password may read (write=false) or
// push to (write=true) owner/name. It returns nil, or an error wrapping
// ErrUnauthenticated (401 with a Basic challenge), ErrForbidden (403) or
// ErrNotFound (404); anything else is a 500. The local cluster implements it
// with keys, passwords and organization membership.
type Authorizer func(username, password, owner, name string, write bool) error

// PushHook is called once for each receive-pack that moved the default
// branch (master on the cluster), with the
// repository lock held and before the push's response reaches the client,
// so a client that polls for its build right after pushing always finds it.
// oldHead is "" if the branch did not exist.
type PushHook func(owner, name, oldHead, newHead string)

// Realm is the Basic realm of the 401 challenge.
const Realm = "Algorithmia"

// servicePath is the whitelist of what http-backend serves (smart and dumb
// protocol); nothing else, in particular no "..", reaches the CGI.
var servicePath = regexp.MustCompile(`^(HEAD|info/refs|git-upload-pack|git-receive-pack|objects/info/(alternates|http-alternates|packs)|objects/[0-9a-f]{2}/[0-9a-f]{38,62}|objects/pack/pack-[0-9a-f]{40,64}\.(pack|idx))$`)

// request is a parsed /git/ URL.
type request struct {
	owner, name string
	semver      string // "" for the algorithm's own repository
	service     string // path after the repository, e.g. "info/refs"
}

func parsePath(p string) (request, bool) {
	rest, ok := strings.CutPrefix(p, "/git/")
	if !ok {
		return request{}, false
	}
	seg := strings.SplitN(rest, "/", 4)
	if len(seg) < 3 {
		return request{}, false
	}
	var q request
	if n, ok := strings.CutSuffix(seg[1], ".git"); ok {
		q = request{owner: seg[0], name: n, service: strings.Join(seg[2:], "/")}
	} else {
		v, ok := strings.CutSuffix(seg[2], ".git")
		if !ok || len(seg) < 4 || !semverPattern.MatchString(v) {
			return request{}, false
		}
		q = request{owner: seg[0], name: seg[1], semver: v, service: seg[3]}
	}
	if validate(q.owner, q.name) != nil || !servicePath.MatchString(q.service) {
		return request{}, false
	}
	return q, true
}

// parse reads a request path of this layout.
func (r *Repos) parse(p string) (request, bool) {
	if !r.host {
		return parsePath(p)
	}
	rest, ok := strings.CutPrefix(p, r.prefix)
	if !ok {
		return request{}, false
	}
	seg := strings.SplitN(rest, "/", 3)
	if len(seg) < 3 {
		return request{}, false
	}
	q := request{owner: seg[0], name: strings.TrimSuffix(seg[1], ".git"), service: seg[2]}
	if r.validate(q.owner, q.name) != nil || !servicePath.MatchString(q.service) {
		return request{}, false
	}
	return q, true
}

// Denial is an Authorizer error that carries the message the Git client
// gets; errors.Is sees through it to ErrForbidden or ErrNotFound.
type Denial struct {
	Err     error
	Message string
}

func (d *Denial) Error() string { return d.Message }
func (d *Denial) Unwrap() error { return d.Err }

// Handler serves Git smart HTTP (and http-backend's dumb protocol) for every
// path under /git/ (or the prefix of OpenHost). Mount it on that prefix
// without stripping it.
func (r *Repos) Handler(auth Authorizer, onPush PushHook) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.serve(w, req, auth, onPush)
	})
}

func (r *Repos) serve(w http.ResponseWriter, req *http.Request, auth Authorizer, onPush PushHook) {
	q, ok := r.parse(req.URL.Path)
	if !ok {
		http.Error(w, "not a Git repository URL", http.StatusNotFound)
		return
	}
	write := q.service == "git-receive-pack" ||
		(q.service == "info/refs" && req.URL.Query().Get("service") == "git-receive-pack")
	if write && q.semver != "" {
		http.Error(w, "published versions are read-only; push to /git/"+q.owner+"/"+q.name+".git", http.StatusForbidden)
		return
	}
	user, ok := authorize(w, req, auth, q.owner, q.name, write)
	if !ok {
		return
	}

	dir := r.repoDir(q.owner, q.name)
	if q.semver != "" {
		dir = r.versionDir(q.owner, q.name, q.semver)
	}
	if _, err := os.Stat(dir); err != nil {
		http.Error(w, "repository not found", http.StatusNotFound)
		return
	}

	req, done, err := r.withLength(req)
	switch {
	case errors.Is(err, errTooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	case errors.Is(err, errBodyRead):
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, "cannot store request body", http.StatusInternalServerError)
		return
	}
	defer done()
	if r.host {
		// http-backend finds the repository by its directory name, so a
		// URL without ".git" is handed on with it.
		u := *req.URL
		u.Path = r.prefix + q.owner + "/" + q.name + ".git/" + q.service
		req = req.WithContext(req.Context())
		req.URL = &u
	}

	h := r.cgi(user)
	switch {
	case req.Method == http.MethodPost && q.service == "git-upload-pack":
		if isRefListing(req) {
			h.ServeHTTP(w, req)
			break
		}
		cw := httpcount.NewWriter(w)
		h.ServeHTTP(cw, req)
		r.count(q.owner, q.name, true, cw.N())
	case req.Method == http.MethodPost && q.service == "git-receive-pack":
		r.count(q.owner, q.name, false, 0)
		r.receivePack(w, req, h, q, onPush)
	default:
		h.ServeHTTP(w, req)
	}
}

// authorize asks auth whether the request's Basic credentials may read (or, with write,
// push to) owner/name. When they may not, it has answered the request and reports false.
func authorize(w http.ResponseWriter, req *http.Request, auth Authorizer, owner, name string, write bool) (string, bool) {
	user, pass, ok := req.BasicAuth()
	if !ok {
		challenge(w)
		return "", false
	}
	err := auth(user, pass, owner, name, write)
	if errors.Is(err, ErrUnauthenticated) && strings.Contains(pass, "%") {
		// The platform told users to write "/" in keys as %2F in clone URLs
		// (CONTRACT.md §8.1). git and go-git decode it before sending, but a client that
		// forwards the URL's userinfo verbatim would not; accept both.
		if dec, derr := url.PathUnescape(pass); derr == nil && dec != pass {
			err = auth(user, dec, owner, name, write)
		}
	}
	var denial *Denial
	switch {
	case err == nil:
		return user, true
	case errors.Is(err, ErrUnauthenticated):
		challenge(w)
		return "", false
	case errors.As(err, &denial) && errors.Is(err, ErrForbidden):
		http.Error(w, denial.Message, http.StatusForbidden)
		return "", false
	case errors.As(err, &denial) && errors.Is(err, ErrNotFound):
		http.Error(w, denial.Message, http.StatusNotFound)
		return "", false
	case errors.Is(err, ErrForbidden):
		http.Error(w, "forbidden", http.StatusForbidden)
		return "", false
	case errors.Is(err, ErrNotFound):
		http.Error(w, "repository not found", http.StatusNotFound)
		return "", false
	default:
		http.Error(w, "authorization failed", http.StatusInternalServerError)
		return "", false
	}
}

// isRefListing reports whether an upload-pack POST is a protocol v2 ls-refs
// command, which lists refs and transfers no pack; counting it would make
// every `git fetch` look like a transfer. It peeks at the body and puts the
// bytes back for http-backend.
func isRefListing(req *http.Request) bool {
	if req.Header.Get("Content-Encoding") != "" {
		return false // git compresses only large requests, never ls-refs
	}
	br := bufio.NewReaderSize(req.Body, 64)
	req.Body = struct {
		io.Reader
		io.Closer
	}{br, req.Body}
	head, _ := br.Peek(len("0014command=ls-refs\n"))
	return string(head) == "0014command=ls-refs\n"
}

func challenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
}

func (r *Repos) cgi(user string) *cgi.Handler {
	logger := r.ErrorLog
	stderr := io.Discard
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	} else {
		stderr = logger.Writer()
	}
	return &cgi.Handler{
		Path: r.backend,
		Root: strings.TrimSuffix(r.prefix, "/"),
		Env: []string{
			"GIT_PROJECT_ROOT=" + r.root,
			"GIT_HTTP_EXPORT_ALL=1",
			// http-backend only allows receive-pack for an authenticated
			// user; authentication happened above, in Go.
			"REMOTE_USER=" + user,
			// The host's /etc/gitconfig must not change server behaviour.
			// HOME is not passed by net/http/cgi, so ~/.gitconfig is not read.
			"GIT_CONFIG_NOSYSTEM=1",
		},
		Logger: logger,
		Stderr: stderr,
	}
}

// receivePack runs one push under the repository lock. http-backend answers
// 200 even when it rejects an update, so the only reliable signal is the
// default branch itself: it is read before and after, and the hook runs before the
// buffered response is released to the client.
func (r *Repos) receivePack(w http.ResponseWriter, req *http.Request, h http.Handler, q request, onPush PushHook) {
	dir := r.repoDir(q.owner, q.name)
	buf := &bufferedResponse{header: http.Header{}}
	func() {
		m := r.lock(q.owner, q.name)
		m.Lock()
		defer m.Unlock()
		before, err := readHead(dir)
		if err != nil {
			buf.fail(http.StatusInternalServerError, "cannot read the default branch")
			return
		}
		h.ServeHTTP(buf, req)
		after, err := readHead(dir)
		if err != nil {
			// The push may have landed; without knowing, report an error
			// rather than skip a build silently.
			buf.fail(http.StatusInternalServerError, "cannot read the default branch after push")
			return
		}
		if after != before && onPush != nil {
			onPush(q.owner, q.name, before, after)
		}
	}()
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.status())
	// The push has landed and the hook has run; a failed write only means
	// the client went away, and there is nothing left to undo or report.
	_, _ = w.Write(buf.body.Bytes())
}

// bufferedResponse holds http-backend's answer until the push hook has run.
// Receive-pack answers are small (report-status and progress lines).
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.code == 0 {
		b.code = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) status() int {
	if b.code == 0 {
		return http.StatusOK
	}
	return b.code
}

func (b *bufferedResponse) fail(code int, msg string) {
	b.header = http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	b.code = code
	b.body.Reset()
	b.body.WriteString(msg + "\n")
}
