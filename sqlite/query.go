package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/switchboard/switchboard/internal/sqlstore"
)

// querier runs the read queries on the reader pool or inside a transaction
// (sqlstore.Querier).
type querier struct {
	ctx context.Context
	db  interface {
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

// q reads on the reader pool.
func (s *Store) q(ctx context.Context) sqlstore.Reader { return querier{ctx: ctx, db: s.r}.read() }

// read is a Reader on q.
func (q querier) read() sqlstore.Reader { return sqlstore.Reader{Name: name, Querier: q} }

// EachJSON runs query and calls fn with each row's JSON column.
func (q querier) EachJSON(what, query string, args []any, fn func(data []byte) error) error {
	rows, err := q.db.QueryContext(q.ctx, query, args...)
	if err != nil {
		return translate(err, what)
	}
	defer rows.Close()
	var data sql.RawBytes // reused: valid until the next Next
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return translate(err, what)
		}
		if err := fn(data); err != nil {
			return err
		}
	}
	return translate(rows.Err(), what)
}

// Row scans query's one row into dest; ok is false when there is none.
func (q querier) Row(what, query string, dest ...any) (bool, error) {
	err := q.db.QueryRowContext(q.ctx, query).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, translate(err, what)
}

// collect reads the rows of a query that returned err with scan: nil when
// no row matches, errors translated.
func collect[T any](rows *sql.Rows, err error, what string, scan func(sqlstore.Scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(err, what)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, what)
	}
	return out, nil
}
