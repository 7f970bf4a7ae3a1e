package retry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
)

// permanentError reports transport errors that no retry can fix: a TLS
// handshake with a server that does not speak TLS (a plain-HTTP port), and certificate
// errors that go-retryablehttp's default policy does not list (wrong host name, expired
// or otherwise invalid certificate). Connection refused and timeouts stay retryable: a
// cluster under restart refuses connections for a while and then answers.
func permanentError(err error) bool {
	var recordErr tls.RecordHeaderError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	switch {
	case errors.As(err, &recordErr), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return true
	}
	// net/http turns a RecordHeaderError whose bytes look like HTTP into a plain error.
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}
