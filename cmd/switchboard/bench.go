package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/switchboard/switchboard/bench"
)

// runBench is `switchboard bench` (package bench): SIGINT or SIGTERM ends
// the measurement early and still reports.
func runBench(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := bench.ParseFlags(args, os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	return bench.Run(ctx, cfg, bench.Server{Start: startBenchServer, Command: serveCommand}, os.Stdout, os.Stderr)
}

// startBenchServer runs Main in this process on a free loopback port, with
// the heap floor as serve keeps it, for the load tool;
// SWITCHBOARD_WEBHOOK_CONCURRENCY sets its webhook concurrency as it does
// serve's.
func startBenchServer(ctx context.Context, data, adminToken string, log *slog.Logger) (addr string, stop func() error, err error) {
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.AdminToken = "127.0.0.1:0", data, adminToken
	if v := os.Getenv("SWITCHBOARD_WEBHOOK_CONCURRENCY"); v != "" {
		if m.Config.WebhookConcurrency, err = strconv.Atoi(v); err != nil || m.Config.WebhookConcurrency < 1 {
			return "", nil, fmt.Errorf("SWITCHBOARD_WEBHOOK_CONCURRENCY: %q is not a positive whole number", v)
		}
	}
	m.Log = log
	stopFloor := startHeapFloor(uint64(m.Config.HeapFloorMiB) << 20)
	if err := m.Run(ctx); err != nil {
		stopFloor()
		return "", nil, err
	}
	return m.Addr, func() error {
		defer stopFloor()
		return m.Close()
	}, nil
}

// serveCommand is this binary's `serve` on addr and data, for the load
// tool's --restart.
func serveCommand(addr, data string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, "serve", "--addr", addr, "--data", data, "--log-level", "error"), nil
}
