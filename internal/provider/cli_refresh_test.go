package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
)

// A no-op plan costs each algorithmia_algorithm_source one request to its destination
// cluster: the ref advertisement of the destination repository. State answers the rest
// (the algorithm exists while its repository does). When the algorithm is deleted, the
// advertisement fails and one API call confirms it, and the resource leaves state.
func TestCLI_noOpPlanReadsOnlyTheDestinationHead(t *testing.T) {
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, name, first := seedPromotionPair(t, dev, prod)
	counted, log := acctest.CountRequests(t, prod)
	w := acctest.NewWorkdir(t, cliPromotion(dev, du, counted, pu, name, `commit = "`+first+`"`))
	w.MustRun(t, "apply", "-auto-approve")

	log.Reset()
	if out, code := w.Run(t, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after apply: exit %d, want 0 (no changes):\n%s", code, out)
	}
	advert := "GET /git/" + pu.Name + "/" + name + ".git/info/refs?service=git-upload-pack"
	if got := log.Requests(); len(got) != 1 || got[0] != advert {
		t.Fatalf("a no-op plan sent prod %d requests:\n  %s\nwant only the ref advertisement %s", len(got), strings.Join(got, "\n  "), advert)
	}

	// The algorithm is deleted on prod: the next plan creates the promotion again.
	if err := pu.Client.DeleteAlgorithm(context.Background(), pu.Name, name); err != nil {
		t.Fatal(err)
	}
	out, code := w.Run(t, "plan", "-detailed-exitcode")
	if code != 2 || !strings.Contains(out, "algorithmia_algorithm_source.promoted will be created") {
		t.Fatalf("plan after the algorithm was deleted: exit %d, want 2 with the source planned for creation:\n%s", code, out)
	}
}

// Environments of one language are listed once per Terraform command, however many
// algorithmia_environment data sources (a for_each over algorithms) ask.
func TestCLI_environmentsAreListedOncePerLanguage(t *testing.T) {
	skipWithoutAcc(t)
	_, prod := acctest.Shared(t)
	pu := prod.NewUser(t, "env")
	counted, log := acctest.CountRequests(t, prod)
	w := acctest.NewWorkdir(t, counted.ProviderBlock("", pu, false)+`
data "algorithmia_environment" "py" {
  for_each     = toset(["Python 3.8", "Python 3.9"])
  language     = "python3"
  display_name = each.key
}

output "ids" { value = { for k, e in data.algorithmia_environment.py : k => e.id } }
`)
	out := w.MustRun(t, "apply", "-auto-approve")
	if !strings.Contains(out, `"Python 3.9" = "`) {
		t.Fatalf("apply did not output both environments' IDs:\n%s", out)
	}
	lists := 0
	for _, r := range log.Requests() {
		if strings.HasPrefix(r, "GET /v1/algorithm-environments/edge/languages/python3/environments") {
			lists++
		}
	}
	if lists != 1 {
		t.Fatalf("python3's environments were listed %d times in one apply, want 1:\n  %s", lists, strings.Join(log.Requests(), "\n  "))
	}
}
