package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// peakRSS polls /proc for processes running exe and remembers the largest VmHWM (peak
// resident set) seen, in bytes. Terraform starts the provider as a child; its peak is
// what we want.
type peakRSS struct {
	exe  string
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak int64
	cpu  map[string]time.Duration // CPU time of each provider process, as last seen
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux port.
const clockTicks = 100

func watchRSS(exe string) *peakRSS {
	p := &peakRSS{exe: exe, stop: make(chan struct{}), done: make(chan struct{}), cpu: map[string]time.Duration{}}
	go func() {
		defer close(p.done)
		t := time.NewTicker(40 * time.Millisecond)
		defer t.Stop()
		for {
			p.poll()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakRSS) poll() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if exe, err := os.Readlink("/proc/" + e.Name() + "/exe"); err != nil || exe != p.exe {
			continue
		}
		if stat, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			// Fields after the command name: state is field 3, utime 14, stime 15 (clock ticks).
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
				f := strings.Fields(string(stat)[i+1:])
				if len(f) > 12 {
					u, _ := strconv.ParseInt(f[11], 10, 64)
					s, _ := strconv.ParseInt(f[12], 10, 64)
					p.mu.Lock()
					p.cpu[e.Name()] = time.Duration(u+s) * time.Second / clockTicks
					p.mu.Unlock()
				}
			}
		}
		f, err := os.Open("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				p.mu.Lock()
				p.peak = max(p.peak, kb<<10)
				p.mu.Unlock()
			}
		}
		_ = f.Close()
	}
}

// finish stops polling and returns the peak RSS and the provider processes' CPU time (as
// last polled, so up to one interval short).
func (p *peakRSS) finish() (int64, time.Duration) {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	var cpu time.Duration
	for _, c := range p.cpu {
		cpu += c
	}
	return p.peak, cpu
}

// workdir is one Terraform configuration: a copy of the promotion example.
type workdir struct {
	dir  string
	env  []string
	vars map[string]any
}

// newWorkdir copies the example's top-level .tf files into dir.
func (b *bench) newWorkdir(name string, dev, prod *cluster) (*workdir, error) {
	dir := filepath.Join(b.work, "tf", name)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(b.example, "*.tf"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no .tf files in %s", b.example)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			return nil, err
		}
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+b.cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	if os.Getenv("ALGORITHMIA_GIT_CACHE_DIR") == "" {
		// The provider's Git object cache (on by default, as users get it) lives with the bench's
		// files: each prod cluster is new, so its first promotion starts cold.
		env = append(env, "ALGORITHMIA_GIT_CACHE_DIR="+filepath.Join(b.work, "git-cache"))
	}
	for k, v := range map[string]string{
		"dev_api_address": dev.URL, "dev_username": serviceAccount, "dev_api_key": dev.ciKey,
		"prod_api_address": prod.URL, "prod_username": serviceAccount, "prod_api_key": prod.ciKey,
		"organization": organization, "deletion_protection": "false",
	} {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	return &workdir{dir: dir, env: env, vars: map[string]any{"algorithms": map[string]any{}, "data_collections": []string{}}}, nil
}

// setAlgorithms pins each repo at its latest dev version.
func (w *workdir) setAlgorithms(repos []*devRepo) {
	m := map[string]any{}
	for _, r := range repos {
		m[r.name] = map[string]string{"version": r.version(), "language": seedLanguage, "environment": seedEnvironment}
	}
	w.vars["algorithms"] = m
}

// measured is one timed command: wall time, the provider's peak RSS, and for Terraform
// the CPU time of the whole command (Terraform and the providers it waited for) and of
// the provider alone.
type measured struct {
	wall                time.Duration
	rss                 int64
	cpuAll, cpuProvider time.Duration
}

// terraform runs the CLI; with wantCode >= 0 any other exit code is an error.
func (b *bench) terraform(ctx context.Context, w *workdir, wantCode int, args ...string) (measured, error) {
	vars, err := json.MarshalIndent(w.vars, "", "  ")
	if err != nil {
		return measured{}, err
	}
	if err := os.WriteFile(filepath.Join(w.dir, "bench.auto.tfvars.json"), vars, 0o644); err != nil {
		return measured{}, err
	}
	cmd := exec.CommandContext(ctx, b.terraformCLI, append(args, "-no-color", "-input=false")...)
	cmd.Dir, cmd.Env = w.dir, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	rss := watchRSS(b.providerBin)
	start := time.Now()
	err = cmd.Run()
	m := measured{wall: time.Since(start)}
	m.rss, m.cpuProvider = rss.finish()
	if cmd.ProcessState != nil {
		m.cpuAll = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code, err = exitErr.ExitCode(), nil
	}
	logPath := filepath.Join(b.work, "terraform.log")
	if f, ferr := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); ferr == nil {
		fmt.Fprintf(f, "\n$ (cd %s && terraform %s) # %s, exit %d\n%s", w.dir, strings.Join(args, " "), m.wall.Round(time.Millisecond), code, out.String())
		_ = f.Close()
	}
	if err != nil {
		return m, err
	}
	if wantCode >= 0 && code != wantCode {
		return m, fmt.Errorf("terraform %s in %s exited %d, want %d; output in %s:\n%s", args[0], w.dir, code, wantCode, logPath, tailLines(out.String(), 30))
	}
	return m, nil
}

// baseline runs the migration script for algos from dev into prod, keeping its clones
// under dir (a repeat pulls them).
func (b *bench) baseline(ctx context.Context, dir string, dev, prod *cluster, algos ...string) (measured, error) {
	cmd := exec.CommandContext(ctx, "bash", append([]string{b.script, dir}, algos...)...)
	cmd.Env = append(os.Environ(),
		"SRC_API="+dev.URL, "SRC_GIT_USER="+serviceAccount, "SRC_KEY="+dev.ciKey,
		"DST_API="+prod.URL, "DST_GIT_USER="+serviceAccount, "DST_KEY="+prod.ciKey,
		"OWNER="+organization, "GIT_TERMINAL_PROMPT=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	m := measured{wall: time.Since(start)}
	if err != nil {
		return m, fmt.Errorf("baseline script: %w\n%s", err, redactKeys(tailLines(out.String(), 30)))
	}
	return m, nil
}

// pipe copies one data object with `curl | curl`, the baseline of P4.
func (b *bench) curlPipe(ctx context.Context, dev, prod *cluster, path string) (measured, error) {
	script := `set -euo pipefail
curl -sS -f -H "Authorization: Simple $SRC_KEY" "$SRC_API/v1/connector/data/$P" |
  curl -sS -f -o /dev/null -H "Authorization: Simple $DST_KEY" -T - "$DST_API/v1/connector/data/$P"`
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Env = append(os.Environ(), "SRC_API="+dev.URL, "SRC_KEY="+dev.ciKey, "DST_API="+prod.URL, "DST_KEY="+prod.ciKey, "P="+path)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	m := measured{wall: time.Since(start)}
	if err != nil {
		return m, fmt.Errorf("curl | curl: %w\n%s", err, out)
	}
	return m, nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
