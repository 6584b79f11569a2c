// Package postgres is the server store: switchboard.Store on a PostgreSQL
// database through github.com/jackc/pgx/v5 (pgxpool).
//
// It makes the choices of the sqlite package, so both pass the same
// conformance suite and hold the same data (the encodings and Load's
// assembly are shared, in internal/sqlstore): vocabulary objects are stored
// whole as JSON next to the columns the queries need; query timestamps are
// Unix nanoseconds (NULL for the zero time; times outside 1678–2262 are
// refused), the JSON holds RFC 3339 with nanoseconds, and every time read
// back is in UTC, so what was committed in UTC comes back reflect.DeepEqual.
//
// Commit is one transaction sent as one pgx.Batch (BEGIN, one statement per
// table, COMMIT): a single round trip to the server whatever the batch
// holds, rows passed as arrays and expanded with unnest. Durability is the
// server's: with its defaults (fsync, synchronous_commit on) a commit that
// returned is on disk. Load reads from one REPEATABLE READ snapshot.
//
// Text columns cannot hold a NUL byte in PostgreSQL (SQLite's can); such a
// value is EINVALID. Inside the JSON a NUL is the escape \u0000, which the
// json type keeps.
package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	sb "github.com/switchboard/switchboard"
)

var _ sb.Store = (*Store)(nil)

// idleTimeout is the setting that ends a session idle inside a transaction
// (milliseconds).
const idleTimeout = "idle_in_transaction_session_timeout"

// Store is a switchboard.Store on one PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// ctl is a pool of its own for the lease and the panel sessions, so
	// that busy readers never delay a renewal past the lease's end.
	ctl   *pgxpool.Pool
	url   string // for Listen's own connection
	fence fence
}

// Open connects to the database at url (postgres://user@host:port/db?…, or
// libpq's key=value form) and applies the migrations it lacks. Several
// processes may open one database at once: migrations are serialised by an
// advisory lock.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, name.Internal(err, "parse the database URL")
	}
	if _, set := cfg.ConnConfig.RuntimeParams[idleTimeout]; !set {
		// A process stopped inside a transaction (SIGSTOP) must not keep
		// the leader lease's row locked, and so block a takeover, for ever.
		cfg.ConnConfig.RuntimeParams[idleTimeout] = "5000"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, name.Internal(err, "open the database")
	}
	if err = pool.Ping(ctx); err != nil {
		err = name.Internal(err, "connect to the database")
	} else {
		err = migrate(ctx, pool)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	ctlCfg := cfg.Copy()
	ctlCfg.MaxConns, ctlCfg.MinConns = 2, 0
	ctl, err := pgxpool.NewWithConfig(ctx, ctlCfg) // connects when first used
	if err != nil {
		pool.Close()
		return nil, name.Internal(err, "open the database")
	}
	return &Store{pool: pool, ctl: ctl, url: url}, nil
}

// Close releases the store: it waits for the connections in use to be
// released and closes them all.
func (s *Store) Close() error {
	s.pool.Close()
	s.ctl.Close()
	return nil
}
