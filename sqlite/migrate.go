package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrations are the numbered schema changes, NNNN_name.sql, applied in
// order, each in its own transaction and recorded in schema_migrations.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies the migrations the database lacks. It refuses a database
// migrated by a newer binary.
func migrate(ctx context.Context, db *sql.DB) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return internal(err, "migrate")
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		return internal(fmt.Errorf("no migrations: %v", err), "migrate")
	}
	slices.Sort(names)
	if err := notNewer(ctx, db, names[len(names)-1]); err != nil {
		return err
	}
	for _, name := range names {
		v, err := version(name)
		if err != nil {
			return err
		}
		if err := apply(ctx, db, v, name); err != nil {
			return err
		}
	}
	return nil
}

// notNewer fails when the database has a migration beyond last.
func notNewer(ctx context.Context, db *sql.DB, last string) error {
	known, err := version(last)
	if err != nil {
		return err
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return internal(err, "migrate")
	}
	if newest > known {
		return internal(fmt.Errorf("schema version %d is newer than this binary's %d", newest, known), "migrate")
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

// apply runs one migration unless it is recorded as applied.
func apply(ctx context.Context, db *sql.DB, v int, name string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return internal(err, "migrate")
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil || n > 0 {
		return translate(err, "migration")
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return internal(err, "migrate")
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return internal(fmt.Errorf("%s: %w", name, err), "migrate")
	}
	const record = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	if _, err := tx.ExecContext(ctx, record, v, path.Base(name), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return internal(err, "migrate")
	}
	return translate(tx.Commit(), "migration")
}
