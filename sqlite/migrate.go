package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"path"
	"time"

	"github.com/switchboard/switchboard/internal/sqlstore"
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
		return name.Internal(err, "migrate")
	}
	ms, err := name.Migrations(migrations)
	if err != nil {
		return err
	}
	if err := notNewer(ctx, db, ms[len(ms)-1].Version); err != nil {
		return err
	}
	for _, m := range ms {
		if err := apply(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

// notNewer fails when the database has a migration beyond known.
func notNewer(ctx context.Context, db *sql.DB, known int) error {
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return name.Internal(err, "migrate")
	}
	if newest > known {
		return name.Internal(fmt.Errorf("schema version %d is newer than this binary's %d", newest, known), "migrate")
	}
	return nil
}

// apply runs one migration unless it is recorded as applied.
func apply(ctx context.Context, db *sql.DB, m sqlstore.Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return name.Internal(err, "migrate")
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil || n > 0 {
		return translate(err, "migration")
	}
	body, err := migrations.ReadFile(m.Path)
	if err != nil {
		return name.Internal(err, "migrate")
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return name.Internal(fmt.Errorf("%s: %w", m.Path, err), "migrate")
	}
	const record = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	if _, err := tx.ExecContext(ctx, record, m.Version, path.Base(m.Path), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return name.Internal(err, "migrate")
	}
	return translate(tx.Commit(), "migration")
}
