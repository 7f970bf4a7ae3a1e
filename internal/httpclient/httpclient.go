// Package httpclient is the HTTP plumbing that the REST client (internal/algorithmia), the Git
// engine (internal/promote) and the provider share: the one builder of HTTP clients with their
// TLS settings, the one check of an http(s) address, and the one redaction of credentials
// from text. It imports nothing of Terraform and sends no request itself.
package httpclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
)

// ErrNoPEM means a CA bundle holds no certificate that could be parsed.
var ErrNoPEM = errors.New("no PEM certificate could be parsed from the given CA certificate")

// New returns an HTTP client that trusts caPEM besides the system's CAs, and skips
// verification when insecure. It honours proxies from the environment like
// http.DefaultTransport, whose settings it copies. The client has no timeout of its own:
// the REST client sets its per-request timeout on a copy, and streamed transfers are
// bounded by their context. Every HTTP client of the provider, the REST client and the
// Git engine comes from here.
func New(caPEM []byte, insecure bool) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the standard library's default is always *http.Transport
	if len(caPEM) == 0 && !insecure {
		return &http.Client{Transport: transport}, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // opt-in, warned about by the provider
	if len(caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, ErrNoPEM
		}
		tc.RootCAs = pool
	}
	transport.TLSClientConfig = tc
	return &http.Client{Transport: transport}, nil
}
