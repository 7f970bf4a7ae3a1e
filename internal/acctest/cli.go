package acctest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/tfcli"
)

// The CLI harness runs the real Terraform CLI against the built provider binary, for what
// terraform-plugin-testing cannot express: saved plans applied later, and killing the
// whole Terraform process group in the middle of an apply.

// buildProvider builds the provider once per test process and returns the directory holding
// the binary.
var buildProvider = sync.OnceValues(func() (string, error) {
	// One build serves every test of the process, so it cannot live in one test's TempDir.
	dir, err := os.MkdirTemp("", "algorithmia-provider-") //nolint:usetesting // shared across tests
	if err != nil {
		return "", err
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-algorithmia"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return dir, fmt.Errorf("go build: %w\n%s", err, out)
	}
	return dir, nil
})

// ProviderBinaryDir builds the provider once per test process and returns the directory
// holding terraform-provider-algorithmia, for a dev_overrides CLI configuration.
func ProviderBinaryDir(t testing.TB) string {
	t.Helper()
	dir, err := buildProvider()
	if err != nil {
		t.Fatalf("build the provider: %v", err)
	}
	return dir
}

// Workdir is a Terraform working directory that uses the built provider through dev_overrides.
type Workdir struct {
	Dir string
	env []string
	tf  string
}

// NewWorkdir writes main.tf and a CLI configuration into a fresh directory.
func NewWorkdir(t testing.TB, mainTF string) *Workdir {
	t.Helper()
	dir := t.TempDir()
	if err := tfcli.WriteDevOverrides(filepath.Join(dir, "cli.tfrc"), ProviderBinaryDir(t)); err != nil {
		t.Fatal(err)
	}
	w := &Workdir{Dir: dir, tf: terraformPath(), env: append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")}
	w.Write(t, mainTF)
	return w
}

// CopyWorkdir is NewWorkdir for an existing configuration directory: its .tf and
// .tftest.hcl files (tests/ included) are copied, so the source stays clean.
func CopyWorkdir(t testing.TB, src string) *Workdir {
	t.Helper()
	w := NewWorkdir(t, "")
	if err := os.Remove(filepath.Join(w.Dir, "main.tf")); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		switch {
		case e.IsDir() && (rel == "." || rel == "tests"):
			return os.MkdirAll(filepath.Join(w.Dir, rel), 0o755)
		case e.IsDir():
			return filepath.SkipDir
		case filepath.Ext(p) == ".tf" || strings.HasSuffix(p, ".tftest.hcl"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(w.Dir, rel), b, 0o600)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	return w
}

// Setenv adds an environment variable for the Terraform runs of this directory.
func (w *Workdir) Setenv(key, value string) {
	w.env = append(w.env, key+"="+value)
}

// Write replaces main.tf.
func (w *Workdir) Write(t testing.TB, mainTF string) {
	t.Helper()
	header := "terraform {\n  required_providers {\n    algorithmia = { source = \"algorithmia-iac/algorithmia\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(header+mainTF), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Run runs terraform with args and returns its combined output and exit code.
func (w *Workdir) Run(t testing.TB, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.tf, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = w.Dir, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok { //nolint:errorlint // exec returns *ExitError unwrapped
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run terraform %v: %v", args, err)
	}
	return out.String(), code
}

// MustRun is Run that fails the test on a non-zero exit code.
func (w *Workdir) MustRun(t testing.TB, args ...string) string {
	t.Helper()
	out, code := w.Run(t, args...)
	if code != 0 {
		t.Fatalf("terraform %v exited %d:\n%s", args, code, out)
	}
	return out
}

// Output is the combined output of a running terraform process, safe to read while the
// process writes it.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// String returns what was written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// WaitFor polls until the output matches re or timeout passes, and reports whether it matched.
func (o *Output) WaitFor(re *regexp.Regexp, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if re.MatchString(o.String()) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// PlanIsEmpty fails the test unless a plan of w finds nothing to change.
func (w *Workdir) PlanIsEmpty(t testing.TB) {
	t.Helper()
	if out, code := w.Run(t, "plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan exited %d, want 0 (no changes):\n%s", code, out)
	}
}

// Start starts terraform in its own process group, so the test can kill the whole group.
func (w *Workdir) Start(t testing.TB, args ...string) (*exec.Cmd, *Output) {
	t.Helper()
	cmd := exec.Command(w.tf, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = w.Dir, w.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &Output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start terraform %v: %v", args, err)
	}
	return cmd, out
}

// KillGroup sends SIGKILL to the whole process group of cmd (Terraform and its provider
// plugins) and waits for Terraform to exit.
func KillGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
}
