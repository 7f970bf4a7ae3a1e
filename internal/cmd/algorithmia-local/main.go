// Command algorithmia-local runs a local Algorithmia cluster: the management
// API under /v1 and Git smart HTTP under /git on one listener, with all state
// in a data directory. It is a thin shell around package localcluster; it
// never holds cluster logic of its own.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/localcluster"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "algorithmia-local:", err)
		os.Exit(2)
	}
}

// config is the parsed command line.
type config struct {
	listen        string
	dataDir       string
	adminKey      string
	buildDuration time.Duration
	tlsCert       string
	tlsKey        string
	tlsSelfSigned bool
	faults        localcluster.FaultConfig
}

const envPrefix = "ALGORITHMIA_LOCAL_"

// parseConfig reads flags, each of which defaults to its environment
// variable (ALGORITHMIA_LOCAL_<FLAG>), so containers need no command line.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("algorithmia-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(envPrefix + name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&cfg.listen, "listen", env("LISTEN", "127.0.0.1:8080"), "`address` to listen on; port 0 picks a free port (env "+envPrefix+"LISTEN)")
	fs.StringVar(&cfg.dataDir, "data-dir", env("DATA_DIR", ""), "`directory` holding all state: the store (cluster.db) and the Git repositories (git/); required (env "+envPrefix+"DATA_DIR)")
	fs.StringVar(&cfg.adminKey, "admin-key", env("ADMIN_KEY", ""), "the cluster admin API `key`; required (env "+envPrefix+"ADMIN_KEY)")
	bd, err := time.ParseDuration(env("BUILD_DURATION", "1s"))
	if err != nil {
		return cfg, fmt.Errorf("%sBUILD_DURATION: %w", envPrefix, err)
	}
	fs.DurationVar(&cfg.buildDuration, "build-duration", bd, "how long a build stays in-progress before it finishes (env "+envPrefix+"BUILD_DURATION)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", env("TLS_CERT", ""), "PEM certificate `file` to serve HTTPS with (with --tls-key) (env "+envPrefix+"TLS_CERT)")
	fs.StringVar(&cfg.tlsKey, "tls-key", env("TLS_KEY", ""), "PEM private key `file` for --tls-cert (env "+envPrefix+"TLS_KEY)")
	selfSigned := false
	if v := getenv(envPrefix + "TLS_SELF_SIGNED"); v != "" {
		if selfSigned, err = strconv.ParseBool(v); err != nil {
			return cfg, fmt.Errorf("%sTLS_SELF_SIGNED: %w", envPrefix, err)
		}
	}
	fs.BoolVar(&cfg.tlsSelfSigned, "tls-self-signed", selfSigned, "serve HTTPS with a certificate from a local CA kept in DATA_DIR/tls; prints the CA's PEM path for clients to trust (env "+envPrefix+"TLS_SELF_SIGNED)")
	faultRate := fs.String("fault-rate", env("FAULT_RATE", "0"), "fault injection: the `probability` (0 to 1) that a request is faulted; 0 turns it off (env "+envPrefix+"FAULT_RATE)")
	faultKinds := fs.String("fault-kinds", env("FAULT_KINDS", ""), "fault injection: comma-separated `kinds` to choose from, all by default: 503; 429 (with Retry-After: 1); reset (connection closed before the request is handled); drop (request handled and committed, then the connection closed without an answer); delay (1-3 s, then served) (env "+envPrefix+"FAULT_KINDS)")
	faultSeed := fs.String("fault-seed", env("FAULT_SEED", "0"), "fault injection: `seed` of the choices, for reproducible runs; 0 picks one and logs it (env "+envPrefix+"FAULT_SEED)")
	faultMethods := fs.String("fault-methods", env("FAULT_METHODS", ""), "fault injection: comma-separated HTTP `methods` that may be faulted, e.g. POST,PUT,PATCH,DELETE for writes only; all by default (env "+envPrefix+"FAULT_METHODS)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: algorithmia-local --data-dir DIR --admin-key KEY [flags]

Runs a local Algorithmia cluster: the management API under /v1 and Git smart
HTTP under /git, on one listener, so both the api. and git. host names can
point at it. All state lives under --data-dir and survives restarts.

Each SCM configuration (POST /v1/admin/scms) also gets a stand-in for its
GitHub, GitLab or Bitbucket under /ext/<scm id>/<owner>/<repository>; POST
/ext/<scm id>/-/tokens {"login": "..."} with the admin key issues a personal
access token of that host, which users connect with and Git takes as password.

Runtime dependency: the git executable must be on PATH; Git over HTTP is
served by "git http-backend".

Fault injection (off by default) fails a share of requests on purpose, API,
Data API and Git alike, to test clients' retries and recovery: --fault-rate
turns it on; each fault is logged and the seed in use is logged at start.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if cfg.faults, err = parseFaults(*faultRate, *faultKinds, *faultSeed, *faultMethods); err != nil {
		return cfg, err
	}
	switch {
	case cfg.dataDir == "":
		return cfg, errors.New("--data-dir (or " + envPrefix + "DATA_DIR) is required")
	case cfg.adminKey == "":
		return cfg, errors.New("--admin-key (or " + envPrefix + "ADMIN_KEY) is required")
	case (cfg.tlsCert == "") != (cfg.tlsKey == ""):
		return cfg, errors.New("--tls-cert and --tls-key go together")
	case cfg.tlsSelfSigned && cfg.tlsCert != "":
		return cfg, errors.New("--tls-self-signed and --tls-cert exclude each other")
	}
	return cfg, nil
}

// parseFaults turns the --fault-* values into the cluster's configuration,
// naming the flag at fault in every error.
func parseFaults(rate, kinds, seed, methods string) (localcluster.FaultConfig, error) {
	var f localcluster.FaultConfig
	var err error
	if f.Rate, err = strconv.ParseFloat(rate, 64); err != nil || f.Rate < 0 || f.Rate > 1 || math.IsNaN(f.Rate) {
		return f, fmt.Errorf("--fault-rate (or %sFAULT_RATE): %q is not a probability between 0 and 1", envPrefix, rate)
	}
	if f.Kinds, err = localcluster.ParseFaultKinds(kinds); err != nil {
		return f, fmt.Errorf("--fault-kinds (or %sFAULT_KINDS): %w", envPrefix, err)
	}
	if f.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return f, fmt.Errorf("--fault-seed (or %sFAULT_SEED): %q is not a whole number from 0 to %d", envPrefix, seed, uint64(math.MaxUint64))
	}
	if f.Methods, err = localcluster.ParseFaultMethods(methods); err != nil {
		return f, fmt.Errorf("--fault-methods (or %sFAULT_METHODS): %w", envPrefix, err)
	}
	return f, nil
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("git"); err != nil {
		return errors.New("the git executable was not found on PATH; algorithmia-local needs it to serve Git")
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cluster, err := localcluster.New(localcluster.Options{
		DataDir: cfg.dataDir, AdminKey: cfg.adminKey, BuildDuration: cfg.buildDuration, Logger: logger,
		Faults: cfg.faults,
	})
	if err != nil {
		return err
	}
	defer cluster.Close()

	srv := &http.Server{Handler: cluster.Handler(), ReadHeaderTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	scheme := "http"
	switch {
	case cfg.tlsCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	case cfg.tlsSelfSigned:
		cert, caPath, err := selfSignedCert(cfg.dataDir, cfg.listen)
		if err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
		fmt.Fprintf(stdout, "TLS CA certificate: %s\n", caPath)
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	if srv.TLSConfig != nil {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	base := scheme + "://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Algorithmia API: %s/v1\nGit:             %s/git\nExternal Git:    %s/ext/<scm id>\n", base, base, base)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	return cluster.Close()
}
