package main

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

// Process supervision: one algorithmia-local process per cluster.

// startClusters starts dev and every region.
func (d *demo) startClusters() error {
	var err error
	if d.dev, err = startCluster(d.o, "dev"); err != nil {
		return err
	}
	for _, r := range d.regions {
		if r.cluster, err = startCluster(d.o, r.name); err != nil {
			return err
		}
		r.ciKey = "sim" + randomHex(16)
	}
	fmt.Printf("    dev:     %s\n", d.dev.url)
	for _, r := range d.regions {
		fmt.Printf("    %-8s %s\n", r.name+":", r.cluster.url)
	}
	return nil
}

// cluster is one algorithmia-local process.
type cluster struct {
	name, url, adminKey, dataDir string
	cmd                          *exec.Cmd
}

func startCluster(o options, name string) (*cluster, error) {
	c := &cluster{name: name, adminKey: "admin" + randomHex(16), dataDir: filepath.Join(o.work, "clusters", name)}
	if err := os.RemoveAll(c.dataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return nil, err
	}
	c.cmd = exec.Command(filepath.Join(o.bin, "algorithmia-local"),
		"--listen", "127.0.0.1:0", "--data-dir", c.dataDir, "--build-duration", o.buildDuration.String())
	c.cmd.Env = append(os.Environ(), "ALGORITHMIA_LOCAL_ADMIN_KEY="+c.adminKey)
	// The admin key goes to a private file, not the terminal, so the user can restart the cluster.
	if err := os.WriteFile(c.keyFile(), []byte(c.adminKey+"\n"), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(o.work, "clusters", name+".log"))
	if err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c.cmd.Stderr = logFile
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start algorithmia-local for %s: %w", name, err)
	}
	found := make(chan string, 1)
	go func() {
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 1024)
		for {
			n, err := stdout.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if m := regexp.MustCompile(`Algorithmia API: (\S+)/v1`).FindSubmatch(buf); m != nil {
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
			return nil, fmt.Errorf("algorithmia-local for %s exited; see %s", name, logFile.Name())
		}
		c.url = u
		return c, nil
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		return nil, fmt.Errorf("algorithmia-local for %s did not start within 15s", name)
	}
}

// keyFile is where the cluster's admin key is kept, readable only by the user.
func (c *cluster) keyFile() string {
	return filepath.Join(filepath.Dir(c.dataDir), c.name+".admin-key")
}

func (c *cluster) stop() {
	if c == nil || c.cmd == nil || c.cmd.Process == nil || c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func (d *demo) stopClusters() {
	d.dev.stop()
	for _, r := range d.regions {
		r.cluster.stop()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
