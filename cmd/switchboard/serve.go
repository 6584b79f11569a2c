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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sb "github.com/switchboard/switchboard"
	sbhttp "github.com/switchboard/switchboard/http"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/sqlite"
	"github.com/switchboard/switchboard/web"
)

// Config is the serve command's configuration.
type Config struct {
	Addr        string // listen address; port 0 picks a free port
	Data        string // data folder for the SQLite file
	DatabaseURL string // postgres://… (not supported yet)
	AdminToken  string // the admin token to create at first start
	LogLevel    slog.Level
	SessionTTL  time.Duration // how long a panel sign-in lasts
}

func (c Config) validate() error {
	switch {
	case c.Addr == "":
		return errors.New("--addr must not be empty")
	case c.DatabaseURL != "":
		return errors.New("--database-url: PostgreSQL is not supported yet; leave it empty for SQLite")
	case c.Data == "":
		return errors.New("--data must not be empty")
	case c.SessionTTL <= 0:
		return errors.New("--session-ttl must be positive")
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

	store  sb.Store
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// NewMain returns a Main with the defaults of PRODUCT.md §9.
func NewMain() *Main {
	return &Main{Config: Config{Addr: "localhost:8080", Data: "./switchboard-data", SessionTTL: sbhttp.DefaultSessionTTL}}
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
	fs.StringVar(&c.DatabaseURL, "database-url", env("SWITCHBOARD_DATABASE_URL", ""), "PostgreSQL URL (SWITCHBOARD_DATABASE_URL)")
	level := fs.String("log-level", env("SWITCHBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (SWITCHBOARD_LOG_LEVEL)")
	ttl := fs.String("session-ttl", env("SWITCHBOARD_SESSION_TTL", c.SessionTTL.String()), "how long a panel sign-in lasts, e.g. 8h (SWITCHBOARD_SESSION_TTL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := time.ParseDuration(*ttl)
	if err != nil {
		return fmt.Errorf("--session-ttl: %w", err)
	}
	c.SessionTTL = d
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
	if err := os.MkdirAll(m.Config.Data, 0o750); err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, filepath.Join(m.Config.Data, "switchboard.db"))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	m.store = store
	app := server.New(store, m.Log)
	if err := app.Open(ctx); err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	if err := m.bootstrapAdmin(ctx); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	app.RegisterMetrics(reg)
	h := sbhttp.NewHandler(app, m.Log, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), web.Handler())
	h.SessionTTL = m.Config.SessionTTL
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.Addr = ln.Addr().String()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel, m.done = cancel, make(chan struct{})
	go func() { app.Run(runCtx); close(m.done) }()
	m.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	m.srv.RegisterOnShutdown(app.Broker.CloseAll)
	go func() {
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("serve", "err", err)
		}
	}()
	m.Log.Info("switchboard listening", "addr", m.Addr, "data", m.Config.Data)
	return nil
}

// bootstrapAdmin creates the admin token at first start.
func (m *Main) bootstrapAdmin(ctx context.Context) error {
	secret := m.Config.AdminToken
	if secret != "" {
		if _, err := m.store.TokenByHash(ctx, sbhttp.HashToken(secret)); err == nil {
			return nil
		}
	} else {
		ts, err := m.store.Tokens(ctx)
		if err != nil || len(ts) > 0 {
			return err
		}
		secret = sbhttp.NewSecret("sbt_")
		m.Log.Warn("created the admin token; keep it, it is shown once", "token", secret)
	}
	return m.store.CreateToken(ctx, sb.Token{
		ID: "admin-" + time.Now().UTC().Format("20060102150405"), Hash: sbhttp.HashToken(secret),
		Role: sb.RoleAdmin, CreatedAt: time.Now().UTC(),
	})
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
	if m.store != nil {
		return m.store.Close()
	}
	return nil
}
