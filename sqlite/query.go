package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
)

// querier runs the read queries on the reader pool or inside a transaction.
type querier struct {
	ctx context.Context
	db  interface {
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func (s *Store) q(ctx context.Context) querier { return querier{ctx: ctx, db: s.r} }

// each runs query and decodes the JSON column of every row with decode.
func (q querier) each(what, query string, args []any, decode func(data string) error) error {
	rows, err := q.db.QueryContext(q.ctx, query, args...)
	if err != nil {
		return translate(err, what)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return translate(err, what)
		}
		if err := decode(data); err != nil {
			return err
		}
	}
	return translate(rows.Err(), what)
}

// list runs query and decodes each row's JSON column into a T, fixing it
// up with fix.
func list[T any](q querier, what, query string, args []any, fix func(*T)) ([]T, error) {
	var out []T
	err := q.each(what, query, args, func(data string) error {
		var v T
		if err := unmarshal(data, &v, what); err != nil {
			return err
		}
		fix(&v)
		out = append(out, v)
		return nil
	})
	return out, err
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
