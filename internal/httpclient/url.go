package httpclient

import (
	"errors"
	"fmt"
	"net/url"
)

// The reasons CheckURL rejects an address, for errors.Is; each caller words its own message.
var (
	// ErrNotURL means the text does not parse as a URL.
	ErrNotURL = errors.New("not a valid URL")
	// ErrCredentials means the URL embeds userinfo (a name, a password or a key).
	ErrCredentials = errors.New("URL must not embed credentials")
	// ErrScheme means the scheme is neither http nor https.
	ErrScheme = errors.New("URL must use http or https")
	// ErrNoHost means the URL names no host.
	ErrNoHost = errors.New("URL has no host")
)

// CheckURL parses raw and accepts only an absolute http(s) URL with a host and without
// credentials, so that a key never travels inside an address (and so never reaches a log,
// a diagnostic or the state). The checks run in a fixed order: parse, credentials, scheme,
// host; the error wraps the first sentinel that applies (and, for ErrNotURL, url.Parse's
// *url.Error, which quotes raw: redact it before showing it). The parsed URL comes back
// with every error but ErrNotURL, so a caller can word its message.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotURL, err)
	}
	switch {
	case u.User != nil:
		return u, ErrCredentials
	case u.Scheme != "http" && u.Scheme != "https":
		return u, fmt.Errorf("%w, got scheme %q", ErrScheme, u.Scheme)
	case u.Host == "":
		return u, ErrNoHost
	}
	return u, nil
}
