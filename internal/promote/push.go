package promote

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// push sends newHead as the branch's head, expecting the server to be at
// oldHead (zero: branch absent). It returns errRace when the branch moved.
//
// go-git's own HTTP push encodes the whole request, pack included, into a
// bytes.Buffer before sending it. Here the pack is written to a file in the
// workspace and the request body streams from it with a known length, so
// memory stays flat whatever the repository size.
func (w *workspace) push(ctx context.Context, r Remote, branch string, oldHead, newHead plumbing.Hash) (int64, error) {
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
	pack, size, err := w.writePack(hashes)
	if err != nil {
		return 0, err
	}
	defer func() { _ = pack.Close(); _ = os.Remove(pack.Name()) }()

	// Checking the advertisement first turns the common race into a cheap
	// retry instead of uploading a pack the server will refuse.
	ar, err := receivePackRefs(ctx, r)
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

	body := io.MultiReader(&head, pack)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(r.URL, "git-receive-pack"), body)
	if err != nil {
		return 0, err
	}
	hreq.ContentLength = int64(head.Len()) + size
	hreq.Header.Set("Content-Type", "application/x-git-receive-pack-request")
	hreq.Header.Set("Accept", "application/x-git-receive-pack-result")
	hreq.Header.Set("User-Agent", capability.DefaultAgent())
	if r.Auth != nil {
		hreq.SetBasicAuth(r.Auth.Username, r.Auth.Password)
	}
	client, err := r.httpClient()
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if err := githttp.NewErr(resp); err != nil {
		return 0, err
	}
	if !useReport {
		// Without report-status the only verdict is the ref itself.
		_, _ = io.Copy(io.Discard, resp.Body)
		return size, w.verify(ctx, r, ref, oldHead, newHead, "server sent no report")
	}
	report := packp.NewReportStatus()
	if err := report.Decode(resp.Body); err != nil {
		return 0, fmt.Errorf("read push report: %w", err)
	}
	if report.UnpackStatus != "ok" {
		return 0, fmt.Errorf("destination could not unpack the pushed objects: %s", report.UnpackStatus)
	}
	for _, cs := range report.CommandStatuses {
		if cs.ReferenceName == ref && cs.Status != "ok" {
			return 0, w.verify(ctx, r, ref, oldHead, newHead, cs.Status)
		}
	}
	return size, nil
}

// verify decides what a refused or unreported update means: a branch that
// moved away from oldHead is a lost race (retry); anything else is a real refusal.
func (w *workspace) verify(ctx context.Context, r Remote, ref plumbing.ReferenceName, oldHead, newHead plumbing.Hash, reason string) error {
	ar, err := receivePackRefs(ctx, r)
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

// writePack encodes the objects into a pack file without delta search:
// delta search keeps object contents in memory, and promoted trees are
// usually new to the destination anyway.
func (w *workspace) writePack(hashes []plumbing.Hash) (*os.File, int64, error) {
	f, err := os.CreateTemp(w.dir, "push-*.pack")
	if err != nil {
		return nil, 0, fmt.Errorf("create pack file: %w", err)
	}
	fail := func(err error) (*os.File, int64, error) {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, 0, fmt.Errorf("write pack: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err := packfile.NewEncoder(bw, w.store, false).Encode(hashes, 0); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fail(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, size, nil
}

func endpoint(base, service string) string {
	return strings.TrimSuffix(base, "/") + "/" + service
}

// receivePackRefs fetches the receive-pack advertisement through go-git,
// which maps 401/403/404 to its transport errors.
func receivePackRefs(ctx context.Context, r Remote) (*packp.AdvRefs, error) {
	ep, err := r.endpoint()
	if err != nil {
		return nil, err
	}
	sess, err := githttp.DefaultClient.NewReceivePackSession(ep, r.auth())
	if err != nil {
		return nil, err
	}
	defer func() { _ = sess.Close() }()
	return sess.AdvertisedReferencesContext(ctx)
}

func advertised(ar *packp.AdvRefs, ref plumbing.ReferenceName) plumbing.Hash {
	if h, ok := ar.References[ref.String()]; ok {
		return h
	}
	return plumbing.ZeroHash
}
