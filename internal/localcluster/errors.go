package localcluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// Error codes of CONTRACT.md §3.2 that this cluster answers with.
const (
	codeAlgorithmNotFound         = 1001
	codeAlgorithmNameTaken        = 1002
	codePackageSetNotFound        = 1003
	codeVersionAlreadyPublished   = 1007
	codeScmFailedToCreateRepo     = 1008
	codeAlgorithmIDDoesNotExist   = 1009
	codeBuildNotFound             = 1010
	codeBuildLogsNotFound         = 1011
	codeVersionDoesNotExist       = 1014
	codeNotAuthorized             = 2001
	codeNotAuthenticated          = 2002
	codeInvalidJSON               = 2013
	codeInvalidRequest            = 2015
	codeUserNotFound              = 3000
	codeUsernameTaken             = 3003
	codeEmailTaken                = 3004
	codeMissingRequiredFields     = 3005
	codeInconsistentUsername      = 3007
	codeUpdatingEmailNotAllowed   = 3008
	codeOrganizationNotFound      = 3100
	codeOrganizationExists        = 3101
	codeOrganizationRequiresOwner = 3102
	codeCannotReserveUserForOrg   = 3104
	codeOrgTypeNotFound           = 3108
	codeOrgTypeExists             = 3109
	codeUnknownLanguage           = 4001
	codeUnsupportedLanguage       = 4002
	codeScmConnectionNotFound     = 4008
	codeInternal                  = 5001
	codeInvalidMarker             = 5002
	codeInvalidLimit              = 5003
	codeNotImplemented            = 5005
	codeInputValidation           = 6001
)

// apiError is an error that maps to one HTTP status and one CONTRACT.md §3.2 code.
type apiError struct {
	status  int
	code    int
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d/%d: %s", e.status, e.code, e.message) }

func errf(status, code int, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

var (
	errNoKey         = errf(http.StatusUnauthorized, codeNotAuthenticated, "Authorization required")
	errUnknownKey    = errf(http.StatusUnauthorized, codeNotAuthenticated, "Unknown or invalid API key.")
	errForbidden     = errf(http.StatusForbidden, codeNotAuthorized, "Caller is not authorized to perform the operation.")
	errNoManagement  = errf(http.StatusForbidden, codeNotAuthorized, "Caller is not authorized to perform the operation: the API key does not allow algorithm management.")
	errNoSuchAlgo    = errf(http.StatusNotFound, codeAlgorithmNotFound, "No such algorithm")
	errUserNotFound  = errf(http.StatusNotFound, codeUserNotFound, "The requested user was not found.")
	errOrgNotFound   = errf(http.StatusNotFound, codeOrganizationNotFound, "The requested organization was not found.")
	errInvalidMarker = errf(http.StatusBadRequest, codeInvalidMarker, "Invalid marker")
	errInvalidLimit  = errf(http.StatusBadRequest, codeInvalidLimit, "Limit must be between 1 and the system-configured page size limit.")
)

// errorBody is the CONTRACT.md §3.1 envelope, with the `error` wrapper every client parses.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	ID      string `json:"id"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// writeError answers with the envelope. Errors that are not apiErrors are
// internal: the client gets 500/5001 and a support id, the log gets the cause.
func (c *Cluster) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	id := uuid.NewString()
	if !errors.As(err, &ae) {
		c.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "error_id", id, "err", err.Error())
		ae = errf(http.StatusInternalServerError, codeInternal, "Internal server error (id %s)", id)
	}
	writeJSON(w, ae.status, errorBody{Error: errorDetail{ID: id, Code: ae.code, Message: ae.message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
