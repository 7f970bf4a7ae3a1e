package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// TestCLI_scmTokensStaySecret runs a migration into an SCM-backed algorithm the way a
// pipeline does (saved plan, its JSON, TRACE log), with the host token passed as an
// ephemeral variable to scm_credentials and to algorithmia_scm_authorization.token_wo, and a
// token the host refuses; no form of either token may appear in anything Terraform printed
// or wrote.
func TestCLI_scmTokensStaySecret(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	if legacyTerraform(t) {
		t.Skip("write-only arguments and ephemeral variables need Terraform 1.11")
	}
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "scmcli")
	scm, login, token := seedSCMLogin(t, dev, "github", u)
	name, commit := seedHello(t, dev, u, "hello", "Hello")

	main := fmt.Sprintf(`
variable "token" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "algorithmia" {
  api_address = %[1]q
  username    = %[2]q
  api_key     = %[3]q
  scm_credentials = {
    %[4]q = { token = var.token }
  }
}

resource "algorithmia_scm_authorization" "me" {
  scm_id   = %[4]q
  token_wo = var.token
}
`, dev.URL, u.Name, u.Key, scm.ID) +
		algorithmHCL("ext", u.Name, name+"_gh", "On GitHub", "source = { scm_id = algorithmia_scm_authorization.me.scm_id }") +
		algorithmSourceHCL("ext", "ext", gitSource{url: dev.GitURL(u.Name, name), commit: commit, username: u.Name, passwordWO: u.Key},
			`publish = { version_type = "minor" }`)
	w := acctest.NewWorkdir(t, main)
	w.Setenv("TF_VAR_token", token)
	texts := secretRun(t, w, "scm")
	if h := scm.Repo(t, login, name+"_gh").Head; h != stateAttrFile(t, w, "commit") {
		t.Fatalf("the external head %s is not the promoted commit", h)
	}

	// A token the host does not know: the authorization fails, and says so without the token.
	wrong := "ghp_" + strings.Repeat("0badc0de", 5)
	// The variable, the provider block and the authorization only.
	w2 := acctest.NewWorkdir(t, main[:strings.Index(main, `resource "algorithmia_algorithm" "ext"`)])
	w2.Setenv("TF_VAR_token", wrong)
	logFile := filepath.Join(t.TempDir(), "wrong.log")
	w2.Setenv("TF_LOG", "TRACE")
	w2.Setenv("TF_LOG_PATH", logFile)
	out, code := w2.Run(t, "apply", "-auto-approve", "-input=false")
	if code == 0 || !strings.Contains(out, "refused the token") {
		t.Fatalf("a wrong token should fail the apply with a clear diagnostic (exit %d):\n%s", code, out)
	}
	texts["wrong token: output of terraform apply"] = out
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	texts["wrong token: TF_LOG=TRACE log"] = string(b)

	hits := 0
	for label, secret := range map[string]string{"token": token, "wrong token": wrong} {
		for form, s := range keyForms(secret, u.Name, "x", "git") {
			for where, text := range texts {
				if i := strings.Index(text, s); i >= 0 {
					hits++
					t.Errorf("%s (%s) found in %s: …%s…", label, form, where,
						strings.ReplaceAll(text[max(0, i-120):min(len(text), i+len(s)+40)], s, "<"+label+">"))
				}
			}
		}
	}
	if hits > 0 {
		t.Fatalf("%d leaks of SCM tokens", hits)
	}
}

// stateAttrFile reads a top-level string attribute of algorithmia_algorithm_source.ext from
// the workdir's state (terraform state show).
func stateAttrFile(t *testing.T, w *acctest.Workdir, attr string) string {
	t.Helper()
	out := w.MustRun(t, "state", "show", "-no-color", "algorithmia_algorithm_source.ext")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == attr && f[1] == "=" {
			return strings.Trim(f[2], `"`)
		}
	}
	t.Fatalf("no %s in:\n%s", attr, out)
	return ""
}
