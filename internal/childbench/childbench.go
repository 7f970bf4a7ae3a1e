// Package childbench runs the measured part of a benchmark in a child copy of the test
// binary, so that the peak resident memory it reports belongs to that work alone, not to
// the servers, data generators or earlier iterations living in the parent. It is test
// support only: benchmarks import it, the product never does.
package childbench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

const resultPrefix = "CHILD-RESULT "

// Run re-executes the test binary to run only testName, with env added, and returns the
// result that the child printed with Report, decoded as a T.
func Run[T any](b testing.TB, testName string, env map[string]string) T {
	b.Helper()
	var out T
	cmd := exec.Command(os.Args[0], "-test.run=^"+testName+"$", "-test.count=1", "-test.v")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	output, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child %s: %v\n%s", testName, err, output)
	}
	for _, line := range strings.Split(string(output), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), resultPrefix); ok {
			if err := json.Unmarshal([]byte(rest), &out); err != nil {
				b.Fatalf("child %s result: %v", testName, err)
			}
			return out
		}
	}
	b.Fatalf("child %s printed no result:\n%s", testName, output)
	return out
}

// Getenv returns the environment variable key that the parent process set for its child
// test (with Run or by hand). When it is empty the test runs in a normal test run, not as
// a child, and Getenv skips it.
func Getenv(t testing.TB, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Skipf("only run as a child process (%s is not set)", key)
	}
	return v
}

// Report prints the child's result for Run to read.
func Report(t testing.TB, result any) {
	t.Helper()
	j, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", resultPrefix, j)
}

// PeakRSS is this process's peak resident set size in bytes (VmHWM, Linux).
func PeakRSS(t testing.TB) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
