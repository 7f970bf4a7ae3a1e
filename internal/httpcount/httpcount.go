// Package httpcount counts the body bytes of HTTP requests and answers, for the servers and
// proxies that report traffic (the local Git server, the benchmark proxy, test servers). It
// only wraps net/http types; it never imports Terraform, the provider or the client.
package httpcount

import (
	"io"
	"net/http"
	"sync/atomic"
)

// Reader counts the bytes read from a request body. The count is atomic because a
// reverse proxy's transport may still read the body from another goroutine after the
// answer is back.
type Reader struct {
	r io.ReadCloser
	n atomic.Int64
}

// NewReader counts what is read from r.
func NewReader(r io.ReadCloser) *Reader { return &Reader{r: r} }

// Read reads from the wrapped body and counts the bytes.
func (c *Reader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Close closes the wrapped body.
func (c *Reader) Close() error { return c.r.Close() }

// N is the number of bytes read so far.
func (c *Reader) N() int64 { return c.n.Load() }

// Writer counts the body bytes of an answer. Read N once the handler has returned.
type Writer struct {
	http.ResponseWriter
	n int64
}

// NewWriter counts what is written to w.
func NewWriter(w http.ResponseWriter) *Writer { return &Writer{ResponseWriter: w} }

// Write writes to the wrapped writer and counts the bytes.
func (c *Writer) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Flush passes flushes on, so streamed answers are not held back.
func (c *Writer) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (c *Writer) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// N is the number of body bytes written so far.
func (c *Writer) N() int64 { return c.n }
