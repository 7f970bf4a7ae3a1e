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
