package provider

import "testing"

func TestShortKeyMask(t *testing.T) {
	tests := []struct{ platform, want string }{
		{"sim*************9ec8", "****9ec8"}, // a 20-character key: 7 characters shown by the platform, 4 here
		{"abc**/+==", "****/+=="},
		{"********", "********"}, // short keys are all stars on the platform
		{"", "****"},
	}
	for _, tc := range tests {
		if got := shortKeyMask(tc.platform); got != tc.want {
			t.Errorf("shortKeyMask(%q) = %q, want %q", tc.platform, got, tc.want)
		}
	}
}
