package main

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfigFlagsAndEnv(t *testing.T) {
	env := map[string]string{
		"ALGORITHMIA_LOCAL_DATA_DIR":       "/from/env",
		"ALGORITHMIA_LOCAL_ADMIN_KEY":      "envkey",
		"ALGORITHMIA_LOCAL_BUILD_DURATION": "3s",
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig([]string{"--listen", "127.0.0.1:0", "--admin-key", "flagkey"}, getenv, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.listen != "127.0.0.1:0" || cfg.dataDir != "/from/env" || cfg.adminKey != "flagkey" || cfg.buildDuration != 3*time.Second {
		t.Fatalf("flags must override env, env must fill the rest: %+v", cfg)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--admin-key", "k"}, "--data-dir"},
		{[]string{"--data-dir", "d"}, "--admin-key"},
		{[]string{"--data-dir", "d", "--admin-key", "k", "--tls-cert", "c"}, "go together"},
	} {
		_, err := parseConfig(tc.args, func(string) string { return "" }, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error mentioning %q", tc.args, err, tc.want)
		}
	}
}

func TestHelpDocumentsEveryFlagAndGit(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"--help"}, func(string) string { return "" }, &out)
	if err == nil {
		t.Fatal("--help must stop")
	}
	for _, want := range []string{"-listen", "-data-dir", "-admin-key", "-build-duration", "-tls-cert", "-tls-key", "-tls-self-signed", "ALGORITHMIA_LOCAL_LISTEN", "git http-backend", "git executable"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %q:\n%s", want, out.String())
		}
	}
}

func TestSelfSignedCertIsTrustedThroughItsCA(t *testing.T) {
	dir := t.TempDir()
	cert, caPath, err := selfSignedCert(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if caPath != filepath.Join(dir, "tls", "ca.pem") {
		t.Fatalf("CA path %s", caPath)
	}
	pemBytes, err := os.ReadFile(caPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("CA file holds no certificate")
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Fatalf("server certificate does not verify against the CA: %v", err)
	}
	// A restart reuses the CA, so clients keep trusting the cluster.
	if _, _, err := selfSignedCert(dir, "localhost:8443"); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(caPath)
	if !bytes.Equal(pemBytes, again) {
		t.Fatal("CA changed across restarts")
	}
}
