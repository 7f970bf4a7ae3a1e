package httpclient

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// userinfoRE matches the userinfo part of any URL embedded in free text (net/http and
// go-git both quote request URLs in their error strings); the scheme may be missing, as in
// a mistyped address.
var userinfoRE = regexp.MustCompile(`((?:[A-Za-z][A-Za-z0-9+.\-]*)?://)[^/?#\s@"']*@`)

// SecretForms returns every non-empty secret in each form it may take in a text: plain,
// query-escaped, path-escaped and userinfo-escaped (keys may contain '/', '+' and '=',
// which escaping changes), without duplicates and longest first, so that a replacement
// never half-replaces an escaped form.
func SecretForms(secrets ...string) []string {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s), url.UserPassword("x", s).String()[2:]} {
			if form != "" && !seen[form] {
				seen[form] = true
				forms = append(forms, form)
			}
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}

// Redactor hides credentials in text: the userinfo of every URL in it, and every form of
// each of its secrets (see SecretForms). It is safe for concurrent use.
type Redactor struct {
	secrets *strings.Replacer
}

// NewRedactor returns a Redactor that replaces each of secrets with mask; empty secrets
// are ignored.
func NewRedactor(mask string, secrets ...string) *Redactor {
	forms := SecretForms(secrets...)
	if len(forms) == 0 {
		return &Redactor{}
	}
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, mask)
	}
	return &Redactor{secrets: strings.NewReplacer(pairs...)}
}

// Redact returns s without URL userinfo and with every secret masked. A nil Redactor
// removes userinfo only.
func (r *Redactor) Redact(s string) string {
	s = userinfoRE.ReplaceAllString(s, "$1")
	if r == nil || r.secrets == nil {
		return s
	}
	return r.secrets.Replace(s)
}

// Redact is NewRedactor(mask, secrets...).Redact(s), for a single use.
func Redact(s, mask string, secrets ...string) string {
	return NewRedactor(mask, secrets...).Redact(s)
}

// RedactURL returns raw, meant to be one URL, with its userinfo replaced by marker
// followed by "@", or removed when marker is empty. Text that does not parse as a URL
// loses everything between its first "://" and its last "@" after that.
func RedactURL(raw, marker string) string {
	u, err := url.Parse(raw)
	if err != nil {
		j := strings.Index(raw, "://")
		if i := strings.LastIndex(raw, "@"); j >= 0 && i > j {
			if marker != "" {
				marker += "@"
			}
			return raw[:j+3] + marker + raw[i+1:]
		}
		return userinfoRE.ReplaceAllString(raw, "$1")
	}
	if u.User == nil {
		return raw
	}
	if marker == "" {
		u.User = nil
	} else {
		u.User = url.User(marker)
	}
	return u.String()
}
