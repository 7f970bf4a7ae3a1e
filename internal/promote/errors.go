package promote

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
)

// Sentinel errors let the caller map failures to diagnostics with errors.Is
// without parsing messages.
var (
	// ErrAuth means the server refused the credentials (HTTP 401 or 403).
	ErrAuth = errors.New("authentication or authorization failed")
	// ErrNotFound means the repository does not exist on the server.
	ErrNotFound = errors.New("repository not found")
	// ErrRefNotFound means no advertised branch, tag or commit matches the ref.
	ErrRefNotFound = errors.New("ref not found")
	// ErrCommitNotFound means the commit is not reachable from any advertised branch or tag.
	ErrCommitNotFound = errors.New("commit not found")
	// ErrNonFastForward means concurrent pushes kept moving the branch until the attempts ran out.
	ErrNonFastForward = errors.New("destination branch moved concurrently (non-fast-forward)")
	// ErrInvalidRemote means a URL is malformed or embeds credentials.
	ErrInvalidRemote = errors.New("invalid remote")
	// ErrUnsafeTree means the source tree holds an entry Git would treat as a repository directory.
	ErrUnsafeTree = errors.New("unsafe tree")
	// ErrDestMoved means the destination branch is not at Request.ExpectDestHead.
	ErrDestMoved = errors.New("destination branch moved since it was last read")
)

// mask replaces each secret in the engine's errors and logs.
const mask = "***"

// Redact removes URL userinfo from s and replaces every secret, raw or
// escaped, with "***". Empty secrets are ignored.
func Redact(s string, secrets ...string) string {
	return httpclient.Redact(s, mask, secrets...)
}

// RedactURL returns raw without userinfo, for messages and logs.
func RedactURL(raw string) string {
	return httpclient.RedactURL(raw, "")
}

// scrub turns any error into one whose text is redacted and whose chain holds
// only our sentinels and context errors: keeping the original go-git error in
// the chain would let a caller print an unredacted message via errors.As.
func scrub(op string, err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var own *Error
	if errors.As(err, &own) {
		return err
	}
	msg := strings.TrimSpace(Redact(err.Error(), secrets...))
	return &Error{Op: op, Kind: classify(err), msg: msg}
}

// classify maps transport failures onto the package's sentinels.
func classify(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, transport.ErrAuthenticationRequired),
		errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod):
		return ErrAuth
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return ErrNotFound
	}
	for _, s := range []error{ErrAuth, ErrNotFound, ErrRefNotFound, ErrCommitNotFound, ErrNonFastForward, ErrInvalidRemote, ErrUnsafeTree, ErrDestMoved} {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// Error is every error the package returns: an operation, an optional
// sentinel kind for errors.Is, and an already-redacted message.
type Error struct {
	Op   string // what the engine was doing, e.g. "fetch source"
	Kind error  // one of the sentinels, a context error, or nil
	msg  string
}

// Error returns the redacted message.
func (e *Error) Error() string {
	if e.Kind != nil && !strings.Contains(e.msg, e.Kind.Error()) {
		return fmt.Sprintf("%s: %s: %s", e.Op, e.Kind, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.Op, e.msg)
}

// Unwrap exposes only the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

// newError builds an Error from a message the package wrote itself; URL
// userinfo is still stripped because messages may quote user input.
func newError(op string, kind error, format string, args ...any) error {
	return &Error{Op: op, Kind: kind, msg: Redact(fmt.Sprintf(format, args...))}
}
