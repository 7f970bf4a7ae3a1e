package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

const (
	seedLanguage    = "python3"
	seedEnvironment = "Python 3.8"
	chunk           = 256 << 10 // payload file size
)

// devRepo is one algorithm on dev, seeded with the git CLI, with its published versions.
type devRepo struct {
	name     string
	dir      string // a working copy the bench keeps to make changes
	sizeMB   float64
	edits    int
	versions []string // published, oldest first
}

func (r *devRepo) version() string { return r.versions[len(r.versions)-1] }

// payload writes the algorithm's files: a small Python algorithm and sizeMB of data
// files, half random (like model weights) and half text (like code and CSV).
func (r *devRepo) payload() map[string][]byte {
	files := map[string][]byte{
		"algorithmia.conf": fmt.Appendf(nil, `{"username": %q, "algoname": %q, "language": "python3"}`+"\n", organization, r.name),
		"requirements.txt": []byte("algorithmia>=1.0.0,<2.0\n"),
		"src/__init__.py":  {},
		"README.md":        fmt.Appendf(nil, "# %s\n\nSeeded by algorithmia-bench.\n", r.name),
	}
	files["src/"+r.name+".py"] = r.entry()
	total := int(r.sizeMB * (1 << 20))
	for i := 0; total > 0; i++ {
		n := min(chunk, total)
		total -= n
		if i%2 == 0 {
			files[fmt.Sprintf("data/part-%04d.bin", i)] = pseudoRandom(seedOf(r.name, i), n)
		} else {
			files[fmt.Sprintf("data/part-%04d.csv", i)] = textBlock(seedOf(r.name, i), n)
		}
	}
	return files
}

func (r *devRepo) entry() []byte {
	return fmt.Appendf(nil, "import Algorithmia\n\n\ndef apply(input):\n    return \"edit %d: {}\".format(input)\n", r.edits)
}

func seedOf(name string, i int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", name, i)
	return h.Sum64() | 1
}

func pseudoRandom(state uint64, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		b[i] = byte(state)
	}
	return b
}

func textBlock(seed uint64, n int) []byte {
	var buf bytes.Buffer
	for i := 0; buf.Len() < n; i++ {
		fmt.Fprintf(&buf, "%d,%x,sample-%d,%0.4f\n", i, seed+uint64(i)*2654435761, i%97, float64(i%1000)/7)
	}
	return buf.Bytes()[:n]
}

// git runs the git CLI in dir with a fixed identity.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "user.name=Bench", "-c", "user.email=bench@acme.io", "-c", "init.defaultBranch=master"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %w\n%s", args[0], err, redactKeys(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// userinfo matches the credentials of a URL, kept out of error messages.
var userinfo = regexp.MustCompile(`//[^/@\s]+@`)

func redactKeys(s string) string { return userinfo.ReplaceAllString(s, "//***@") }

// seeder creates algorithms on dev and pushes their sources with the git CLI.
type seeder struct {
	dev   *cluster
	work  string
	envID string
}

func newSeeder(ctx context.Context, dev *cluster, work string) (*seeder, error) {
	envs, err := dev.ci.ListEnvironments(ctx, seedLanguage)
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		if e.DisplayName == seedEnvironment {
			return &seeder{dev: dev, work: work, envID: e.ID}, nil
		}
	}
	return nil, fmt.Errorf("dev has no %q environment", seedEnvironment)
}

// create makes the algorithm on dev, pushes its payload and publishes 1.0.0.
func (s *seeder) create(ctx context.Context, name string, sizeMB float64) (*devRepo, error) {
	r := &devRepo{name: name, dir: filepath.Join(s.work, "dev-src", name), sizeMB: sizeMB}
	if _, err := s.dev.ci.CreateAlgorithm(ctx, organization, algorithmia.CreateAlgorithmRequest{
		Name:    name,
		Details: algorithmia.Details{Label: name, Tagline: "Seeded by algorithmia-bench"},
		Settings: algorithmia.CreateSettings{
			AlgorithmEnvironment: s.envID, License: "apl", NetworkAccess: "isolated", SourceVisibility: "closed",
			AlgorithmCallability: "private",
		},
	}); err != nil {
		return nil, fmt.Errorf("create %s on dev: %w", name, err)
	}
	if err := os.RemoveAll(r.dir); err != nil {
		return nil, err
	}
	if _, err := git(ctx, filepath.Dir(mkdir(r.dir)), "clone", "-q", s.dev.gitURL(name), r.dir); err != nil {
		return nil, err
	}
	files := r.payload()
	entries, _ := os.ReadDir(r.dir)
	for _, e := range entries {
		if e.Name() != ".git" {
			_ = os.RemoveAll(filepath.Join(r.dir, e.Name()))
		}
	}
	if err := writeFiles(r.dir, files); err != nil {
		return nil, err
	}
	return r, s.commitAndPublish(ctx, r, "Initial implementation", algorithmia.VersionTypeMajor)
}

// edit changes r on dev (the entry file, and with extra > 0 a data file of that many
// bytes), pushes and publishes a minor version.
func (s *seeder) edit(ctx context.Context, r *devRepo, extra int) error {
	r.edits++
	files := map[string][]byte{"src/" + r.name + ".py": r.entry()}
	if extra > 0 {
		files["data/change.bin"] = pseudoRandom(seedOf(r.name, -r.edits), extra)
	}
	if err := writeFiles(r.dir, files); err != nil {
		return err
	}
	return s.commitAndPublish(ctx, r, fmt.Sprintf("Edit %d", r.edits), algorithmia.VersionTypeMinor)
}

func (s *seeder) commitAndPublish(ctx context.Context, r *devRepo, msg, versionType string) error {
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", msg}, {"push", "-q", "origin", "HEAD:master"}} {
		if _, err := git(ctx, r.dir, args...); err != nil {
			return fmt.Errorf("%s on dev: %w", r.name, err)
		}
	}
	sha, err := git(ctx, r.dir, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	b, err := s.dev.ci.WaitForBuild(ctx, organization, r.name, sha, algorithmia.WaitOptions{})
	if err != nil {
		return err
	}
	if b.Status != algorithmia.BuildStatusSucceeded {
		return fmt.Errorf("build %s of %s on dev failed", b.BuildID, r.name)
	}
	v, err := s.dev.ci.PublishCommit(ctx, organization, r.name, sha, algorithmia.PublishVersionInfo{VersionType: versionType, ReleaseNotes: msg})
	if err != nil {
		return err
	}
	r.versions = append(r.versions, v.VersionInfo.SemanticVersion)
	return nil
}

// createMany seeds count algorithms named prefix-NNN, a few at a time.
func (s *seeder) createMany(ctx context.Context, prefix string, count int, sizeMB float64) ([]*devRepo, error) {
	repos := make([]*devRepo, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			repos[i], errs[i] = s.create(ctx, fmt.Sprintf("%s%03d", prefix, i), sizeMB)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return repos, nil
}

// forEach runs f on every repo, a few at a time.
func forEach(repos []*devRepo, f func(*devRepo) error) error {
	errs := make([]error, len(repos))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, r := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = f(r)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func writeFiles(dir string, files map[string][]byte) error {
	for p, b := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func mkdir(dir string) string {
	_ = os.MkdirAll(filepath.Dir(dir), 0o755)
	return dir
}
