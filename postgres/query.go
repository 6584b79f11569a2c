package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// querier runs the read queries on the pool or inside a transaction
// (sqlstore.Querier).
type querier struct {
	ctx context.Context
	db  interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
}

// q reads on the pool.
func (s *Store) q(ctx context.Context) sqlstore.Reader { return querier{ctx: ctx, db: s.pool}.read() }

// read is a Reader on q.
func (q querier) read() sqlstore.Reader { return sqlstore.Reader{Name: name, Querier: q} }

// EachJSON runs query and calls fn with each row's JSON column as the
// driver read it, without a copy: decoding copies what it keeps.
func (q querier) EachJSON(what, query string, args []any, fn func(data []byte) error) error {
	rows, err := q.db.Query(q.ctx, query, args...)
	if err != nil {
		return translate(err, what)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.RawValues()[0]); err != nil {
			return err
		}
	}
	return translate(rows.Err(), what)
}

// Row scans query's one row into dest; ok is false when there is none.
func (q querier) Row(what, query string, dest ...any) (bool, error) {
	err := q.db.QueryRow(q.ctx, query).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, translate(err, what)
}

// collect reads the rows of a query that returned err with fn: nil when no
// row matches, errors translated.
func collect[T any](rows pgx.Rows, err error, what string, fn pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, translate(err, what)
	}
	out, err := pgx.AppendRows([]T(nil), rows, fn)
	if err != nil {
		return nil, translate(err, what)
	}
	return out, nil
}

// scan is a shared row scanner as a pgx.RowToFunc.
func scan[T any](fn func(sqlstore.Scanner) (T, error)) pgx.RowToFunc[T] {
	return func(r pgx.CollectableRow) (T, error) { return fn(r) }
}
