package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpcount"
)

// Request kinds the proxy tells apart.
const (
	kindAPI        = "api"
	kindData       = "data"
	kindFetchRefs  = "fetch-refs" // GET info/refs?service=git-upload-pack: a ref advertisement
	kindFetchPack  = "fetch-pack" // POST git-upload-pack: a pack fetch
	kindPushRefs   = "push-refs"  // GET info/refs?service=git-receive-pack
	kindPushPack   = "push-pack"  // POST git-receive-pack: a push
	kindGitUnknown = "git-other"
)

// counts is what a proxy saw: requests by kind, body bytes each way, and the span of the
// data transfers (first data request in, last data answer out).
type counts struct {
	Requests  map[string]int
	Sent      int64 // request bodies: client -> cluster
	Received  int64 // answer bodies: cluster -> client
	dataStart time.Time
	dataEnd   time.Time
}

func (c counts) total() int {
	n := 0
	for _, v := range c.Requests {
		n += v
	}
	return n
}

// add merges o into c.
func (c *counts) add(o counts) {
	if c.Requests == nil {
		c.Requests = map[string]int{}
	}
	for k, v := range o.Requests {
		c.Requests[k] += v
	}
	c.Sent += o.Sent
	c.Received += o.Received
	if !o.dataStart.IsZero() && (c.dataStart.IsZero() || o.dataStart.Before(c.dataStart)) {
		c.dataStart = o.dataStart
	}
	if o.dataEnd.After(c.dataEnd) {
		c.dataEnd = o.dataEnd
	}
}

// bulk is the body size from which a data request counts as a transfer.
const bulk = 1 << 20

// proxy is a reverse proxy in front of one cluster that counts what goes through it.
type proxy struct {
	URL string
	srv *http.Server
	ln  net.Listener

	mu    sync.Mutex
	c     counts
	trace io.Writer // with BENCH_TRACE set: one line per request (start, kind, method, path, bytes each way, duration)
}

func classify(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1/data/"), strings.HasPrefix(p, "/v1/connector/"):
		return kindData
	case strings.HasPrefix(p, "/git/"):
		switch {
		case strings.HasSuffix(p, "/info/refs") && r.URL.Query().Get("service") == "git-upload-pack":
			return kindFetchRefs
		case strings.HasSuffix(p, "/info/refs") && r.URL.Query().Get("service") == "git-receive-pack":
			return kindPushRefs
		case strings.HasSuffix(p, "/git-upload-pack"):
			return kindFetchPack
		case strings.HasSuffix(p, "/git-receive-pack"):
			return kindPushPack
		}
		return kindGitUnknown
	}
	return kindAPI
}

func startProxy(target string) (*proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{URL: "http://" + ln.Addr().String(), ln: ln, c: counts{Requests: map[string]int{}}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, DisableCompression: true}
	rp.FlushInterval = -1 // stream Git and data answers as they come
	rp.ErrorLog = nil
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := classify(r)
		start := time.Now()
		in := httpcount.NewReader(r.Body)
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = in
		}
		cw := httpcount.NewWriter(w)
		rp.ServeHTTP(cw, r)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.trace != nil {
			fmt.Fprintf(p.trace, "%s %s %s %s?%s %d %d %s\n", start.Format("15:04:05.000"), kind, r.Method, r.URL.Path, r.URL.RawQuery,
				in.N(), cw.N(), time.Since(start).Round(time.Millisecond))
		}
		p.c.Requests[kind]++
		p.c.Sent += in.N()
		p.c.Received += cw.N()
		// The span of data transfers counts bulk bodies only, not listings and metadata.
		if kind == kindData && max(in.N(), cw.N()) >= bulk {
			if p.c.dataStart.IsZero() || start.Before(p.c.dataStart) {
				p.c.dataStart = start
			}
			p.c.dataEnd = time.Now()
		}
	}), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// take returns what the proxy counted since the last take, and starts counting anew.
func (p *proxy) take() counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.c
	p.c = counts{Requests: map[string]int{}}
	return c
}

func (p *proxy) close() { _ = p.srv.Close() }
