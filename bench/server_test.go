package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sb "github.com/switchboard/switchboard"
	sbhttp "github.com/switchboard/switchboard/http"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/sqlite"
)

// The tests run the tool against the real server (SQLite, the writer, the
// HTTP API, metrics), wired here as cmd/switchboard wires it for `serve`
// (package main cannot be imported): in this process for workloads, in a
// child process of the test binary for --restart.

// TestMain serves in a child process when TestRestart asks.
func TestMain(m *testing.M) {
	if v := os.Getenv("SB_BENCH_SERVE_CHILD"); v != "" {
		addr, data, _ := strings.Cut(v, " ")
		serveChild(addr, data)
		return
	}
	os.Exit(m.Run())
}

// testServer is the Server the tests give the tool.
var testServer = Server{
	Start: func(ctx context.Context, data, adminToken string, log *slog.Logger) (string, func() error, error) {
		return startTestServer(ctx, "127.0.0.1:0", data, adminToken, log)
	},
	Command: func(addr, data string) (*exec.Cmd, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SB_BENCH_SERVE_CHILD="+addr+" "+data)
		return cmd, nil
	},
}

// runTool runs `switchboard bench args` against testServer.
func runTool(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := ParseFlags(args, func(string) string { return "" }, stderr)
	if err != nil {
		return err
	}
	return Run(ctx, cfg, testServer, stdout, stderr)
}

// startTestServer serves the data folder's database on addr, with the admin
// token adminToken when it is not empty, until stop.
func startTestServer(ctx context.Context, addr, data, adminToken string, log *slog.Logger) (string, func() error, error) {
	store, err := sqlite.Open(ctx, filepath.Join(data, "switchboard.db"))
	if err != nil {
		return "", nil, err
	}
	app := server.New(store, log)
	reg := prometheus.NewRegistry()
	app.RegisterMetrics(reg)
	h := sbhttp.NewHandler(app, log, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), nil)
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		err = app.Open(ctx)
	}
	if err == nil && adminToken != "" {
		err = store.Commit(ctx, &sb.Batch{Tokens: []sb.Token{{ID: "admin", Hash: server.HashToken(adminToken), Role: sb.RoleAdmin, CreatedAt: time.Now().UTC()}}})
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		store.Close()
		return "", nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { app.Run(runCtx); close(done) }()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(app.Broker.CloseAll)
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() error {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		err := srv.Shutdown(sctx)
		cancel()
		<-done
		return errors.Join(err, store.Close())
	}, nil
}

// serveChild serves data on addr until SIGTERM, then exits.
func serveChild(addr, data string) {
	if err := serveUntilTerm(addr, data); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveUntilTerm(addr, data string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	_, stopServer, err := startTestServer(ctx, addr, data, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	<-ctx.Done()
	return stopServer()
}
