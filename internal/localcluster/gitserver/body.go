package gitserver

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// DefaultMaxRequestBytes is the largest Git request body (a pushed pack, a
// fetch negotiation) the handler accepts when Repos.MaxRequestBytes is 0.
// The platform published no limit; this one only keeps a runaway client
// from filling the disk.
const DefaultMaxRequestBytes int64 = 2 << 30

var (
	// errTooLarge is a request body above the limit (413).
	errTooLarge = errors.New("gitserver: request body too large")
	// errBodyRead is a body the client did not finish sending (400).
	errBodyRead = errors.New("gitserver: reading request body")
)

func (r *Repos) maxRequestBytes() int64 {
	if r.MaxRequestBytes > 0 {
		return r.MaxRequestBytes
	}
	return DefaultMaxRequestBytes
}

// withLength returns req with a body of known length, which CGI needs
// (CONTENT_LENGTH) and net/http/cgi insists on: it answers 400 to chunked
// bodies. The git CLI sends every request above http.postBuffer (1 MiB by
// default) chunked, so a chunked body is spooled to a file in the work area,
// on disk rather than in memory; cleanup closes and removes it. A body above
// the limit is errTooLarge, whether declared or found while spooling.
func (r *Repos) withLength(req *http.Request) (_ *http.Request, cleanup func(), err error) {
	limit := r.maxRequestBytes()
	if req.ContentLength > limit {
		return nil, nil, errTooLarge
	}
	if req.ContentLength >= 0 && len(req.TransferEncoding) == 0 {
		return req, func() {}, nil
	}
	f, err := os.CreateTemp(r.tmpDir(), "body-*")
	if err != nil {
		return nil, nil, fmt.Errorf("gitserver: spooling request body: %w", err)
	}
	cleanup = func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
	n, err := io.Copy(f, io.LimitReader(req.Body, limit+1))
	switch {
	case err != nil:
		cleanup()
		return nil, nil, fmt.Errorf("%w: %w", errBodyRead, err)
	case n > limit:
		cleanup()
		return nil, nil, errTooLarge
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("gitserver: spooling request body: %w", err)
	}
	out := req.Clone(req.Context())
	out.Body = f
	out.ContentLength = n
	out.TransferEncoding = nil
	return out, cleanup, nil
}
