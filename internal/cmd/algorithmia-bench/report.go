package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
)

const (
	beginMarker = "<!-- bench:begin -->"
	endMarker   = "<!-- bench:end -->"
)

// scenarioTitles are the rows of the table, in order; every measured scenario has one.
var scenarioTitles = map[string]string{
	"P1":  "P1 first promotion",
	"P1B": "P1b repeat, one small file changed in each",
	"P2":  "P2 no-op plan",
	"P3":  "P3 re-promotion after a 10 KB change",
	"P4":  "P4 data object copied between clusters",
	"P5":  "P5 first promotion of a big tree",
}

var goals = map[string]string{
	"P1":  "≤ 0.10",
	"P1B": "≤ 0.10",
	"P2":  "200 in ≤ 2 s, 0 pack fetches",
	"P3":  "sent + fetched ≤ 1 MB + the change; ≤ 0.5",
	"P4":  "≥ 0.9 × curl, RSS ≤ 64 MiB",
	"P5":  "≤ 0.8",
}

// spread is the median, minimum and maximum of samples.
type spread struct{ med, lo, hi float64 }

func stats(xs []float64) spread {
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return spread{med, s[0], s[n-1]}
}

func (s spread) secs() string {
	if s.lo == s.hi {
		return fmt.Sprintf("%.2f s", s.med)
	}
	return fmt.Sprintf("%.2f s (%.2f–%.2f)", s.med, s.lo, s.hi)
}

func of[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func mib(n float64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	}
	return fmt.Sprintf("%.0f B", n)
}

// throughput is MiB per second over the span of the bulk data transfers.
func throughput(s side, sizeMB int) float64 {
	d := s.c.dataEnd.Sub(s.c.dataStart).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(sizeMB) / d
}

// requestsLine lists requests by kind, as medians over runs.
func requestsLine(cs []counts, per float64) string {
	kinds := map[string]bool{}
	for _, c := range cs {
		for k := range c.Requests {
			kinds[k] = true
		}
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		m := stats(of(cs, func(c counts) float64 { return float64(c.Requests[k]) })).med / per
		parts = append(parts, fmt.Sprintf("%s %s", trim(m), k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func trim(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// markdown renders the tables the guide includes.
func (r *results) markdown(desc string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n", desc)
	b.WriteString("| scenario | provider | script (baseline) | ratio | goal |\n|---|---|---|---|---|\n")
	for _, key := range allScenarios {
		title := scenarioTitles[key]
		if key == "P2" {
			for _, n := range r.p2Keys {
				ss := r.p2[n]
				wall := stats(of(ss, func(s p2Sample) float64 { return s.m.wall.Seconds() }))
				prod := of(ss, func(s p2Sample) float64 { return float64(s.prod.total()) })
				dev := of(ss, func(s p2Sample) float64 { return float64(s.dev.total()) })
				fetches := stats(of(ss, func(s p2Sample) float64 {
					return float64(s.prod.Requests[kindFetchPack] + s.dev.Requests[kindFetchPack])
				})).med
				cpuAll := stats(of(ss, func(s p2Sample) float64 { return s.m.cpuAll.Seconds() })).med
				cpuProv := stats(of(ss, func(s p2Sample) float64 { return s.m.cpuProvider.Seconds() })).med
				fmt.Fprintf(&b, "| %s, %d promoted algorithms | %s; %s requests per algorithm to prod, %s to dev; %s pack fetches; CPU %.1f s (providers %.1f s) | — | — | %s |\n",
					title, n, wall.secs(), trim(stats(prod).med/float64(n)), trim(stats(dev).med/float64(n)), trim(fetches), cpuAll, cpuProv, goals[key])
			}
			continue
		}
		ps := r.pairs[key]
		if len(ps) == 0 {
			continue
		}
		if key == "P4" {
			prov := stats(of(ps, func(p pair) float64 { return throughput(p.provider, r.dataMB) }))
			curl := stats(of(ps, func(p pair) float64 { return throughput(p.baseline, r.dataMB) }))
			rss := stats(of(ps, func(p pair) float64 { return float64(p.provider.m.rss) }))
			fmt.Fprintf(&b, "| %s, %d MiB | %.0f MiB/s (%.0f–%.0f), peak RSS %s | `curl \\| curl` %.0f MiB/s (%.0f–%.0f) | %.2f | %s |\n",
				title, r.dataMB, prov.med, prov.lo, prov.hi, mib(rss.hi), curl.med, curl.lo, curl.hi, prov.med/curl.med, goals[key])
			continue
		}
		prov := stats(of(ps, func(p pair) float64 { return p.provider.m.wall.Seconds() }))
		base := stats(of(ps, func(p pair) float64 { return p.baseline.m.wall.Seconds() }))
		switch key {
		case "P3", "P5":
			sent := stats(of(ps, func(p pair) float64 { return float64(p.provider.c.Sent) })).med
			got := stats(of(ps, func(p pair) float64 { return float64(p.provider.c.Received) })).med
			bsent := stats(of(ps, func(p pair) float64 { return float64(p.baseline.c.Sent) })).med
			bgot := stats(of(ps, func(p pair) float64 { return float64(p.baseline.c.Received) })).med
			rss := stats(of(ps, func(p pair) float64 { return float64(p.provider.m.rss) })).hi
			fmt.Fprintf(&b, "| %s, %g MB | %s; sent %s, fetched %s; peak RSS %s | %s; sent %s, fetched %s | %.2f | %s |\n",
				title, r.bigMB, prov.secs(), mib(sent), mib(got), mib(rss), base.secs(), mib(bsent), mib(bgot), prov.med/base.med, goals[key])
			continue
		}
		fmt.Fprintf(&b, "| %s, %d × %g MB | %s | %s | %.2f | %s |\n", title, r.n, r.sizeMB, prov.secs(), base.secs(), prov.med/base.med, goals[key])
	}

	b.WriteString("\nTraffic through the counting proxies (medians over runs; both clusters; bodies only, without HTTP headers):\n\n")
	b.WriteString("| scenario | side | requests | sent to clusters | fetched from clusters |\n|---|---|---|---|---|\n")
	for _, key := range allScenarios {
		if key == "P2" {
			for _, n := range r.p2Keys {
				ss := r.p2[n]
				fmt.Fprintf(&b, "| P2, %d algorithms | provider, per algorithm, prod | %s | | |\n", n,
					requestsLine(of2(ss, func(s p2Sample) counts { return s.prod }), float64(n)))
				fmt.Fprintf(&b, "| P2, %d algorithms | provider, per algorithm, dev | %s | | |\n", n,
					requestsLine(of2(ss, func(s p2Sample) counts { return s.dev }), float64(n)))
			}
			continue
		}
		ps := r.pairs[key]
		if len(ps) == 0 {
			continue
		}
		for _, sd := range []struct {
			name string
			get  func(pair) side
		}{{"provider", func(p pair) side { return p.provider }}, {"script", func(p pair) side { return p.baseline }}} {
			cs := of2(ps, func(p pair) counts { return sd.get(p).c })
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", key2title(key), sd.name, requestsLine(cs, 1),
				mib(stats(of(cs, func(c counts) float64 { return float64(c.Sent) })).med),
				mib(stats(of(cs, func(c counts) float64 { return float64(c.Received) })).med))
		}
	}
	return b.String()
}

func key2title(k string) string {
	if k == "P1B" {
		return "P1b"
	}
	return k
}

func of2[T any](xs []T, f func(T) counts) []counts {
	out := make([]counts, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// writeReport replaces what lies between the bench markers of path with table.
func writeReport(path, table string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(data)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return errors.New(path + " has no " + beginMarker + " ... " + endMarker + " section")
	}
	s = s[:i+len(beginMarker)] + "\n" + table + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}

func numCPU() int { return runtime.NumCPU() }
