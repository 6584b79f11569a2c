package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
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
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		return internal(fmt.Errorf("no migrations: %v", err), "migrate")
	}
	slices.Sort(names)
	known, err := version(names[len(names)-1])
	if err != nil {
		return err
	}
	for _, name := range names {
		v, err := version(name)
		if err != nil {
			return err
		}
		if err := apply(ctx, pool, v, name, known); err != nil {
			return err
		}
	}
	return nil
}

// version is the number a migration file name starts with.
func version(name string) (int, error) {
	base := path.Base(name)
	n, err := strconv.Atoi(base[:max(0, strings.IndexByte(base, '_'))])
	if err != nil || n <= 0 {
		return 0, internal(fmt.Errorf("bad migration file name %q", name), "migrate")
	}
	return n, nil
}

// apply runs migration v (file name) unless it is recorded as applied;
// known is the newest version this binary has.
func apply(ctx context.Context, pool *pgxpool.Pool, v int, name string, known int) error {
	return inTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return internal(err, "lock for migrating")
		}
		const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
		if _, err := tx.Exec(ctx, create); err != nil {
			return internal(err, "migrate")
		}
		var newest int
		var done bool
		err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0), coalesce(bool_or(version = $1), false)
			FROM schema_migrations`, v).Scan(&newest, &done)
		switch {
		case err != nil:
			return internal(err, "migrate")
		case newest > known:
			return internal(fmt.Errorf("schema version %d is newer than this binary's %d", newest, known), "migrate")
		case done:
			return nil
		}
		return run(ctx, tx, v, name)
	})
}

// run executes one migration file and records it.
func run(ctx context.Context, tx pgx.Tx, v int, name string) error {
	body, err := migrations.ReadFile(name)
	if err != nil {
		return internal(err, "migrate")
	}
	// Without arguments pgx uses the simple protocol, which runs a script.
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return internal(fmt.Errorf("%s: %w", name, err), "migrate")
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, v, path.Base(name))
	return translate(err, "migration")
}

// inTx runs fn in a transaction and commits it when fn succeeds.
func inTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return internal(err, "begin")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	return translate(tx.Commit(ctx), "commit")
}
