package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// gitFaultProxy forwards to a cluster and breaks the next Git requests of each kind as
// planned: "503", "429" (Retry-After: 1), "reset" (connection closed before forwarding)
// or "drop" (forwarded and acted on, then the connection closed without an answer).
type gitFaultProxy struct {
	srv     *httptest.Server
	forward http.Handler

	mu        sync.Mutex
	plan      map[string][]string
	forwarded map[string]int
}

func newGitFaultProxy(t *testing.T, target string, plan map[string][]string) *gitFaultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &gitFaultProxy{forward: httputil.NewSingleHostReverseProxy(u), plan: plan, forwarded: map[string]int{}}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func gitKind(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/info/refs") {
		return "info/refs?service=" + r.URL.Query().Get("service")
	}
	return r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
}

func (p *gitFaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := gitKind(r)
	p.mu.Lock()
	f := ""
	if q := p.plan[kind]; len(q) > 0 {
		f, p.plan[kind] = q[0], q[1:]
	}
	if f == "" || f == "drop" {
		p.forwarded[kind]++
	}
	p.mu.Unlock()
	switch f {
	case "503":
		http.Error(w, "upstream busy", http.StatusServiceUnavailable)
	case "429":
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "reset", "drop":
		if f == "drop" {
			p.forward.ServeHTTP(httptest.NewRecorder(), r)
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	default:
		p.forward.ServeHTTP(w, r)
	}
}

func (p *gitFaultProxy) check() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for kind, q := range p.plan {
		if len(q) > 0 {
			return fmt.Errorf("faults never injected on %s: %v", kind, q)
		}
	}
	return nil
}

func (p *gitFaultProxy) forwardedCount(kind string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forwarded[kind]
}

// TestAccAlgorithmSource_gitFaultsAreRetried: one apply meets 503, 429, resets and dropped
// answers on the ref advertisements, the fetches and the push of both clusters. It
// converges with one promotion commit, pushed to the cluster once.
func TestAccAlgorithmSource_gitFaultsAreRetried(t *testing.T) {
	dev, prod := acctest.Shared(t)
	du := dev.NewUser(t, "acme")
	pu := prod.NewUser(t, "acme")
	name, commit := seedHello(t, dev, du, "summarize", "Hello")

	devGit := newGitFaultProxy(t, dev.URL, map[string][]string{
		"info/refs?service=git-upload-pack": {"503", "429", "reset"},
		"git-upload-pack":                   {"drop"},
	})
	prodGit := newGitFaultProxy(t, prod.URL, map[string][]string{
		"info/refs?service=git-upload-pack":  {"503"},
		"info/refs?service=git-receive-pack": {"reset", "503"},
		"git-receive-pack":                   {"503", "drop"},
	})
	block := strings.Replace(prod.NamedProviderBlock("algorithmiaprod", "", pu, false),
		"  max_retries   = 1\n", fmt.Sprintf("  max_retries   = 4\n  git_address   = %q\n", prodGit.srv.URL), 1)
	sourceURL := devGit.srv.URL + "/git/" + du.Name + "/" + name + ".git"
	addr := "algorithmia_algorithm_source.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: block + sourceConfig("algorithmiaprod", pu, sourceURL, du, name, commit, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("source_commit"), knownvalue.StringExact(commit)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("build_status"), knownvalue.StringExact("succeeded")),
			},
			Check: resource.ComposeTestCheckFunc(
				checkPromoted(t, dev, du, commit, prod, pu, name, ""),
				func(*terraform.State) error {
					if err := devGit.check(); err != nil {
						return err
					}
					if err := prodGit.check(); err != nil {
						return err
					}
					if n := prodGit.forwardedCount("git-receive-pack"); n != 1 {
						return fmt.Errorf("%d pushes reached the cluster, want 1", n)
					}
					if history := pu.Log(t, prod, pu.Name, name); len(history) != 2 {
						return fmt.Errorf("destination history %v, want the template and one promotion commit", history)
					}
					return nil
				},
			),
		}},
	})
}
