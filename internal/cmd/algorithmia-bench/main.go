// Command algorithmia-bench measures promotion with this provider against the platform's
// documented migration script (tools/bench/baseline.sh: curl, git clone/pull, copy, commit,
// push, wait, publish) on the same two local clusters, interleaved, and writes a markdown
// table into the performance guide's template. `make bench` builds the binaries, runs it
// and regenerates docs/.
//
// Every request goes through a counting proxy in front of each cluster, which counts
// requests by kind (API, data, Git ref advertisements, fetches and pushes) and body bytes
// each way. The provider's peak resident memory is read from /proc while Terraform runs it.
//
// Sizes come from the environment: BENCH_RUNS, BENCH_N, BENCH_SIZE_MB, BENCH_P2_N,
// BENCH_BIG_MB, BENCH_DATA_MB, BENCH_BUILD, BENCH_SCENARIOS (see -help).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is what to measure, and at which sizes.
type config struct {
	runs      int
	n         int     // P1/P1b algorithms
	sizeMB    float64 // P1/P1b size of each
	p2        []int   // P2 numbers of promoted algorithms
	bigMB     float64 // P3/P5 repository size
	dataMB    int     // P4 object size
	build     time.Duration
	scenarios map[string]bool

	bin, work, terraformCLI, example, script, out string
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func parseConfig(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("algorithmia-bench", flag.ContinueOnError)
	fs.StringVar(&c.bin, "bin", ".bench/bin", "directory holding terraform-provider-algorithmia and algorithmia-local")
	fs.StringVar(&c.work, "work", ".bench/work", "work directory (cluster data, clones, Terraform logs); emptied first")
	fs.StringVar(&c.terraformCLI, "terraform", "terraform", "Terraform (or OpenTofu) CLI")
	fs.StringVar(&c.example, "example", "examples/promote-dev-to-prod", "the promotion configuration the provider applies")
	fs.StringVar(&c.script, "script", "tools/bench/baseline.sh", "the baseline promotion script")
	fs.StringVar(&c.out, "out", "templates/guides/performance.md.tmpl", "file whose bench markers receive the tables")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	num := func(name, def string) float64 {
		v, perr := strconv.ParseFloat(envOr(name, def), 64)
		if perr != nil || v <= 0 {
			err = errors.Join(err, fmt.Errorf("%s=%q: want a positive number", name, os.Getenv(name)))
		}
		return v
	}
	c.runs = int(num("BENCH_RUNS", "3"))
	c.n = int(num("BENCH_N", "10"))
	c.sizeMB = num("BENCH_SIZE_MB", "1")
	c.bigMB = num("BENCH_BIG_MB", "20")
	c.dataMB = int(num("BENCH_DATA_MB", "64"))
	for _, s := range strings.Split(envOr("BENCH_P2_N", "50,200"), ",") {
		v, perr := strconv.Atoi(strings.TrimSpace(s))
		if perr != nil || v <= 0 {
			err = errors.Join(err, fmt.Errorf("BENCH_P2_N=%q: want positive whole numbers separated by commas", os.Getenv("BENCH_P2_N")))
			break
		}
		c.p2 = append(c.p2, v)
	}
	if c.build, err = time.ParseDuration(envOr("BENCH_BUILD", "1s")); err != nil {
		return c, fmt.Errorf("BENCH_BUILD: %w", err)
	}
	c.scenarios = map[string]bool{}
	for _, s := range strings.Split(envOr("BENCH_SCENARIOS", strings.Join(allScenarios, ",")), ",") {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !contains(allScenarios, s) {
			err = errors.Join(err, fmt.Errorf("BENCH_SCENARIOS: unknown scenario %q (known: %s)", s, strings.Join(allScenarios, ", ")))
		}
		c.scenarios[s] = true
	}
	if c.scenarios["P1B"] {
		c.scenarios["P1"] = true // P1b repeats what P1 promoted
	}
	if c.scenarios["P3"] {
		c.scenarios["P5"] = true // P3 re-promotes what P5 promoted
	}
	return c, err
}

var allScenarios = []string{"P1", "P1B", "P2", "P3", "P4", "P5"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func main() {
	c, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		err = runBench(context.Background(), c, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "algorithmia-bench:", err)
		os.Exit(1)
	}
}

// runBench measures, then writes the tables into c.out.
func runBench(ctx context.Context, c config, log io.Writer) error {
	b, err := newBench(c, log)
	if err != nil {
		return err
	}
	defer b.close()
	res, err := b.measure(ctx)
	if err != nil {
		return err
	}
	return writeReport(c.out, res.markdown(b.describe()))
}

// bench holds what the scenarios share.
type bench struct {
	config
	log                    io.Writer
	providerBin, cliConfig string
	dev                    *cluster
	seed                   *seeder
	started                time.Time
	tfVersion, gitVersion  string
	clusters               []*cluster
}

func newBench(c config, log io.Writer) (*bench, error) {
	b := &bench{config: c, log: log, started: time.Now()}
	for _, p := range []*string{&b.bin, &b.work, &b.example, &b.script, &b.out} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, err
		}
		*p = abs
	}
	b.providerBin = filepath.Join(b.bin, "terraform-provider-algorithmia")
	for _, f := range []string{b.providerBin, filepath.Join(b.bin, "algorithmia-local"), b.script} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w (make bench builds the binaries)", err)
		}
	}
	for _, tool := range []string{"git", "curl", "tar", b.terraformCLI} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is needed: %w", tool, err)
		}
	}
	if err := os.RemoveAll(b.work); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		return nil, err
	}
	b.cliConfig = filepath.Join(b.work, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/algorithmia-iac/algorithmia", b.bin, "registry.opentofu.org/algorithmia-iac/algorithmia", b.bin)
	if err := os.WriteFile(b.cliConfig, []byte(rc), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.Command(b.terraformCLI, "version").Output(); err == nil {
		b.tfVersion = strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	}
	if out, err := exec.Command("git", "version").Output(); err == nil {
		b.gitVersion = strings.TrimSpace(string(out))
	}
	return b, nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "[%6.1fs] %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

// startCluster starts a cluster the bench stops at the end.
func (b *bench) startCluster(ctx context.Context, name string) (*cluster, error) {
	c, err := startCluster(ctx, b.bin, filepath.Join(b.work, "clusters"), name, b.build)
	if err != nil {
		return nil, err
	}
	b.clusters = append(b.clusters, c)
	return c, nil
}

func (b *bench) close() {
	for _, c := range b.clusters {
		c.stop()
	}
}

// describe states the sizes and the machine, for the guide.
func (b *bench) describe() string {
	cpu := ""
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	load := ""
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	p2 := make([]string, len(b.p2))
	for i, n := range b.p2 {
		p2[i] = strconv.Itoa(n)
	}
	return fmt.Sprintf("Measured %s with `make bench`: %d interleaved runs (provider and script alternate which goes first); "+
		"BENCH_N=%d algorithms of BENCH_SIZE_MB=%g MB for P1/P1b, BENCH_P2_N=%s, BENCH_BIG_MB=%g for P3/P5, "+
		"BENCH_DATA_MB=%d for P4, builds of %s. Machine: %d CPUs (%s), load average %s when it ended, shared with other work. %s; %s.",
		time.Now().UTC().Format("2006-01-02"), b.runs, b.n, b.sizeMB, strings.Join(p2, ","), b.bigMB, b.dataMB, b.build,
		numCPU(), cpu, load, b.tfVersion, b.gitVersion)
}
