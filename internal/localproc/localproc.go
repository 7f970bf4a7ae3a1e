// Package localproc starts and stops algorithmia-local processes for the commands that run
// whole clusters of their own (algorithmia-bench, algorithmia-demo). It imports nothing from
// Terraform and nothing from the cluster's code: it runs the built binary.
package localproc

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
)

// Options says how to run one algorithmia-local.
type Options struct {
	// Name names the cluster in errors.
	Name string
	// Bin is the folder that holds the algorithmia-local binary.
	Bin string
	// DataDir is the cluster's data folder; it is emptied first. The process's output
	// goes to DataDir+".log".
	DataDir string
	// AdminKey is the cluster's admin API key.
	AdminKey string
	// BuildDuration is how long the cluster's simulated builds take.
	BuildDuration time.Duration
	// StartTimeout is how long the process may take to announce its API address.
	StartTimeout time.Duration
}

// Process is a running algorithmia-local.
type Process struct {
	// URL is the cluster's API address, without /v1.
	URL string
	cmd *exec.Cmd
}

var apiLine = regexp.MustCompile(`Algorithmia API: (\S+)/v1`)

// Start runs algorithmia-local on a free local port with a fresh data folder and waits
// until it says where its API listens.
func Start(o Options) (*Process, error) {
	if err := os.RemoveAll(o.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(o.DataDir + ".log")
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: exec.Command(filepath.Join(o.Bin, "algorithmia-local"),
		"--listen", "127.0.0.1:0", "--data-dir", o.DataDir, "--build-duration", o.BuildDuration.String())}
	p.cmd.Env = append(os.Environ(), "ALGORITHMIA_LOCAL_ADMIN_KEY="+o.AdminKey)
	p.cmd.Stderr = logFile
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start algorithmia-local for %s: %w", o.Name, err)
	}
	found := make(chan string, 1)
	go func() {
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 1024)
		for {
			n, err := stdout.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if m := apiLine.FindSubmatch(buf); m != nil {
				found <- string(m[1])
				_, _ = io.Copy(logFile, stdout)
				return
			}
			if err != nil {
				close(found)
				return
			}
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			p.Stop()
			return nil, fmt.Errorf("algorithmia-local for %s exited; see %s", o.Name, logFile.Name())
		}
		p.URL = u
		return p, nil
	case <-time.After(o.StartTimeout):
		p.Stop()
		return nil, fmt.Errorf("algorithmia-local for %s did not start within %s", o.Name, o.StartTimeout)
	}
}

// Stop asks the process to end and kills it if it has not within 10 seconds. It does
// nothing on a nil or ended process.
func (p *Process) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil || p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// RandomHex is n random bytes in hex, for throwaway keys.
func RandomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
