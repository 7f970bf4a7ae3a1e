package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/acctest"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
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
func needWriteOnly(t *testing.T, _ *acctest.Workdir) {
	t.Helper()
	// The example passes keys as ephemeral values to write-only arguments.
	acctest.SkipUnless(t, acctest.EphemeralValues, acctest.WriteOnlyArguments)
}

// startCluster starts a cluster of the test's own, so a pipeline mirrors only its users.
func startCluster(t *testing.T, name string) *acctest.Cluster {
	t.Helper()
	return acctest.NewCluster(t, name, acctest.Options{})
}

// applyOnce applies w and fails the test unless that one apply succeeded.
func applyOnce(t *testing.T, p *acctest.Pipeline, w *acctest.Workdir, what string) {
	t.Helper()
	if out, code := p.Apply(t, w); code != 0 {
		t.Fatalf("%s did not converge in one apply (exit %d):\n%s", what, code, out)
	}
}

func TestReliability_pipelineConvergesInOneApply(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	p := acctest.NewPipeline(t, startCluster(t, "dev"), startCluster(t, "prod"), 2, 2, 256<<10)
	needWriteOnly(t, p.Promote)

	applyOnce(t, p, p.Bootstrap, "bootstrap")
	applyOnce(t, p, p.Promote, "promotion")
	p.Check(t)
	p.Bootstrap.PlanIsEmpty(t)
	p.Promote.PlanIsEmpty(t)
}

// killAfterCreating starts an apply of w, waits for the line announcing the create of a
// resource whose address matches addr, sleeps delay and SIGKILLs Terraform's whole process
// group (Terraform and the provider plugins), as a CI runner that times out does.
func killAfterCreating(t *testing.T, w *acctest.Workdir, addr string, delay time.Duration) {
	t.Helper()
	cmd, out := w.Start(t, "apply", "-auto-approve", "-input=false")
	if !out.WaitFor(regexp.MustCompile(addr+`: Creating\.\.\.`), 3*time.Minute) {
		acctest.KillGroup(cmd)
		t.Fatalf("no create of %s was announced:\n%s", addr, out)
	}
	time.Sleep(delay)
	acctest.KillGroup(cmd)
	t.Logf("killed %s after %v", addr, delay)
}

// killAt starts an apply of w and SIGKILLs its process group after delay, wherever it is.
func killAt(t *testing.T, w *acctest.Workdir, delay time.Duration) (finished bool) {
	t.Helper()
	cmd, out := w.Start(t, "apply", "-auto-approve", "-input=false")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(delay):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // not KillGroup: Wait runs in the goroutine above
	<-done
	t.Logf("killed the apply after %v; its last lines:\n%s", delay, lastLines(out.String(), 3))
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestReliability_killedRightAfterCreateRecoversInOneApply kills Terraform 0–50 ms after a
// resource's "Creating..." line, sometimes leaving the state file at 0 bytes as a kill
// during Terraform's in-place rewrite does, and requires that one more apply of the same
// configuration converges with nothing duplicated and nothing lost.
func TestReliability_killedRightAfterCreateRecoversInOneApply(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	type point struct {
		name      string
		bootstrap bool   // the kill hits bootstrap/, else the promotion
		addr      string // regexp of the resource address
		truncate  bool   // the kill also leaves the state file empty
	}
	points := []point{
		{"organization", true, `algorithmia_organization\.prod`, false},
		{"user_api_key_lost_state", true, `algorithmia_user_api_key\.ci`, true},
		{"data_collection", false, `algorithmia_data_collection\.prod\["models"\]`, false},
		{"algorithm_lost_state", false, `algorithmia_algorithm\.prod\["algo01"\]`, true},
	}
	if longReliability() {
		points = append(points,
			point{"user", true, `algorithmia_user\.mirror\["alice"\]`, false},
			point{"user_lost_state", true, `algorithmia_user\.mirror\["bob"\]`, true},
			point{"organization_lost_state", true, `algorithmia_organization\.prod`, true},
			point{"organization_member", true, `algorithmia_organization_member\.ci`, false},
			point{"user_api_key", true, `algorithmia_user_api_key\.ci`, false},
			point{"algorithm", false, `algorithmia_algorithm\.prod\["algo02"\]`, false},
			point{"algorithm_source", false, `algorithmia_algorithm_source\.prod\["algo01"\]`, false},
			point{"algorithm_source_lost_state", false, `algorithmia_algorithm_source\.prod\["algo02"\]`, true},
			point{"data_collection_lost_state", false, `algorithmia_data_collection\.prod\["models"\]`, true},
			point{"data_object", false, `algorithmia_data_object\.prod\["models/part-01.bin"\]`, false},
			point{"data_object_lost_state", false, `algorithmia_data_object\.prod\["models/part-02.bin"\]`, true},
		)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10)) //nolint:gosec // test timing only
	seeded := acctest.NewPipeline(t, startCluster(t, "dev"), startCluster(t, "prod"), 2, 2, 64<<10)
	needWriteOnly(t, seeded.Promote)
	for _, kp := range points {
		t.Run(kp.name, func(t *testing.T) {
			p := seeded.WithProd(t, startCluster(t, "prod"))
			w := p.Bootstrap
			if !kp.bootstrap {
				applyOnce(t, p, p.Bootstrap, "bootstrap")
				w = p.Promote
			}
			killAfterCreating(t, w, kp.addr, time.Duration(rng.IntN(51))*time.Millisecond)
			if kp.truncate {
				w.TruncateState(t)
			}
			w.SetAsideUnreadableState(t)
			applyOnce(t, p, w, "the recovery apply after the kill")
			if kp.bootstrap {
				applyOnce(t, p, p.Promote, "promotion")
			}
			p.Check(t)
			p.Bootstrap.PlanIsEmpty(t)
			p.Promote.PlanIsEmpty(t)
		})
	}
}

// TestReliability_randomKillsRecoverInOneApply kills the pipeline (bootstrap, then the
// promotion, into a fresh prod each time) at a random point of one of its two applies; one
// apply of the configuration that was killed must then converge, and the rest of the
// pipeline run as usual. The points are drawn within the applies' durations measured on a
// first run without kills, so (nearly) every kill hits a running apply.
func TestReliability_randomKillsRecoverInOneApply(t *testing.T) {
	skipWithoutAcc(t)
	kills := 2
	if longReliability() {
		kills = 20
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill schedule seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 20)) //nolint:gosec // test timing only
	seeded := acctest.NewPipeline(t, startCluster(t, "dev"), startCluster(t, "prod"), 2, 2, 256<<10)
	needWriteOnly(t, seeded.Promote)
	var took [2]time.Duration
	for i, w := range []*acctest.Workdir{seeded.Bootstrap, seeded.Promote} {
		start := time.Now()
		applyOnce(t, seeded, w, "the reference run")
		took[i] = time.Since(start)
	}
	t.Logf("reference run: bootstrap %v, promotion %v", took[0], took[1])
	hits := 0
	for i := range kills {
		t.Run(fmt.Sprintf("kill%02d", i+1), func(t *testing.T) {
			p := seeded.WithProd(t, startCluster(t, "prod"))
			target := i % 2
			at := time.Duration(rng.Int64N(int64(took[target])))
			for j, w := range []*acctest.Workdir{p.Bootstrap, p.Promote} {
				if j != target {
					applyOnce(t, p, w, "the apply that is not killed")
					continue
				}
				if killAt(t, w, at) {
					t.Logf("the apply finished before the kill at %v", at)
					continue
				}
				hits++
				if rng.IntN(4) == 0 {
					t.Log("the kill also empties the state file")
					w.TruncateState(t)
				}
				w.SetAsideUnreadableState(t)
				applyOnce(t, p, w, "the recovery apply after a random kill")
			}
			p.Check(t)
			p.Bootstrap.PlanIsEmpty(t)
			p.Promote.PlanIsEmpty(t)
		})
	}
	t.Logf("%d of %d kills hit a running apply", hits, kills)
	if hits < kills*3/4 {
		t.Fatalf("only %d of %d kills hit a running apply: the schedule proves too little", hits, kills)
	}
}

// pipelineSize is the pipeline of the issue that measured the faults: 5 algorithms with
// publish and 5 data objects in the long runs, fewer in `make test`.
func pipelineSize() (algorithms, files int) {
	if longReliability() {
		return 5, 5
	}
	return 2, 2
}

// faultSeeds are the seeds of the fault runs: 5 in the long runs, 1 in `make test`.
func faultSeeds() []uint64 {
	if longReliability() {
		return []uint64{1, 2, 3, 4, 5}
	}
	return []uint64{uint64(time.Now().UnixNano()%1000) + 1}
}

// runUnderFaults seeds a pipeline with faults off, switches cfg on both clusters, and
// requires each configuration to converge in ONE apply and the next plans to be empty
// while the faults go on; the checks that follow run with the faults off.
func runUnderFaults(t *testing.T, cfg localcluster.FaultConfig) {
	t.Helper()
	algorithms, files := pipelineSize()
	dev, prod := startCluster(t, "dev"), startCluster(t, "prod")
	p := acctest.NewPipeline(t, dev, prod, algorithms, files, 256<<10)
	needWriteOnly(t, p.Promote)
	devCfg, prodCfg := cfg, cfg
	devCfg.Seed, prodCfg.Seed = cfg.Seed, cfg.Seed+1000
	dev.SetFaults(t, devCfg)
	prod.SetFaults(t, prodCfg)
	applyOnce(t, p, p.Bootstrap, "bootstrap under faults")
	applyOnce(t, p, p.Promote, "promotion under faults")
	p.Bootstrap.PlanIsEmpty(t)
	p.Promote.PlanIsEmpty(t)
	dev.SetFaults(t, localcluster.FaultConfig{})
	prod.SetFaults(t, localcluster.FaultConfig{})
	t.Logf("faults injected: dev %v, prod %v", dev.Faults(), prod.Faults())
	injected := 0
	for _, n := range prod.Faults() {
		injected += n
	}
	if injected == 0 {
		t.Fatal("no fault was injected on prod: the run proves nothing")
	}
	p.Check(t)
}

// TestReliability_pipelineUnderMixedFaults: 20% of every request to both clusters (API,
// Data API and Git) fails as a 503, a 429 with Retry-After, a reset before the request
// arrives, a dropped answer after the cluster acted, or a 1–3 s delay.
func TestReliability_pipelineUnderMixedFaults(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	for _, seed := range faultSeeds() {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			runUnderFaults(t, localcluster.FaultConfig{Rate: 0.2, Seed: seed})
		})
	}
}

// TestReliability_pipelineWithLostResponses: 30% of the writes (POST, PUT, PATCH, DELETE)
// act on the cluster, and then their answer is lost.
func TestReliability_pipelineWithLostResponses(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	runUnderFaults(t, localcluster.FaultConfig{
		Rate: 0.3, Seed: uint64(time.Now().UnixNano()%1000) + 1,
		Kinds:   []localcluster.FaultKind{localcluster.FaultDrop},
		Methods: []string{"POST", "PUT", "PATCH", "DELETE"},
	})
}

// TestReliability_concurrentAppliesIntoOneDestination runs two applies at once, promoting
// two different dev algorithms into the same prod algorithm, twice. Pushes are
// fast-forward only, so whichever loses a race fetches again and commits on top: no
// commit may be lost, and no commit may be published twice.
func TestReliability_concurrentAppliesIntoOneDestination(t *testing.T) {
	t.Parallel()
	skipWithoutAcc(t)
	dev, prod := acctest.Shared(t)
	du, pu, dest, _ := seedPromotionPair(t, dev, prod)
	sources := []string{acctest.RandomName("srca"), acctest.RandomName("srcb")}
	var dirs []*acctest.Workdir
	for i, src := range sources {
		du.PublishAlgorithm(t, src)
		du.PushCommit(t, dev, du.Name, src, acctest.Commit{Files: helloSource(du.Name, src, fmt.Sprintf("Source %d", i))})
		dirs = append(dirs, acctest.NewWorkdir(t, cliPromotionInto(dev, du, prod, pu, src, dest, "commit = data.algorithmia_git_ref.head.commit")+
			`output "commit" { value = algorithmia_algorithm_source.promoted.commit }`))
	}

	var shipped []string
	for round := 1; round <= 2; round++ {
		var cmds []*exec.Cmd
		var outs []*acctest.Output
		for _, w := range dirs {
			cmd, out := w.Start(t, "apply", "-auto-approve", "-input=false")
			cmds, outs = append(cmds, cmd), append(outs, out)
		}
		succeeded := 0
		for i, cmd := range cmds {
			// Losing the race for the build may fail an apply ("latest successful build is
			// of another commit; refusing to publish"): that is allowed, a lost commit is not.
			if err := cmd.Wait(); err != nil {
				t.Logf("round %d, apply of %s failed: %v\n%s", round, sources[i], err, lastLines(outs[i].String(), 8))
				continue
			}
			succeeded++
			shipped = append(shipped, output(t, dirs[i], "commit"))
		}
		if succeeded == 0 {
			t.Fatalf("round %d: both applies failed", round)
		}
	}

	history := map[string]bool{}
	for _, c := range pu.Log(t, prod, pu.Name, dest) {
		history[c] = true
	}
	for _, c := range shipped {
		if !history[c] {
			t.Errorf("commit %s that an apply shipped is not in prod's master history: lost", c)
		}
	}
	published, err := pu.Client.ListAllVersions(context.Background(), pu.Name, dest, algorithmia.VersionFilter{Published: boolPtr(true)})
	if err != nil {
		t.Fatal(err)
	}
	perCommit := map[string]int{}
	for _, v := range published {
		perCommit[v.VersionInfo.GitHash]++
		if perCommit[v.VersionInfo.GitHash] > 1 {
			t.Errorf("commit %s is published more than once", v.VersionInfo.GitHash)
		}
	}
	for _, c := range shipped {
		if perCommit[c] != 1 {
			t.Errorf("shipped commit %s has %d published versions, want 1", c, perCommit[c])
		}
	}
}
