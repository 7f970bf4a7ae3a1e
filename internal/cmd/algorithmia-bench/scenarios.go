package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/seed"
)

// side is one measured promotion: the command's wall time and peak provider RSS, and what
// both clusters' proxies counted meanwhile.
type side struct {
	m measured
	c counts
}

type pair struct{ provider, baseline side }

// p2Sample is one no-op plan: what each cluster served.
type p2Sample struct {
	m         measured
	dev, prod counts
}

type results struct {
	pairs  map[string][]pair
	p2     map[int][]p2Sample
	p2Keys []int
	dataMB int
	bigMB  float64
	n      int
	sizeMB float64
}

const dataCollection = "models"
const dataFile = "blob.bin"

func (b *bench) measure(ctx context.Context) (*results, error) {
	res := &results{pairs: map[string][]pair{}, p2: map[int][]p2Sample{}, dataMB: b.dataMB, bigMB: b.bigMB, n: b.n, sizeMB: b.sizeMB}
	var err error
	if b.dev, err = b.startCluster(ctx, "dev"); err != nil {
		return nil, err
	}
	if b.seed, err = newSeeder(ctx, b.dev, b.work); err != nil {
		return nil, err
	}
	var algos []*devRepo
	var big *devRepo
	if b.scenarios["P1"] {
		b.logf("seed dev: %d algorithms of %g MB", b.n, b.sizeMB)
		if algos, err = b.seed.createMany(ctx, "alg", b.n, b.sizeMB); err != nil {
			return nil, err
		}
	}
	if b.scenarios["P5"] {
		b.logf("seed dev: one algorithm of %g MB", b.bigMB)
		if big, err = b.seed.create(ctx, "big", b.bigMB); err != nil {
			return nil, err
		}
	}
	if b.scenarios["P4"] {
		b.logf("seed dev: a data object of %d MiB", b.dataMB)
		if err := b.seedData(ctx); err != nil {
			return nil, err
		}
	}
	pairs := b.scenarios["P1"] || b.scenarios["P4"] || b.scenarios["P5"]
	for r := 0; pairs && r < b.runs; r++ {
		if err := b.measureRun(ctx, r, res, algos, big); err != nil {
			return nil, fmt.Errorf("run %d: %w", r+1, err)
		}
	}
	if b.scenarios["P2"] {
		if err := b.measureP2(ctx, res); err != nil {
			return nil, fmt.Errorf("P2: %w", err)
		}
	}
	return res, nil
}

func (b *bench) seedData(ctx context.Context) error {
	if err := b.dev.ci.CreateCollection(ctx, organization, dataCollection, nil); err != nil {
		return err
	}
	size := int64(b.dataMB) << 20
	_, err := b.dev.ci.PutObject(ctx, algorithmia.DataPath{Owner: organization, Collection: dataCollection, File: dataFile},
		func(context.Context) (io.ReadCloser, int64, error) {
			return io.NopCloser(io.LimitReader(seed.NewPatternReader(7), size)), size, nil
		})
	return err
}

// measureRun promotes into two fresh prod clusters, one for the provider and one for the
// script, alternating which goes first.
func (b *bench) measureRun(ctx context.Context, r int, res *results, algos []*devRepo, big *devRepo) error {
	prodP, err := b.startCluster(ctx, fmt.Sprintf("prod-provider-%d", r+1))
	if err != nil {
		return err
	}
	prodS, err := b.startCluster(ctx, fmt.Sprintf("prod-script-%d", r+1))
	if err != nil {
		return err
	}
	defer func() {
		prodP.stop()
		prodS.stop()
		_ = os.RemoveAll(prodP.dataDir)
		_ = os.RemoveAll(prodS.dataDir)
	}()
	m := &runMeasure{b: b, ctx: ctx, r: r, res: res, prodP: prodP, prodS: prodS,
		scriptDir: filepath.Join(b.work, "script", fmt.Sprint(r+1))}
	if b.scenarios["P1"] {
		if err := m.firstAndRepeat(algos); err != nil {
			return err
		}
	}
	if b.scenarios["P5"] {
		if err := m.bigAndSmallChange(big); err != nil {
			return err
		}
	}
	if b.scenarios["P4"] {
		return m.dataCopy()
	}
	return nil
}

// runMeasure is one run of the paired scenarios: the provider against prodP, the script
// against prodS.
type runMeasure struct {
	b            *bench
	ctx          context.Context
	r            int
	res          *results
	prodP, prodS *cluster
	scriptDir    string
}

// apply is the provider's side: terraform apply in w.
func (m *runMeasure) apply(w *workdir) func() (measured, error) {
	return func() (measured, error) { return m.b.terraform(m.ctx, w, 0, "apply", "-auto-approve") }
}

// script is the baseline's side: the promotion script for repos, in its own directory.
func (m *runMeasure) script(dir string, repos ...*devRepo) func() (measured, error) {
	names := make([]string, len(repos))
	for i, x := range repos {
		names[i] = x.name
	}
	return func() (measured, error) {
		return m.b.baseline(m.ctx, filepath.Join(m.scriptDir, dir), m.b.dev, m.prodS, names...)
	}
}

// measure runs both sides of scenario name and records the pair.
func (m *runMeasure) measure(name string, provider, baseline func() (measured, error)) error {
	m.b.logf("run %d/%d %s", m.r+1, m.b.runs, name)
	p, err := m.b.pair(m.prodP, m.prodS, m.r%2 == 0, provider, baseline)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	m.b.logf("    provider %.2fs, script %.2fs", p.provider.m.wall.Seconds(), p.baseline.m.wall.Seconds())
	m.res.pairs[name] = append(m.res.pairs[name], p)
	return nil
}

// firstAndRepeat is P1 (a first promotion of algos) and then P1B (every one edited and
// promoted again).
func (m *runMeasure) firstAndRepeat(algos []*devRepo) error {
	w, err := m.b.newWorkdir(fmt.Sprintf("p1-%d", m.r+1), m.b.dev, m.prodP)
	if err != nil {
		return err
	}
	w.setAlgorithms(algos)
	if err := m.measure("P1", m.apply(w), m.script("p1", algos...)); err != nil {
		return err
	}
	if !m.b.scenarios["P1B"] {
		return nil
	}
	if err := forEach(algos, func(x *devRepo) error { return m.b.seed.edit(m.ctx, x, 0) }); err != nil {
		return err
	}
	w.setAlgorithms(algos)
	return m.measure("P1B", m.apply(w), m.script("p1", algos...))
}

// bigAndSmallChange is P5 (a first promotion of the big algorithm) and then P3 (a small
// change to it promoted again).
func (m *runMeasure) bigAndSmallChange(big *devRepo) error {
	w, err := m.b.newWorkdir(fmt.Sprintf("p5-%d", m.r+1), m.b.dev, m.prodP)
	if err != nil {
		return err
	}
	w.setAlgorithms([]*devRepo{big})
	if err := m.measure("P5", m.apply(w), m.script("big", big)); err != nil {
		return err
	}
	if !m.b.scenarios["P3"] {
		return nil
	}
	if err := m.b.seed.edit(m.ctx, big, 10<<10); err != nil {
		return err
	}
	w.setAlgorithms([]*devRepo{big})
	return m.measure("P3", m.apply(w), m.script("big", big))
}

// dataCopy is P4: the data object copied from dev, against curl piping a download into an
// upload.
func (m *runMeasure) dataCopy() error {
	w, err := m.b.newWorkdir(fmt.Sprintf("p4-%d", m.r+1), m.b.dev, m.prodP)
	if err != nil {
		return err
	}
	w.vars["data_collections"] = []string{dataCollection}
	if err := m.prodS.ci.CreateCollection(m.ctx, organization, dataCollection, nil); err != nil {
		return err
	}
	path := strings.Join([]string{organization, dataCollection, dataFile}, "/")
	return m.measure("P4", m.apply(w), func() (measured, error) { return m.b.curlPipe(m.ctx, m.b.dev, m.prodS, path) })
}

// pair runs the provider's and the script's promotion, in the given order, each with fresh
// counts of dev and its own prod cluster.
func (b *bench) pair(prodP, prodS *cluster, providerFirst bool, provider, baseline func() (measured, error)) (pair, error) {
	var p pair
	one := func(prod *cluster, f func() (measured, error), out *side) error {
		b.dev.proxy.take()
		prod.proxy.take()
		m, err := f()
		if err != nil {
			return err
		}
		out.m = m
		out.c.add(b.dev.proxy.take())
		out.c.add(prod.proxy.take())
		return nil
	}
	steps := []func() error{
		func() error { return one(prodP, provider, &p.provider) },
		func() error { return one(prodS, baseline, &p.baseline) },
	}
	if !providerFirst {
		slices.Reverse(steps)
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// measureP2 promotes max(BENCH_P2_N) tiny algorithms once, then times no-op plans.
func (b *bench) measureP2(ctx context.Context, res *results) error {
	most := slices.Max(b.p2)
	b.logf("seed dev: %d small algorithms for P2", most)
	repos, err := b.seed.createMany(ctx, "noop", most, 0.01)
	if err != nil {
		return err
	}
	for _, n := range b.p2 {
		prod, err := b.startCluster(ctx, fmt.Sprintf("prod-p2-%d", n))
		if err != nil {
			return err
		}
		w, err := b.newWorkdir(fmt.Sprintf("p2-%d", n), b.dev, prod)
		if err != nil {
			return err
		}
		w.setAlgorithms(repos[:n])
		b.logf("P2: promote %d algorithms (not timed)", n)
		if _, err := b.terraform(ctx, w, 0, "apply", "-auto-approve"); err != nil {
			return err
		}
		res.p2Keys = append(res.p2Keys, n)
		for r := 0; r < b.runs; r++ {
			b.dev.proxy.take()
			prod.proxy.take()
			m, err := b.terraform(ctx, w, 0, "plan", "-detailed-exitcode")
			if err != nil {
				return err
			}
			s := p2Sample{m: m, dev: b.dev.proxy.take(), prod: prod.proxy.take()}
			b.logf("P2 %d algorithms, run %d/%d: %.2fs, prod %v, dev %v", n, r+1, b.runs, m.wall.Seconds(), s.prod.Requests, s.dev.Requests)
			res.p2[n] = append(res.p2[n], s)
		}
		prod.stop()
		_ = os.RemoveAll(prod.dataDir)
	}
	return nil
}
