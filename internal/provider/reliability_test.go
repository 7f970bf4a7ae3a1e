package provider

import (
	"os"
	"regexp"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// The reliability suites run the whole promotion pipeline of examples/promote-dev-to-prod
// (bootstrap, then the promotion) through the real Terraform CLI, as an unattended
// pipeline would, and check what must always hold afterwards (acctest.Pipeline.Check):
// no duplicate account, one published version per promoted commit, no lost commit, the
// same bytes as dev. The short variants run in `make test`; `make reliability` sets
// ALGORITHMIA_RELIABILITY=long for more seeds and kills.

// longReliability reports whether `make reliability` asked for the long runs.
func longReliability() bool { return os.Getenv("ALGORITHMIA_RELIABILITY") == "long" }

// needWriteOnly skips a pipeline test on a CLI without write-only arguments: the example
// passes keys write-only.
func needWriteOnly(t *testing.T, w *acctest.Workdir) {
	t.Helper()
	out := w.MustRun(t, "version", "-json")
	if !regexp.MustCompile(`"terraform_version":\s*"1\.(1[1-9]|[2-9][0-9])\.`).MatchString(out) {
		t.Skip("the example passes keys as write-only arguments, which need Terraform 1.11 or later")
	}
}

// startPair starts two clusters of the test's own, so the pipeline mirrors only its users.
func startPair(t *testing.T) (dev, prod *acctest.Cluster) {
	t.Helper()
	dev, err := acctest.StartCluster("dev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)
	prod, err = acctest.StartCluster("prod")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	return dev, prod
}

// applyOnce applies w and fails the test unless that one apply succeeded.
func applyOnce(t *testing.T, p *acctest.Pipeline, w *acctest.Workdir, what string) {
	t.Helper()
	if out, code := p.Apply(t, w); code != 0 {
		t.Fatalf("%s did not converge in one apply (exit %d):\n%s", what, code, out)
	}
}

func TestReliability_pipelineConvergesInOneApply(t *testing.T) {
	skipWithoutAcc(t)
	dev, prod := startPair(t)
	p := acctest.NewPipeline(t, dev, prod, 2, 2, 256<<10)
	needWriteOnly(t, p.Promote)

	applyOnce(t, p, p.Bootstrap, "bootstrap")
	applyOnce(t, p, p.Promote, "promotion")
	p.Check(t)
	p.PlanIsEmpty(t, p.Bootstrap)
	p.PlanIsEmpty(t, p.Promote)
}
