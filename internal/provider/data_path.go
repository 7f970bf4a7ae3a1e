package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// Values of read_acl and the acl.read lists they stand for (CONTRACT.md §12.2).
const (
	readACLPrivate      = "private"
	readACLMyAlgorithms = "my_algorithms"
	readACLPublic       = "public"
)

var readACLValues = []string{readACLPrivate, readACLMyAlgorithms, readACLPublic}

// aclFromReadACL maps read_acl to the platform's acl.read list.
func aclFromReadACL(v string) algorithmia.DataACL {
	switch v {
	case readACLPrivate:
		return algorithmia.DataACL{Read: []string{}}
	case readACLPublic:
		return algorithmia.DataACL{Read: []string{algorithmia.ACLPublic}}
	default:
		return algorithmia.DataACL{Read: []string{algorithmia.ACLMyAlgorithms}}
	}
}

// readACLFromACL maps the platform's acl.read list to read_acl; false for a list
// this provider does not know.
func readACLFromACL(acl algorithmia.DataACL) (string, bool) {
	switch {
	case len(acl.Read) == 0:
		return readACLPrivate, true
	case len(acl.Read) == 1 && acl.Read[0] == algorithmia.ACLMyAlgorithms:
		return readACLMyAlgorithms, true
	case len(acl.Read) == 1 && acl.Read[0] == algorithmia.ACLPublic:
		return readACLPublic, true
	}
	return "", false
}

// dataPathKind is what a data path attribute must name.
type dataPathKind int

const (
	dataPathFile dataPathKind = iota
	dataPathCollection
)

// parseDataPathAs parses s and checks that it names a file (or a collection) with
// an explicit owner; the error text is written for a diagnostic.
func parseDataPathAs(s string, kind dataPathKind, allowMy bool) (algorithmia.DataPath, error) {
	want := "data://owner/collection/file"
	if kind == dataPathCollection {
		want = "data://owner/collection"
	}
	p, err := algorithmia.ParseDataPath(s)
	if err != nil {
		reason := err.Error()
		var pe *algorithmia.DataPathError
		if errors.As(err, &pe) {
			reason = pe.Reason
		}
		return p, fmt.Errorf("%q is not a valid data path: %s. Expected %s", s, reason, want)
	}
	if p.Owner == ".my" && !allowMy {
		return p, fmt.Errorf("%q uses the .my alias; name the owner explicitly (%s), so that the address in state does not depend on the key", s, want)
	}
	if p.Owner != ".my" && !nameRegexp.MatchString(p.Owner) {
		return p, fmt.Errorf("%q: the owner %q is not a valid user or organization name", s, p.Owner)
	}
	if p.Collection != "" && !nameRegexp.MatchString(p.Collection) {
		return p, fmt.Errorf("%q: the collection %q must start with a letter and contain only letters, digits and underscores", s, p.Collection)
	}
	switch kind {
	case dataPathFile:
		if !p.IsFile() {
			return p, fmt.Errorf("%q names no file. Expected %s", s, want)
		}
	case dataPathCollection:
		if !p.IsCollection() {
			return p, fmt.Errorf("%q names no collection. Expected %s", s, want)
		}
	}
	return p, nil
}

// dataPathValidator checks a data path attribute at plan time.
type dataPathValidator struct {
	kind    dataPathKind
	allowMy bool
}

func (v dataPathValidator) Description(context.Context) string {
	if v.kind == dataPathCollection {
		return "must be data://owner/collection"
	}
	return "must be data://owner/collection/file (one collection level, no empty segments, no . or ..)"
}

func (v dataPathValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v dataPathValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseDataPathAs(req.ConfigValue.ValueString(), v.kind, v.allowMy); err != nil {
		// Name the attribute: Terraform may show another line for a nested one.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid data path", req.Path.String()+": "+err.Error()+".")
	}
}
