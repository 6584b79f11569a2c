package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
)

// querier runs the read queries on the pool or inside a transaction.
type querier struct {
	ctx context.Context
	db  interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (s *Store) q(ctx context.Context) querier { return querier{ctx: ctx, db: s.pool} }

// list runs query, whose one column is JSON, and decodes each row into a T,
// fixing it up with fix. It is nil when no row matches.
func list[T any](q querier, what, query string, args []any, fix func(*T)) ([]T, error) {
	rows, err := q.db.Query(q.ctx, query, args...)
	return collect(rows, err, what, func(r pgx.CollectableRow) (T, error) {
		var v T
		// The raw value is the JSON text; decoding it copies what it keeps.
		if err := unmarshal(r.RawValues()[0], &v, what); err != nil {
			return v, err
		}
		fix(&v)
		return v, nil
	})
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

func (q querier) chats(query string, args ...any) ([]sb.Chat, error) {
	return list(q, "chat", query, args, (*sb.Chat).InUTC)
}

func (q querier) operators() ([]sb.Operator, error) {
	return list(q, "operator", `SELECT json FROM operators ORDER BY id`, nil, (*sb.Operator).InUTC)
}

func (q querier) decisions(query string, args ...any) ([]sb.Decision, error) {
	return list(q, "decision", query, args, (*sb.Decision).InUTC)
}

func (q querier) events(query string, args ...any) ([]sb.Event, error) {
	return list(q, "event", query, args, (*sb.Event).InUTC)
}

func (q querier) messages(query string, args ...any) ([]sb.Message, error) {
	return list(q, "message", query, args, (*sb.Message).InUTC)
}

// unmarshal decodes stored JSON.
func unmarshal(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return internal(err, "decode "+what)
	}
	return nil
}
