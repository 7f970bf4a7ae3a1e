package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

func TestDefaultGitAddress(t *testing.T) {
	for api, want := range map[string]string{
		"https://api.algorithmia.com":        "https://git.algorithmia.com",
		"https://api.dev.example.com/v1":     "https://git.dev.example.com",
		"http://127.0.0.1:8080":              "http://127.0.0.1:8080",
		"https://algorithmia.internal:8443/": "https://algorithmia.internal:8443",
		"https://apis.example.com":           "https://apis.example.com",
	} {
		u, err := url.Parse(api)
		if err != nil {
			t.Fatal(err)
		}
		if got := defaultGitAddress(u); got != want {
			t.Errorf("defaultGitAddress(%s) = %s, want %s", api, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:simsecret@api.example.com/v1": "https://REDACTED@api.example.com/v1",
		"https://api.example.com":                    "https://api.example.com",
		"not a url ://user:simsecret@host":           "not a url ://REDACTED@host",
	} {
		got := redactURL(in)
		if got != want || strings.Contains(got, "simsecret") {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// providerOnly renders a provider block plus a data source that forces it to configure.
func providerOnly(attrs string) string {
	return fmt.Sprintf(`
provider "algorithmia" {
%s
}

data "algorithmia_environment" "any" {
  language     = "python3"
  display_name = "Python 3.8"
}
`, attrs)
}

func TestAccProvider_configurationDiagnostics(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "cfg")
	t.Setenv(envAPIAddress, "")
	t.Setenv(envAPIKey, "")
	t.Setenv(envAdminAPIKey, "")
	key := fmt.Sprintf("  api_key = %q\n", u.Key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      providerOnly(key),
				ExpectError: regexp.MustCompile(`Missing Algorithmia API address`),
			},
			{
				Config:      providerOnly(`  api_address = "ftp://api.example.com"` + "\n" + key),
				ExpectError: regexp.MustCompile(`Invalid address`),
			},
			{
				// Credentials in the address are refused, and the diagnostic does not repeat them.
				Config:      providerOnly(`  api_address = "https://alice:simleaked@api.example.com"` + "\n" + key),
				ExpectError: regexp.MustCompile(`(?s)Invalid address.*REDACTED@api.example.com`),
			},
			{
				Config:      providerOnly(fmt.Sprintf("  api_address = %q\n", dev.URL)),
				ExpectError: regexp.MustCompile(`Missing Algorithmia API key`),
			},
			{
				Config:      providerOnly(fmt.Sprintf("  api_address = %q\n  request_timeout = \"soon\"\n", dev.URL) + key),
				ExpectError: regexp.MustCompile(`Invalid timeout`),
			},
			{
				Config:      providerOnly(fmt.Sprintf("  api_address = %q\n  ca_cert_pem = \"not a certificate\"\n", dev.URL) + key),
				ExpectError: regexp.MustCompile(`Invalid CA certificate`),
			},
			{
				Config:      providerOnly(fmt.Sprintf("  api_address = %q\n  max_retries = 99\n", dev.URL) + key),
				ExpectError: regexp.MustCompile(`max_retries.*between 0 and 20|value must be between`),
			},
			{
				// The environment is read when the arguments are not set.
				PreConfig: func() {
					t.Setenv(envAPIAddress, dev.URL)
					t.Setenv(envAPIKey, u.Key)
				},
				Config: providerOnly(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.algorithmia_environment.any", tfjsonpath.New("machine_type"), knownvalue.StringExact("CPU")),
				},
			},
		},
	})
}

func TestAccProvider_adminCallWithoutAdminKeySaysSo(t *testing.T) {
	dev, _ := acctest.Shared(t)
	u := dev.NewUser(t, "std")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: dev.ProviderBlock("", u, false) + `
resource "algorithmia_user" "x" {
  username = "nobody_here"
  email    = "nobody@example.io"
  fullname = "Nobody"
}`,
			ExpectError: regexp.MustCompile(`(?s)needs an admin API key.*cluster at ` + regexp.QuoteMeta(dev.URL) + `.*admin_api_key`),
		}},
	})
}

// TestAccProvider_promotionOverTLSWithPrivateCAs promotes between two clusters that serve
// HTTPS with certificates no system trusts: the provider's ca_cert_pem covers the
// destination's REST and Git traffic, source.ca_cert_pem the source's Git traffic.
func TestAccProvider_promotionOverTLSWithPrivateCAs(t *testing.T) {
	dev := acctest.NewCluster(t, "dev-tls", acctest.Options{TLS: true})
	prod := acctest.NewCluster(t, "prod-tls", acctest.Options{TLS: true})
	du, pu := dev.NewUser(t, "dev"), prod.NewUser(t, "prod")
	name, commit := seedHello(t, dev, du, "tls", "Secure")
	addr := "algorithmia_algorithm_source.test"
	untrusted := pinnedSource(dev.GitURL(du.Name, name), commit, du)
	trusted := untrusted
	trusted.caCertPEM = dev.CAPEM
	cfg := func(src gitSource) string {
		return prod.NamedProviderBlock("algorithmiaprod", "", pu, false) + sourceConfigFrom("algorithmiaprod", pu, name, src, `publish = {}`)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Without the source's CA the promotion fails on the certificate.
				Config:      cfg(untrusted),
				ExpectError: regexp.MustCompile(`(?s)Failed to promote source.*certificate`),
			},
			{
				Config: cfg(trusted),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(commit)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("published_version"), knownvalue.StringExact("0.1.0")),
				},
				Check: checkPromoted(t, dev, du, commit, prod, pu, name, "0.1.0"),
			},
		},
	})
}
