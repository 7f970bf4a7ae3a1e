package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localproc"
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
		r.ciKey = "sim" + localproc.RandomHex(16)
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
	proc                         *localproc.Process
}

func startCluster(o options, name string) (*cluster, error) {
	c := &cluster{name: name, adminKey: "admin" + localproc.RandomHex(16), dataDir: filepath.Join(o.work, "clusters", name)}
	var err error
	c.proc, err = localproc.Start(localproc.Options{
		Name: name, Bin: o.bin, DataDir: c.dataDir, AdminKey: c.adminKey, BuildDuration: o.buildDuration, StartTimeout: 15 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	c.url = c.proc.URL
	// The admin key goes to a private file, not the terminal, so the user can restart the cluster.
	if err := os.WriteFile(c.keyFile(), []byte(c.adminKey+"\n"), 0o600); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// keyFile is where the cluster's admin key is kept, readable only by the user.
func (c *cluster) keyFile() string {
	return filepath.Join(filepath.Dir(c.dataDir), c.name+".admin-key")
}

func (c *cluster) stop() {
	if c != nil {
		c.proc.Stop()
	}
}

func (d *demo) stopClusters() {
	d.dev.stop()
	for _, r := range d.regions {
		r.cluster.stop()
	}
}
