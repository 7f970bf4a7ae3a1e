package promote

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
)

// TestPromote_overTLSWithPrivateCA promotes between repositories served over HTTPS by a
// certificate the system does not trust: it works only with the CA bundle (or the
// explicit opt-out), for the ref advertisement, the fetches and the streamed push alike.
func TestPromote_overTLSWithPrivateCA(t *testing.T) {
	s, devHead, _ := setup(t)
	tlsSrv := httptest.NewTLSServer(s)
	t.Cleanup(tlsSrv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})
	remote := func(repo string, ca []byte, insecure bool) Remote {
		r := s.remote(repo)
		r.URL = strings.Replace(r.URL, s.srv.URL, tlsSrv.URL, 1)
		r.CABundle, r.InsecureSkipTLS = ca, insecure
		return r
	}
	ctx := testCtx(t)

	if _, err := Head(ctx, remote("dev", nil, false), ""); err == nil {
		t.Fatal("Head over TLS with an untrusted certificate succeeded; want a certificate error")
	}
	_, err := Promote(ctx, Request{Source: remote("dev", nil, false), SourceCommit: devHead, Dest: remote("prod", nil, false), WorkDir: t.TempDir()})
	if err == nil {
		t.Fatal("Promote over TLS with an untrusted certificate succeeded")
	}
	if errors.Is(err, ErrAuth) {
		t.Fatalf("a certificate error must not look like an auth error: %v", err)
	}

	res, err := Promote(ctx, Request{Source: remote("dev", caPEM, false), SourceCommit: devHead, Dest: remote("prod", caPEM, false), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Promote with the CA bundle: %v", err)
	}
	if !res.Pushed || s.git(t, "prod", "rev-parse", "master") != res.DestCommit {
		t.Fatalf("promotion over TLS did not land: %+v", res)
	}
	head, err := Head(ctx, remote("prod", nil, true), "")
	if err != nil || head != res.DestCommit {
		t.Fatalf("Head with InsecureSkipTLS = %s, %v; want %s", head, err, res.DestCommit)
	}
	if _, err := Promote(ctx, Request{Source: remote("dev", []byte("not a pem"), false), SourceCommit: devHead,
		Dest: remote("prod", []byte("not a pem"), false), WorkDir: t.TempDir()}); err == nil {
		t.Fatal("an unparsable CA bundle was accepted")
	}
}

// countingTransport counts the requests it forwards.
type countingTransport struct {
	next  http.RoundTripper
	posts atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/git-receive-pack") {
		c.posts.Add(1)
	}
	return c.next.RoundTrip(req)
}

// TestPromote_pushUsesTheCallersHTTPClient: the streamed push goes through Remote.HTTPClient
// when the caller gives one, instead of a client the engine builds.
func TestPromote_pushUsesTheCallersHTTPClient(t *testing.T) {
	s, devHead, _ := setup(t)
	tlsSrv := httptest.NewTLSServer(s)
	t.Cleanup(tlsSrv.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})
	base, err := httpclient.New(caPEM, false)
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingTransport{next: base.Transport}
	remote := func(repo string) Remote {
		r := s.remote(repo)
		r.URL = strings.Replace(r.URL, s.srv.URL, tlsSrv.URL, 1)
		r.CABundle, r.HTTPClient = caPEM, &http.Client{Transport: counter}
		return r
	}
	res, err := Promote(testCtx(t), Request{Source: remote("dev"), SourceCommit: devHead, Dest: remote("prod"), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Promote: %v", err)
	}
	if !res.Pushed || s.git(t, "prod", "rev-parse", "master") != res.DestCommit {
		t.Fatalf("promotion did not land: %+v", res)
	}
	if n := counter.posts.Load(); n != 1 {
		t.Fatalf("the caller's client sent %d pushes, want 1", n)
	}
}
