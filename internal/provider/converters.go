// Conversions between Terraform values (types.String, Int64, List, Map, ...) and the Go
// values of the client, in one place.

package provider

import "github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"

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
