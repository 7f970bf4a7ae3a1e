package promote

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// TestRedact checks the engine's use of the shared redactor (internal/httpclient, whose
// tests cover the forms a secret takes): userinfo goes, secrets read "***".
func TestRedact(t *testing.T) {
	in := `Get "https://alice:k3y@git.example.com/git/a/b.git/info/refs": k3y%2F`
	if got, want := Redact(in, "k3y/"), `Get "https://git.example.com/git/a/b.git/info/refs": ***`; got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
}

func TestScrubKeepsKindDropsCause(t *testing.T) {
	cause := fmt.Errorf("%w: GET https://alice:pw@h/x.git failed with pw", transport.ErrAuthenticationRequired)
	err := scrub("list refs", cause, "pw")
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("kind lost: %v", err)
	}
	if errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Fatal("the raw go-git error must not stay in the chain: errors.As could print it unredacted")
	}
	if strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "alice") {
		t.Fatalf("leaks: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "list refs: ") {
		t.Fatalf("operation missing: %v", err)
	}
}
