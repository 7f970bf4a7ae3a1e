package provider

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestMaskSecretsHidesEscapedForms(t *testing.T) {
	const key = "k3y/with+sym=="
	var buf bytes.Buffer
	ctx := maskSecrets(tflogtest.RootLogger(context.Background(), &buf), key, "")
	for _, form := range []string{key, url.QueryEscape(key), url.PathEscape(key)} {
		tflog.Debug(ctx, "message with "+form, map[string]any{"field": "value " + form})
	}
	out := buf.String()
	if strings.Count(out, "value ") != 3 {
		t.Fatalf("expected three log lines:\n%s", out)
	}
	for _, form := range []string{key, url.QueryEscape(key), url.PathEscape(key)} {
		if strings.Contains(out, form) {
			t.Errorf("the log shows the key as %q:\n%s", form, out)
		}
	}
}
