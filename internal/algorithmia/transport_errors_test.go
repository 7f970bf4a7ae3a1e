package algorithmia

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestNoRetryOnWrongProtocol: an https:// address that points at a port which does not
// speak TLS fails on the first attempt; retrying cannot change the protocol.
func TestNoRetryOnWrongProtocol(t *testing.T) {
	var conns atomic.Int32
	// A plain-HTTP server (answers the TLS hello with an HTTP 400).
	plain := httptest.NewUnstartedServer(http.NotFoundHandler())
	plain.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	plain.Start()
	t.Cleanup(plain.Close)

	// A server that speaks neither HTTP nor TLS.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var rawConns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rawConns.Add(1)
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			_ = c.Close()
		}
	}()

	for _, tc := range []struct {
		name  string
		addr  string
		count *atomic.Int32
		want  string
	}{
		{"plain HTTP port", strings.Replace(plain.URL, "http://", "https://", 1), &conns, "HTTP response to HTTPS client"},
		{"not HTTP at all", "https://" + ln.Addr().String(), &rawConns, "does not look like a TLS handshake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, sink := newTestClient(t, tc.addr, nil) // MaxRetries 3
			_, err := c.ListLanguages(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if n := tc.count.Load(); n != 1 {
				t.Fatalf("%d connections, want 1 (no retry):\n%s", n, sink.dump())
			}
		})
	}
}

// TestHostileAnswersSayWhatIsWrong: an empty read or an endless body is reported as what
// it is, not as an empty list or a JSON syntax error.
func TestHostileAnswersSayWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"empty 200", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }, "empty body"},
		{"body over the bound", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"environments": ["`))
			chunk := []byte(strings.Repeat("x", 1<<20))
			for range maxResponseBytes>>20 + 1 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "larger than 64 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.handler)
			c, _ := newTestClient(t, ts.URL, nil)
			envs, err := c.ListEnvironments(context.Background(), "python3")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ListEnvironments = %v, %v; want an error with %q", envs, err, tc.want)
			}
		})
	}
}
