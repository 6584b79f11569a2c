// Package bench is the load tool behind `switchboard bench` (issue 7).
//
// It starts a server in this process (or targets one with --url), sets up a
// contact center — operators, topics in skill groups, channels with
// per-channel limits — and plays a workload for --duration: connect actions
// (a Poisson process at --rate, or a closed loop at full speed), operators
// simulated from the event stream (each chat connected to an operator is
// closed after an exponential handle time), breaks (status changes) and
// extra SSE subscribers. It prints a progress line every second on stderr
// and a summary on stdout, and writes the figures as JSON (--json) and a
// latency chart as SVG (--chart).
//
//	switchboard bench                         # 60 s, closed loop, 64 workers, in-process server
//	switchboard bench --rate 1000             # Poisson arrivals, 1,000 connects/s
//	switchboard bench --waiting 5000          # a queue held at 5,000: free-to-assign and FIFO
//	switchboard bench --waiting 5000 --rate -1 --handle-time 0 --status-changes 0
//	                                          # every operator busy, 5,000 waiting, nothing happens: idle CPU
//	switchboard bench --sse-clients 5000 --rate 10   # event lag with 5,000 SSE subscribers
//	switchboard bench --restart 1000000       # 1,000,000 open chats: restart to ready, RSS
//	switchboard bench --url http://host:8080 --admin-token … [--pid N]
//
// Figures (JSON keys): connects_per_s (acknowledged answers of the connect
// action, each sent after its commit), connect_p50_ms / connect_p99_ms,
// free_to_assign_p99_ms (the tool's close request sent → the auto_connected
// of the next chat to that operator received over SSE; counted only when a
// chat that operator could take was waiting), fifo_violations (an
// auto_connected chat that was not the first waiting chat in R3 order among
// those the operator could take, by the tool's own model of the queue built
// from the events), events_lag_p99_ms (receipt − occurred_at over every SSE
// stream; occurred_at is taken before the commit, so the lag includes the
// commit), rss_mib and cpu_s (the server process: with an in-process server
// this includes the load generator itself; with --url only when --pid names
// the server). Latencies, lag and free-to-assign cover the measured window
// only; FIFO is checked over the whole run.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"sync"
)

// Server is how the tool runs Switchboard itself. The command provides it:
// the server's wiring (store, HTTP, heap floor) lives in package main, which
// a library cannot import.
//
// A workload runs its server in this process, beside the load generator,
// rather than in a child: cpu_s, rss_mib, --cpuprofile and --memprofile then
// cover server and load generator together, as every figure in
// docs/BENCHMARKS.md was taken, and the tool needs no binary on disk.
// --restart measures a process start, so it runs the server as a child.
type Server struct {
	// Start runs a server in this process on a free loopback port with data
	// as its data folder and adminToken as its admin token, logging to log.
	// It returns once the server listens, with its address (host:port) and
	// a function that stops it.
	Start func(ctx context.Context, data, adminToken string, log *slog.Logger) (addr string, stop func() error, err error)
	// Command returns `switchboard serve --addr addr --data data`, not yet
	// started: the server --restart restarts.
	Command func(addr, data string) (*exec.Cmd, error)
}

// Run plays the workload cfg describes (or, with cfg.Restart, the restart)
// against srv or cfg.URL, prints progress lines to stderr and the summary to
// stdout, and writes the files cfg names. When ctx ends the measurement stops
// early and is still reported.
func Run(ctx context.Context, cfg Config, srv Server, stdout, stderr io.Writer) error {
	stderr = &lockedWriter{w: stderr} // the progress line and the in-process server's log
	if cfg.Restart > 0 {
		if srv.Command == nil {
			return errors.New("bench --restart: no server command to start")
		}
		return runRestart(ctx, cfg, srv.Command, stdout, stderr)
	}
	if cfg.URL == "" && srv.Start == nil {
		return errors.New("bench: no in-process server to start; target one with --url")
	}
	rep, err := runWorkload(ctx, cfg, srv.Start, stderr)
	if err != nil {
		return err
	}
	rep.writeSummary(stdout)
	if cfg.MemProfile != "" {
		if err := writeAllocs(cfg.MemProfile); err != nil {
			return err
		}
	}
	if cfg.JSON != "" {
		if err := writeJSON(cfg.JSON, rep); err != nil {
			return err
		}
	}
	if cfg.Chart != "" {
		return writeFile(cfg.Chart, func(w io.Writer) error { return writeChart(w, rep.title(), rep.PerSecond) })
	}
	return nil
}

// writeJSON writes v, indented, to path.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeFile creates path and writes it with fn.
func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = fn(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAllocs writes the allocation profile since the start.
func writeAllocs(path string) error {
	return writeFile(path, func(w io.Writer) error { return pprof.Lookup("allocs").WriteTo(w, 0) })
}

// channelNames are the first channel names; more are ch9, ch10, …
var channelNames = []string{"telegram", "whatsapp", "widget", "viber", "instagram", "facebook", "sms", "email"}

func channelName(i int) string {
	if i < len(channelNames) {
		return channelNames[i]
	}
	return "ch" + strconv.Itoa(i+1)
}

// lockedWriter serializes the writes of several goroutines to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
