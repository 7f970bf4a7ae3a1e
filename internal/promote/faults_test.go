package promote

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// The fault proxy stands between the engine and the test Git server and breaks chosen
// requests the way a flaky network or an overloaded Git host does.

type fault string

const (
	pass      fault = "pass"
	fail503   fault = "503"
	fail429   fault = "429 with Retry-After: 1"
	resetConn fault = "connection reset before forwarding"
	dropReply fault = "forwarded and acted on, answer dropped"
	slow      fault = "1 s delay"
)

// Smart-HTTP exchanges the proxy tells apart.
const (
	uploadAdv   = "info/refs?service=git-upload-pack"
	receiveAdv  = "info/refs?service=git-receive-pack"
	uploadPack  = "git-upload-pack"
	receivePack = "git-receive-pack"
)

type faultProxy struct {
	git *gitServer
	srv *httptest.Server

	mu     sync.Mutex
	plan   map[string][]fault // consumed in order, then pass
	always map[string]fault   // when set, every request of the kind
	seen   map[string]int
}

func newFaultProxy(t *testing.T, s *gitServer) *faultProxy {
	p := &faultProxy{git: s, plan: map[string][]fault{}, always: map[string]fault{}, seen: map[string]int{}}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func kindOf(r *http.Request) string {
	switch {
	case strings.HasSuffix(r.URL.Path, "/info/refs"):
		return "info/refs?service=" + r.URL.Query().Get("service")
	case strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
		return uploadPack
	case strings.HasSuffix(r.URL.Path, "/git-receive-pack"):
		return receivePack
	}
	return r.URL.Path
}

// inject queues faults for the next requests of kind.
func (p *faultProxy) inject(kind string, faults ...fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan[kind] = append(p.plan[kind], faults...)
}

func (p *faultProxy) setAlways(kind string, f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.always[kind] = f
}

func (p *faultProxy) count(kind string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[kind]
}

// pending says which planned faults were never hit, so a test cannot pass
// without its faults having happened.
func (p *faultProxy) pending() map[string][]fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string][]fault{}
	for k, v := range p.plan {
		if len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := kindOf(r)
	p.mu.Lock()
	p.seen[kind]++
	f, ok := p.always[kind]
	if !ok {
		f = pass
		if q := p.plan[kind]; len(q) > 0 {
			f, p.plan[kind] = q[0], q[1:]
		}
	}
	p.mu.Unlock()

	switch f {
	case fail503:
		http.Error(w, "upstream busy", http.StatusServiceUnavailable)
	case fail429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case resetConn:
		hangUp(w, true)
	case dropReply:
		p.git.ServeHTTP(httptest.NewRecorder(), r)
		hangUp(w, false)
	case slow:
		time.Sleep(time.Second)
		p.git.ServeHTTP(w, r)
	default:
		p.git.ServeHTTP(w, r)
	}
}

// hangUp closes the client's connection without an answer; reset sends a TCP RST.
func hangUp(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// remote is repo reached through the proxy, retried under policy.
func (p *faultProxy) remote(repo string, policy retry.Policy) Remote {
	r := p.git.remote(repo)
	r.URL = strings.Replace(r.URL, p.git.srv.URL, p.srv.URL, 1)
	r.Retry = policy
	return r
}

// fastRetries keeps the exponential waits short; Retry-After still wins.
var fastRetries = retry.Policy{MaxRetries: 4, WaitMin: time.Millisecond, WaitMax: 10 * time.Millisecond}

func checkAllFaultsHit(t *testing.T, p *faultProxy) {
	t.Helper()
	if left := p.pending(); len(left) > 0 {
		t.Fatalf("faults never injected: %v", left)
	}
}

// TestFaults_readsAreRetried: Head, ResolveRef and HeadTree survive each kind of fault
// on the ref advertisement and the upload-pack request.
func TestFaults_readsAreRetried(t *testing.T) {
	s, devHead, _ := setup(t)
	wantTree := s.git(t, "dev", "rev-parse", devHead+"^{tree}")
	p := newFaultProxy(t, s)
	ctx := testCtx(t)
	src := p.remote("dev", fastRetries)
	for _, f := range []fault{fail503, fail429, resetConn, dropReply} {
		t.Run(string(f), func(t *testing.T) {
			p.inject(uploadAdv, f)
			if head, err := Head(ctx, src, ""); err != nil || head != devHead {
				t.Fatalf("Head = %s, %v; want %s", head, err, devHead)
			}
			p.inject(uploadAdv, f)
			if sha, err := ResolveRef(ctx, src, "master"); err != nil || sha != devHead {
				t.Fatalf("ResolveRef = %s, %v; want %s", sha, err, devHead)
			}
			p.inject(uploadAdv, f)
			p.inject(uploadPack, f)
			commit, tree, err := HeadTree(ctx, src, "")
			if err != nil || commit != devHead || tree != wantTree {
				t.Fatalf("HeadTree = %s %s, %v; want %s %s", commit, tree, err, devHead, wantTree)
			}
			checkAllFaultsHit(t, p)
		})
	}
}

// TestFaults_promoteThroughEveryFault: one promotion meets every fault on every exchange,
// including a 503 on the push (never forwarded) and a push whose answer is dropped after
// the server applied it. It succeeds with exactly one new commit, pushed once.
func TestFaults_promoteThroughEveryFault(t *testing.T) {
	s, devHead, prodHead := setup(t)
	p := newFaultProxy(t, s)
	p.inject(uploadAdv, fail503, resetConn, slow, fail429, dropReply)
	p.inject(uploadPack, dropReply, fail503, resetConn)
	p.inject(receiveAdv, resetConn, fail503, dropReply)
	p.inject(receivePack, fail503, dropReply)
	_, l := promoteThroughFaults(t, s, p, devHead, prodHead)
	if recv, _ := s.counts("prod"); recv != 1 {
		t.Fatalf("the server received %d pushes, want 1", recv)
	}
	if strings.Contains(l, testPass) || !strings.Contains(l, "retrying Git request") || !strings.Contains(l, "answer was lost") {
		t.Fatalf("logs leak the password or miss the retries:\n%s", l)
	}
}

// promoteThroughFaults promotes devHead from dev to prod through the fault proxy p, asserts
// that every injected fault was met and that prod gained one commit, and returns the logs.
func promoteThroughFaults(t *testing.T, s *gitServer, p *faultProxy, devHead, prodHead string) (*Result, string) {
	t.Helper()
	logs := &logRecorder{}
	res, err := Promote(testCtx(t), Request{
		Source: p.remote("dev", fastRetries), SourceCommit: devHead,
		Dest: p.remote("prod", fastRetries), WorkDir: t.TempDir(), Logf: logs.logf,
	})
	if err != nil {
		t.Fatalf("Promote: %v\n%s", err, logs)
	}
	checkAllFaultsHit(t, p)
	checkOnePromotion(t, s, res, devHead, prodHead)
	return res, logs.String()
}

// checkOnePromotion asserts that prod's master is res.DestCommit, one commit on top of
// prodHead, with dev's tree.
func checkOnePromotion(t *testing.T, s *gitServer, res *Result, devHead, prodHead string) {
	t.Helper()
	if !res.Pushed || res.PreviousDestHead != prodHead {
		t.Fatalf("result %+v; want a push on top of %s", res, prodHead)
	}
	if got := s.git(t, "prod", "rev-parse", "master"); got != res.DestCommit {
		t.Fatalf("prod master = %s, result says %s", got, res.DestCommit)
	}
	if got := s.git(t, "prod", "rev-list", "--count", prodHead+"..master"); got != "1" {
		t.Fatalf("prod gained %s commits, want exactly 1", got)
	}
	if got, want := s.git(t, "prod", "rev-parse", "master^{tree}"), s.git(t, "dev", "rev-parse", devHead+"^{tree}"); got != want {
		t.Fatalf("prod tree %s, want %s", got, want)
	}
	s.git(t, "prod", "fsck", "--strict")
}

// TestFaults_droppedPushAnswerIsSettled: the server applies the push but its answer is
// lost. The engine reads the branch back, reports success and does not push again.
func TestFaults_droppedPushAnswerIsSettled(t *testing.T) {
	s, devHead, prodHead := setup(t)
	p := newFaultProxy(t, s)
	p.inject(receivePack, dropReply)
	promoteThroughFaults(t, s, p, devHead, prodHead)
	if recv, _ := s.counts("prod"); recv != 1 || p.count(receivePack) != 1 {
		t.Fatalf("pushes: server %d, proxy %d; want 1 and 1 (never pushed twice)", recv, p.count(receivePack))
	}
}

// TestFaults_unansweredPushIsSentAgain: pushes that never reached the server (a 503, a
// 429, a reset) leave the branch at its old head, so the engine sends the push again.
func TestFaults_unansweredPushIsSentAgain(t *testing.T) {
	s, devHead, prodHead := setup(t)
	p := newFaultProxy(t, s)
	p.inject(receivePack, fail503, fail429, resetConn)
	promoteThroughFaults(t, s, p, devHead, prodHead)
	if recv, _ := s.counts("prod"); recv != 1 || p.count(receivePack) != 4 {
		t.Fatalf("pushes: server %d, proxy %d; want 1 and 4", recv, p.count(receivePack))
	}
}

// TestFaults_realisticSize promotes a few MiB of incompressible files while the big
// upload-pack answer and the big push are each dropped after the server did the work.
func TestFaults_realisticSize(t *testing.T) {
	s := newGitServer(t)
	s.newRepo(t, "dev")
	s.newRepo(t, "prod")
	devHead := s.commitGenerated(t, "dev", 4<<20)
	prodHead := s.commit(t, "prod", "master", map[string]string{"README.md": "# prod\n"}, "Template")
	p := newFaultProxy(t, s)
	p.inject(uploadPack, dropReply, resetConn)
	p.inject(receivePack, dropReply)
	res, _ := promoteThroughFaults(t, s, p, devHead, prodHead)
	if res.PackBytes < 4<<20 {
		t.Fatalf("pack of %d bytes; want the generated 4 MiB", res.PackBytes)
	}
	if recv, _ := s.counts("prod"); recv != 1 {
		t.Fatalf("the server received %d pushes, want 1", recv)
	}
}

// TestFaults_giveUpSaysHowManyAttempts: a remote that always answers 503 is tried
// 1 + MaxRetries times, and the error says so without the password.
func TestFaults_giveUpSaysHowManyAttempts(t *testing.T) {
	s, devHead, prodHead := setup(t)
	p := newFaultProxy(t, s)
	policy := retry.Policy{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond}
	ctx := testCtx(t)

	p.setAlways(uploadAdv, fail503)
	_, err := Head(ctx, p.remote("dev", policy), "")
	checkGaveUp(t, err, "list refs", 3)
	if n := p.count(uploadAdv); n != 3 {
		t.Fatalf("the proxy saw %d ref advertisements, want 3", n)
	}
	p.setAlways(uploadAdv, pass)

	p.setAlways(receivePack, fail503)
	_, err = Promote(ctx, Request{Source: p.remote("dev", policy), SourceCommit: devHead, Dest: p.remote("prod", policy), WorkDir: t.TempDir()})
	checkGaveUp(t, err, "push to", 3)
	if n := p.count(receivePack); n != 3 {
		t.Fatalf("the proxy saw %d pushes, want 3", n)
	}
	if got := s.git(t, "prod", "rev-parse", "master"); got != prodHead {
		t.Fatalf("prod master moved to %s although no push reached the server", got)
	}
}

func checkGaveUp(t *testing.T, err error, op string, attempts int) {
	t.Helper()
	var own *Error
	if !errors.As(err, &own) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	msg := err.Error()
	want := "after " + strconv.Itoa(attempts) + " attempts: HTTP 503 Service Unavailable"
	if !strings.Contains(msg, op) || !strings.Contains(msg, want) || strings.Contains(msg, testPass) {
		t.Fatalf("error %q; want %q and %q, without the password", msg, op, want)
	}
}

// TestFaults_zeroRetriesIsOneAttempt: MaxRetries 0 (the zero policy) sends each request once.
func TestFaults_zeroRetriesIsOneAttempt(t *testing.T) {
	s, _, prodHead := setup(t)
	p := newFaultProxy(t, s)
	p.setAlways(uploadAdv, fail503)
	_, err := Head(testCtx(t), p.remote("prod", retry.Policy{}), "")
	if err == nil || strings.Contains(err.Error(), "after") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Head = %v; want the 503, with no retry", err)
	}
	if n := p.count(uploadAdv); n != 1 {
		t.Fatalf("the proxy saw %d requests, want 1", n)
	}
	p.setAlways(uploadAdv, pass)
	if head, err := Head(testCtx(t), p.remote("prod", retry.Policy{}), ""); err != nil || head != prodHead {
		t.Fatalf("Head = %s, %v", head, err)
	}
}

// TestFaults_deadlineBoundsRetries: a Retry-After longer than the caller's deadline ends
// the retries at the deadline with a context error that names the last failure.
func TestFaults_deadlineBoundsRetries(t *testing.T) {
	s, devHead, _ := setup(t)
	p := newFaultProxy(t, s)
	p.setAlways(uploadAdv, fail429) // Retry-After: 1, beyond the deadline below
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Promote(ctx, Request{Source: p.remote("dev", retry.Policy{MaxRetries: 20}), SourceCommit: devHead,
		Dest: p.remote("prod", retry.Policy{MaxRetries: 20}), WorkDir: t.TempDir()})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Promote = %v; want DeadlineExceeded", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "after 1 attempt:") || !strings.Contains(msg, "HTTP 429") {
		t.Fatalf("error %q should name the attempts and the last failure", msg)
	}
	if n := p.count(uploadAdv); n != 1 {
		t.Fatalf("the proxy saw %d requests; the deadline should have stopped the retries after 1", n)
	}
}

// TestFaults_deadlineDuringARequestIsATimeout: a deadline that expires while a slow
// answer is awaited is reported as a timeout, not as an anonymous transport error.
func TestFaults_deadlineDuringARequestIsATimeout(t *testing.T) {
	s, devHead, _ := setup(t)
	p := newFaultProxy(t, s)
	p.setAlways(uploadPack, slow)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := Promote(ctx, Request{Source: p.remote("dev", fastRetries), SourceCommit: devHead,
		Dest: p.remote("prod", fastRetries), WorkDir: t.TempDir()})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Promote = %v; want DeadlineExceeded", err)
	}
}
