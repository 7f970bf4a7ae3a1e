package provider

import (
	"archive/zip"
	"context"
	"encoding/base64"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// symbolKey is a key value with "/", "+" and "=", the characters that URL and base64
// encodings change, so a leak in any encoded form is caught too.
func symbolKey(prefix string) string {
	r := strings.ReplaceAll(acctest.RandomName(""), "_", "")
	return prefix + "/" + r[:8] + "+" + r[8:] + "=="
}

// keyForms are the forms in which a key could leak: plain, URL-encoded (query and path
// escaping, and %2F alone as the platform documented for Git URLs), and inside the Basic
// auth header of Git over HTTP, base64 of user:key.
func keyForms(key string, users ...string) map[string]string {
	forms := map[string]string{
		"plain":           key,
		"query-escaped":   url.QueryEscape(key),
		"path-escaped":    url.PathEscape(key),
		"%2F-escaped":     strings.ReplaceAll(key, "/", "%2F"),
		"base64 of key":   base64.StdEncoding.EncodeToString([]byte(key)),
		"lowercase %-hex": strings.ToLower(url.QueryEscape(key)),
	}
	for _, u := range users {
		forms["base64 of "+u+":key"] = base64.StdEncoding.EncodeToString([]byte(u + ":" + key))
	}
	return forms
}

// planEntries returns the contents of every entry of a saved plan (a zip file).
func planEntries(t *testing.T, file string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("open saved plan %s: %v", file, err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(file)+"!"+f.Name] = string(b)
	}
	if len(out) == 0 {
		t.Fatalf("saved plan %s has no entries", file)
	}
	return out
}

// secretRun runs one configuration of the example as a pipeline would (saved plan, its
// JSON, apply of the plan, then a plan that must be empty) with TRACE logs to a file, and
// returns everything Terraform printed or wrote, by where it came from.
func secretRun(t *testing.T, w *acctest.Workdir, name string) map[string]string {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), name+".log")
	w.Setenv("TF_LOG", "TRACE")
	w.Setenv("TF_LOG_PATH", logFile)
	texts := map[string]string{}
	run := func(step string, args ...string) string {
		out, code := w.Run(t, args...)
		texts[name+": output of terraform "+step] = out
		if code != 0 {
			t.Fatalf("%s: terraform %s exited %d:\n%s", name, step, code, out)
		}
		return out
	}
	run("plan -out", "plan", "-out=saved.tfplan", "-input=false")
	for k, v := range planEntries(t, filepath.Join(w.Dir, "saved.tfplan")) {
		texts[name+": "+k] = v
	}
	run("show -json of the saved plan", "show", "-json", "saved.tfplan")
	run("apply of the saved plan", "apply", "-input=false", "saved.tfplan")
	run("plan -detailed-exitcode", "plan", "-detailed-exitcode", "-input=false")
	run("show -json of the state", "show", "-json")
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		b, err := os.ReadFile(filepath.Join(w.Dir, f))
		if err != nil && f == "terraform.tfstate" {
			t.Fatalf("%s: %v", name, err)
		}
		texts[name+": "+f] = string(b)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("TF_LOG_PATH wrote no log: %v", err)
	}
	// The log must hold Terraform's TRACE lines and the provider's and the engine's own logs.
	wants := []string{"[TRACE]", "algorithmia: HTTP request"}
	if name == "promote" {
		wants = append(wants, "promote: pushing promotion commit")
	}
	for _, want := range wants {
		if !strings.Contains(string(b), want) {
			t.Fatalf("%s: the log has no %q lines", name, want)
		}
	}
	texts[name+": TF_LOG=TRACE log"] = string(b)
	return texts
}

// TestCLI_promotionExampleKeepsKeysSecret runs the whole promotion example, bootstrap
// included, the way a pipeline does (saved plans, their JSON, TRACE logs), with keys passed
// as TF_VAR_ variables, and searches everything Terraform printed or wrote for the keys.
func TestCLI_promotionExampleKeepsKeysSecret(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	// Keeping keys out of saved plans takes ephemeral variables and write-only arguments.
	acctest.SkipUnless(t, acctest.EphemeralValues, acctest.WriteOnlyArguments)
	// Own clusters: bootstrap mirrors every user of dev, and the shared ones hold many.
	dev := acctest.NewCluster(t, "dev", acctest.Options{})
	prod := acctest.NewCluster(t, "prod", acctest.Options{})
	ctx := context.Background()
	org := acctest.RandomName("acme")

	// Admin keys with "/", "+" and "=", held by an administrator account on each cluster.
	adminKey := func(c *acctest.Cluster) string {
		admin := c.NewUser(t, c.Name+"admin")
		k := symbolKey("adm")
		if _, err := c.Admin.CreateUserAPIKey(ctx, admin.Name, algorithmia.CreateAPIKeyRequest{
			KeyLabel: "admin", KeyType: algorithmia.KeyTypePlatformAdmin, APIKey: k,
		}); err != nil {
			t.Fatalf("admin key on %s: %v", c.Name, err)
		}
		return k
	}
	devAdminKey, prodAdminKey := adminKey(dev), adminKey(prod)

	// The service account on dev, with a key of its own, and the org-owned algorithm.
	du := dev.NewUser(t, "ci")
	devKey := symbolKey("dev")
	if _, err := dev.Admin.CreateUserAPIKey(ctx, du.Name, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "pipeline", KeyType: algorithmia.KeyTypeAlgorithm, APIKey: devKey,
		Permissions: &algorithmia.AuthPermissions{AllowAlgo: true, AllowAlgoManagement: true, AllowData: true, AllowDataWrite: true, AlgoACL: []string{"algo://*"}},
	}); err != nil {
		t.Fatal(err)
	}
	dev.NewOrganization(t, org, du)
	commit := seedOrgHello(t, dev, du, org)
	// A data collection, so the copy path (api_key_wo of copy_from) runs too.
	if err := du.Client.CreateCollection(ctx, org, "models", nil); err != nil {
		t.Fatal(err)
	}
	model := "weights " + strings.Repeat("0123456789", 100)
	if _, err := du.Client.PutObject(ctx, algorithmia.DataPath{Owner: org, Collection: "models", File: "model.bin"},
		func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(strings.NewReader(model)), int64(len(model)), nil
		}); err != nil {
		t.Fatal(err)
	}
	// The service account's key on prod: bootstrap creates it, the promotion uses it.
	prodKey := symbolKey("prd")
	// A secret of the algorithm on dev: the example copies its metadata, and the value only a
	// variable holds.
	secretValue := symbolKey("sec")
	devAlgo, err := du.Client.GetAlgorithm(ctx, org, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := du.Client.CreateAlgorithmSecret(ctx, devAlgo.ID, algorithmia.CreateAlgorithmSecretRequest{
		ShortName: "API_TOKEN", SecretKey: "HELLO_TOKEN", Description: "token of the hello API", SecretValue: symbolKey("devsec"),
	}); err != nil {
		t.Fatal(err)
	}

	texts := map[string]string{}

	boot := acctest.CopyWorkdir(t, "../../examples/promote-dev-to-prod/bootstrap")
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_admin_api_key": devAdminKey,
		"prod_api_address": prod.URL, "prod_admin_api_key": prodAdminKey,
		"organization": org, "service_account": du.Name, "prod_service_api_key": prodKey,
	} {
		boot.Setenv("TF_VAR_"+k, v)
	}
	for k, v := range secretRun(t, boot, "bootstrap") {
		texts[k] = v
	}

	promo := acctest.CopyWorkdir(t, "../../examples/promote-dev-to-prod")
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_username": du.Name, "dev_api_key": devKey,
		"prod_api_address": prod.URL, "prod_username": du.Name, "prod_api_key": prodKey,
		"organization": org, "deletion_protection": "false",
		"algorithms":              `{"hello":{"version":"1.0.0","language":"python3","environment":"Python 3.8"}}`,
		"data_collections":        `["models"]`,
		"algorithm_secrets":       `{"hello_token":{"algorithm":"hello","short_name":"API_TOKEN"}}`,
		"algorithm_secret_values": `{"hello_token":"` + secretValue + `"}`,
	} {
		promo.Setenv("TF_VAR_"+k, v)
	}
	for k, v := range secretRun(t, promo, "promote") {
		texts[k] = v
	}

	// A key the cluster does not know fails the plan; the diagnostics and the log must not
	// echo it either.
	wrongKey := symbolKey("bad")
	promo.Setenv("TF_VAR_dev_api_key", wrongKey)
	wrongLog := filepath.Join(t.TempDir(), "wrong.log")
	promo.Setenv("TF_LOG_PATH", wrongLog)
	out, code := promo.Run(t, "plan", "-input=false")
	if code == 0 || !strings.Contains(out, "Error") {
		t.Fatalf("a plan with an unknown dev key should fail (exit %d):\n%s", code, out)
	}
	texts["promote with an unknown key: output of terraform plan"] = out
	if b, err := os.ReadFile(wrongLog); err == nil {
		texts["promote with an unknown key: TF_LOG=TRACE log"] = string(b)
	} else {
		t.Fatal(err)
	}

	// The example did its job on prod: the pinned commit's tree, published, and the data.
	pc, err := algorithmia.New(algorithmia.Config{BaseURL: prod.URL, APIKey: prodKey})
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pc.ListAllVersions(ctx, org, "hello", algorithmia.VersionFilter{Published: boolPtr(true)})
	if err != nil || len(versions) != 1 {
		t.Fatalf("prod versions of %s/hello: %v, %+v; want one", org, err, versions)
	}
	prodCI := &acctest.User{Name: du.Name, Key: prodKey}
	if got, want := prodCI.TreeOf(t, prod, org, "hello", versions[0].VersionInfo.GitHash), du.TreeOf(t, dev, org, "hello", commit); got != want {
		t.Fatalf("prod published tree %s, dev pinned tree %s", got, want)
	}
	info, err := pc.HeadObject(ctx, algorithmia.DataPath{Owner: org, Collection: "models", File: "model.bin"})
	if err != nil || info.Size != int64(len(model)) {
		t.Fatalf("model.bin on prod: %v, %+v", err, info)
	}

	if v, ok := prod.Local.SecretValue(org, "hello", "API_TOKEN"); !ok || v != secretValue {
		t.Fatalf("prod's %s/hello should hold the secret API_TOKEN with the configured value (found: %v)", org, ok)
	}
	prodAlgo, err := pc.GetAlgorithm(ctx, org, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := pc.FindAlgorithmSecret(ctx, prodAlgo.ID, "API_TOKEN"); err != nil || s.SecretKey != "HELLO_TOKEN" || s.Description != "token of the hello API" {
		t.Fatalf("prod's secret should carry dev's key and description: %+v, %v", s, err)
	}

	// Not one key or secret value, in any form, anywhere.
	keys := map[string]string{"algorithm secret value": secretValue, "dev_admin_api_key": devAdminKey, "prod_admin_api_key": prodAdminKey, "dev_api_key": devKey, "prod_api_key": prodKey, "unknown dev_api_key": wrongKey}
	hide := make([]string, 0, 2*len(keys))
	for varName, key := range keys {
		hide = append(hide, key, "<"+varName+">")
	}
	hider := strings.NewReplacer(hide...)
	hits := 0
	for varName, key := range keys {
		for form, s := range keyForms(key, du.Name) {
			for where, text := range texts {
				if i := strings.Index(text, s); i >= 0 {
					hits++
					if hits <= 20 {
						ctxt := text[max(0, i-120):min(len(text), i+len(s)+40)]
						t.Errorf("%s (%s) found in %s: …%s…", varName, form, where, hider.Replace(strings.ReplaceAll(ctxt, s, "<"+varName+" "+form+">")))
					}
				}
			}
		}
	}
	if hits > 0 {
		t.Fatalf("%d leaks of keys", hits)
	}
}

// legacyTerraform reports whether the CLI lacks ephemeral values or write-only arguments
// (Terraform before 1.11, OpenTofu before 1.11) and needs the example's
// before-terraform-1.11 files.
func legacyTerraform(t *testing.T) bool {
	t.Helper()
	cli := acctest.CLI(t)
	return !cli.Has(acctest.EphemeralValues, acctest.WriteOnlyArguments)
}

// useBeforeTerraform111 copies the example's files for CLIs older than 1.11 into dir, as
// before-terraform-1.11/README.md says; config is "promote" or "bootstrap".
func useBeforeTerraform111(t *testing.T, dir, config string) {
	t.Helper()
	for src, dst := range beforeTerraform111Files[config] {
		b, err := os.ReadFile(filepath.Join("../../examples/promote-dev-to-prod/before-terraform-1.11", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// beforeTerraform111Files maps each file of before-terraform-1.11 to its name in the
// configuration it changes.
var beforeTerraform111Files = map[string]map[string]string{
	"promote":   {"promote_override.tf": "promote_override.tf", "keys.tf": "keys.tf", "secrets.tf": "secrets.tf"},
	"bootstrap": {"bootstrap_override.tf": "bootstrap_override.tf", "bootstrap_keys.tf": "keys.tf"},
}

// TestCLI_beforeTerraform111FilesValidate checks that the example validates as shipped
// (ephemeral keys go only where ephemeral values may go), and that its files for older CLIs
// still fit the configurations they replace parts of: no key stays ephemeral, and none is
// declared twice.
func TestCLI_beforeTerraform111FilesValidate(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	for config, dir := range map[string]string{
		"promote":   "../../examples/promote-dev-to-prod",
		"bootstrap": "../../examples/promote-dev-to-prod/bootstrap",
	} {
		t.Run(config, func(t *testing.T) {
			if !legacyTerraform(t) {
				// The configuration as shipped, with its ephemeral keys.
				acctest.CopyWorkdir(t, dir).MustRun(t, "validate")
			}
			w := acctest.CopyWorkdir(t, dir)
			useBeforeTerraform111(t, w.Dir, config)
			w.MustRun(t, "validate")
			b, err := os.ReadFile(filepath.Join(w.Dir, "keys.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if regexp.MustCompile(`(?m)^\s*ephemeral\s*=\s*true`).Match(b) {
				t.Fatalf("keys.tf of %s still declares ephemeral keys:\n%s", config, b)
			}
		})
	}
	t.Run("user-migration", func(t *testing.T) {
		acctest.SkipUnless(t, acctest.EphemeralValues)
		acctest.CopyWorkdir(t, "../../examples/user-migration").MustRun(t, "validate")
	})
}
