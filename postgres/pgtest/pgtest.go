// Package pgtest gives tests a PostgreSQL database of their own.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URLEnv names the maintenance database the tests create their databases
// through; by default postgres://postgres@127.0.0.1:5432/postgres.
const URLEnv = "SWITCHBOARD_TEST_POSTGRES_URL"

func baseURL() string {
	if u := os.Getenv(URLEnv); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

// NewDatabase creates a database with a random name, dropped (WITH FORCE)
// when tb ends, and returns its URL. It fails tb when PostgreSQL is
// unreachable: tests that need it never skip.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base, err := url.Parse(baseURL())
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") {
		tb.Fatalf("%s=%q: want a postgres:// URL (%v)", URLEnv, baseURL(), err)
	}
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil {
		tb.Fatalf("PostgreSQL is unreachable at %s: %v\n"+
			"Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"+
			"or set %s to the URL of a server where the user may create databases.", base.Redacted(), err, URLEnv)
	}
	name := "switchboard_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		tb.Fatalf("create the test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop the test database %s: %v", name, err)
		}
	})
	u := *base
	u.Path = "/" + name
	return u.String()
}
