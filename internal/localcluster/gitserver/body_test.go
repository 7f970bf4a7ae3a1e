package gitserver

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// postUploadPack posts body to alice/Hello's upload-pack as a protocol v2 request, with
// Content-Encoding set to encoding unless it is empty, and returns the status and body.
func postUploadPack(t *testing.T, f *fixture, body io.Reader, encoding string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/git/alice/Hello.git/git-upload-pack", body)
	req.SetBasicAuth(testUser, testKey)
	req.Header.Set("Content-Type", "application/x-git-upload-pack-request")
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	req.Header.Set("Git-Protocol", "version=2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// paddedLsRefs is a protocol v2 ls-refs request padded with flush packets by pad bytes; an
// io.MultiReader has no known length, so net/http sends it chunked, as the git CLI does
// above http.postBuffer.
func paddedLsRefs(pad int) io.Reader {
	return io.MultiReader(strings.NewReader("0014command=ls-refs\n0000"), strings.NewReader(strings.Repeat("0000", pad/4)))
}

func TestHandler_chunkedRequestBody(t *testing.T) {
	f := newFixture(t)
	sha := f.createHello(t)
	f.repos.MaxRequestBytes = 4096
	tests := []struct {
		name   string
		pad    int
		status int
		want   string
	}{
		{"within the limit", 1024, http.StatusOK, sha + " refs/heads/master"},
		{"above the limit", 8192, http.StatusRequestEntityTooLarge, "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, out := postUploadPack(t, f, paddedLsRefs(tc.pad), "")
			if status != tc.status || !strings.Contains(out, tc.want) {
				t.Fatalf("status %d, body %q; want %d with %q", status, out, tc.status, tc.want)
			}
			left, err := os.ReadDir(f.repos.tmpDir())
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Fatalf("spooled body left in the work area: %v", left)
			}
		})
	}
}
