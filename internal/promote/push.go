package promote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// push sends newHead as the branch's head, expecting the server to be at
// oldHead (zero: branch absent). It returns errRace when the branch moved.
//
// go-git's own HTTP push encodes the whole request, pack included, into a
// bytes.Buffer before sending it. Here the pack is written to a file in the
// workspace and the request body streams from it with a known length, so
// memory stays flat whatever the repository size.
//
// A push whose answer is lost (a connection error, a retryable status, a report
// cut short) may or may not have landed, so it is settled by reading the branch
// back: at newHead it landed; still at oldHead it did not, and it is sent again
// under r.Retry; anywhere else another pusher won (errRace). It is never sent
// again without that check.
func (w *workspace) push(ctx context.Context, r Remote, branch string, oldHead, newHead plumbing.Hash, log logFunc) (int64, error) {
	ref := plumbing.ReferenceName("refs/heads/" + branch)
	var ignore []plumbing.Hash
	if !oldHead.IsZero() {
		ignore = []plumbing.Hash{oldHead}
	}
	// Everything reachable from the new commit that the old head does not
	// already reach: the commit plus the source tree's missing objects, never
	// the source's history.
	hashes, err := revlist.Objects(w.store, []plumbing.Hash{newHead}, ignore)
	if err != nil {
		return 0, fmt.Errorf("list objects to push: %w", err)
	}
	pack, size, st, err := w.writePack(hashes)
	if err != nil {
		return 0, err
	}
	log("pack written", map[string]any{"objects": st.Objects, "copied": st.Copied, "deltas": st.Deltas, "deflated": st.Whole, "pack_bytes": size})
	defer func() { _ = pack.Close(); _ = os.Remove(pack.Name()) }()

	// Checking the advertisement first turns the common race into a cheap
	// retry instead of uploading a pack the server will refuse.
	ar, err := receivePackRefs(ctx, r, log)
	if err != nil {
		return 0, err
	}
	if advertised(ar, ref) != oldHead {
		return 0, errRace
	}

	upd := packp.NewReferenceUpdateRequest()
	upd.Commands = []*packp.Command{{Name: ref, Old: oldHead, New: newHead}}
	useReport := ar.Capabilities.Supports(capability.ReportStatus)
	if useReport {
		_ = upd.Capabilities.Set(capability.ReportStatus)
	}
	_ = upd.Capabilities.Set(capability.Agent, capability.DefaultAgent())
	var head bytes.Buffer
	if err := upd.Encode(&head); err != nil {
		return 0, fmt.Errorf("encode push commands: %w", err)
	}
	client, err := r.httpClient()
	if err != nil {
		return 0, err
	}

	for n := 1; ; n++ {
		if _, err := pack.Seek(0, io.SeekStart); err != nil {
			return 0, fmt.Errorf("rewind pack: %w", err)
		}
		resp, lost, err := w.sendPack(ctx, client, r, ref, oldHead, newHead, head.Bytes(), pack, size, useReport)
		if lost == nil {
			if err != nil {
				return 0, err
			}
			return size, nil
		}
		// The answer is lost: read the branch back before anything else.
		ar, err := receivePackRefs(ctx, r, log)
		if err != nil {
			return 0, err
		}
		switch advertised(ar, ref) {
		case newHead:
			log("the push's answer was lost, but the branch is at the new commit", map[string]any{"attempt": n, "failure": describe(lost)})
			return size, nil
		case oldHead:
		default:
			return 0, errRace
		}
		if n > r.Retry.Retries() {
			if n == 1 {
				return 0, lost
			}
			return 0, &attemptsError{attempts: n, last: lost}
		}
		wait := r.Retry.Backoff(n, resp, time.Now())
		log("the push did not land; sending it again", map[string]any{"retry": n, "max_retries": r.Retry.Retries(),
			"wait": wait.String(), "failure": describe(lost)})
		if err := retry.Sleep(ctx, wait); err != nil {
			return 0, &attemptsError{attempts: n, last: lost, cut: err}
		}
	}
}

// sendPack makes one receive-pack request. lost is non-nil when the outcome is
// unknown and the policy would retry (then resp, if any, carries Retry-After);
// otherwise err is the verdict, nil when the branch was updated.
func (w *workspace) sendPack(ctx context.Context, client *http.Client, r Remote, ref plumbing.ReferenceName, oldHead, newHead plumbing.Hash,
	head []byte, pack io.Reader, size int64, useReport bool) (resp *http.Response, lost, err error) {
	body := io.MultiReader(bytes.NewReader(head), pack)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(r.URL, "git-receive-pack"), body)
	if err != nil {
		return nil, nil, err
	}
	hreq.ContentLength = int64(len(head)) + size
	hreq.Header.Set("Content-Type", "application/x-git-receive-pack-request")
	hreq.Header.Set("Accept", "application/x-git-receive-pack-result")
	hreq.Header.Set("User-Agent", capability.DefaultAgent())
	if r.Auth != nil {
		hreq.SetBasicAuth(r.Auth.Username, r.Auth.Password)
	}
	answer, err := client.Do(hreq)
	if err != nil {
		if retry.Retryable(ctx, nil, err) {
			return nil, err, nil
		}
		return nil, nil, err
	}
	defer func() { _ = answer.Body.Close() }()
	if retry.Retryable(ctx, answer, nil) {
		_, _ = io.Copy(io.Discard, io.LimitReader(answer.Body, 64<<10))
		return answer, &statusError{resp: answer}, nil
	}
	if err := githttp.NewErr(answer); err != nil {
		return nil, nil, err
	}
	if !useReport {
		// Without report-status the only verdict is the ref itself.
		_, _ = io.Copy(io.Discard, answer.Body)
		return nil, nil, w.verify(ctx, r, ref, oldHead, newHead, "server sent no report")
	}
	report := packp.NewReportStatus()
	if err := report.Decode(answer.Body); err != nil {
		err = fmt.Errorf("read push report: %w", err)
		if ctx.Err() == nil {
			return nil, err, nil // cut short: settled like a lost answer
		}
		return nil, nil, err
	}
	if report.UnpackStatus != "ok" {
		return nil, nil, fmt.Errorf("destination could not unpack the pushed objects: %s", report.UnpackStatus)
	}
	for _, cs := range report.CommandStatuses {
		if cs.ReferenceName == ref && cs.Status != "ok" {
			return nil, nil, w.verify(ctx, r, ref, oldHead, newHead, cs.Status)
		}
	}
	return nil, nil, nil
}

// verify decides what a refused or unreported update means: a branch that
// moved away from oldHead is a lost race (retry); anything else is a real refusal.
func (w *workspace) verify(ctx context.Context, r Remote, ref plumbing.ReferenceName, oldHead, newHead plumbing.Hash, reason string) error {
	ar, err := receivePackRefs(ctx, r, noLog)
	if err != nil {
		return err
	}
	switch advertised(ar, ref) {
	case newHead:
		return nil
	case oldHead:
		return fmt.Errorf("destination refused the update of %s: %s", ref, reason)
	default:
		return errRace
	}
}

// writePack writes the objects into a pack file (see writePackTo in pack.go:
// fetched entries are copied, not compressed again). It does no delta search:
// that keeps object contents in memory, and promoted trees are usually new to
// the destination anyway.
func (w *workspace) writePack(hashes []plumbing.Hash) (*os.File, int64, packStats, error) {
	var st packStats
	f, err := os.CreateTemp(w.dir, "push-*.pack")
	if err != nil {
		return nil, 0, st, fmt.Errorf("create pack file: %w", err)
	}
	fail := func(err error) (*os.File, int64, packStats, error) {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, 0, st, fmt.Errorf("write pack: %w", err)
	}
	if st, err = writePackTo(f, w.store, hashes); err != nil {
		return fail(err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fail(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, size, st, nil
}

func endpoint(base, service string) string {
	return strings.TrimSuffix(base, "/") + "/" + service
}

// receivePackRefs fetches the receive-pack advertisement through go-git, which
// maps 401/403/404 to its transport errors; it only reads, so it is retried
// under r.Retry.
func receivePackRefs(ctx context.Context, r Remote, log logFunc) (*packp.AdvRefs, error) {
	ep, err := r.endpoint()
	if err != nil {
		return nil, err
	}
	var ar *packp.AdvRefs
	err = withRetries(ctx, r.Retry, log, "read the destination branch", func() error {
		sess, err := githttp.DefaultClient.NewReceivePackSession(ep, r.auth())
		if err != nil {
			return err
		}
		defer func() { _ = sess.Close() }()
		ar, err = sess.AdvertisedReferencesContext(ctx)
		return err
	})
	return ar, err
}

func advertised(ar *packp.AdvRefs, ref plumbing.ReferenceName) plumbing.Hash {
	if h, ok := ar.References[ref.String()]; ok {
		return h
	}
	return plumbing.ZeroHash
}
