package provider

import (
	"fmt"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// The configuration builders the acceptance tests share: one per resource that several
// tests put into their configurations.

// blockLines indents lines into a resource block, one a line, leaving out empty ones.
func blockLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// algorithmHCL renders resource "algorithmia_algorithm" label: a python3-1 algorithm
// owner/name with that details label, which destroy may delete. lines go into the block as
// they are (a provider line, a source object).
func algorithmHCL(label, owner, name, detailsLabel string, lines ...string) string {
	return fmt.Sprintf(`
resource "algorithmia_algorithm" %q {
  owner    = %q
  name     = %q
  details  = { label = %q }
  settings = { language = "python3-1" }
  deletion_protection = false
%s}
`, label, owner, name, detailsLabel, blockLines(lines))
}

// gitSource is the source object of an algorithmia_algorithm_source. url is a literal
// git_url, urlRef an HCL reference used instead; empty fields are left out.
type gitSource struct {
	url, urlRef, commit, ref, caCertPEM, username, password, passwordWO string
}

// pinnedSource reads commit from url as u, with u's key as the password.
func pinnedSource(url, commit string, u *acctest.User) gitSource {
	return gitSource{url: url, commit: commit, username: u.Name, password: u.Key}
}

// followingSource reads the head of ref from url as u, with u's key as the password.
func followingSource(url, ref string, u *acctest.User) gitSource {
	return gitSource{url: url, ref: ref, username: u.Name, password: u.Key}
}

// hcl renders the source object's lines.
func (s gitSource) hcl() string {
	var b strings.Builder
	attr := func(name, value string, quote bool) {
		switch {
		case value == "":
		case quote:
			fmt.Fprintf(&b, "    %-11s = %q\n", name, value)
		default:
			fmt.Fprintf(&b, "    %-11s = %s\n", name, value)
		}
	}
	attr("git_url", s.url, true)
	attr("git_url", s.urlRef, false)
	attr("commit", s.commit, true)
	attr("ref", s.ref, true)
	attr("ca_cert_pem", s.caCertPEM, true)
	attr("username", s.username, true)
	attr("password", s.password, true)
	attr("password_wo", s.passwordWO, true)
	return b.String()
}

// algorithmSourceHCL renders resource "algorithmia_algorithm_source" label that promotes src
// into algorithmia_algorithm.into; lines go into the block as they are (a provider line,
// publish, timeouts).
func algorithmSourceHCL(label, into string, src gitSource, lines ...string) string {
	dest := "algorithmia_algorithm." + into
	return sourceInto(label, dest+".owner", dest+".name", src, lines...)
}

// sourceInto is algorithmSourceHCL for a destination given as HCL expressions: for an
// algorithm the configuration does not create.
func sourceInto(label, owner, name string, src gitSource, lines ...string) string {
	return fmt.Sprintf(`
resource "algorithmia_algorithm_source" %q {
  owner  = %s
  name   = %s
  source = {
%s  }
%s}
`, label, owner, name, src.hcl(), blockLines(lines))
}
