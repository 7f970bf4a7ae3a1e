package localcluster

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
	maxBodyBytes    = 10 << 20
)

// decodeJSON reads a JSON body into v: 400/2013 when it is not JSON. An empty
// body decodes as {} when optional is true.
func decodeJSON(r *http.Request, v any, optional bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return errf(http.StatusBadRequest, codeInvalidJSON, "cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return errf(http.StatusBadRequest, codeInvalidJSON, "Invalid JSON: empty request body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errf(http.StatusBadRequest, codeInvalidJSON, "Invalid JSON: %v", err)
	}
	return nil
}

// decodeAdminJSON serves the admin-only routes that take a body: it checks that the
// caller holds the admin key, then decodes the body into v as decodeJSON does.
func (c *Cluster) decodeAdminJSON(r *http.Request, v any, optional bool) error {
	if err := c.requireAdmin(r); err != nil {
		return err
	}
	return decodeJSON(r, v, optional)
}

// baseURL is the scheme and Host of the incoming request, so links work behind
// any listener (several clusters run side by side on random ports).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func padSeq(n uint64) string { return fmt.Sprintf("%020d", n) }

// pageRequest is a parsed limit + marker (CONTRACT.md §4).
type pageRequest struct {
	limit int
	after string // sort key of the last item of the previous page; "" = first page
}

// markerBody is the decoded marker: base64url (unpadded) JSON of the last key.
type markerBody struct {
	Key string `json:"k"`
}

// parsePage reads limit and marker; without limit the page holds Options.PageSize items.
func (c *Cluster) parsePage(r *http.Request) (pageRequest, error) {
	p := pageRequest{limit: c.opts.PageSize}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return p, errInvalidLimit
		}
		p.limit = n
	}
	if m := q.Get("marker"); m != "" {
		raw, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			return p, errInvalidMarker
		}
		var mb markerBody
		if err := json.Unmarshal(raw, &mb); err != nil || mb.Key == "" {
			return p, errInvalidMarker
		}
		p.after = mb.Key
	}
	return p, nil
}

// pagedList is the CONTRACT.md §4 envelope; marker and next_link are null on the last page.
type pagedList struct {
	Marker   *string `json:"marker"`
	NextLink *string `json:"next_link"`
	Results  any     `json:"results"`
}

// paginate cuts one page out of items, which must already be in output order
// with unique sort keys; desc says whether keys descend along the list. A
// marker whose item has vanished still resumes at the right place.
func paginate[T any](r *http.Request, p pageRequest, items []T, key func(T) string, desc bool) pagedList {
	start := 0
	if p.after != "" {
		start = len(items)
		for i, it := range items {
			k := key(it)
			if (!desc && k > p.after) || (desc && k < p.after) {
				start = i
				break
			}
		}
	}
	end := min(start+p.limit, len(items))
	page := append([]T{}, items[start:end]...)
	out := pagedList{Results: page}
	if end < len(items) {
		raw, _ := json.Marshal(markerBody{Key: key(items[end-1])})
		m := base64.RawURLEncoding.EncodeToString(raw)
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(p.limit))
		q.Set("marker", m)
		link := baseURL(r) + r.URL.EscapedPath() + "?" + q.Encode()
		out.Marker, out.NextLink = &m, &link
	}
	return out
}

// boolQuery parses an optional boolean query parameter such as published=true.
func boolQuery(q url.Values, name string) (*bool, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, errf(http.StatusBadRequest, codeInvalidRequest, "query parameter %s must be true or false", name)
	}
	return &b, nil
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
