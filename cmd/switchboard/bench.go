package main

// switchboard bench is the load tool (issue 7). It starts a server in this
// process (or targets one with --url), sets up a contact center — operators,
// topics in skill groups, channels with per-channel limits — and plays a
// workload for --duration: connect actions (a Poisson process at --rate, or
// a closed loop at full speed), operators simulated from the event stream
// (each chat connected to an operator is closed after an exponential handle
// time), breaks (status changes) and extra SSE subscribers. It prints a
// progress line every second on stderr and a summary on stdout, and writes
// the figures as JSON (--json) and a latency chart as SVG (--chart).
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

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// benchConfig is the bench command's configuration.
type benchConfig struct {
	URL           string
	AdminToken    string
	PID           int
	Data          string
	Duration      time.Duration
	Rate          float64
	Concurrency   int
	Operators     int
	Topics        int
	Channels      int
	ChannelLimits []int
	MaxChats      int
	HandleTime    float64
	Waiting       int
	StatusChanges float64
	BreakTime     float64
	SSEClients    int
	SSERole       string
	Queue         bool
	JSON          string
	Chart         string
	CPUProfile    string
	MemProfile    string
	Restart       int
}

// runBench is `switchboard bench`: SIGINT or SIGTERM ends the measurement
// early and still reports.
func runBench(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return benchMain(ctx, args, os.Getenv, os.Stdout, os.Stderr)
}

// benchMain parses the flags, runs the workload and writes the reports.
func benchMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	stderr = &lockedWriter{w: stderr} // the progress line and the in-process server's log
	cfg, err := parseBenchFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.Restart > 0 {
		return benchRestart(ctx, cfg, stdout, stderr)
	}
	rep, err := benchRun(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	rep.writeSummary(stdout)
	if cfg.MemProfile != "" {
		if err := btWriteAllocs(cfg.MemProfile); err != nil {
			return err
		}
	}
	if cfg.JSON != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.JSON, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if cfg.Chart != "" {
		f, err := os.Create(cfg.Chart)
		if err != nil {
			return err
		}
		err = btChart(f, rep.title(), rep.PerSecond)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parseBenchFlags(args []string, getenv func(string) string, stderr io.Writer) (benchConfig, error) {
	var c benchConfig
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", "", "target an existing server (http://host:port) instead of starting one in this process")
	fs.StringVar(&c.AdminToken, "admin-token", getenv("SWITCHBOARD_ADMIN_TOKEN"), "admin token of the --url server (SWITCHBOARD_ADMIN_TOKEN)")
	fs.IntVar(&c.PID, "pid", 0, "with --url: the server's pid, to report its RSS and CPU")
	fs.StringVar(&c.Data, "data", "", "data folder of the in-process server (default: a temporary folder, removed after)")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long to measure")
	fs.Float64Var(&c.Rate, "rate", 0, "connects per second, Poisson arrivals; 0: closed loop at full speed with --concurrency workers; negative: no connects while measuring")
	fs.IntVar(&c.Concurrency, "concurrency", 64, "connect workers (closed loop), or the worker pool of the Poisson arrivals")
	fs.IntVar(&c.Operators, "operators", 100, "simulated operators")
	fs.IntVar(&c.Topics, "topics", 10, "topics; skill groups serve two topics each, every operator is in one group and every third in a second")
	fs.IntVar(&c.Channels, "channels", 4, "channels (telegram, whatsapp, widget, viber, …)")
	limits := fs.String("channel-limits", "2,2,3", "per-channel limits of every operator, in channel order (missing or 0: no limit)")
	fs.IntVar(&c.MaxChats, "max-chats", 5, "general limit of every operator")
	fs.Float64Var(&c.HandleTime, "handle-time", 1, "mean seconds an operator keeps a chat before closing it (exponential); 0: operators never close")
	fs.IntVar(&c.Waiting, "waiting", 0, "fill the queue with this many waiting chats before measuring; with --rate 0 the queue is held there (each chat leaving it is replaced by a new connect)")
	fs.Float64Var(&c.StatusChanges, "status-changes", 1, "breaks per second: a random online operator goes on break and comes back after --break-time")
	fs.Float64Var(&c.BreakTime, "break-time", 5, "mean seconds of a break (exponential)")
	fs.IntVar(&c.SSEClients, "sse-clients", 0, "extra SSE subscribers that only measure event lag")
	fs.StringVar(&c.SSERole, "sse-role", "admin", `role of the extra subscribers: "admin" (every event) or "operator" (panels of the simulated operators in turn, each seeing what its operator may see)`)
	fs.BoolVar(&c.Queue, "queue", true, `connects ask for "status":"queue" (chats wait when every operator is busy); false: they are answered limit`)
	fs.StringVar(&c.JSON, "json", "", "write the figures as JSON to this file")
	fs.StringVar(&c.Chart, "chart", "", "write an SVG chart of connect latency per second to this file")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file (in-process server: server and load generator)")
	fs.StringVar(&c.MemProfile, "memprofile", "", "write an allocation profile of the whole run to this file (in-process server: server and load generator)")
	fs.IntVar(&c.Restart, "restart", 0, "instead of a workload: store this many open chats (through the engine and the store, in large batches; skipped when --data already holds a database), then start `switchboard serve` on them and report restart to ready and its RSS")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	for i, s := range strings.Split(*limits, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return c, fmt.Errorf("--channel-limits: %q is not a limit", s)
		}
		if i < c.Channels {
			c.ChannelLimits = append(c.ChannelLimits, n)
		}
	}
	for len(c.ChannelLimits) < c.Channels {
		c.ChannelLimits = append(c.ChannelLimits, 0)
	}
	switch {
	case c.Duration <= 0:
		return c, errors.New("--duration must be positive")
	case c.Concurrency < 1:
		return c, errors.New("--concurrency must be at least 1")
	case c.Operators < 1:
		return c, errors.New("--operators must be at least 1")
	case c.Topics < 1 || c.Topics > 1000:
		return c, errors.New("--topics must be 1 to 1000")
	case c.Channels < 1 || c.Channels > 64:
		return c, errors.New("--channels must be 1 to 64")
	case c.MaxChats < 1:
		return c, errors.New("--max-chats must be at least 1")
	case c.HandleTime < 0:
		return c, errors.New("--handle-time must not be negative")
	case c.BreakTime <= 0:
		return c, errors.New("--break-time must be positive")
	case c.Waiting < 0 || c.SSEClients < 0 || c.StatusChanges < 0 || c.Restart < 0:
		return c, errors.New("--waiting, --sse-clients, --status-changes and --restart must not be negative")
	case c.SSERole != "admin" && c.SSERole != "operator":
		return c, errors.New(`--sse-role must be "admin" or "operator"`)
	case c.Restart > 0 && c.URL != "":
		return c, errors.New("--restart starts its own server; leave out --url")
	case c.URL != "" && c.Data != "":
		return c, errors.New("--data is for the in-process server; leave it out with --url")
	case c.URL != "" && c.AdminToken == "":
		return c, errors.New("--url needs --admin-token (or SWITCHBOARD_ADMIN_TOKEN)")
	case c.URL == "" && c.PID != 0:
		return c, errors.New("--pid is for --url; the in-process server is this process")
	case c.URL != "" && (c.CPUProfile != "" || c.MemProfile != ""):
		return c, errors.New("--cpuprofile and --memprofile profile the in-process server; leave them out with --url")
	}
	return c, nil
}

// btWriteAllocs writes the allocation profile since the start.
func btWriteAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = pprof.Lookup("allocs").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// btChannelNames are the first channel names; more are ch9, ch10, …
var btChannelNames = []string{"telegram", "whatsapp", "widget", "viber", "instagram", "facebook", "sms", "email"}

func btChannelName(i int) string {
	if i < len(btChannelNames) {
		return btChannelNames[i]
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
