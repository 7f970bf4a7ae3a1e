package algorithmia

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Sentinel errors matched with errors.Is against *APIError and *MissingKeyError.
var (
	// ErrNotFound matches 404 answers and "not found" codes (1000, 1001, 1009, 3000, 3100, ...).
	ErrNotFound = errors.New("algorithmia: not found")
	// ErrAlreadyExists matches 409 answers and 400 answers with a duplicate code (1002, 3003, 3004, 3101, 3109).
	ErrAlreadyExists = errors.New("algorithmia: already exists")
	// ErrUnauthorized matches 401 answers (unknown or missing key).
	ErrUnauthorized = errors.New("algorithmia: unauthorized")
	// ErrForbidden matches 403 answers (the key lacks the right).
	ErrForbidden = errors.New("algorithmia: forbidden")
	// ErrAPIKeyRequired matches a *MissingKeyError for the standard API key.
	ErrAPIKeyRequired = errors.New("algorithmia: API key required")
	// ErrSCMUnauthorized matches answers saying the user is not (or no longer) authorized on
	// an external SCM (4080, 4081), or has no connection to it (4008).
	ErrSCMUnauthorized = errors.New("algorithmia: not authorized on the SCM")
	// ErrAdminKeyRequired matches a *MissingKeyError for the admin API key.
	ErrAdminKeyRequired = errors.New("algorithmia: admin API key required")
)

// Platform error codes (CONTRACT.md §3.2) the client gives meaning to.
const (
	CodeAlgorithmNotFound         = 1000
	CodeAlgorithmNameDoesNotExist = 1001
	CodeAlgorithmNameHasBeenTaken = 1002
	CodeVersionAlreadyPublished   = 1007
	CodeAlgorithmIDDoesNotExist   = 1009
	CodeAlgorithmBuildNotFound    = 1010
	CodeBuildLogsNotFound         = 1011
	CodeVersionDoesNotExist       = 1014
	CodeUserNotFound              = 3000
	CodeUsernameHasBeenTaken      = 3003
	CodeEmailAddressHasBeenTaken  = 3004
	CodeOrganizationNotFound      = 3100
	CodeOrganizationAlreadyExists = 3101
	CodeOrganizationRequiresOwner = 3102
	CodeOrgTypeNotFound           = 3108
	CodeOrgTypeAlreadyExists      = 3109
	// SCM codes (CONTRACT.md §3.2, §8.4, §11).
	CodeSCMFailedToCreateRepository = 1008
	CodeSCMConnectionNotFound       = 4008
	CodeSCMConfigurationNotFound    = 4009
	CodeSCMBadCreatePayload         = 4020
	CodeSCMEnabled                  = 4040
	CodeSCMDefault                  = 4041
	CodeSCMDisabled                 = 4042
	CodeSCMInUse                    = 4043
	CodeSCMConflict                 = 4044
	CodeSCMDisallowedOperation      = 4045
	CodeSCMNotAuthorized            = 4080
	CodeSCMNotAuthenticated         = 4081
	CodeSCMBadRequest               = 4082
	CodeSCMUnknown                  = 4083
	CodeSCMConnectionError          = 4084
)

// notFoundCodes win over the HTTP status because the SPEC lists 409 for a
// missing user or organization; such an answer must not read as "exists".
var notFoundCodes = map[int]bool{
	CodeAlgorithmNotFound: true, CodeAlgorithmNameDoesNotExist: true, CodeAlgorithmIDDoesNotExist: true,
	CodeAlgorithmBuildNotFound: true, CodeBuildLogsNotFound: true, CodeVersionDoesNotExist: true,
	CodeUserNotFound: true, CodeOrganizationNotFound: true, CodeOrgTypeNotFound: true,
	CodeSCMConfigurationNotFound: true,
}

// alreadyExistsCodes turn a 400 into ErrAlreadyExists: the SPEC has no 409
// for a duplicate algorithm, so the platform answers 400 + 1002.
var alreadyExistsCodes = map[int]bool{
	CodeAlgorithmNameHasBeenTaken: true, CodeUsernameHasBeenTaken: true, CodeEmailAddressHasBeenTaken: true,
	CodeOrganizationAlreadyExists: true, CodeOrgTypeAlreadyExists: true, CodeSCMConflict: true,
}

// APIError is an error answer from the platform (CONTRACT.md §3.1).
type APIError struct {
	// StatusCode is the HTTP status (2xx when the body carried an error anyway).
	StatusCode int
	// Code is the platform error code, 0 when the body had none.
	Code int
	// Message is the platform's message (or the start of a non-JSON body), with keys redacted.
	Message string
	// ID is the platform's error id for support, when given.
	ID string
	// ErrorType is the optional error_type (e.g. AlgorithmError).
	ErrorType string
	// Method is the HTTP method of the failed call.
	Method string
	// Path is the URL path of the failed call.
	Path string
}

// Error formats the status, code, message and error id of the answer.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "algorithmia: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		fmt.Fprintf(&b, " %s", t)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.ID != "" {
		fmt.Fprintf(&b, " [error id %s]", e.ID)
	}
	return b.String()
}

// Is lets errors.Is match the sentinel errors by status and code.
func (e *APIError) Is(target error) bool {
	notFound := e.StatusCode == http.StatusNotFound || notFoundCodes[e.Code]
	switch target {
	case ErrNotFound:
		return notFound
	case ErrAlreadyExists:
		if notFound {
			return false
		}
		return e.StatusCode == http.StatusConflict ||
			(e.StatusCode == http.StatusBadRequest && alreadyExistsCodes[e.Code]) ||
			// A 2xx body with an error envelope still says what happened.
			(e.StatusCode < 300 && alreadyExistsCodes[e.Code])
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrSCMUnauthorized:
		return e.Code == CodeSCMNotAuthorized || e.Code == CodeSCMNotAuthenticated || e.Code == CodeSCMConnectionNotFound
	}
	return false
}

// MissingKeyError is returned, before any request is made, when the key an
// endpoint needs is not configured.
type MissingKeyError struct {
	// Admin is true when the admin API key is the missing one.
	Admin bool
	// Method is the HTTP method of the call that was not made.
	Method string
	// Path is the URL path of the call that was not made.
	Path string
	// Cluster is the client's base URL, which tells configurations with several clusters apart.
	Cluster string
}

// Error names the missing key and the call that needed it.
func (e *MissingKeyError) Error() string {
	if e.Admin {
		return fmt.Sprintf("algorithmia: %s %s is an admin endpoint and needs the admin API key, but no admin API key is configured", e.Method, e.Path)
	}
	return fmt.Sprintf("algorithmia: %s %s needs a standard API key, but no API key is configured", e.Method, e.Path)
}

// Is matches ErrAdminKeyRequired or ErrAPIKeyRequired.
func (e *MissingKeyError) Is(target error) bool {
	if e.Admin {
		return target == ErrAdminKeyRequired
	}
	return target == ErrAPIKeyRequired
}

// RequestError is a failure that produced no usable answer: connection
// errors, timeouts, cancelled contexts, or an undecodable 2xx body.
type RequestError struct {
	// Method is the HTTP method of the failed call.
	Method string
	// Path is the URL path of the failed call.
	Path string
	// Err is the underlying error (context.Canceled, *url.Error, ...).
	Err error

	redact func(string) string
}

// Error describes the failure with any key value scrubbed.
func (e *RequestError) Error() string {
	msg := fmt.Sprintf("algorithmia: %s %s: %v", e.Method, e.Path, e.Err)
	if e.redact != nil {
		msg = e.redact(msg)
	}
	return msg
}

// Unwrap returns the underlying error so errors.Is(err, context.Canceled) works.
func (e *RequestError) Unwrap() error { return e.Err }

// envelope is the CONTRACT.md §3.1 error body; Error stays raw because it is an object
// in the SPEC but a bare string in the Python mock.
type envelope struct {
	Error json.RawMessage `json:"error"`
}

type errorBody struct {
	ID         string          `json:"id"`
	Code       json.RawMessage `json:"code"`
	Message    string          `json:"message"`
	ErrorType  string          `json:"error_type"`
	StackTrace string          `json:"stacktrace"`
}

// maxMessageBytes keeps a non-JSON body (an HTML error page) from flooding
// diagnostics.
const maxMessageBytes = 512

// parseAPIError builds an *APIError from any answer body: the CONTRACT.md §3.1 envelope,
// the unwrapped DOCS form, a bare string under "error", or non-JSON text.
func parseAPIError(status int, method, path string, raw []byte, redact func(string) string) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	trimmed := bytes.TrimSpace(raw)
	var env envelope
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &env) == nil {
		inner := bytes.TrimSpace(env.Error)
		switch {
		case len(inner) > 0 && inner[0] == '{':
			fillFromBody(e, inner)
		case len(inner) > 0 && inner[0] == '"':
			var s string
			_ = json.Unmarshal(inner, &s)
			e.Message = s
		case len(inner) > 0 && string(inner) != "null":
			e.Message = string(inner)
		default:
			// DOCS shows {id, code, message} without the wrapper.
			fillFromBody(e, trimmed)
		}
	} else if len(trimmed) > 0 {
		e.Message = truncate(string(trimmed))
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if redact != nil {
		e.Message = redact(e.Message)
		e.ID = redact(e.ID)
	}
	return e
}

func fillFromBody(e *APIError, raw []byte) {
	var b errorBody
	if json.Unmarshal(raw, &b) != nil {
		e.Message = truncate(string(raw))
		return
	}
	e.ID, e.Message, e.ErrorType = b.ID, b.Message, b.ErrorType
	// Some servers send the code as a string; accept both.
	var n int
	if json.Unmarshal(b.Code, &n) == nil {
		e.Code = n
	} else {
		var s string
		if json.Unmarshal(b.Code, &s) == nil {
			_, _ = fmt.Sscan(s, &n)
			e.Code = n
		}
	}
}

func truncate(s string) string {
	if len(s) <= maxMessageBytes {
		return s
	}
	s = s[:maxMessageBytes]
	for !utf8.ValidString(s) && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// errorIn2xx returns an *APIError when a 2xx JSON object has a non-null
// top-level "error" key: CONTRACT.md §3.1 says such a body is a failure too.
func errorIn2xx(status int, method, path string, raw []byte, redact func(string) string) *APIError {
	if !hasErrorKey(raw) {
		return nil
	}
	return parseAPIError(status, method, path, raw, redact)
}

// hasErrorKey reports whether raw is a JSON object with a non-null top-level
// "error" key. A body that is not a JSON object carries no such key.
func hasErrorKey(raw []byte) bool {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return false // not valid JSON after all: no error envelope to find
	}
	inner := bytes.TrimSpace(env.Error)
	return len(inner) > 0 && string(inner) != "null"
}
