package algorithmia

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestParseAPIError(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode int
		wantMsg  string
		wantID   string
	}{
		{"envelope", 403, `{"error":{"id":"dc7d","code":2001,"message":"Caller is not authorized to perform the operation"}}`, 2001, "Caller is not authorized to perform the operation", "dc7d"},
		{"bare string", 404, `{"error":"No such algorithm"}`, 0, "No such algorithm", ""},
		{"unwrapped DOCS form", 400, `{"id":"x1","code":3005,"message":"Not all required fields have been provided."}`, 3005, "Not all required fields have been provided.", "x1"},
		{"string code", 400, `{"error":{"code":"1002","message":"taken"}}`, 1002, "taken", ""},
		{"non-JSON", 502, "<html>Bad Gateway</html>", 0, "<html>Bad Gateway</html>", ""},
		{"empty body", 503, "", 0, "Service Unavailable", ""},
		{"JSON without message", 500, `{"foo":1}`, 0, "Internal Server Error", ""},
		{"error object of another shape", 200, `{"error":{"deleted":3}}`, 0, "OK", ""},
		{"error with message only", 200, `{"error":{"message":"authorization required"}}`, 0, "authorization required", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := parseAPIError(tt.status, "GET", "/v1/x", []byte(tt.body), nil)
			if e.StatusCode != tt.status || e.Code != tt.wantCode || e.Message != tt.wantMsg || e.ID != tt.wantID {
				t.Fatalf("got %+v, want status %d code %d msg %q id %q", e, tt.status, tt.wantCode, tt.wantMsg, tt.wantID)
			}
			if !strings.Contains(e.Error(), "GET /v1/x") {
				t.Fatalf("Error() %q lacks method and path", e.Error())
			}
		})
	}
}

func TestParseAPIErrorTruncatesLongBodies(t *testing.T) {
	e := parseAPIError(500, "GET", "/v1/x", []byte(strings.Repeat("é", 2000)), nil)
	if len(e.Message) > maxMessageBytes+len("…") {
		t.Fatalf("message not truncated: %d bytes", len(e.Message))
	}
	if !strings.HasSuffix(e.Message, "…") {
		t.Fatalf("truncated message should end with an ellipsis: %q", e.Message[len(e.Message)-8:])
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	tests := []struct {
		status, code int
		want         []error
		notWant      []error
	}{
		{404, 1001, []error{ErrNotFound}, []error{ErrAlreadyExists, ErrUnauthorized, ErrForbidden}},
		{404, 0, []error{ErrNotFound}, []error{ErrAlreadyExists}},
		{409, 3003, []error{ErrAlreadyExists}, []error{ErrNotFound}},
		{409, 0, []error{ErrAlreadyExists}, nil},
		{400, 1002, []error{ErrAlreadyExists}, []error{ErrNotFound}},
		{400, 3004, []error{ErrAlreadyExists}, nil},
		{400, 3101, []error{ErrAlreadyExists}, nil},
		{400, 3005, nil, []error{ErrAlreadyExists, ErrNotFound}},
		// The SPEC lists 409 for a missing user; the code must win.
		{409, 3000, []error{ErrNotFound}, []error{ErrAlreadyExists}},
		{401, 2002, []error{ErrUnauthorized}, []error{ErrForbidden}},
		{403, 2001, []error{ErrForbidden}, []error{ErrUnauthorized, ErrNotFound}},
		{500, 5001, nil, []error{ErrNotFound, ErrAlreadyExists, ErrUnauthorized, ErrForbidden}},
	}
	for _, tt := range tests {
		var err error = &APIError{StatusCode: tt.status, Code: tt.code}
		err = errors.Join(errors.New("context"), err) // must survive wrapping
		for _, s := range tt.want {
			if !errors.Is(err, s) {
				t.Errorf("status %d code %d: errors.Is(%v) = false", tt.status, tt.code, s)
			}
		}
		for _, s := range tt.notWant {
			if errors.Is(err, s) {
				t.Errorf("status %d code %d: errors.Is(%v) = true", tt.status, tt.code, s)
			}
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
			t.Errorf("errors.As failed for %d", tt.status)
		}
	}
}

func TestErrorsOverHTTP(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/algorithms/alice/missing":
			writeJSON(w, 404, `{"error":"No such algorithm"}`)
		case "/v1/algorithms/alice/html":
			w.WriteHeader(400)
			_, _ = w.Write([]byte("plain text failure"))
		case "/v1/algorithms/alice/ok-but-error":
			writeJSON(w, 200, `{"error":{"code":2001,"message":"authorization required"}}`)
		case "/v1/algorithms/alice":
			writeJSON(w, 400, `{"error":{"id":"e1","code":1002,"message":"An algorithm with the requested name already exists."}}`)
		}
	})
	c, _ := newTestClient(t, ts.URL, nil)
	ctx := context.Background()

	_, err := c.GetAlgorithm(ctx, "alice", "missing")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrNotFound) || apiErr.Message != "No such algorithm" || apiErr.Method != "GET" || apiErr.Path != "/v1/algorithms/alice/missing" {
		t.Fatalf("missing: %#v", err)
	}
	_, err = c.GetAlgorithm(ctx, "alice", "html")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Message != "plain text failure" {
		t.Fatalf("non-JSON: %#v", err)
	}
	_, err = c.GetAlgorithm(ctx, "alice", "ok-but-error")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || apiErr.Code != 2001 || apiErr.Message != "authorization required" {
		t.Fatalf("2xx with error: %#v", err)
	}
	_, err = c.CreateAlgorithm(ctx, "alice", CreateAlgorithmRequest{Name: "dup"})
	if !errors.Is(err, ErrAlreadyExists) || !strings.Contains(err.Error(), "code 1002") || !strings.Contains(err.Error(), "e1") {
		t.Fatalf("duplicate: %v", err)
	}
}

// FuzzParseAPIError checks that no server body can panic the parser or
// yield an empty message.
func FuzzParseAPIError(f *testing.F) {
	for _, s := range []string{`{"error":{"code":1,"message":"m"}}`, `{"error":"x"}`, `{"error":null}`, `{"error":[1]}`, `nope`, ``, `{"code":{}}`} {
		f.Add(500, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := parseAPIError(status, "GET", "/v1/x", []byte(body), nil)
		if e.Message == "" && http.StatusText(status) != "" {
			t.Fatalf("empty message for status %d body %q", status, body)
		}
		_ = e.Error()
		_ = errorIn2xx(200, "GET", "/v1/x", []byte(body), nil)
	})
}
