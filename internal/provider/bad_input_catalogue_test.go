package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// The bad-input catalogue: bad configurations and hostile cluster answers, each with the
// earliest phase that can catch it, the error it must give, and (where there is one) the
// attribute it must name. Every case must fail cleanly (no panic: a crashed provider never
// matches the expected error) and write nothing on any cluster (checked at the end of each
// phase through the API and the hostile servers' counters).
//
// The phase is proven, not assumed:
//   - validate: the provider block cannot be configured, so an error that validation did
//     not catch would read "Cannot read CA certificate file" instead; cases of the provider
//     block itself add a data source that fails validation (validationSentinel), so their
//     error shows only if validation caught it too;
//   - plan: PlanOnly steps against a working provider;
//   - apply: apply steps, after which the cluster is asked that nothing was created.

type cataloguePhase string

const (
	phaseValidate cataloguePhase = "validate"
	phasePlan     cataloguePhase = "plan"
	phaseApply    cataloguePhase = "apply"
)

type badInput struct {
	name  string
	phase cataloguePhase
	// hcl is the configuration without the provider block (unless it has its own); {x}
	// placeholders are filled by catalogueEnv.expand.
	hcl string
	// err must match the error output (Terraform wraps lines, so use \s+ between words).
	err string
	// attr, when set, must match too: the attribute path or its configuration line.
	attr string
}

// catalogueEnv holds what the cases refer to: the seeded accounts, objects and servers.
type catalogueEnv struct {
	dev, tls *acctest.Cluster
	user     *acctest.User // owns the seeded objects; the provider's account
	other    *acctest.User // another account the user may not act for
	weak     string        // a key of user without algorithm management or data write
	algo     string        // a published algorithm of user
	coll     string        // a collection of user with one file
	prefix   string        // prefix of every name a case might create
	servers  map[string]*hostileServer
	vars     map[string]string
}

func (e *catalogueEnv) expand(s string) string {
	pairs := make([]string, 0, 2*len(e.vars))
	for k, v := range e.vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// hostileServer answers every request the same broken way and counts what it saw.
type hostileServer struct {
	*httptest.Server
	requests, writes atomic.Int32
}

func newHostileServer(t *testing.T, h http.HandlerFunc) *hostileServer {
	t.Helper()
	hs := &hostileServer{}
	hs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.requests.Add(1)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hs.writes.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs
}

func hostileServers(t *testing.T) map[string]*hostileServer {
	t.Helper()
	jsonAnswer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	return map[string]*hostileServer{
		"broken_json": newHostileServer(t, jsonAnswer(200, `{"environments": [{"id": "x", `)),
		"wrong_shape": newHostileServer(t, jsonAnswer(200, `{"environments": "all of them"}`)),
		"array":       newHostileServer(t, jsonAnswer(200, `[1, 2, 3]`)),
		"empty":       newHostileServer(t, jsonAnswer(200, ``)),
		"error_in_200": newHostileServer(t, jsonAnswer(200,
			`{"error": {"code": 2001, "message": "Caller is not authorized"}}`)),
		"html_502": newHostileServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1>" + strings.Repeat("<p>nginx</p>", 500) + "</body></html>"))
		}),
		"always_503": newHostileServer(t, jsonAnswer(503, `{"error": {"code": 5000, "message": "busy"}}`)),
		"unauth_html": newHostileServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("<html>login required</html>"))
		}),
		"huge": newHostileServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"environments": [{"id": "`))
			chunk := []byte(strings.Repeat("x", 1<<20))
			for range 70 { // 70 MiB, over the client's 64 MiB bound
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			_, _ = w.Write([]byte(`"}]}`))
		}),
		"redirect_loop": newHostileServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}),
		"not_json_object": newHostileServer(t, jsonAnswer(200, `"just a string"`)),
	}
}

// noTLSListener accepts connections and answers with bytes that are neither HTTP nor TLS.
func noTLSListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			_ = c.Close()
		}
	}()
	return ln.Addr().String()
}

func newCatalogueEnv(t *testing.T) *catalogueEnv {
	t.Helper()
	dev, _ := acctest.Shared(t)
	tlsCluster := acctest.NewCluster(t, "catalogue-tls", acctest.Options{TLS: true})
	ctx := context.Background()
	e := &catalogueEnv{
		dev: dev, tls: tlsCluster,
		user:    dev.NewUser(t, "cat"),
		other:   dev.NewUser(t, "catother"),
		prefix:  "cx" + strings.TrimPrefix(acctest.RandomName(""), "_"),
		servers: hostileServers(t),
	}
	e.algo = acctest.RandomName("seeded")
	e.user.PublishAlgorithm(t, e.algo)
	e.coll = acctest.RandomName("coll")
	if err := e.user.Client.CreateCollection(ctx, e.user.Name, e.coll, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.user.Client.PutObject(ctx, algorithmia.DataPath{Owner: e.user.Name, Collection: e.coll, File: "a.txt"},
		func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(strings.NewReader("hello")), 5, nil
		}); err != nil {
		t.Fatal(err)
	}
	e.vars = map[string]string{"priv": acctest.RandomName("priv")}
	if err := e.other.Client.CreateCollection(ctx, e.other.Name, e.vars["priv"], &algorithmia.DataACL{Read: []string{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.other.Client.PutObject(ctx, algorithmia.DataPath{Owner: e.other.Name, Collection: e.vars["priv"], File: "b.txt"},
		func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(strings.NewReader("secret")), 6, nil
		}); err != nil {
		t.Fatal(err)
	}
	e.weak = "simweak" + strings.TrimPrefix(acctest.RandomName(""), "_")
	if _, err := dev.Admin.CreateUserAPIKey(ctx, e.user.Name, algorithmia.CreateAPIKeyRequest{
		KeyLabel: "weak", KeyType: "AlgorithmKey", APIKey: e.weak,
		Permissions: &algorithmia.AuthPermissions{AllowAlgo: true, AllowData: true},
	}); err != nil {
		t.Fatal(err)
	}
	dev.NewOrganization(t, e.prefix+"org")

	for k, v := range map[string]string{
		"dev": dev.URL, "user": e.user.Name, "key": e.user.Key, "admin": dev.AdminKey, "other": e.other.Name,
		"otherkey": e.other.Key, "weak": e.weak, "algo": e.algo, "coll": e.coll, "p": e.prefix, "org": e.prefix + "org",
		"devhttps": strings.Replace(dev.URL, "http://", "https://", 1), "tls": tlsCluster.URL,
		"notls": "https://" + noTLSListener(t), "git": dev.GitURL(e.user.Name, e.algo),
	} {
		e.vars[k] = v
	}
	for name, s := range e.servers {
		e.vars["srv_"+name] = s.URL
	}
	return e
}

// providerBlock is the catalogue's configured provider: the user's key, the admin key, and
// no retries, so that failures the client would retry are reported at once.
func (e *catalogueEnv) providerBlock() string {
	return e.expand(`
provider "algorithmia" {
  api_address   = "{dev}"
  username      = "{user}"
  api_key       = "{key}"
  admin_api_key = "{admin}"
  max_retries   = 0
}
`)
}

// hostileProvider is a provider block for another address, with no retries.
func hostileProvider(address string, extra string) string {
	return fmt.Sprintf(`
provider "algorithmia" {
  api_address = %q
  api_key     = "simcatalogue"
  max_retries = 0
%s}
`, address, extra)
}

// envLookup is a data source that makes the provider call the cluster at plan time.
const envLookup = `
data "algorithmia_environment" "x" {
  language     = "python3"
  display_name = "Python 3.8"
}
`

// unconfigurable cannot pass Configure: a validate-phase case that slipped through
// validation would report this instead of its own error.
const unconfigurable = `
provider "algorithmia" {
  api_address  = "http://validation-only.invalid"
  ca_cert_file = "/nonexistent/validation-only.pem"
}
`

// validationSentinel fails validation, for validate-phase cases of the provider block.
const validationSentinel = `
data "algorithmia_environment" "sentinel" {
  language     = ""
  display_name = "sentinel"
}
`

// resourceX renders resource kind "x" with body inside (the catalogue's resources are all "x").
func resourceX(kind, body string) string {
	return fmt.Sprintf("\nresource %q \"x\" {\n%s\n}\n", kind, body)
}

// algo renders an algorithmia_algorithm with the given settings and extra lines.
func algo(owner, name, settings, extra string) string {
	return resourceX("algorithmia_algorithm", fmt.Sprintf(`  owner = %q
  name  = %q
  details = {
    label = "Catalogue"
  }
  settings = {
%s
  }
  deletion_protection = false
%s`, owner, name, settings, extra))
}

const py = `    language = "python3-1"`

// source renders the user's algorithmia_algorithm_source with the given source lines and extra lines.
func source(name, src, extra string) string {
	return resourceX("algorithmia_algorithm_source", fmt.Sprintf(`  owner = "{user}"
  name  = %q
  source = {
%s
  }
%s`, name, src, extra))
}

const goodSHA = "0123456789abcdef0123456789abcdef01234567"

func user(username, email, extra string) string {
	return resourceX("algorithmia_user", fmt.Sprintf("  username = %q\n  email    = %q\n%s", username, email, extra))
}

func org(name, email, extra string) string {
	return resourceX("algorithmia_organization", fmt.Sprintf(`  org_name         = %q
  org_label        = "Catalogue"
  org_contact_name = "Catalogue"
  org_email        = %q
%s`, name, email, extra))
}

func apiKey(perms string) string {
	return resourceX("algorithmia_user_api_key", fmt.Sprintf(`  username   = "{user}"
  api_key_wo = "simcataloguekey"
  permissions = {
%s
  }`, perms))
}

// scmHCL is an algorithmia_scm "x" of GitHub with extra arguments.
func scmHCL(extra string) string {
	return resourceX("algorithmia_scm", fmt.Sprintf(`  provider_type = "github"
  urls = {
    web = "https://github.com"
    api = "https://api.github.com"
    ssh = "ssh://git@github.com"
  }
%s`, extra))
}

func collection(owner, name, extra string) string {
	return resourceX("algorithmia_data_collection", fmt.Sprintf("  owner = %q\n  name  = %q\n%s", owner, name, extra))
}

func object(p, body string) string {
	return resourceX("algorithmia_data_object", fmt.Sprintf("  path = %q\n%s", p, body))
}

func dataSource(kind, body string) string {
	return fmt.Sprintf("\ndata %q \"x\" {\n%s\n}\n", kind, body)
}

var catalogue = []badInput{
	// ---- algorithmia_algorithm: names and enums (validate) ----
	{name: "algorithm name with a space", phase: phaseValidate, hcl: algo("{user}", "bad name", py, ""), err: `Attribute name must start with a letter`, attr: `name\s+=\s+"bad name"`},
	{name: "algorithm name starting with a digit", phase: phaseValidate, hcl: algo("{user}", "1algo", py, ""), err: `Attribute name must start with a letter`, attr: `name\s+=`},
	{name: "algorithm name too long", phase: phaseValidate, hcl: algo("{user}", strings.Repeat("a", 31), py, ""), err: `Attribute name string length must be between 1 and 30, got: 31`, attr: `name\s+=`},
	{name: "algorithm name with unicode", phase: phaseValidate, hcl: algo("{user}", "algé", py, ""), err: `(?s)Attribute name must start with a letter.*got: algé`, attr: `name\s+=`},
	{name: "algorithm name with ..", phase: phaseValidate, hcl: algo("{user}", "..", py, ""), err: `(?s)Attribute name must start with a letter.*got: \.\.`, attr: `name\s+=`},
	{name: "algorithm owner with a slash", phase: phaseValidate, hcl: algo("a/b", "ok", py, ""), err: `Attribute owner must start with a letter`, attr: `owner\s+=`},
	{name: "algorithm owner empty", phase: phaseValidate, hcl: algo("", "ok", py, ""), err: `Attribute owner string length must be between 1 and 30, got: 0`, attr: `owner\s+=`},
	{name: "algorithm source without an SCM id", phase: phaseValidate, hcl: algo("{user}", "{p}src", py, `  source = { scm_id = "" }`), err: `Attribute source.scm_id string length must be at least 1`, attr: `source`},
	{name: "repository name on the internal SCM", phase: phaseValidate, hcl: algo("{user}", "{p}src", py, `  source = { scm_id = "internal", repository_name = "x" }`), err: `(?s)The internal SCM has no repository owner or name`, attr: `source`},
	{name: "SCM configuration named internal", phase: phaseValidate, hcl: scmHCL(`  id = "internal"`), err: `Attribute id value must be none of`, attr: `id\s+=`},
	{name: "SCM of an unknown provider", phase: phaseValidate, hcl: strings.Replace(scmHCL(""), `"github"`, `"svn"`, 1), err: `Attribute provider_type value must be one of`, attr: `provider_type`},
	{name: "SCM ssh URL that is not ssh://", phase: phaseValidate, hcl: strings.Replace(scmHCL(""), `"ssh://git@github.com"`, `"git@github.com"`, 1), err: `must be an ssh:// URL`, attr: `urls\.ssh`},
	{name: "default SCM disabled", phase: phaseValidate, hcl: scmHCL("  default = true\n  enabled = false"), err: `(?s)The default SCM must be enabled.*4041`, attr: `enabled`},
	{name: "project key on a GitHub SCM", phase: phaseValidate, hcl: scmHCL(`  project_key = "PROJ"`), err: `project_key is for Bitbucket Server`, attr: `project_key`},
	{name: "authorization on the internal SCM", phase: phaseValidate, hcl: "resource \"algorithmia_scm_authorization\" \"x\" {\n  scm_id = \"internal\"\n  token_wo = \"t\"\n}\n", err: `Attribute scm_id value must be none of`, attr: `scm_id`},
	{name: "unknown language", phase: phaseValidate, hcl: algo("{user}", "ok", `    language = "cobol"`, ""), err: `(?s)Attribute settings\.language value must be one of.*got: "cobol"`},
	{name: "unknown machine type", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    environment = \"tpu\"", ""), err: `(?s)Attribute settings\.environment value must be one of.*"tpu"`},
	{name: "unknown license", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    license = \"bsd\"", ""), err: `(?s)Attribute settings\.license value must be one of.*got: "bsd"`},
	{name: "unknown network access", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    network_access = \"none\"", ""), err: `(?s)Attribute settings\.network_access value must be one of.*"none"`},
	{name: "unknown source visibility", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    source_visibility = \"public\"", ""), err: `(?s)Attribute settings\.source_visibility value must be one of.*"public"`},
	{name: "unknown callability", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    algorithm_callability = \"friends\"", ""), err: `(?s)Attribute settings\.algorithm_callability value must be one of.*"friends"`},
	{name: "environment ID that is not a UUID", phase: phaseValidate, hcl: algo("{user}", "ok", `    algorithm_environment = "python-3.8"`, ""), err: `Attribute settings\.algorithm_environment must be an environment ID \(UUID\)`},
	{name: "both runtime models", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    algorithm_environment = \"00000000-0000-0000-0000-000000000000\"", ""), err: `(?s)Choose one runtime model.*Set exactly one of settings\.language`},
	{name: "no runtime model", phase: phaseValidate, hcl: algo("{user}", "ok", `    license = "apl"`, ""), err: `(?s)Choose one runtime model.*Set exactly one of settings\.language`},
	{name: "machine type with the environment model", phase: phaseValidate, hcl: algo("{user}", "ok", "    algorithm_environment = \"00000000-0000-0000-0000-000000000000\"\n    environment = \"cpu\"", ""), err: `(?s)environment goes with language.*belongs to the legacy language model`},
	{name: "closed source with the mit license", phase: phaseValidate, hcl: algo("{user}", "ok", py+"\n    license = \"mit\"", ""), err: `(?s)Closed source needs the apl license.*for the "mit" license`},
	{name: "algorithm without a label", phase: phaseValidate, hcl: strings.Replace(algo("{user}", "ok", py, ""), `label = "Catalogue"`, `summary = "no label"`, 1), err: `(?s)Incorrect attribute value type.*attribute "label" is required`},
	{name: "algorithm with an unknown argument", phase: phaseValidate, hcl: algo("{user}", "ok", py, `  colour = "red"`), err: `(?s)Unsupported argument.*An argument named "colour" is not expected here`},
	{name: "algorithm label of the wrong type", phase: phaseValidate, hcl: strings.Replace(algo("{user}", "ok", py, ""), `label = "Catalogue"`, `label = ["a", "b"]`, 1), err: `(?s)Incorrect attribute value type.*attribute "label": string\s+required`},

	// ---- algorithmia_algorithm_source (validate) ----
	{name: "short commit SHA", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \"abc1234\"", ""), err: `(?s)Attribute source\.commit must be a full 40-character lowercase commit SHA.*got: abc1234`},
	{name: "commit SHA with a non-hex letter", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+strings.Repeat("g", 40)+"\"", ""), err: `Attribute source\.commit must be a full 40-character lowercase commit SHA`},
	{name: "commit and ref both set", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"\n    ref = \"master\"", ""), err: `(?s)Invalid Attribute Combination.*2 attributes specified when one \(and only one\) of\s+\[source\.commit`},
	{name: "neither commit nor ref", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`, ""), err: `(?s)Invalid Attribute Combination.*No attribute specified when one \(and only one\) of\s+\[source\.commit`},
	{name: "git_url with credentials", phase: phaseValidate, hcl: source("ok", `    git_url = "https://alice:simleaked@git.example.com/git/a/b.git"`+"\n    commit = \""+goodSHA+"\"", ""), err: `(?s)Invalid Git URL.*without credentials.*must not embed credentials`},
	{name: "git_url with an ssh scheme", phase: phaseValidate, hcl: source("ok", `    git_url = "git@github.com:a/b.git"`+"\n    commit = \""+goodSHA+"\"", ""), err: `(?s)Invalid Git URL.*cannot parse`},
	{name: "git_url that is not a URL", phase: phaseValidate, hcl: source("ok", `    git_url = "not a url"`+"\n    commit = \""+goodSHA+"\"", ""), err: `(?s)Invalid Git URL.*must use http or https`},
	{name: "empty ref", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    ref = \"\"", ""), err: `Attribute source\.ref string length must be at least 1, got: 0`},
	{name: "unknown version type", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"", `  publish = { version_type = "patch" }`), err: `(?s)Attribute publish\.version_type value must be one of.*"patch"`},
	{name: "negative create timeout", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"", `  timeouts = { create = "-5s" }`), err: `(?s)Invalid timeout.*timeouts\.create = "-5s": a timeout must be a positive`},
	{name: "zero update timeout", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"", `  timeouts = { update = "0s" }`), err: `(?s)Invalid timeout.*timeouts\.update = "0s": a timeout must be a positive`},
	{name: "timeout that is not a duration", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"", `  timeouts = { create = "soon" }`), err: `(?s)Invalid Attribute Value Time Duration.*"soon" must be a string`},
	{name: "source password and password_wo both set", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"\n    password = \"a\"\n    password_wo = \"b\"", ""), err: `(?s)Attribute "source\.password_wo" cannot be specified when "source\.password" is\s+specified`},
	{name: "source CA that is not PEM", phase: phaseValidate, hcl: source("ok", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"\n    ca_cert_pem = \"garbage\"", ""), err: `(?s)Invalid CA certificate.*No PEM certificate could be parsed from source\.ca_cert_pem`},
	{name: "destination name with a space", phase: phaseValidate, hcl: source("bad name", `    git_url = "{git}"`+"\n    commit = \""+goodSHA+"\"", ""), err: `Attribute name must start with a letter`, attr: `name\s+=`},

	// ---- algorithmia_user, organization, member, key (validate) ----
	{name: "username with a dash", phase: phaseValidate, hcl: user("bad-name", "a@example.com", ""), err: `(?s)Invalid username.*"bad-name" is not valid: the platform requires a letter`, attr: `username\s+=`},
	{name: "username too long", phase: phaseValidate, hcl: user("u"+strings.Repeat("x", 30), "a@example.com", ""), err: `(?s)Invalid username.*at most 30 characters \(got\s+31\)`, attr: `username\s+=`},
	{name: "username with unicode", phase: phaseValidate, hcl: user("josé", "a@example.com", ""), err: `(?s)Invalid username.*"josé" is not valid`, attr: `username\s+=`},
	{name: "e-mail without an at sign", phase: phaseValidate, hcl: user("{p}u1", "not-an-email", ""), err: `(?s)Invalid email.*"not-an-email" is not valid: the platform requires an e-mail address`, attr: `email\s+=`},
	{name: "e-mail too long", phase: phaseValidate, hcl: user("{p}u2", strings.Repeat("a", 95)+"@example.com", ""), err: `(?s)Invalid email.*at most 100 characters \(got 107\)`, attr: `email\s+=`},
	{name: "full name too long", phase: phaseValidate, hcl: user("{p}u3", "u3@example.com", `  fullname = "`+strings.Repeat("f", 101)+`"`), err: `Attribute fullname string length must be between 1 and 100, got: 101`, attr: `fullname\s+=`},
	{name: "company role too long", phase: phaseValidate, hcl: user("{p}u4", "u4@example.com", `  company_role = "`+strings.Repeat("r", 201)+`"`), err: `Attribute company_role string length must be between 1 and 200, got: 201`, attr: `company_role\s+=`},
	{name: "organization name with a space", phase: phaseValidate, hcl: org("bad org", "o@example.com", ""), err: `(?s)Invalid org_name.*"bad org" is not valid`, attr: `org_name\s+=`},
	{name: "organization e-mail invalid", phase: phaseValidate, hcl: org("{p}o1", "nope", ""), err: `(?s)Invalid org_email.*"nope" is not valid`, attr: `org_email\s+=`},
	{name: "organization label too long", phase: phaseValidate, hcl: strings.Replace(org("{p}o2", "o2@example.com", ""), `org_label        = "Catalogue"`, `org_label = "`+strings.Repeat("l", 101)+`"`, 1), err: `Attribute org_label string length must be between 1 and 100, got: 101`, attr: `org_label\s+=`},
	{name: "member username with a space", phase: phaseValidate, hcl: "\nresource \"algorithmia_organization_member\" \"x\" {\n  org_name = \"{org}\"\n  username = \"bad name\"\n}\n", err: `(?s)Invalid username.*"bad name" is not valid`, attr: `username\s+=`},
	{name: "member organization name empty", phase: phaseValidate, hcl: "\nresource \"algorithmia_organization_member\" \"x\" {\n  org_name = \"\"\n  username = \"{user}\"\n}\n", err: `(?s)Invalid org_name.*"" is not valid`, attr: `org_name\s+=`},
	{name: "key that writes data but may not read it", phase: phaseValidate, hcl: apiKey("    allow_data_write = true"), err: `(?s)Missing allow_data.*permissions\.allow_data_write = true needs permissions\.allow_data = true`},
	{name: "key that writes data with allow_data false", phase: phaseValidate, hcl: apiKey("    allow_data = false\n    allow_data_write = true"), err: `(?s)Missing allow_data.*permissions\.allow_data_write = true needs permissions\.allow_data = true`},
	{name: "key with an empty label", phase: phaseValidate, hcl: strings.Replace(apiKey("    allow_algo = true"), `  username   = "{user}"`, "  username = \"{user}\"\n  label = \"\"", 1), err: `Attribute label string length must be at least 1, got: 0`, attr: `label\s+=`},
	{name: "key owner with a space", phase: phaseValidate, hcl: strings.Replace(apiKey("    allow_algo = true"), `"{user}"`, `"bad name"`, 1), err: `(?s)Invalid username.*"bad name" is not valid`, attr: `username\s+=`},

	// ---- hosted data: paths, sources, base64, PEM (validate) ----
	{name: "collection name with a slash", phase: phaseValidate, hcl: collection("{user}", "a/b", ""), err: `(?s)Attribute name must start with a letter.*got: a/b`, attr: `name\s+=`},
	{name: "collection name ..", phase: phaseValidate, hcl: collection("{user}", "..", ""), err: `(?s)Attribute name must start with a letter.*got: \.\.`, attr: `name\s+=`},
	{name: "collection read ACL unknown", phase: phaseValidate, hcl: collection("{user}", "ok", `  read_acl = "everyone"`), err: `(?s)Attribute read_acl value must be one of.*"everyone"`, attr: `read_acl\s+=`},
	{name: "collection owner with unicode", phase: phaseValidate, hcl: collection("alicé", "ok", ""), err: `(?s)Attribute owner must start with a letter.*got: alicé`, attr: `owner\s+=`},
	{name: "data path without a collection", phase: phaseValidate, hcl: object("data://{user}", `  content = "x"`), err: `(?s)Invalid data path.*path: "data://{user}" names no file`, attr: `path\s+=`},
	{name: "data path without a file", phase: phaseValidate, hcl: object("data://{user}/{coll}", `  content = "x"`), err: `(?s)Invalid data path.*path: "data://{user}/{coll}" names no file`, attr: `path\s+=`},
	{name: "data path with a folder", phase: phaseValidate, hcl: object("data://{user}/{coll}/dir/f.txt", `  content = "x"`), err: `(?s)Invalid data path.*no folders\s+inside a collection`, attr: `path\s+=`},
	{name: "data path with another scheme", phase: phaseValidate, hcl: object("s3://bucket/key/f.txt", `  content = "x"`), err: `(?s)Invalid data path.*it must start with\s+data://`, attr: `path\s+=`},
	{name: "data path with ..", phase: phaseValidate, hcl: object("data://{user}/../f.txt", `  content = "x"`), err: `(?s)Invalid data path.*the\s+collection must not be \. or \.\.`, attr: `path\s+=`},
	{name: "data path with a file named ..", phase: phaseValidate, hcl: object("data://{user}/{coll}/..", `  content = "x"`), err: `(?s)Invalid data path.*the file name must not be \. or \.\.`, attr: `path\s+=`},
	{name: "data path with a unicode owner", phase: phaseValidate, hcl: object("data://alicé/{coll}/f.txt", `  content = "x"`), err: `(?s)Invalid data path.*the owner "alicé" is not a valid`, attr: `path\s+=`},
	{name: "data path with an empty file name", phase: phaseValidate, hcl: object("data://{user}/{coll}/", `  content = "x"`), err: `(?s)Invalid data path.*file name is empty`, attr: `path\s+=`},
	{name: "data object with two sources", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", "  content = \"x\"\n  content_base64 = \"eA==\""), err: `(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured`},
	{name: "data object without a source", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", ""), err: `(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured`},
	{name: "copy_from path without a file", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = { path = \"data://{user}\" }"), err: `(?s)Invalid data path.*copy_from\.path: "data://{user}" names no file`},
	{name: "copy_from path with ..", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = { path = \"data://{user}/../a.txt\" }"), err: `(?s)Invalid data path.*copy_from\.path: .*must not be \. or \.\.`},
	{name: "copy_from address with credentials", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = {\n    path = \"data://{user}/{coll}/a.txt\"\n    api_address = \"https://alice:simleaked@api.example.com\"\n  }"), err: `(?s)Invalid address.*copy_from\.api_address = "https://REDACTED@api\.example\.com"`},
	{name: "copy_from with two keys", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = {\n    path = \"data://{user}/{coll}/a.txt\"\n    api_key = \"a\"\n    api_key_wo = \"b\"\n  }"), err: `Attribute "copy_from\.api_key_wo" cannot be specified when "copy_from\.api_key"`},

	// ---- data sources (validate) ----
	{name: "users filter that is not a regular expression", phase: phaseValidate, hcl: dataSource("algorithmia_users", `  username_regex = "(unclosed"`), err: `(?s)Invalid regular expression.*"\(unclosed" is not a Go \(RE2\) regular expression`, attr: `username_regex`},
	{name: "git ref empty", phase: phaseValidate, hcl: dataSource("algorithmia_git_ref", "  owner = \"{user}\"\n  name = \"{algo}\"\n  ref = \"\""), err: `Attribute ref string length must be at least 1, got: 0`, attr: `ref\s+=`},
	{name: "environment language empty", phase: phaseValidate, hcl: dataSource("algorithmia_environment", "  language = \"\"\n  display_name = \"Python 3.8\""), err: `Attribute language string length must be at least 1, got: 0`, attr: `language\s+=`},
	{name: "data objects path of a file", phase: phaseValidate, hcl: dataSource("algorithmia_data_objects", `  path = "data://{user}/{coll}/a.txt"`), err: `(?s)Invalid data path.*names no collection`, attr: `path\s+=`},
	{name: "data object path of a collection", phase: phaseValidate, hcl: dataSource("algorithmia_data_object", `  path = "data://{user}/{coll}"`), err: `(?s)Invalid data path.*names no file`, attr: `path\s+=`},

	// ---- provider configuration (plan: Terraform configures providers while planning) ----
	{name: "API address with another scheme", phase: phaseValidate, hcl: hostileProvider("ftp://api.example.com", "") + envLookup, err: `(?s)Invalid address.*api_address = "ftp://api\.example\.com" is not an absolute http\(s\) URL`},
	{name: "API address with credentials (not repeated)", phase: phaseValidate, hcl: hostileProvider("https://alice:simleaked@api.example.com", "") + envLookup, err: `(?s)Invalid address.*api_address = "https://REDACTED@api\.example\.com"`},
	{name: "API address without a host", phase: phaseValidate, hcl: hostileProvider("https://", "") + envLookup, err: `(?s)Invalid address.*api_address = "https://" is not an absolute`},
	{name: "Git address with a git scheme", phase: phaseValidate, hcl: hostileProvider("{dev}", `  git_address = "git://git.example.com"`+"\n") + envLookup, err: `(?s)Invalid address.*git_address = "git://git\.example\.com" is not an absolute`},
	{name: "request timeout negative", phase: phaseValidate, hcl: hostileProvider("{dev}", `  request_timeout = "-1s"`+"\n") + envLookup, err: `(?s)Invalid timeout.*request_timeout = "-1s": a timeout must be a positive`},
	{name: "request timeout not a duration", phase: phaseValidate, hcl: hostileProvider("{dev}", `  request_timeout = "soon"`+"\n") + envLookup, err: `(?s)Invalid timeout.*request_timeout = "soon"`},
	{name: "CA bundle that is not PEM", phase: phaseValidate, hcl: hostileProvider("{dev}", `  ca_cert_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"`+"\n") + envLookup, err: `(?s)Invalid CA certificate.*No PEM certificate could be parsed from ca_cert_pem`},
	{name: "CA file that does not exist", phase: phasePlan, hcl: hostileProvider("{dev}", `  ca_cert_file = "/nonexistent/ca.pem"`+"\n") + envLookup, err: `Cannot read CA certificate file`, attr: `ca_cert_file`},
	{name: "max retries out of range", phase: phaseValidate, hcl: strings.Replace(hostileProvider("{dev}", ""), "max_retries = 0", "max_retries = 99", 1) + envLookup, err: `between 0 and 20`, attr: `max_retries`},
	{name: "username known only after apply", phase: phasePlan, hcl: "resource \"terraform_data\" \"u\" {\n  input = \"late\"\n}\n" + hostileProvider("{dev}", "  username = terraform_data.u.output\n") + envLookup, err: `Unknown value for username`},
	{name: "API key known only after apply", phase: phasePlan, hcl: "resource \"terraform_data\" \"u\" {\n  input = \"late\"\n}\n" + strings.Replace(hostileProvider("{dev}", ""), `"simcatalogue"`, "terraform_data.u.output", 1) + envLookup, err: `Unknown value for api_key`},
	{name: "admin key used as the standard key", phase: phasePlan, hcl: strings.Replace(hostileProvider("{dev}", ""), "simcatalogue", "{admin}", 1) + dataSource("algorithmia_algorithm", "  owner = \"{user}\"\n  name = \"{algo}\""), err: `(?s)HTTP 403.*admin key where a standard key is needed`},
	{name: "key the cluster does not know", phase: phasePlan, hcl: hostileProvider("{dev}", "") + envLookup, err: `(?s)HTTP 401.*API key was not accepted`},
	{name: "standard key used as the admin key", phase: phasePlan, hcl: hostileProvider("{dev}", `  admin_api_key = "{key}"`+"\n") + dataSource("algorithmia_user", `  username = "{user}"`), err: `(?s)HTTP 403`},
	{name: "scm_credentials with an empty token", phase: phasePlan, hcl: hostileProvider("{dev}", "  scm_credentials = { gh = { token = \"\" } }\n") + envLookup, err: `(?s)Invalid scm_credentials.*scm_credentials\["gh"\]\.token is empty`, attr: `scm_credentials`},
	{name: "scm_credentials known only after apply", phase: phasePlan, hcl: "resource \"terraform_data\" \"u\" {\n  input = \"late\"\n}\n" + hostileProvider("{dev}", "  scm_credentials = { gh = { token = terraform_data.u.output } }\n") + envLookup, err: `(?s)Invalid scm_credentials.*scm_credentials\["gh"\] is only known after\s+apply`, attr: `scm_credentials`},
	{name: "admin data source without an admin key", phase: phasePlan, hcl: hostileProvider("{dev}", "") + dataSource("algorithmia_users", ""), err: `needs an admin API key`},
	{name: "address where nothing listens", phase: phasePlan, hcl: hostileProvider("http://127.0.0.1:1", "") + envLookup, err: `connection refused`},
	{name: "https to a plain-HTTP port", phase: phasePlan, hcl: hostileProvider("{devhttps}", "") + envLookup, err: `HTTP response to HTTPS client`},
	{name: "https to a port that speaks neither", phase: phasePlan, hcl: hostileProvider("{notls}", "") + envLookup, err: `does not look like a TLS handshake`},
	{name: "TLS cluster with an untrusted certificate", phase: phasePlan, hcl: hostileProvider("{tls}", "") + envLookup, err: `certificate`},

	// ---- hostile cluster answers (plan: data sources read while planning) ----
	{name: "broken JSON", phase: phasePlan, hcl: hostileProvider("{srv_broken_json}", "") + envLookup, err: `(?i)decode|unexpected end|JSON`},
	{name: "JSON of the wrong shape", phase: phasePlan, hcl: hostileProvider("{srv_wrong_shape}", "") + envLookup, err: `(?i)decode|cannot unmarshal|JSON`},
	{name: "JSON array instead of an object", phase: phasePlan, hcl: hostileProvider("{srv_array}", "") + envLookup, err: `(?i)decode|cannot unmarshal|JSON`},
	{name: "JSON string instead of an object", phase: phasePlan, hcl: hostileProvider("{srv_not_json_object}", "") + envLookup, err: `(?i)decode|cannot unmarshal|JSON`},
	{name: "empty 200 answer", phase: phasePlan, hcl: hostileProvider("{srv_empty}", "") + envLookup, err: `empty body where JSON was expected`},
	{name: "error envelope in a 200 answer", phase: phasePlan, hcl: hostileProvider("{srv_error_in_200}", "") + envLookup, err: `Caller is not authorized`},
	{name: "HTML 502 page", phase: phasePlan, hcl: hostileProvider("{srv_html_502}", "") + envLookup, err: `HTTP 502`},
	{name: "503 with max_retries = 0 (one request)", phase: phasePlan, hcl: hostileProvider("{srv_always_503}", "") + envLookup, err: `HTTP 503`},
	{name: "401 with an HTML body", phase: phasePlan, hcl: hostileProvider("{srv_unauth_html}", "") + envLookup, err: `(?s)HTTP 401.*API key was not accepted`},
	{name: "answer over 64 MiB", phase: phasePlan, hcl: hostileProvider("{srv_huge}", "") + envLookup, err: `larger than 64 MiB`},
	{name: "redirect loop", phase: phasePlan, hcl: hostileProvider("{srv_redirect_loop}", "") + envLookup, err: `(?i)redirect`},

	// ---- references to objects that do not exist (plan) ----
	{name: "environment ID unknown to the cluster", phase: phasePlan, hcl: algo("{user}", "{p}env", `    algorithm_environment = "00000000-0000-4000-8000-000000000000"`, ""), err: `(?s)Unknown algorithm environment.*algorithmia_environment`, attr: `settings\.algorithm_environment`},
	{name: "environment display name unknown", phase: phasePlan, hcl: dataSource("algorithmia_environment", "  language = \"python3\"\n  display_name = \"Python 9.9\""), err: `(?s)Environment not found.*no "Python 9\.9" environment.*Its environments for this\s+language are`},
	{name: "environment language unknown", phase: phasePlan, hcl: dataSource("algorithmia_environment", "  language = \"cobol\"\n  display_name = \"COBOL\""), err: `(?s)Failed to list the environments of language cobol.*Unknown language`},
	{name: "algorithm data source for a missing algorithm", phase: phasePlan, hcl: dataSource("algorithmia_algorithm", "  owner = \"{user}\"\n  name = \"{p}missing\""), err: `(?s)Algorithm not found.*No algorithm {user}/{p}missing exists`},
	{name: "versions of a missing algorithm", phase: phasePlan, hcl: dataSource("algorithmia_algorithm_versions", "  owner = \"{user}\"\n  name = \"{p}missing\""), err: `(?s)Algorithm not found.*No algorithm {user}/{p}missing exists`},
	{name: "git ref that does not exist", phase: phasePlan, hcl: dataSource("algorithmia_git_ref", "  owner = \"{user}\"\n  name = \"{algo}\"\n  ref = \"no-such-branch\""), err: `(?s)Unknown ref "no-such-branch".*No branch, tag or commit`},
	{name: "git ref version that was never published", phase: phasePlan, hcl: dataSource("algorithmia_git_ref", "  owner = \"{user}\"\n  name = \"{algo}\"\n  ref = \"9.9.9\""), err: `(?s)Unknown version 9\.9\.9.*Published versions, newest first: 0\.1\.0`},
	{name: "git ref on a missing algorithm", phase: phasePlan, hcl: dataSource("algorithmia_git_ref", "  owner = \"{user}\"\n  name = \"{p}missing\"\n  ref = \"master\""), err: `(?s)Algorithm not found.*No Git repository for {user}/{p}missing`},
	{name: "user data source for a missing user", phase: phasePlan, hcl: dataSource("algorithmia_user", "  username = \"{p}nobody\""), err: `(?s)User not found.*No user {p}nobody exists`},
	{name: "organization data source for a missing organization", phase: phasePlan, hcl: dataSource("algorithmia_organization", "  org_name = \"{p}noorg\""), err: `(?s)Organization not found.*No organization {p}noorg exists`},
	{name: "data object data source for a missing file", phase: phasePlan, hcl: dataSource("algorithmia_data_object", `  path = "data://{user}/{coll}/missing.txt"`), err: `(?s)Data object not found.*missing\.txt does not exist`},
	{name: "data objects of a missing collection", phase: phasePlan, hcl: dataSource("algorithmia_data_objects", `  path = "data://{user}/{p}nocoll"`), err: `(?s)Collection not found.*{p}nocoll does not exist`},
	{name: "organization type unknown", phase: phasePlan, hcl: org("{p}o3", "o3@example.com", `  type = "enterprise"`), err: `(?s)Unknown organization type.*Its types are:`, attr: `type\s+=`},
	{name: "upload of a local file that does not exist", phase: phasePlan, hcl: object("data://{user}/{coll}/f.txt", `  source = "/nonexistent/catalogue.bin"`), err: `(?s)Cannot read source file.*no such file or directory`, attr: `source\s+=`},
	{name: "upload of a directory", phase: phasePlan, hcl: object("data://{user}/{coll}/f.txt", `  source = "/"`), err: `(?s)Cannot read source file.*is not a regular file`},
	{name: "content_base64 that is not base64", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", `  content_base64 = "!!not base64!!"`), err: `(?s)Invalid base64.*content_base64 is not standard base64`},
	{name: "copy source key the source cluster refuses", phase: phasePlan, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = {\n    path = \"data://{user}/{coll}/a.txt\"\n    api_address = \"{tlsfree}\"\n    api_key_wo = \"simwrongkey\"\n  }"), err: `(?s)Failed to read the copy source.*HTTP 401.*did not accept the key.\s+Check\s+copy_from\.api_key_wo`},
	{name: "copy source the provider's key may not read", phase: phasePlan, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = { path = \"data://{other}/{priv}/b.txt\" }"), err: `(?s)Failed to read the copy source.*HTTP 403.*The key\s+used is the api_key of this provider alias.*private collection admits only its\s+owner`},
	{name: "copy source on a cluster where nothing listens", phase: phasePlan, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = {\n    path = \"data://{user}/{coll}/a.txt\"\n    api_address = \"http://127.0.0.1:1\"\n    api_key_wo = \"simkey\"\n  }"), err: `(?s)Failed to read the copy source.*connection\s+refused`},
	{name: "copy source over https to a plain-HTTP port", phase: phasePlan, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = {\n    path = \"data://{user}/{coll}/a.txt\"\n    api_address = \"{devhttps}\"\n    api_key_wo = \"{key}\"\n  }"), err: `(?s)Failed to read the copy source.*server gave HTTP response to HTTPS client`},
	{name: "copy source with a CA that is not PEM", phase: phaseValidate, hcl: object("data://{user}/{coll}/f.txt", "  copy_from = {\n    path = \"data://{user}/{coll}/a.txt\"\n    ca_cert_pem = \"garbage\"\n  }"), err: `(?s)Invalid CA certificate.*No PEM certificate could be parsed from copy_from\.ca_cert_pem`},
	{name: "source ref that does not exist", phase: phasePlan, hcl: source("{algo}", "    git_url = \"{git}\"\n    ref = \"no-such-branch\"\n    username = \"{user}\"\n    password = \"{key}\"", ""), err: `(?s)Cannot resolve source ref.*no branch or tag "no-such-branch"`},
	{name: "source repository that does not exist", phase: phasePlan, hcl: source("{algo}", "    git_url = \"{dev}/git/{user}/{p}nothere.git\"\n    ref = \"master\"\n    username = \"{user}\"\n    password = \"{key}\"", ""), err: `(?s)Cannot resolve source ref.*repository\s+not found`},
	{name: "source password refused", phase: phasePlan, hcl: source("{algo}", "    git_url = \"{git}\"\n    ref = \"master\"\n    username = \"{user}\"\n    password = \"simwrong\"", ""), err: `(?s)Cannot resolve source ref.*authentication or authorization failed`},

	// ---- apply: the cluster is the only judge ----
	{name: "owner that does not exist", phase: phaseApply, hcl: algo("{p}ghost", "{p}a1", py, ""), err: `(?s)Owner {p}ghost does not exist`, attr: `owner`},
	{name: "owner the key may not act for", phase: phaseApply, hcl: algo("{other}", "{p}a2", py, ""), err: `(?s)Not allowed to act for owner {other}`},
	{name: "key without algorithm management", phase: phaseApply, hcl: strings.Replace(algo("{user}", "{p}a3", py, ""), `owner = "{user}"`, `owner = "{user}"`, 1), err: `(?s)Failed to create algorithm.*HTTP 403 with error code 2001.*may lack "algorithm management"`},
	{name: "algorithm that already exists", phase: phaseApply, hcl: algo("{user}", "{algo}", py, ""), err: `(?s)Algorithm already exists.*terraform import`},
	{name: "algorithm on an SCM that does not exist", phase: phaseApply, hcl: algo("{user}", "{p}noscm", py, `  source = { scm_id = "{p}noscm" }`), err: `(?s)code 4009.*No\s+SCM\s+configuration\s+"{p}noscm"\s+exists`, attr: `source`},
	{name: "SCM authorization on an SCM that does not exist", phase: phaseApply, hcl: "resource \"algorithmia_scm_authorization\" \"x\" {\n  scm_id = \"{p}noscm\"\n  token_wo = \"ghp_x\"\n}\n", err: `SCM {p}noscm not found`, attr: `scm_id`},
	{name: "user name that is taken", phase: phaseApply, hcl: user("{user}", "{p}x1@example.com", ""), err: `(?s)User already exists.*terraform import <resource address> {user}`},
	{name: "e-mail that is taken", phase: phaseApply, hcl: user("{p}u5", "{user_email}", ""), err: `(?s)E-mail address already taken.*already used by the user\s+{user}`},
	{name: "organization name that is taken", phase: phaseApply, hcl: org("{org}", "{p}o4@example.com", ""), err: `(?s)Organization already exists.*terraform import <resource address> {org}`},
	{name: "organization name taken by a user", phase: phaseApply, hcl: org("{user}", "{p}o5@example.com", ""), err: `(?s)Failed to create organization {user}.*HTTP 409.*is taken by a user`},
	{name: "member of an organization that does not exist", phase: phaseApply, hcl: "\nresource \"algorithmia_organization_member\" \"x\" {\n  org_name = \"{p}noorg\"\n  username = \"{user}\"\n}\n", err: `(?s)Failed to add {user} to organization {p}noorg.*organization was not found`},
	{name: "member that does not exist", phase: phaseApply, hcl: "\nresource \"algorithmia_organization_member\" \"x\" {\n  org_name = \"{org}\"\n  username = \"{p}nobody\"\n}\n", err: `(?s)Failed to add {p}nobody to organization {org}.*user was\s+not found`},
	{name: "key for a user that does not exist", phase: phaseApply, hcl: strings.Replace(apiKey("    allow_algo = true"), "{user}", "{p}nobody", 1), err: `(?s)Failed to add an API key for user {p}nobody.*user was\s+not found`},
	{name: "collection for an owner that does not exist", phase: phaseApply, hcl: collection("{p}ghost", "{p}c1", ""), err: `(?s)Failed to create collection data://{p}ghost/{p}c1.*No such user or\s+organization`},
	{name: "collection that already exists", phase: phaseApply, hcl: collection("{user}", "{coll}", ""), err: `(?s)Collection already exists.*terraform import <resource address>\s+data://{user}/{coll}`},
	{name: "file in a collection that does not exist", phase: phaseApply, hcl: object("data://{user}/{p}nocoll/f.txt", `  content = "x"`), err: `(?s)Failed to upload data://{user}/{p}nocoll/f\.txt.*Directory does not exist`},
	{name: "source commit not in the source repository", phase: phaseApply, hcl: source("{algo}", "    git_url = \"{git}\"\n    commit = \""+goodSHA+"\"\n    username = \"{user}\"\n    password = \"{key}\"", ""), err: `(?s)Failed to promote source.*is not reachable from any branch or\s+tag`},
	{name: "source into an algorithm that does not exist", phase: phaseApply, hcl: source("{p}a4", "    git_url = \"{git}\"\n    ref = \"master\"\n    username = \"{user}\"\n    password = \"{key}\"", ""), err: `(?s)Destination algorithm not found.*Create it first`},
}

func TestAccBadInputCatalogue(t *testing.T) {
	t.Parallel()
	if n := len(catalogue); n < 100 {
		t.Fatalf("the catalogue has %d cases, want at least 100", n)
	}
	e := newCatalogueEnv(t)
	e.vars["user_email"] = e.user.Email
	e.vars["tlsfree"] = e.dev.URL
	weakProvider := strings.Replace(e.providerBlock(), e.user.Key, e.weak, 1)

	for _, ph := range []cataloguePhase{phaseValidate, phasePlan, phaseApply} {
		t.Run(string(ph), func(t *testing.T) {
			var steps []resource.TestStep
			for _, c := range catalogue {
				if c.phase != ph {
					continue
				}
				cfg := e.expand(c.hcl)
				if ph == phaseValidate && strings.Contains(cfg, `provider "algorithmia"`) {
					// Terraform configures providers only after validation passed: the
					// provider's error shows next to this one only if validation caught it.
					cfg += validationSentinel
				}
				if !strings.Contains(cfg, `provider "algorithmia"`) {
					switch {
					case ph == phaseValidate:
						cfg = unconfigurable + cfg
					case c.name == "key without algorithm management":
						cfg = weakProvider + cfg
					default:
						cfg = e.providerBlock() + cfg
					}
				}
				step := resource.TestStep{
					PreConfig:   func() { t.Logf("case %q (%s)", c.name, c.phase) },
					Config:      cfg,
					PlanOnly:    ph != phaseApply,
					ExpectError: expectation(e.expand(c.err), e.expand(c.attr)),
				}
				if writeOnlyValue.MatchString(cfg) {
					// CLIs without write-only arguments refuse the value before the provider
					// sees the input this case is about.
					step.SkipFunc = acctest.Lacks(acctest.WriteOnlyArguments)
				}
				steps = append(steps, step)
			}
			tc := resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				ExternalProviders:        map[string]resource.ExternalProvider{"terraform": {Source: "terraform.io/builtin/terraform"}},
				Steps:                    steps,
			}
			// Not CheckDestroy: the framework skips it when the state is empty, as it is here.
			defer func() {
				if err := e.checkNothingWritten(); err != nil {
					t.Errorf("after the %s phase: %v", ph, err)
				}
			}()
			if os.Getenv("CATALOGUE_EACH") == "" {
				resource.ParallelTest(t, tc)
				return
			}
			// Debugging aid: one test per case reports every mismatch at once.
			for i, step := range steps {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					one := tc
					one.Steps = []resource.TestStep{step}
					resource.Test(t, one)
				})
			}
		})
	}
}

// writeOnlyValue matches a configuration that sets a write-only argument.
var writeOnlyValue = regexp.MustCompile(`(?m)^\s*\w+_wo\s*=`)

// expectation is one regexp that needs both the error and, when given, the attribute.
// Terraform prints the summary, then the attribute's configuration line, then the detail,
// so the attribute may come before, after, or (for an err of the form
// "summary.*detail") between the two halves of err.
func expectation(errRe, attrRe string) *regexp.Regexp {
	if attrRe == "" {
		return regexp.MustCompile(errRe)
	}
	body := strings.TrimPrefix(errRe, "(?s)")
	alts := []string{body + `.*` + attrRe, attrRe + `.*` + body}
	if i := strings.Index(body, ".*"); i >= 0 {
		alts = append(alts, body[:i]+`.*`+attrRe+`.*`+body[i+2:])
	}
	return regexp.MustCompile(`(?s)(?:` + strings.Join(alts, "|") + `)`)
}

// checkNothingWritten asks the clusters and the hostile servers that no case wrote anything,
// and that max_retries = 0 made exactly one request to a failing cluster.
func (e *catalogueEnv) checkNothingWritten() error {
	ctx := context.Background()
	var errs []error
	for _, u := range []*acctest.User{e.user, e.other} {
		algos, err := e.dev.Admin.ListUserAlgorithmsAsAdmin(ctx, u.Name)
		if err != nil {
			errs = append(errs, err)
		}
		for _, a := range algos {
			if a.AlgoName != e.algo {
				errs = append(errs, fmt.Errorf("algorithm %s/%s was created", u.Name, a.AlgoName))
			}
		}
	}
	users, err := e.dev.Admin.ListAllUsers(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for _, u := range users {
		if strings.HasPrefix(u.Username, e.prefix) {
			errs = append(errs, fmt.Errorf("user %s was created", u.Username))
		}
	}
	orgs, err := e.dev.Admin.ListAllOrganizations(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for _, o := range orgs {
		if strings.HasPrefix(o.OrgName, e.prefix) && o.OrgName != e.prefix+"org" {
			errs = append(errs, fmt.Errorf("organization %s was created", o.OrgName))
		}
	}
	if members, err := e.dev.Admin.ListAllOrganizationMembers(ctx, e.prefix+"org"); err != nil {
		errs = append(errs, err)
	} else if len(members) != 0 {
		errs = append(errs, fmt.Errorf("members were added to %sorg: %v", e.prefix, members))
	}
	if files, err := e.user.Client.ListFiles(ctx, algorithmia.DataPath{Owner: e.user.Name, Collection: e.coll}); err != nil {
		errs = append(errs, err)
	} else if len(files) != 1 {
		errs = append(errs, fmt.Errorf("%s holds %d files, want the 1 seeded: %v", e.coll, len(files), files))
	}
	for _, c := range []string{e.prefix + "c1", e.prefix + "nocoll"} {
		switch _, err := e.user.Client.GetCollection(ctx, e.user.Name, c); {
		case err == nil:
			errs = append(errs, fmt.Errorf("collection %s was created", c))
		case !errors.Is(err, algorithmia.ErrNotFound):
			errs = append(errs, fmt.Errorf("collection %s: %w", c, err))
		}
	}
	for name, s := range e.servers {
		if n := s.writes.Load(); n != 0 {
			errs = append(errs, fmt.Errorf("hostile server %s received %d writes", name, n))
		}
	}
	if n := e.servers["always_503"].requests.Load(); n > 1 {
		errs = append(errs, fmt.Errorf("max_retries = 0 made %d requests to a failing cluster, want 1", n))
	}
	return errors.Join(errs...)
}
