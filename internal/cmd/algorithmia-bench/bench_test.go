package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchSmoke runs the whole harness at tiny sizes, once, so it cannot rot: both
// clusters, the proxies, the script and Terraform. It asserts that every scenario made
// its rows, never how fast anything was.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() || os.Getenv("TF_ACC") == "" {
		t.Skip("runs the Terraform CLI and the local clusters: with TF_ACC=1 (make test), not in -short")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for out, pkg := range map[string]string{"terraform-provider-algorithmia": ".", "algorithmia-local": "./internal/cmd/algorithmia-local"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, out), pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	tmpl := filepath.Join(t.TempDir(), "performance.md.tmpl")
	orig, err := os.ReadFile(filepath.Join(root, "templates", "guides", "performance.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmpl, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	c := config{
		runs: 1, n: 2, sizeMB: 0.05, p2: []int{2}, bigMB: 0.5, dataMB: 2, build: 100 * time.Millisecond,
		scenarios: map[string]bool{}, bin: bin, work: filepath.Join(t.TempDir(), "work"), terraformCLI: tf,
		example: filepath.Join(root, "examples", "promote-dev-to-prod"), script: filepath.Join(root, "tools", "bench", "baseline.sh"), out: tmpl,
	}
	for _, s := range allScenarios {
		c.scenarios[s] = true
	}
	var log strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := runBench(ctx, c, &log); err != nil {
		t.Fatalf("bench: %v\n%s", err, log.String())
	}
	got, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	report := string(got)
	if !strings.HasPrefix(report, string(orig[:strings.Index(string(orig), beginMarker)])) {
		t.Error("the text before the bench markers changed")
	}
	for _, row := range []string{
		"| P1 first promotion, 2 × 0.05 MB | ", "| P1b repeat, one small file changed in each, 2 × 0.05 MB | ", "| P2 no-op plan, 2 promoted algorithms | ",
		"| P3 re-promotion after a 10 KB change, 0.5 MB | ", "| P4 data object copied between clusters, 2 MiB | ",
		"| P5 first promotion of a big tree, 0.5 MB | ",
		"| P1 | provider | ", "| P1 | script | ", "| P1b | script | ", "| P2, 2 algorithms | provider, per algorithm, prod | ",
		"| P3 | script | ", "| P4 | provider | ", "| P5 | provider | ",
	} {
		if !strings.Contains(report, row) {
			t.Errorf("report lacks a row starting %q", row)
		}
	}
	// Every promotion went through the proxies: the script and the provider both pushed.
	if strings.Count(report, "push-pack") < 6 {
		t.Errorf("report shows fewer pushes than promotions:\n%s", report)
	}
	if t.Failed() {
		t.Logf("report:\n%s\nlog:\n%s", report, log.String())
	}
}
