package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/cluster"
	sbhttp "github.com/switchboard/switchboard/http"
	"github.com/switchboard/switchboard/postgres"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/sqlite"
	"github.com/switchboard/switchboard/web"
)

// Config is the serve command's configuration.
type Config struct {
	Addr        string // listen address; port 0 picks a free port
	Data        string // data folder for the SQLite file
	DatabaseURL string // postgres://…: PostgreSQL, several instances (else SQLite in Data)
	// AdvertiseAddr is where the other instances reach this one (host:port);
	// empty: the listen address, its host replaced by the machine's name
	// when it is unspecified.
	AdvertiseAddr string
	LeaseTTL      time.Duration // the leader lease's time to live (PostgreSQL)
	AdminToken    string        // the admin token to create at first start
	LogLevel      slog.Level
	SessionTTL    time.Duration // how long a panel sign-in lasts
	HeapFloorMiB  int           // the heap size the collector lets the process reach first (heap.go)
	// MaxConnections caps the open connections (0: from the file
	// descriptor limit, see connLimit).
	MaxConnections int
	// FrameAncestors is the CSP source list of who may embed the panel.
	FrameAncestors string
	// WebhookConcurrency is how many deliveries one webhook target has in
	// flight at most, each to a different chat.
	WebhookConcurrency int
}

func (c Config) validate() error {
	switch {
	case c.Addr == "":
		return errors.New("--addr must not be empty")
	case c.DatabaseURL == "" && c.Data == "":
		return errors.New("--data must not be empty")
	case c.DatabaseURL != "" && !strings.Contains(c.DatabaseURL, "://") && !strings.Contains(c.DatabaseURL, "="):
		return errors.New("--database-url must be a postgres:// URL or a key=value connection string")
	case c.LeaseTTL < 100*time.Millisecond:
		return fmt.Errorf("--lease-ttl must be at least 100ms, not %v", c.LeaseTTL)
	case c.SessionTTL <= 0:
		return errors.New("--session-ttl must be positive")
	case c.HeapFloorMiB < 0:
		return fmt.Errorf("--heap-floor must be 0 or more MiB, not %d", c.HeapFloorMiB)
	case c.MaxConnections < 0:
		return fmt.Errorf("--max-connections must be 0 (from the file limit) or more, not %d", c.MaxConnections)
	case c.WebhookConcurrency < 1 || c.WebhookConcurrency > 1024:
		return fmt.Errorf("--webhook-concurrency must be 1 to 1024, not %d", c.WebhookConcurrency)
	case strings.ContainsAny(c.FrameAncestors, ";,\r\n"):
		return errors.New("--frame-ancestors must be a CSP source list, such as 'none' or https://crm.example.com")
	}
	return nil
}

// Main is the serve command: flags, wiring, run, close. Tests run it on
// port 0.
type Main struct {
	Config Config
	Log    *slog.Logger
	// Addr is the address the server listens on, once Run returned.
	Addr string
	// Now, when set before Run, is the server's clock (tests).
	Now func() time.Time

	store  sb.Store
	app    *server.Server
	conns  *sbhttp.ConnLimit
	node   *cluster.Node // with PostgreSQL
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
	// stopStats ends the statistics' fold (server.RunStats), which every
	// instance runs; statsDone is closed once it saved and returned.
	stopStats context.CancelFunc
	statsDone chan struct{}
}

// NewMain returns a Main with the defaults of PRODUCT.md §9.
func NewMain() *Main {
	return &Main{Config: Config{Addr: "localhost:8080", Data: "./switchboard-data", LeaseTTL: cluster.DefaultTTL,
		SessionTTL: server.DefaultSessionTTL, HeapFloorMiB: 256, FrameAncestors: web.DefaultFrameAncestors,
		WebhookConcurrency: server.DefaultMaxInFlight}}
}

// ParseFlags reads flags, then environment variables for flags not given.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c := &m.Config
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("SWITCHBOARD_ADDR", c.Addr), "listen address (SWITCHBOARD_ADDR)")
	fs.StringVar(&c.Data, "data", env("SWITCHBOARD_DATA", c.Data), "data folder (SWITCHBOARD_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("SWITCHBOARD_DATABASE_URL", ""), "PostgreSQL URL; several instances may share it (SWITCHBOARD_DATABASE_URL)")
	fs.StringVar(&c.AdvertiseAddr, "advertise-addr", env("SWITCHBOARD_ADVERTISE_ADDR", ""), "host:port the other instances reach this one at (SWITCHBOARD_ADVERTISE_ADDR)")
	ttl := fs.String("lease-ttl", env("SWITCHBOARD_LEASE_TTL", c.LeaseTTL.String()), "leader lease time to live, e.g. 5s (SWITCHBOARD_LEASE_TTL)")
	level := fs.String("log-level", env("SWITCHBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (SWITCHBOARD_LOG_LEVEL)")
	session := fs.String("session-ttl", env("SWITCHBOARD_SESSION_TTL", c.SessionTTL.String()), "how long a panel sign-in lasts, e.g. 8h (SWITCHBOARD_SESSION_TTL)")
	fs.StringVar(&c.FrameAncestors, "frame-ancestors", env("SWITCHBOARD_FRAME_ANCESTORS", c.FrameAncestors), "who may embed the panel in a frame: a CSP source list, e.g. https://crm.example.com (SWITCHBOARD_FRAME_ANCESTORS)")
	conns := fs.String("max-connections", env("SWITCHBOARD_MAX_CONNECTIONS", "0"), "open connections kept at most; 0: from the file descriptor limit (SWITCHBOARD_MAX_CONNECTIONS)")
	floor := fs.String("heap-floor", env("SWITCHBOARD_HEAP_FLOOR", strconv.Itoa(c.HeapFloorMiB)), "MiB the heap may reach before the garbage collector runs; 0: Go's own pacing (SWITCHBOARD_HEAP_FLOOR)")
	hooks := fs.String("webhook-concurrency", env("SWITCHBOARD_WEBHOOK_CONCURRENCY", strconv.Itoa(c.WebhookConcurrency)), "webhook deliveries in flight at most per target, each to a different chat (SWITCHBOARD_WEBHOOK_CONCURRENCY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if c.WebhookConcurrency, err = strconv.Atoi(*hooks); err != nil {
		return fmt.Errorf("--webhook-concurrency: %q is not a whole number", *hooks)
	}
	if c.MaxConnections, err = strconv.Atoi(*conns); err != nil {
		return fmt.Errorf("--max-connections: %q is not a whole number", *conns)
	}
	if c.HeapFloorMiB, err = strconv.Atoi(*floor); err != nil {
		return fmt.Errorf("--heap-floor: %q is not a whole number of MiB", *floor)
	}
	if c.LeaseTTL, err = time.ParseDuration(*ttl); err != nil {
		return fmt.Errorf("--lease-ttl: %w", err)
	}
	if c.SessionTTL, err = time.ParseDuration(*session); err != nil {
		return fmt.Errorf("--session-ttl: %w", err)
	}
	c.AdminToken = getenv("SWITCHBOARD_ADMIN_TOKEN")
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	return c.validate()
}

// Run opens the store, loads the state and starts serving; it returns once
// the server listens.
func (m *Main) Run(ctx context.Context) error {
	if m.Log == nil {
		m.Log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: m.Config.LogLevel}))
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	m.store = store
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.Addr = ln.Addr().String()
	app := server.New(store, m.Log)
	if m.Now != nil {
		app.Now = m.Now
	}
	m.app = app
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	app.RegisterMetrics(reg)
	app.SessionTTL, app.MaxInFlight = m.Config.SessionTTL, m.Config.WebhookConcurrency
	h := sbhttp.NewHandler(app, m.Log, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), web.Handler(m.Config.FrameAncestors))
	h.RegisterMetrics(reg)
	if err := m.start(ctx, app, h); err != nil {
		ln.Close()
		return err
	}
	statsCtx, stopStats := context.WithCancel(context.WithoutCancel(ctx))
	m.stopStats, m.statsDone = stopStats, make(chan struct{})
	go func() { app.RunStats(statsCtx); close(m.statsDone) }()
	if err := m.bootstrapAdmin(ctx); err != nil {
		return err
	}
	var handler http.Handler = h
	if m.node != nil {
		handler = m.node.Handler(h)
	}
	m.conns = &sbhttp.ConnLimit{Max: m.connLimit()}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "switchboard_connections_refused_total",
		Help: "Connections refused at the limit (--max-connections)."}, func() float64 { return float64(m.conns.Refused()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "switchboard_connections_shed_total",
			Help: "Connections not being answered that were closed for a new one at the limit."}, func() float64 { return float64(m.conns.Shed()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_connections_open",
			Help: "Open client connections (at most --max-connections)."}, func() float64 { return float64(m.conns.Open()) }))
	m.srv = &http.Server{
		Handler: m.conns.Handler(handler), ConnState: m.conns.ConnState, ConnContext: m.conns.ConnContext,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: sbhttp.MaxHeaderBytes,
	}
	m.srv.RegisterOnShutdown(app.Broker.CloseAll)
	go func() {
		if err := m.srv.Serve(m.conns.Listener(ln)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("serve", "err", err)
		}
	}()
	m.Log.Info("switchboard listening", "addr", m.Addr, "max_connections", m.conns.Max)
	return nil
}

// openStore opens PostgreSQL when a database URL is set, else SQLite in the
// data folder.
func (m *Main) openStore(ctx context.Context) (sb.Store, error) {
	if m.Config.DatabaseURL != "" {
		return postgres.Open(ctx, m.Config.DatabaseURL)
	}
	if err := os.MkdirAll(m.Config.Data, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(m.Config.Data, "switchboard.db")
	// The database holds password hashes and token hashes: the owner's
	// only. SQLite gives its -wal and -shm files the database's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	return sqlite.Open(ctx, path)
}

// start loads the state and starts the writer: on a store several
// instances share, as a node of the cluster that leads or follows.
func (m *Main) start(ctx context.Context, app *server.Server, h *sbhttp.Handler) error {
	cs, ok := m.store.(sb.ClusterStore)
	if !ok {
		if err := app.Open(ctx); err != nil {
			return fmt.Errorf("load state: %w", err)
		}
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		m.cancel, m.done = cancel, make(chan struct{})
		go func() { app.Run(runCtx); close(m.done) }()
		return nil
	}
	m.node = cluster.New(cs, app, m.Log, advertise(m.Config.AdvertiseAddr, m.Addr), m.Config.LeaseTTL)
	m.node.OnTokensDeleted = app.ForgetTokens
	if err := m.node.Start(ctx); err != nil {
		m.node.Close()
		m.node = nil
		return fmt.Errorf("join the cluster: %w", err)
	}
	return nil
}

// advertise is the address the other instances reach this one at: addr
// when set, else the listen address with an unspecified host replaced by
// the machine's name.
func advertise(addr, listen string) string {
	if addr != "" {
		return addr
	}
	host, port, err := net.SplitHostPort(listen)
	if ip := net.ParseIP(host); err == nil && (host == "" || ip != nil && ip.IsUnspecified()) {
		if name, err := os.Hostname(); err == nil {
			return net.JoinHostPort(name, port)
		}
	}
	return listen
}

// bootstrapAdmin seeds the admin token of a fresh install: when the store
// holds no token at all, the token SWITCHBOARD_ADMIN_TOKEN names, or a new
// one printed once in the log. Once the store has tokens the variable is
// ignored (the log says so when its token is not among them), so a revoked
// admin token stays revoked across restarts.
func (m *Main) bootstrapAdmin(ctx context.Context) error {
	ts, err := m.store.Tokens(ctx)
	if err != nil {
		return err
	}
	secret := m.Config.AdminToken
	if len(ts) > 0 {
		if _, err := m.store.TokenByHash(ctx, server.HashToken(secret)); secret != "" && err != nil {
			m.Log.Warn("SWITCHBOARD_ADMIN_TOKEN is ignored: it only seeds a store without tokens, and this one has some")
		}
		return nil
	}
	if secret == "" {
		secret = server.NewSecret("sbt_")
		m.Log.Warn("created the admin token; keep it, it is shown once", "token", secret)
	}
	t := sb.Token{ID: "admin-" + time.Now().UTC().Format("20060102150405"), Hash: server.HashToken(secret),
		Role: sb.RoleAdmin, CreatedAt: time.Now().UTC()}
	err = m.store.Commit(ctx, &sb.Batch{Tokens: []sb.Token{t}})
	if sb.ErrorCode(err) == sb.ECONFLICT {
		return nil // another instance, starting at the same time, created it
	}
	return err
}

// Close stops accepting requests, lets open ones finish, stops the writer
// and closes the store.
func (m *Main) Close() error {
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.srv.Shutdown(ctx)
	}
	if m.cancel != nil {
		m.cancel()
		<-m.done
	}
	if m.stopStats != nil {
		m.stopStats()
		<-m.statsDone
	}
	if m.node != nil {
		m.node.Close()
	}
	if m.store != nil {
		return m.store.Close()
	}
	return nil
}

// connLimit is --max-connections, or from the file descriptor limit (which
// Go raises to the hard limit at start): all but 256 of them, for the
// database, the log and the webhooks' outgoing connections, and at most
// 100,000.
func (m *Main) connLimit() int {
	if m.Config.MaxConnections > 0 {
		return m.Config.MaxConnections
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < 512 {
		return 256
	}
	return int(min(rl.Cur-256, 100_000))
}
