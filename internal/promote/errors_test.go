package promote

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

func TestRedact(t *testing.T) {
	cases := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"userinfo", `Get "https://alice:k3y@git.example.com/git/a/b.git/info/refs": EOF`, nil, `Get "https://git.example.com/git/a/b.git/info/refs": EOF`},
		{"user only", "http://alice@h/x.git", nil, "http://h/x.git"},
		{"two urls", "from http://u:p@a/x to https://v:q@b/y", nil, "from http://a/x to https://b/y"},
		{"raw secret", "bad key k3y/x+y", []string{"k3y/x+y"}, "bad key ***"},
		{"query-escaped secret", "key=k3y%2Fx%2By", []string{"k3y/x+y"}, "key=***"},
		{"path-escaped secret", "/k3y%2Fx+y/", []string{"k3y/x+y"}, "/***/"},
		{"empty secret ignored", "nothing here", []string{""}, "nothing here"},
		{"no url", "plain message", nil, "plain message"},
		{"email is not userinfo", "author a@b.c", nil, "author a@b.c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Redact(c.in, c.secrets...); got != c.want {
				t.Fatalf("Redact(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	if got := RedactURL("https://alice:k3y@git.example.com/git/a/b.git"); got != "https://git.example.com/git/a/b.git" {
		t.Fatalf("RedactURL = %q", got)
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

func FuzzRedact(f *testing.F) {
	f.Add("https://u:s3cret@h/x s3cret", "s3cret")
	f.Add("k%2F", "k/")
	f.Fuzz(func(t *testing.T, in, secret string) {
		// "*" in a secret could be rebuilt from the "***" mask; such a key
		// would still be masked, only not detectably so here.
		if secret == "" || strings.Contains(secret, "*") {
			return
		}
		if got := Redact(in, secret); strings.Contains(got, secret) {
			t.Fatalf("Redact(%q, %q) = %q still holds the secret", in, secret, got)
		}
	})
}
