package localcluster

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/gittest"
)

// lockedBuffer collects log lines written by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newFaultCluster is a test cluster with a captured log, so tests can read
// the fault lines.
func newFaultCluster(t *testing.T, faults FaultConfig) (*testCluster, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	c, err := New(Options{DataDir: t.TempDir(), AdminKey: testAdminKey, BuildDuration: 150 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil)), Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{t: t, c: c, srv: newServer(c)}
	t.Cleanup(tc.close)
	return tc, logs
}

func (tc *testCluster) setFaults(cfg FaultConfig) {
	tc.t.Helper()
	if err := tc.c.SetFaults(cfg); err != nil {
		tc.t.Fatal(err)
	}
}

// faultResponse is what one real client saw: an answer, or a connection error.
type faultResponse struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// send makes one request on a fresh connection: a reused one would let Go's
// transport replay an idempotent request after a reset, hiding the fault.
func (tc *testCluster) send(method, path, key string, body string) faultResponse {
	tc.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, tc.srv.URL+path, rd)
	if err != nil {
		tc.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Simple "+key)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return faultResponse{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return faultResponse{status: resp.StatusCode, header: resp.Header, body: raw, err: err}
}

func TestFaults_statusKindsAnswerLikeAnOverloadedCluster(t *testing.T) {
	for _, tc := range []struct {
		kind       FaultKind
		status     int
		retryAfter string
	}{
		{FaultUnavailable, http.StatusServiceUnavailable, ""},
		{FaultRateLimited, http.StatusTooManyRequests, "1"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			c, logs := newFaultCluster(t, FaultConfig{})
			key := c.addUser("alice")
			c.addAlgo(key, "hello")
			c.setFaults(FaultConfig{Rate: 1, Kinds: []FaultKind{tc.kind}, Seed: 7})

			api := c.send("GET", "/v1/algorithms/alice/hello", key, "")
			if api.err != nil || api.status != tc.status || api.header.Get("Retry-After") != tc.retryAfter {
				t.Fatalf("API: status %d Retry-After %q err %v, want %d %q", api.status, api.header.Get("Retry-After"), api.err, tc.status, tc.retryAfter)
			}
			var e apiErr
			if err := json.Unmarshal(api.body, &e); err != nil || e.Error.Code != codeInternal || e.Error.ID == "" {
				t.Fatalf("API answer is not the error envelope: %s (%v)", api.body, err)
			}
			data := c.send("GET", "/v1/data/.my", key, "")
			if data.err != nil || data.status != tc.status {
				t.Fatalf("Data API: status %d err %v", data.status, data.err)
			}
			git := c.send("GET", "/git/alice/hello.git/info/refs?service=git-upload-pack", "", "")
			if git.err != nil || git.status != tc.status || git.header.Get("Retry-After") != tc.retryAfter || !strings.Contains(string(git.body), "injected fault") {
				t.Fatalf("Git: status %d Retry-After %q body %q err %v", git.status, git.header.Get("Retry-After"), git.body, git.err)
			}
			if got := c.c.Faults()[tc.kind]; got != 3 {
				t.Fatalf("Faults()[%s] = %d, want 3", tc.kind, got)
			}
			log := logs.String()
			if !strings.Contains(log, `msg="fault injected" kind=`+string(tc.kind)+" method=GET path=/v1/algorithms/alice/hello") {
				t.Fatalf("no log line for the fault:\n%s", log)
			}
			if strings.Contains(log, key) || strings.Contains(log, "service=") {
				t.Fatalf("the log holds a key or a query:\n%s", log)
			}
		})
	}
}

// TestFaults_resetAndDrop checks the two connection faults on writes of every
// surface: a reset request never reaches the handler, a dropped one acts
// fully and only its answer is lost.
func TestFaults_resetAndDrop(t *testing.T) {
	writes := []struct {
		name   string
		do     func(c *testCluster, key string) faultResponse
		exists func(c *testCluster, key string) bool
	}{
		{
			name: "API POST user",
			do: func(c *testCluster, _ string) faultResponse {
				return c.send("POST", "/v1/users", testAdminKey, `{"username":"bob","email":"bob@example.com","fullname":"Bob"}`)
			},
			exists: func(c *testCluster, _ string) bool {
				return c.call("GET", "/v1/users/bob", testAdminKey, nil, nil) == http.StatusOK
			},
		},
		{
			name: "API POST algorithm",
			do: func(c *testCluster, key string) faultResponse {
				raw, _ := json.Marshal(pythonAlgo("made"))
				return c.send("POST", "/v1/algorithms/alice", key, string(raw))
			},
			exists: func(c *testCluster, key string) bool {
				return c.call("GET", "/v1/algorithms/alice/made", key, nil, nil) == http.StatusOK
			},
		},
		{
			name: "Data API PUT file",
			do: func(c *testCluster, key string) faultResponse {
				return c.send("PUT", "/v1/data/alice/coll/f.txt", key, "the bytes")
			},
			exists: func(c *testCluster, key string) bool {
				d := c.data("GET", "/v1/data/alice/coll/f.txt", key, nil)
				return d.status == http.StatusOK && string(d.body) == "the bytes"
			},
		},
	}
	for _, kind := range []FaultKind{FaultReset, FaultDrop} {
		for _, w := range writes {
			t.Run(string(kind)+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				c, _ := newFaultCluster(t, FaultConfig{})
				key := c.addUser("alice")
				c.createCollection(key, "alice", "coll", nil)
				c.setFaults(FaultConfig{Rate: 1, Kinds: []FaultKind{kind}, Methods: []string{"POST", "PUT"}})

				got := w.do(c, key)
				if got.err == nil {
					t.Fatalf("want a connection error, got status %d %s", got.status, got.body)
				}
				c.setFaults(FaultConfig{})
				if want := kind == FaultDrop; w.exists(c, key) != want {
					t.Fatalf("after %s the object exists = %v, want %v", kind, !want, want)
				}
				if n := c.c.Faults()[kind]; n != 1 {
					t.Fatalf("Faults()[%s] = %d, want 1", kind, n)
				}
			})
		}
	}
}

// TestFaults_gitPush pushes with the git CLI through a reset and a drop of
// receive-pack: both fail for git, but only the dropped push moved master
// (and started its build).
func TestFaults_gitPush(t *testing.T) {
	for _, tt := range []struct {
		kind  FaultKind
		moved bool
	}{
		{FaultReset, false},
		{FaultDrop, true},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			c, _ := newFaultCluster(t, FaultConfig{})
			key := c.addUser("alice")
			c.addAlgo(key, "hello")
			dir := t.TempDir()
			gittest.Must(t, dir, "clone", "-q", c.gitURL("alice", key, "hello"), "w")
			w := filepath.Join(dir, "w")
			before := gittest.Must(t, w, "rev-parse", "HEAD")
			gittest.WriteFile(t, filepath.Join(w, "src", "extra.py"), "x = 1\n")
			gittest.Must(t, w, "add", "-A")
			gittest.Must(t, w, "commit", "-q", "-m", "change")
			sha := gittest.Must(t, w, "rev-parse", "HEAD")

			// Only POSTs: the ref advertisement (GET) passes, receive-pack is faulted.
			c.setFaults(FaultConfig{Rate: 1, Kinds: []FaultKind{tt.kind}, Methods: []string{"POST"}})
			out, err := gittest.Run(t, w, "push", "origin", "master")
			if err == nil {
				t.Fatalf("git push succeeded through %s:\n%s", tt.kind, out)
			}
			t.Logf("git push through %s:\n%s", tt.kind, out)
			c.setFaults(FaultConfig{})

			head := strings.Fields(gittest.Must(t, w, "ls-remote", "origin", "refs/heads/master"))[0]
			want := before
			if tt.moved {
				want = sha
			}
			if head != want {
				t.Fatalf("master on the cluster is %s, want %s (pushed %s)", head, want, sha)
			}
			var builds pagedBuilds
			c.must(200, "GET", "/v1/algorithms/alice/hello/builds", key, nil, &builds)
			built := slices.ContainsFunc(builds.Results, func(b buildJSON) bool { return b.CommitSHA == sha })
			if built != tt.moved {
				t.Fatalf("build of the pushed commit exists = %v, want %v", built, tt.moved)
			}
			// curl sends the POST again on a fresh connection when the reused
			// one dies, so git meets the fault twice; after a drop the second
			// receive-pack finds master already moved and changes nothing.
			if n := c.c.Faults()[tt.kind]; n < 1 {
				t.Fatalf("Faults()[%s] = %d, want at least 1", tt.kind, n)
			}
		})
	}
}

func TestFaults_delayThenServe(t *testing.T) {
	t.Parallel()
	c, logs := newFaultCluster(t, FaultConfig{Rate: 1, Kinds: []FaultKind{FaultDelay}, Seed: 3})
	start := time.Now()
	got := c.send("GET", "/v1/organization/types", testAdminKey, "")
	waited := time.Since(start)
	if got.err != nil || got.status != http.StatusOK {
		t.Fatalf("delayed request: status %d err %v", got.status, got.err)
	}
	if waited < faultDelayMin {
		t.Fatalf("answered after %v, before the minimum delay %v", waited, faultDelayMin)
	}
	if n := c.c.Faults()[FaultDelay]; n != 1 {
		t.Fatalf("Faults()[delay] = %d, want 1", n)
	}
	if !strings.Contains(logs.String(), "kind=delay") {
		t.Fatalf("no log line for the delay:\n%s", logs)
	}
}

// statuses sends n GETs one after another and returns what each answered.
func (tc *testCluster) statuses(n int) []int {
	tc.t.Helper()
	out := make([]int, n)
	for i := range out {
		got := tc.send("GET", "/v1/organization/types", testAdminKey, "")
		if got.err != nil {
			tc.t.Fatal(got.err)
		}
		out[i] = got.status
	}
	return out
}

func TestFaults_seedGivesTheSameSequence(t *testing.T) {
	t.Parallel()
	cfg := FaultConfig{Rate: 0.5, Kinds: []FaultKind{FaultUnavailable, FaultRateLimited}, Seed: 42}
	a, _ := newFaultCluster(t, cfg)
	b, _ := newFaultCluster(t, cfg)
	first := a.statuses(40)
	if !slices.Contains(first, 200) || !slices.Contains(first, 503) || !slices.Contains(first, 429) {
		t.Fatalf("rate 0.5 over two kinds should mix answers: %v", first)
	}
	if other := b.statuses(40); !slices.Equal(first, other) {
		t.Fatalf("same seed, two clusters:\n%v\n%v", first, other)
	}
	a.setFaults(cfg) // restarts the sequence
	if again := a.statuses(40); !slices.Equal(first, again) {
		t.Fatalf("same seed after SetFaults:\n%v\n%v", first, again)
	}
	cfg.Seed = 43
	a.setFaults(cfg)
	if other := a.statuses(40); slices.Equal(first, other) {
		t.Fatalf("seeds 42 and 43 gave the same sequence %v", first)
	}
}

func TestFaults_randomSeedIsReported(t *testing.T) {
	t.Parallel()
	c, logs := newFaultCluster(t, FaultConfig{Rate: 0.5})
	cfg := c.c.FaultConfig()
	if cfg.Seed == 0 || !slices.Equal(cfg.Kinds, FaultKinds) || len(cfg.Methods) == 0 {
		t.Fatalf("live configuration %+v: want a chosen seed and every kind and method", cfg)
	}
	if !strings.Contains(logs.String(), "fault injection on") || !strings.Contains(logs.String(), "seed=") {
		t.Fatalf("the start log does not report the seed:\n%s", logs)
	}
}

func TestFaults_methodsFilter(t *testing.T) {
	t.Parallel()
	c, _ := newFaultCluster(t, FaultConfig{Rate: 1, Kinds: []FaultKind{FaultUnavailable}, Methods: []string{"POST", "DELETE"}})
	for _, tt := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/v1/organization/types", "", 200},
		{"HEAD", "/v1/organization/types", "", 200},
		{"POST", "/v1/users", `{"username":"carol","email":"c@example.com","fullname":"C"}`, 503},
		{"DELETE", "/v1/users/carol", "", 503},
	} {
		if got := c.send(tt.method, tt.path, testAdminKey, tt.body); got.err != nil || got.status != tt.want {
			t.Errorf("%s %s: status %d err %v, want %d", tt.method, tt.path, got.status, got.err, tt.want)
		}
	}
	if n := c.c.Faults()[FaultUnavailable]; n != 2 {
		t.Fatalf("Faults()[503] = %d, want 2", n)
	}
}

func TestFaults_rateZeroInjectsNothing(t *testing.T) {
	t.Parallel()
	c, logs := newFaultCluster(t, FaultConfig{Rate: 0, Kinds: FaultKinds, Seed: 1})
	for i, s := range c.statuses(30) {
		if s != 200 {
			t.Fatalf("request %d answered %d", i, s)
		}
	}
	for k, n := range c.c.Faults() {
		if n != 0 {
			t.Fatalf("Faults()[%s] = %d at rate 0", k, n)
		}
	}
	if strings.Contains(logs.String(), "fault") && !strings.Contains(logs.String(), "fault injection off") {
		t.Fatalf("rate 0 logged faults:\n%s", logs)
	}
}

// TestFaults_switchWhileServing toggles faults during concurrent requests
// (run with -race): every faulted answer a client saw is counted once.
func TestFaults_switchWhileServing(t *testing.T) {
	t.Parallel()
	c, _ := newFaultCluster(t, FaultConfig{})
	var (
		mu      sync.Mutex
		faulted int
	)
	stop := repeatUntilStopped(4, func() bool {
		got := c.send("GET", "/v1/organization/types", testAdminKey, "")
		if got.err != nil {
			t.Error(got.err)
			return false
		}
		if got.status == 503 || got.status == 429 {
			mu.Lock()
			faulted++
			mu.Unlock()
		}
		return true
	})
	on := FaultConfig{Rate: 0.5, Kinds: []FaultKind{FaultUnavailable, FaultRateLimited}, Seed: 9}
	for i := range 20 {
		cfg := FaultConfig{}
		if i%2 == 0 {
			cfg = on
		}
		c.setFaults(cfg)
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	counts := c.c.Faults()
	if total := counts[FaultUnavailable] + counts[FaultRateLimited]; total != faulted || faulted == 0 {
		t.Fatalf("clients saw %d faults, the cluster counted %v", faulted, counts)
	}
}

func TestFaultConfig_parseAndValidate(t *testing.T) {
	for _, tt := range []struct {
		kinds, methods string
		rate           float64
		wantKinds      []FaultKind
		wantMethods    []string
		wantErr        string
	}{
		{kinds: "", methods: "", rate: 0},
		{kinds: "503, 429,RESET,drop,delay", methods: "post,PUT, patch,DELETE", rate: 1,
			wantKinds: FaultKinds, wantMethods: []string{"POST", "PUT", "PATCH", "DELETE"}},
		{kinds: "500", wantErr: `unknown fault kind "500"; the kinds are 503,429,reset,drop,delay`},
		{kinds: "503,,429", wantErr: "empty fault kind"},
		{kinds: "drop,drop", wantErr: `"drop" is listed twice`},
		{methods: "GTE", wantErr: `unknown fault method "GTE"`},
		{methods: "POST,", wantErr: "empty fault method"},
		{rate: 1.5, wantErr: "not a probability between 0 and 1"},
		{rate: -0.1, wantErr: "not a probability between 0 and 1"},
	} {
		kinds, err := ParseFaultKinds(tt.kinds)
		var methods []string
		if err == nil {
			methods, err = ParseFaultMethods(tt.methods)
		}
		if err == nil {
			err = FaultConfig{Rate: tt.rate, Kinds: kinds, Methods: methods}.Validate()
		}
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", tt, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%+v: got %v, want %q", tt, err, tt.wantErr)
		case tt.wantErr == "" && (!slices.Equal(kinds, tt.wantKinds) || !slices.Equal(methods, tt.wantMethods)):
			t.Errorf("%+v: parsed %v %v", tt, kinds, methods)
		}
	}
	if _, err := New(Options{DataDir: t.TempDir(), AdminKey: "k", Faults: FaultConfig{Rate: 2}}); err == nil {
		t.Fatal("New accepted a fault rate of 2")
	}
}

// TestFaults_connectionFaultsOverTLS: hijacking works on HTTPS listeners too
// (the cluster's --tls-* modes and acctest.StartTLSCluster).
func TestFaults_connectionFaultsOverTLS(t *testing.T) {
	t.Parallel()
	c, _ := newFaultCluster(t, FaultConfig{})
	srv := httptest.NewTLSServer(c.c.Handler())
	t.Cleanup(srv.Close)
	for _, kind := range []FaultKind{FaultReset, FaultDrop} {
		c.setFaults(FaultConfig{Rate: 1, Kinds: []FaultKind{kind}})
		base, ok := srv.Client().Transport.(*http.Transport)
		if !ok {
			t.Fatal("httptest TLS client without an *http.Transport")
		}
		tr := base.Clone()
		tr.DisableKeepAlives = true
		req, _ := http.NewRequest("GET", srv.URL+"/v1/organization/types", nil)
		req.Header.Set("Authorization", "Simple "+testAdminKey)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s over TLS: status %d, want a connection error", kind, resp.StatusCode)
		}
	}
	if n := c.c.Faults(); n[FaultReset] != 1 || n[FaultDrop] != 1 {
		t.Fatalf("Faults() = %v", n)
	}
}

// FuzzParseFaultLists: the --fault-kinds and --fault-methods values come from
// users; parsing never panics, and whatever it accepts is a valid configuration.
func FuzzParseFaultLists(f *testing.F) {
	for _, s := range []string{"", "503,429", "reset, DROP ,delay", "POST,put", ",", "503,503", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kinds, kerr := ParseFaultKinds(s)
		methods, merr := ParseFaultMethods(s)
		if kerr == nil && merr == nil && (len(kinds) > 0 || len(methods) > 0) {
			t.Fatalf("%q parsed as both kinds %v and methods %v", s, kinds, methods)
		}
		if kerr == nil {
			if err := (FaultConfig{Rate: 1, Kinds: kinds}).Validate(); err != nil {
				t.Fatalf("accepted kinds %q do not validate: %v", s, err)
			}
		}
		if merr == nil {
			if err := (FaultConfig{Rate: 1, Methods: methods}).Validate(); err != nil {
				t.Fatalf("accepted methods %q do not validate: %v", s, err)
			}
		}
	})
}
