package main

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
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

func TestParseConfigFaults(t *testing.T) {
	required := []string{"--data-dir", "d", "--admin-key", "k"}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    localcluster.FaultConfig
		wantErr string
	}{
		{name: "off by default", want: localcluster.FaultConfig{}},
		{
			name: "flags",
			args: []string{"--fault-rate", "0.25", "--fault-kinds", "503,reset,DROP", "--fault-seed", "42", "--fault-methods", "post,PUT"},
			want: localcluster.FaultConfig{Rate: 0.25, Kinds: []localcluster.FaultKind{"503", "reset", "drop"}, Seed: 42, Methods: []string{"POST", "PUT"}},
		},
		{
			name: "environment, overridden by a flag",
			args: []string{"--fault-seed", "7"},
			env:  map[string]string{"ALGORITHMIA_LOCAL_FAULT_RATE": "1", "ALGORITHMIA_LOCAL_FAULT_KINDS": "429", "ALGORITHMIA_LOCAL_FAULT_SEED": "3", "ALGORITHMIA_LOCAL_FAULT_METHODS": "DELETE"},
			want: localcluster.FaultConfig{Rate: 1, Kinds: []localcluster.FaultKind{"429"}, Seed: 7, Methods: []string{"DELETE"}},
		},
		{name: "rate above 1", args: []string{"--fault-rate", "1.5"}, wantErr: `--fault-rate (or ALGORITHMIA_LOCAL_FAULT_RATE): "1.5" is not a probability between 0 and 1`},
		{name: "rate not a number", args: []string{"--fault-rate", "half"}, wantErr: `--fault-rate (or ALGORITHMIA_LOCAL_FAULT_RATE): "half" is not a probability`},
		{name: "rate NaN", args: []string{"--fault-rate", "NaN"}, wantErr: "not a probability"},
		{name: "negative rate from env", env: map[string]string{"ALGORITHMIA_LOCAL_FAULT_RATE": "-0.1"}, wantErr: "--fault-rate (or ALGORITHMIA_LOCAL_FAULT_RATE)"},
		{name: "unknown kind", args: []string{"--fault-kinds", "503,timeout"}, wantErr: `--fault-kinds (or ALGORITHMIA_LOCAL_FAULT_KINDS): unknown fault kind "timeout"; the kinds are 503,429,reset,drop,delay`},
		{name: "empty kind", args: []string{"--fault-kinds", "503,"}, wantErr: "--fault-kinds (or ALGORITHMIA_LOCAL_FAULT_KINDS): empty fault kind"},
		{name: "negative seed", args: []string{"--fault-seed", "-1"}, wantErr: `--fault-seed (or ALGORITHMIA_LOCAL_FAULT_SEED): "-1" is not a whole number`},
		{name: "unknown method", args: []string{"--fault-methods", "POST,FETCH"}, wantErr: `--fault-methods (or ALGORITHMIA_LOCAL_FAULT_METHODS): unknown fault method "FETCH"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig(append(slices.Clone(required), tc.args...), func(k string) string { return tc.env[k] }, &bytes.Buffer{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.faults, tc.want) {
				t.Fatalf("faults %+v, want %+v", cfg.faults, tc.want)
			}
		})
	}
}

func TestHelpDocumentsEveryFlagAndGit(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"--help"}, func(string) string { return "" }, &out)
	if err == nil {
		t.Fatal("--help must stop")
	}
	for _, want := range []string{"-listen", "-data-dir", "-admin-key", "-build-duration", "-tls-cert", "-tls-key", "-tls-self-signed", "-fault-rate", "-fault-kinds", "-fault-seed", "-fault-methods", "ALGORITHMIA_LOCAL_FAULT_RATE", "Retry-After: 1", "ALGORITHMIA_LOCAL_LISTEN", "git http-backend", "git executable"} {
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
