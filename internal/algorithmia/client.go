// Package algorithmia is the REST client for the Algorithmia management API
// (algorithms, builds, versions, environments, users, organizations, members
// and API keys) and the hosted Data API (collections and files) that the
// Terraform provider uses.
//
// It owns URL building, key selection (standard vs admin key), retries of
// idempotent requests, request logging with redaction, typed request and
// response structs, and typed errors. It never imports Terraform packages,
// never writes to stdout or stderr on its own (it logs only through
// Config.Logf), never logs or returns an API key in an error, and never
// retries a POST: a POST that may have reached the server is the caller's
// to reconcile (for example by reading the object back).
package algorithmia

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// DefaultUserAgent is sent when Config.UserAgent is empty.
const DefaultUserAgent = "algorithmia-go-management-client"

// maxResponseBytes bounds how much of a response body is read, so a broken
// proxy cannot make the provider allocate without limit.
const maxResponseBytes = 64 << 20

// Config holds everything New needs to build a Client.
type Config struct {
	// BaseURL is the API address, e.g. https://api.example.com (a trailing / or /v1 is stripped).
	BaseURL string
	// APIKey is the standard key used for algorithm, build, version and environment calls.
	APIKey string
	// AdminAPIKey is the admin key used for users, organizations, members and /v1/admin calls.
	AdminAPIKey string
	// HTTPClient carries TLS and proxy settings; nil means a pooled default client.
	HTTPClient *http.Client
	// RequestTimeout bounds each HTTP attempt; zero means only the context bounds it.
	RequestTimeout time.Duration
	// Retry is the retry policy of idempotent requests, shared with the Git engine; nil
	// means retry.Default(). A policy with MaxRetries 0 makes one attempt per request.
	Retry *retry.Policy
	// UserAgent is sent on every request; empty means DefaultUserAgent.
	UserAgent string
	// Logf receives one structured line per HTTP attempt and per retry; nil means silent.
	Logf func(ctx context.Context, msg string, fields map[string]any)
}

// Client talks to one Algorithmia cluster; it is safe for concurrent use.
type Client struct {
	base       *url.URL
	apiKey     string
	adminKey   string
	userAgent  string
	logf       func(ctx context.Context, msg string, fields map[string]any)
	maxRetries int
	retry      *retryablehttp.Client
	// stream sends file bodies (data.go): no whole-request timeout, because a
	// multi-GiB transfer outlives any per-request bound; idle bounds stalls instead.
	stream   *http.Client
	idle     time.Duration
	redactor *httpclient.Redactor
	now      func() time.Time
}

// New validates cfg and returns a Client; it makes no request.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:      base,
		apiKey:    cfg.APIKey,
		adminKey:  cfg.AdminAPIKey,
		userAgent: cfg.UserAgent,
		logf:      cfg.Logf,
		redactor:  httpclient.NewRedactor(Redacted, cfg.APIKey, cfg.AdminAPIKey),
		now:       time.Now,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	policy := retry.Default()
	if cfg.Retry != nil {
		policy = *cfg.Retry
	}
	c.maxRetries = policy.Retries()
	waitMin, waitMax := policy.Waits()

	// Copy the caller's client so setting the timeout and wrapping the
	// transport never changes an object the caller still uses.
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		plain, err := httpclient.New(nil, false)
		if err != nil {
			return nil, err
		}
		hc = *plain
	}
	if cfg.RequestTimeout > 0 {
		hc.Timeout = cfg.RequestTimeout
	}
	if c.logf != nil {
		next := hc.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		hc.Transport = &loggingTransport{next: next, client: c}
	}

	streamClient := hc
	streamClient.Timeout = 0
	c.stream = &streamClient
	c.idle = cfg.RequestTimeout

	c.retry = &retryablehttp.Client{
		HTTPClient:   &hc,
		RetryWaitMin: waitMin,
		RetryWaitMax: waitMax,
		RetryMax:     c.maxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// parseBaseURL accepts only absolute http(s) URLs without credentials, so a
// key can never travel inside the URL (and so never end up in a log line).
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("algorithmia: base URL is empty")
	}
	u, err := httpclient.CheckURL(raw)
	var parseErr *url.Error
	switch {
	case errors.As(err, &parseErr):
		return nil, fmt.Errorf("algorithmia: base URL is not a valid URL: %w", parseErr)
	case errors.Is(err, httpclient.ErrScheme):
		return nil, fmt.Errorf("algorithmia: base URL must start with http:// or https://, got scheme %q", u.Scheme)
	case errors.Is(err, httpclient.ErrNoHost):
		return nil, errors.New("algorithmia: base URL has no host")
	case errors.Is(err, httpclient.ErrCredentials):
		return nil, errors.New("algorithmia: base URL must not contain credentials; configure the API keys instead")
	case err != nil:
		return nil, fmt.Errorf("algorithmia: base URL: %w", err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("algorithmia: base URL must not have a query or fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/v1")
	u.Path = strings.TrimRight(p, "/")
	u.RawPath = ""
	return u, nil
}

// BaseURL returns the normalised API address (no trailing slash, no /v1).
func (c *Client) BaseURL() string { return c.base.String() }

// HasAPIKey reports whether a standard API key is configured.
func (c *Client) HasAPIKey() bool { return c.apiKey != "" }

// HasAdminAPIKey reports whether an admin API key is configured.
func (c *Client) HasAdminAPIKey() bool { return c.adminKey != "" }

// keyKind says which configured key an endpoint needs.
type keyKind int

const (
	// keyStandard: algorithm management and everything not under the admin API.
	keyStandard keyKind = iota
	// keyAdmin: users, organizations, members, /v1/admin/...
	keyAdmin
	// keyPreferAdmin: routes any key may call (organization types list);
	// the admin key is preferred because org management runs with it.
	keyPreferAdmin
	// keyPreferStandard: routes the SPEC opens to both keys
	// (/v1/users/{u}/algorithms); the standard key is preferred.
	keyPreferStandard
)

// pickKey returns the key for kind or a *MissingKeyError naming the missing one.
func (c *Client) pickKey(kind keyKind, method, path string) (string, error) {
	switch kind {
	case keyAdmin:
		if c.adminKey != "" {
			return c.adminKey, nil
		}
		return "", &MissingKeyError{Admin: true, Method: method, Path: path, Cluster: c.base.String()}
	case keyPreferAdmin:
		if c.adminKey != "" {
			return c.adminKey, nil
		}
		if c.apiKey != "" {
			return c.apiKey, nil
		}
		return "", &MissingKeyError{Admin: true, Method: method, Path: path, Cluster: c.base.String()}
	case keyPreferStandard:
		if c.apiKey != "" {
			return c.apiKey, nil
		}
		if c.adminKey != "" {
			return c.adminKey, nil
		}
		return "", &MissingKeyError{Admin: false, Method: method, Path: path, Cluster: c.base.String()}
	case keyStandard:
		fallthrough
	default:
		if c.apiKey != "" {
			return c.apiKey, nil
		}
		return "", &MissingKeyError{Admin: false, Method: method, Path: path, Cluster: c.base.String()}
	}
}

// apiPath joins escaped segments under /v1, so names with odd characters
// cannot change the route.
func apiPath(segments ...string) string {
	var b strings.Builder
	b.WriteString("/v1")
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// request describes one API call.
type request struct {
	method string
	path   string // escaped, starting with /v1
	query  url.Values
	key    keyKind
	body   any // marshalled as JSON when non-nil
	out    any // decoded from a non-empty 2xx body when non-nil
	// secrets are extra values (e.g. an API key being imported) that must be
	// scrubbed from any error built from this call.
	secrets []string
}

// callInfoKey carries per-call data to the retry policy and the logging
// transport, which only see the request context.
type callInfoKey struct{}

type callInfo struct {
	method  string
	path    string
	attempt int // retries decided so far; only touched by the goroutine running Do
	// redact scrubs the client's keys and the call's secrets from log lines.
	redact func(string) string
}

func callInfoFrom(ctx context.Context) *callInfo {
	ci, _ := ctx.Value(callInfoKey{}).(*callInfo)
	return ci
}

// do performs r and returns the response status. Non-2xx answers and 2xx
// answers carrying a top-level "error" become *APIError.
func (c *Client) do(ctx context.Context, r request) (int, error) {
	key, err := c.pickKey(r.key, r.method, r.path)
	if err != nil {
		return 0, err
	}
	target := c.base.String() + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}

	var body any
	if r.body != nil {
		buf, err := json.Marshal(r.body)
		if err != nil {
			return 0, fmt.Errorf("algorithmia: %s %s: encoding request body: %w", r.method, r.path, err)
		}
		body = buf
	}
	redact := c.redactWith(r.secrets)
	ctx = context.WithValue(ctx, callInfoKey{}, &callInfo{method: r.method, path: r.path, redact: redact})
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return 0, &RequestError{Method: r.method, Path: r.path, Err: err, redact: redact}
	}
	req.Header.Set("Authorization", "Simple "+key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.retry.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return 0, &RequestError{Method: r.method, Path: r.path, Err: err, redact: redact}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return resp.StatusCode, &RequestError{Method: r.method, Path: r.path, Err: fmt.Errorf("reading response: %w", err), redact: redact}
	}
	if len(raw) > maxResponseBytes {
		return resp.StatusCode, &RequestError{Method: r.method, Path: r.path, Err: fmt.Errorf("HTTP %d response is larger than %d MiB; "+
			"the address may not be an Algorithmia API", resp.StatusCode, maxResponseBytes>>20), redact: c.redact}
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, parseAPIError(resp.StatusCode, r.method, r.path, raw, redact)
	}
	if apiErr := errorIn2xx(resp.StatusCode, r.method, r.path, raw, redact); apiErr != nil {
		return resp.StatusCode, apiErr
	}
	if r.out != nil && r.method == http.MethodGet && resp.StatusCode == http.StatusOK && len(bytes.TrimSpace(raw)) == 0 {
		// An empty read would otherwise look like an empty list ("no such environment").
		return resp.StatusCode, &RequestError{Method: r.method, Path: r.path, Err: errors.New("HTTP 200 response has an empty body where JSON was expected"), redact: redact}
	}
	if r.out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, r.out); err != nil {
			return resp.StatusCode, &RequestError{Method: r.method, Path: r.path, Err: fmt.Errorf("decoding %d response: %w", resp.StatusCode, err), redact: redact}
		}
	}
	return resp.StatusCode, nil
}

// ListOptions selects one page of a paged collection (CONTRACT.md §4).
type ListOptions struct {
	// Limit is the page size; zero lets the server choose.
	Limit int
	// Marker is the opaque marker from the previous page; empty means the first page.
	Marker string
}

func (o ListOptions) values() url.Values {
	v := url.Values{}
	if o.Limit > 0 {
		v.Set("limit", fmt.Sprint(o.Limit))
	}
	if o.Marker != "" {
		v.Set("marker", o.Marker)
	}
	return v
}

// Page is one page of a paged collection; Marker is nil on the last page.
type Page[T any] struct {
	// Marker is passed back as ListOptions.Marker to get the next page.
	Marker *string `json:"marker"`
	// NextLink is the full URL of the next page, as the server reports it.
	NextLink *string `json:"next_link"`
	// Results are this page's items.
	Results []T `json:"results"`
}

// NextMarker returns the marker of the next page, or "" on the last page.
func (p *Page[T]) NextMarker() string {
	if p == nil || p.Marker == nil {
		return ""
	}
	return *p.Marker
}

// walkPages follows markers until the last page, calling fn per item; fn
// returning false stops the walk early without error.
func walkPages[T any](ctx context.Context, fetch func(ctx context.Context, marker string) (*Page[T], error), fn func(T) bool) error {
	marker := ""
	seen := map[string]bool{}
	for {
		page, err := fetch(ctx, marker)
		if err != nil {
			return err
		}
		for _, item := range page.Results {
			if !fn(item) {
				return nil
			}
		}
		next := page.NextMarker()
		if next == "" {
			return nil
		}
		// A server that hands back a marker twice would loop forever.
		if seen[next] {
			return fmt.Errorf("algorithmia: paging stopped: the server returned marker %q twice", next)
		}
		seen[next] = true
		marker = next
	}
}

// collectPages returns every item of a paged collection.
func collectPages[T any](ctx context.Context, fetch func(ctx context.Context, marker string) (*Page[T], error)) ([]T, error) {
	all := []T{}
	err := walkPages(ctx, fetch, func(item T) bool {
		all = append(all, item)
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}
