package sqlite

import (
	"context"
	"database/sql"
)

// stmts are the statements Commit runs, prepared once on the writer
// connection and reused by every transaction. Chats, messages, events and
// decisions, many per commit, go in multi-row INSERTs.
type stmts struct {
	putOperator, deleteOperator, deletePassword *sql.Stmt
	putConfig, putMeta, putDelivery             *sql.Stmt
	putChats, putMessages, putEvents            *multi
	putDecisions                                *multi
}

const (
	sqlPutChats = `INSERT INTO chats (id, status, operator_id, client_id, channel, created_at, closed_at, close_seq, json) VALUES `
	sqlChatRow  = `(?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlChatsSet = `
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, operator_id = excluded.operator_id,
			client_id = excluded.client_id, channel = excluded.channel, created_at = excluded.created_at,
			closed_at = excluded.closed_at, json = excluded.json,
			close_seq = CASE WHEN excluded.status = 'closed' THEN coalesce(excluded.close_seq, chats.close_seq) END`
	sqlPutOperator = `INSERT INTO operators (id, json) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET json = excluded.json`
	sqlDeleteOperator = `DELETE FROM operators WHERE id = ?`
	sqlDeletePassword = `DELETE FROM passwords WHERE operator_id = ?`
	sqlPutMessages    = `INSERT INTO messages (id, chat_id, json) VALUES `
	sqlPutEvents      = `INSERT INTO events (seq, name, chat_id, occurred_at, json) VALUES `
	sqlPutDecisions   = `INSERT INTO decisions (seq, at, json) VALUES `
	sqlPutConfig      = `INSERT INTO config (id, json) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET json = excluded.json`
	sqlPutMeta = `INSERT INTO meta (id, counters, now) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET counters = excluded.counters, now = excluded.now`
	// A delivery for a subscription deleted before the commit is dropped.
	sqlPutDelivery = `INSERT INTO deliveries (webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
		WHERE ?1 = '' OR EXISTS (SELECT 1 FROM webhooks WHERE id = ?1)`
)

func (s *stmts) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.putOperator, sqlPutOperator},
		{&s.deleteOperator, sqlDeleteOperator}, {&s.deletePassword, sqlDeletePassword},
		{&s.putConfig, sqlPutConfig}, {&s.putMeta, sqlPutMeta}, {&s.putDelivery, sqlPutDelivery},
	} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			return name.Internal(err, "prepare")
		}
		*p.stmt = st
	}
	for _, p := range []struct {
		m               **multi
		head, row, tail string
	}{
		{&s.putChats, sqlPutChats, sqlChatRow, sqlChatsSet},
		{&s.putMessages, sqlPutMessages, "(?, ?, ?)", ""},
		{&s.putEvents, sqlPutEvents, "(?, ?, ?, ?, ?)", ""},
		{&s.putDecisions, sqlPutDecisions, "(?, ?, ?)", ""},
	} {
		*p.m = newMulti(p.head, p.row, p.tail)
		if err := (*p.m).prepare(ctx, db); err != nil {
			return name.Internal(err, "prepare")
		}
	}
	return nil
}

func (s *stmts) close(w *sql.DB) {
	for _, st := range []*sql.Stmt{s.putOperator, s.deleteOperator, s.deletePassword,
		s.putConfig, s.putMeta, s.putDelivery} {
		if st != nil {
			st.Close()
		}
	}
	for _, m := range []*multi{s.putChats, s.putMessages, s.putEvents, s.putDecisions} {
		m.close(w)
	}
}
