package httpcount

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReaderAndWriterCountBodies(t *testing.T) {
	in := NewReader(io.NopCloser(strings.NewReader("twelve bytes")))
	rec := httptest.NewRecorder()
	out := NewWriter(rec)
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Flush()
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if in.N() != 12 || out.N() != 12 {
		t.Fatalf("counted %d read and %d written, want 12 and 12", in.N(), out.N())
	}
	if rec.Body.String() != "twelve bytes" || !rec.Flushed {
		t.Fatalf("recorder got %q (flushed %v)", rec.Body, rec.Flushed)
	}
	if out.Unwrap() != rec {
		t.Fatal("Unwrap does not return the wrapped writer")
	}
}
