// Conversions between Terraform values (types.String, Int64, List, Map, ...) and the Go
// values of the client, in one place.

package provider

import (
	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// optionalString maps the platform's empty string to null, so unset optional values stay null.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// knownBool is v, or def when v is null or unknown.
func knownBool(v types.Bool, def bool) types.Bool {
	if v.IsNull() || v.IsUnknown() {
		return types.BoolValue(def)
	}
	return v
}

// stringOr returns the configured value, or fallback when the attribute is null or empty.
func stringOr(v types.String, fallback string) string {
	if s := v.ValueString(); s != "" {
		return s
	}
	return fallback
}
