package postgres

import (
	"context"
	"embed"
	"fmt"
	"path"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// migrations are the numbered schema changes, NNNN_name.sql, applied in
// order, each in its own transaction and recorded in schema_migrations.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrateLock is the key of the advisory lock that serialises migrations
// ("swbdmigr"): each migration's transaction takes it first, so processes
// opening one database at once apply each migration once, one after the
// other, and never see a half-made schema.
const migrateLock int64 = 0x737762646d696772

// migrate applies the migrations the database lacks. It refuses a database
// migrated by a newer binary.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := name.Migrations(migrations)
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].Version
	for _, m := range ms {
		if err := apply(ctx, pool, m, known); err != nil {
			return err
		}
	}
	return nil
}

// apply runs migration m unless it is recorded as applied; known is the
// newest version this binary has.
func apply(ctx context.Context, pool *pgxpool.Pool, m sqlstore.Migration, known int) error {
	return inTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return name.Internal(err, "lock for migrating")
		}
		const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
		if _, err := tx.Exec(ctx, create); err != nil {
			return name.Internal(err, "migrate")
		}
		var newest int
		var done bool
		err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0), coalesce(bool_or(version = $1), false)
			FROM schema_migrations`, m.Version).Scan(&newest, &done)
		switch {
		case err != nil:
			return name.Internal(err, "migrate")
		case newest > known:
			return name.Internal(fmt.Errorf("schema version %d is newer than this binary's %d", newest, known), "migrate")
		case done:
			return nil
		}
		return run(ctx, tx, m)
	})
}

// run executes one migration file and records it.
func run(ctx context.Context, tx pgx.Tx, m sqlstore.Migration) error {
	body, err := migrations.ReadFile(m.Path)
	if err != nil {
		return name.Internal(err, "migrate")
	}
	// Without arguments pgx uses the simple protocol, which runs a script.
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return name.Internal(fmt.Errorf("%s: %w", m.Path, err), "migrate")
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, path.Base(m.Path))
	return translate(err, "migration")
}

// inTx runs fn in a transaction and commits it when fn succeeds.
func inTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return name.Internal(err, "begin")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	return translate(tx.Commit(ctx), "commit")
}
