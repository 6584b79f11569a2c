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
// when tb ends, and returns its URL. When PostgreSQL is unreachable it
// fails tb, or skips it under -short (a laptop without PostgreSQL) unless
// SWITCHBOARD_TEST_REQUIRE_SERVICES is set: the full test command
// (scripts/test) starts a server and sets it, so there a missing one is a
// failure, never a skip.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base, err := url.Parse(baseURL())
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") {
		tb.Fatalf("%s=%q: want a postgres:// URL (%v)", URLEnv, baseURL(), err)
	}
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil && testing.Short() && os.Getenv("SWITCHBOARD_TEST_REQUIRE_SERVICES") == "" {
		tb.Skipf("needs PostgreSQL, unreachable at %s (%s): skipped under -short", base.Redacted(), cause(err))
	}
	if err != nil {
		tb.Fatalf("PostgreSQL is unreachable at %s: %v\n"+
			"scripts/test starts a throwaway server for the tests; or set %s to the URL of a server\n"+
			"where the user may create databases; or run go test -short, which skips the tests that need one.",
			base.Redacted(), err, URLEnv)
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

// cause is the innermost error of err (of the first attempt, when pgx tried
// several addresses) on one line, such as "connection refused": the skip
// message then stands on the line above "--- SKIP" in go test -v.
func cause(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			return strings.Join(strings.Fields(err.Error()), " ")
		}
		err = next
	}
}
