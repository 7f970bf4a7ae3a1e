package localcluster

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// FaultKind is one way the cluster can fail a request on purpose.
type FaultKind string

// The fault kinds. Each one is what a client meets in the wild: a load
// balancer without a backend, a rate limiter, a connection cut before the
// request arrived, and one cut after the request acted but before its answer
// came back (the case that makes blind retries of writes unsafe).
const (
	FaultUnavailable FaultKind = "503"   // 503 with the error envelope, no Retry-After
	FaultRateLimited FaultKind = "429"   // 429 with Retry-After: 1 and the error envelope
	FaultReset       FaultKind = "reset" // connection closed before the handler runs: nothing happened
	FaultDrop        FaultKind = "drop"  // the handler runs and commits, then the connection is closed without an answer
	FaultDelay       FaultKind = "delay" // 1 to 3 s of waiting, then the request is served normally
)

// FaultKinds lists every kind, in the order --help shows them.
var FaultKinds = []FaultKind{FaultUnavailable, FaultRateLimited, FaultReset, FaultDrop, FaultDelay}

// faultMethods are the methods --fault-methods accepts: the ones the API,
// the Data API and Git smart HTTP use.
var faultMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Delay bounds of FaultDelay.
const (
	faultDelayMin = time.Second
	faultDelayMax = 3 * time.Second
)

// FaultConfig switches fault injection on. The zero value injects nothing.
type FaultConfig struct {
	// Rate is the probability, from 0 to 1, that an eligible request is faulted.
	Rate float64
	// Kinds are the faults to choose from, each equally likely; empty means all of FaultKinds.
	Kinds []FaultKind
	// Seed starts the sequence of choices, so a run with the same seed and the
	// same order of requests sees the same faults. 0 picks a random seed, which
	// the cluster logs and FaultConfig reports.
	Seed uint64
	// Methods are the HTTP methods that may be faulted (for example only the
	// writes); empty means every method.
	Methods []string
}

// Enabled reports whether the configuration can fault any request.
func (f FaultConfig) Enabled() bool { return f.Rate > 0 }

// Validate says what is wrong with the configuration, in the words of the
// command line.
func (f FaultConfig) Validate() error {
	if math.IsNaN(f.Rate) || f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("fault rate %v is not a probability between 0 and 1", f.Rate)
	}
	seen := map[FaultKind]bool{}
	for _, k := range f.Kinds {
		if !slices.Contains(FaultKinds, k) {
			return fmt.Errorf("unknown fault kind %q; the kinds are %s", string(k), joinKinds(FaultKinds))
		}
		if seen[k] {
			return fmt.Errorf("fault kind %q is listed twice", string(k))
		}
		seen[k] = true
	}
	seenM := map[string]bool{}
	for _, m := range f.Methods {
		if !slices.Contains(faultMethods, m) {
			return fmt.Errorf("unknown fault method %q; the methods are %s", m, strings.Join(faultMethods, ","))
		}
		if seenM[m] {
			return fmt.Errorf("fault method %q is listed twice", m)
		}
		seenM[m] = true
	}
	return nil
}

// ParseFaultKinds reads a comma-separated list of kinds such as "503,429,drop".
// Case and spaces around names do not matter; "" is the empty list (all kinds).
func ParseFaultKinds(s string) ([]FaultKind, error) {
	var kinds []FaultKind
	for _, item := range splitList(s) {
		if item == "" {
			return nil, fmt.Errorf("empty fault kind in %q", s)
		}
		kinds = append(kinds, FaultKind(strings.ToLower(item)))
	}
	if err := (FaultConfig{Kinds: kinds}).Validate(); err != nil {
		return nil, err
	}
	return kinds, nil
}

// ParseFaultMethods reads a comma-separated list of HTTP methods such as
// "POST,PUT,PATCH,DELETE". Case does not matter; "" is the empty list (all methods).
func ParseFaultMethods(s string) ([]string, error) {
	var methods []string
	for _, item := range splitList(s) {
		if item == "" {
			return nil, fmt.Errorf("empty fault method in %q", s)
		}
		methods = append(methods, strings.ToUpper(item))
	}
	if err := (FaultConfig{Methods: methods}).Validate(); err != nil {
		return nil, err
	}
	return methods, nil
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

func joinKinds(kinds []FaultKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

// faultInjector holds the live configuration, the choice sequence and the
// counters. One mutex guards all three, so SetFaults may run while requests
// are served, and choices come from one sequence in the order requests arrive.
type faultInjector struct {
	log *slog.Logger

	mu     sync.Mutex
	cfg    FaultConfig // normalized: Kinds and Methods never empty when enabled, Seed never 0
	rng    *rand.Rand
	counts map[FaultKind]int
}

func newFaultInjector(log *slog.Logger) *faultInjector {
	return &faultInjector{log: log, counts: map[FaultKind]int{}}
}

// set validates cfg and makes it live, restarting the choice sequence.
func (f *faultInjector) set(cfg FaultConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.Kinds = slices.Clone(cfg.Kinds)
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = slices.Clone(FaultKinds)
	}
	cfg.Methods = slices.Clone(cfg.Methods)
	if len(cfg.Methods) == 0 {
		cfg.Methods = slices.Clone(faultMethods)
	}
	for cfg.Seed == 0 && cfg.Enabled() {
		cfg.Seed = rand.Uint64()
	}
	f.mu.Lock()
	f.cfg = cfg
	f.rng = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed))
	f.mu.Unlock()
	if cfg.Enabled() {
		f.log.Warn("fault injection on", "rate", cfg.Rate, "kinds", joinKinds(cfg.Kinds),
			"methods", strings.Join(cfg.Methods, ","), "seed", strconv.FormatUint(cfg.Seed, 10))
	} else {
		f.log.Info("fault injection off")
	}
	return nil
}

func (f *faultInjector) config() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := f.cfg
	cfg.Kinds = slices.Clone(cfg.Kinds)
	cfg.Methods = slices.Clone(cfg.Methods)
	return cfg
}

func (f *faultInjector) stats() map[FaultKind]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[FaultKind]int, len(FaultKinds))
	for _, k := range FaultKinds {
		out[k] = f.counts[k]
	}
	return out
}

// decide draws the fate of one request. Only requests whose method may be
// faulted draw from the sequence, so the choices for writes do not depend on
// how many reads came between them.
func (f *faultInjector) decide(method string) (kind FaultKind, delay time.Duration, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.cfg.Enabled() || !slices.Contains(f.cfg.Methods, method) {
		return "", 0, false
	}
	if f.rng.Float64() >= f.cfg.Rate {
		return "", 0, false
	}
	kind = f.cfg.Kinds[f.rng.IntN(len(f.cfg.Kinds))]
	if kind == FaultDelay {
		delay = faultDelayMin + time.Duration(f.rng.Int64N(int64(faultDelayMax-faultDelayMin)+1))
	}
	f.counts[kind]++
	return kind, delay, true
}

// wrap puts fault injection in front of the whole cluster: API, Data API and
// Git alike. It must be the outermost handler, so it can hijack the connection.
func (f *faultInjector) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, delay, ok := f.decide(r.Method)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		// The path only: never the query or headers, which may hold keys.
		attrs := []any{"kind", string(kind), "method", r.Method, "path", r.URL.Path}
		if kind == FaultDelay {
			attrs = append(attrs, "delay", delay.Round(time.Millisecond).String())
		}
		f.log.Warn("fault injected", attrs...)
		switch kind {
		case FaultUnavailable:
			writeFault(w, r, http.StatusServiceUnavailable, "Service temporarily unavailable (injected fault)")
		case FaultRateLimited:
			w.Header().Set("Retry-After", "1")
			writeFault(w, r, http.StatusTooManyRequests, "Too many requests (injected fault)")
		case FaultReset:
			abortConnection(w)
		case FaultDrop:
			rec := &discardResponse{header: http.Header{}}
			next.ServeHTTP(rec, r)
			// Whatever the handler left unread is read now, so the client has
			// sent its whole request when the connection dies, as when a
			// proxy loses the answer.
			_, _ = io.Copy(io.Discard, r.Body)
			abortConnection(w)
		case FaultDelay:
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
				next.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		}
	})
}

// writeFault answers the way the cluster answers errors: the CONTRACT.md §3.1 envelope on
// /v1, plain text on /git, which Git clients print as is.
func writeFault(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/git/") {
		http.Error(w, msg, status)
		return
	}
	writeJSON(w, status, errorBody{Error: errorDetail{ID: uuid.NewString(), Code: codeInternal, Message: msg}})
}

// abortConnection closes the client's connection without an answer. With
// HTTP/1 it hijacks the connection and resets it (no lingering FIN, so the
// client sees a reset as with a crashed peer). Where hijacking is not
// possible (HTTP/2), net/http's abort panic resets the stream instead.
func abortConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}

// discardResponse takes a dropped request's answer and throws it away, so a
// large download being dropped costs no memory.
type discardResponse struct {
	header http.Header
	code   int
}

func (d *discardResponse) Header() http.Header { return d.header }

func (d *discardResponse) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}

func (d *discardResponse) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	return len(p), nil
}

// Flush lets streaming handlers flush as they would on a real connection.
func (d *discardResponse) Flush() {}

// SetFaults switches fault injection to cfg (the zero FaultConfig switches it
// off) while the cluster serves requests, and restarts the choice sequence at
// cfg.Seed. Counters keep counting across calls.
func (c *Cluster) SetFaults(cfg FaultConfig) error { return c.faults.set(cfg) }

// FaultConfig returns the live fault configuration, with the seed in use
// (chosen at random when the configuration had none) and the lists filled in.
func (c *Cluster) FaultConfig() FaultConfig { return c.faults.config() }

// Faults returns how many faults of each kind were injected since the
// cluster started; every kind is present, with 0 when none was injected.
func (c *Cluster) Faults() map[FaultKind]int { return c.faults.stats() }
