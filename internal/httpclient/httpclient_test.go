package httpclient

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]error{
		"https://api.example.com":           nil,
		"http://127.0.0.1:8080/git/a.git":   nil,
		"https://alice:k3y@api.example.com": ErrCredentials,
		"https://alice@api.example.com":     ErrCredentials,
		"ftp://u:p@h":                       ErrCredentials, // credentials are named first
		"ftp://api.example.com":             ErrScheme,
		"api.example.com":                   ErrScheme,
		"https:///path":                     ErrNoHost,
		"https://api example.com/%zz":       ErrNotURL,
		"://missing-scheme":                 ErrNotURL,
	} {
		u, err := CheckURL(raw)
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("CheckURL(%q) = %v, want %v", raw, err, want)
		}
		if errors.Is(err, ErrNotURL) {
			var pe *url.Error
			if u != nil || !errors.As(err, &pe) {
				t.Errorf("CheckURL(%q) should return no URL and url.Parse's error: %v, %v", raw, u, err)
			}
		} else if u == nil {
			t.Errorf("CheckURL(%q) returned no URL", raw)
		}
		if err != nil && strings.Contains(err.Error(), "k3y") {
			t.Errorf("CheckURL(%q) repeats the key: %v", raw, err)
		}
	}
}

func TestRedact(t *testing.T) {
	cases := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"userinfo", `Get "https://alice:k3y@git.example.com/a.git/info/refs": EOF`, nil, `Get "https://git.example.com/a.git/info/refs": EOF`},
		{"two urls", "from http://u:p@a/x to https://v:q@b/y", nil, "from http://a/x to https://b/y"},
		{"no scheme", "not a url ://user:pw@host", nil, "not a url ://host"},
		{"raw secret", "bad key k3y/x+y", []string{"k3y/x+y"}, "bad key [M]"},
		{"query-escaped", "key=k3y%2Fx%2By", []string{"k3y/x+y"}, "key=[M]"},
		{"path-escaped", "/k3y%2Fx+y/", []string{"k3y/x+y"}, "/[M]/"},
		{"userinfo-escaped", "pw=k3y%2Fx+y%40", []string{"k3y/x+y@"}, "pw=[M]"},
		{"two secrets", "a1 b2", []string{"a1", "b2"}, "[M] [M]"},
		{"empty secret", "nothing here", []string{""}, "nothing here"},
		{"email", "author a@b.c", nil, "author a@b.c"},
	}
	for _, c := range cases {
		if got := Redact(c.in, "[M]", c.secrets...); got != c.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	var none *Redactor
	if got := none.Redact("http://u:p@h/x"); got != "http://h/x" {
		t.Errorf("a nil Redactor should still strip userinfo: %q", got)
	}
}

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, marker, want string }{
		{"https://alice:simsecret@api.example.com/v1", "REDACTED", "https://REDACTED@api.example.com/v1"},
		{"https://alice:simsecret@api.example.com/v1", "", "https://api.example.com/v1"},
		{"https://api.example.com", "REDACTED", "https://api.example.com"},
		{"not a url ://user:simsecret@host", "REDACTED", "not a url ://REDACTED@host"},
		{"https://alice:sim secret@host/%zz", "", "https://host/%zz"},
	} {
		if got := RedactURL(c.in, c.marker); got != c.want {
			t.Errorf("RedactURL(%q, %q) = %q, want %q", c.in, c.marker, got, c.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("https://u:s3cret@h/x s3cret", "s3cret")
	f.Add("k%2F", "k/")
	f.Fuzz(func(t *testing.T, in, secret string) {
		// A "*" in the secret could be rebuilt from the mask.
		if secret == "" || strings.Contains(secret, "*") {
			return
		}
		if got := Redact(in, "***", secret); strings.Contains(got, secret) {
			t.Fatalf("Redact(%q, %q) = %q still holds the secret", in, secret, got)
		}
	})
}

// TestNew checks the TLS settings: a private CA is trusted only when given, an
// unparsable bundle is refused, and insecure skips verification.
func TestNew(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	t.Cleanup(srv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	get := func(c *http.Client) error {
		resp, err := c.Get(srv.URL)
		if err == nil {
			_ = resp.Body.Close()
		}
		return err
	}

	plain, err := New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := get(plain); err == nil {
		t.Error("a client without the CA trusted the test server's certificate")
	}
	withCA, err := New(caPEM, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := get(withCA); err != nil {
		t.Errorf("a client with the CA: %v", err)
	}
	if tc := withCA.Transport.(*http.Transport).TLSClientConfig; tc.MinVersion != tls.VersionTLS12 || tc.InsecureSkipVerify { //nolint:forcetypeassert // New builds an *http.Transport
		t.Errorf("TLS settings: %+v", tc)
	}
	insecure, err := New(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := get(insecure); err != nil {
		t.Errorf("an insecure client: %v", err)
	}
	if _, err := New([]byte("not a pem"), false); !errors.Is(err, ErrNoPEM) {
		t.Errorf("an unparsable CA bundle: %v, want ErrNoPEM", err)
	}
	if plain.Timeout != 0 {
		t.Errorf("the client must have no timeout of its own (streams are bounded by their context): %s", plain.Timeout)
	}
}
