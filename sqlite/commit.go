package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// Commit writes a batch in one transaction: all of it or nothing. Chats and
// operators are upserted, the latest entry of each id winning; deleted
// operators (and their passwords) are removed before the upserts, so an
// operator both deleted and upserted in one batch stays. Queue positions are
// derived, not stored: chats are written with QueuePosition 0. Messages,
// events and decisions are inserted (a seq or id already stored is
// ECONFLICT). On success each enqueued delivery gets its ID; a delivery for
// a subscription that no longer exists is dropped and keeps ID 0.
//
// A context canceled before Commit starts fails it; once started, the
// transaction runs to its end (a batch takes milliseconds). Statements run
// without a cancelable context because the driver starts a goroutine to
// watch one for every statement it executes.
func (s *Store) Commit(ctx context.Context, b *sb.Batch) error {
	if b == nil {
		return sb.Errorf(sb.EINVALID, "", "nil batch")
	}
	if err := ctx.Err(); err != nil {
		return name.Internal(err, "begin")
	}
	ctx = context.WithoutCancel(ctx)
	s.ck.tail(s.w)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return name.Internal(err, "begin")
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return name.Internal(err, "begin")
	}
	defer tx.Rollback()
	w := &writer{ctx: ctx, conn: conn, tx: tx, s: &s.stmts, rows: getRows()}
	defer putRows(w.rows)
	ids, err := w.batch(b)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return translate(err, "commit")
	}
	s.ck.committed()
	for i, id := range ids {
		b.Deliveries[i].ID = id
	}
	return nil
}

// writer writes one batch inside one transaction.
type writer struct {
	ctx  context.Context
	conn *sql.Conn // the writer connection, tx's
	tx   *sql.Tx
	s    *stmts
	rows *rows // the values of the multi-row INSERTs
}

func (w *writer) batch(b *sb.Batch) ([]int64, error) {
	for _, step := range []func(*sb.Batch) error{
		w.operators, w.access, w.webhooks, w.chats, w.messages, w.events, w.decisions, w.config, w.meta,
	} {
		if err := step(b); err != nil {
			return nil, err
		}
	}
	return w.deliveries(b.Deliveries)
}

// stmt is a prepared statement bound to the transaction.
func (w *writer) stmt(st *sql.Stmt) *sql.Stmt { return w.tx.StmtContext(w.ctx, st) }

func (w *writer) operators(b *sb.Batch) error {
	if len(b.DeletedOperators) > 0 {
		del, delPw := w.stmt(w.s.deleteOperator), w.stmt(w.s.deletePassword)
		for _, id := range b.DeletedOperators {
			if _, err := del.ExecContext(w.ctx, id); err != nil {
				return translate(err, "operator")
			}
			if _, err := delPw.ExecContext(w.ctx, id); err != nil {
				return translate(err, "password")
			}
			if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM tokens WHERE operator_id = ?`, id); err != nil {
				return translate(err, "token")
			}
		}
	}
	if len(b.Operators) == 0 {
		return nil
	}
	put := w.stmt(w.s.putOperator)
	for _, o := range sqlstore.Latest(b.Operators, func(o *sb.Operator) string { return o.ID }) {
		data, err := name.Marshal(o, "operator")
		if err == nil {
			_, err = put.ExecContext(w.ctx, o.ID, data)
		}
		if err != nil {
			return translate(err, "operator")
		}
	}
	return nil
}

// access writes tokens and passwords: deletions, then creations.
func (w *writer) access(b *sb.Batch) error {
	for _, id := range b.DeletedTokens {
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM tokens WHERE id = ?`, id); err != nil {
			return translate(err, "token")
		}
	}
	for _, t := range b.Tokens {
		created, err := nanos(t.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO tokens (id, hash, role, operator_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.ID, t.Hash, t.Role, t.OperatorID, created); err != nil {
			return translate(err, "token")
		}
	}
	for _, p := range b.Passwords {
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO passwords (operator_id, hash) VALUES (?, ?)
			ON CONFLICT (operator_id) DO UPDATE SET hash = excluded.hash`, p.OperatorID, p.Hash); err != nil {
			return translate(err, "password")
		}
	}
	return nil
}

// webhooks writes subscriptions: deletions (with their pending
// deliveries), then creations.
func (w *writer) webhooks(b *sb.Batch) error {
	for _, id := range b.DeletedWebhooks {
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM webhooks WHERE id = ?`, id); err != nil {
			return translate(err, "webhook")
		}
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM deliveries WHERE webhook_id = ? AND done = 0`, id); err != nil {
			return translate(err, "delivery")
		}
	}
	for _, h := range b.Webhooks {
		created, err := nanos(h.CreatedAt)
		if err != nil {
			return err
		}
		events, err := name.Marshal(h.Events, "webhook")
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO webhooks (id, url, events, max_batch, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			h.ID, h.URL, events, max(h.MaxBatch, 1), h.Secret, created); err != nil {
			return translate(err, "webhook")
		}
	}
	return w.secrets(b)
}

// secrets writes the server-wide signing keys (an existing id gets its new
// expiry) and chats' webhook secrets (a later one replaces).
func (w *writer) secrets(b *sb.Batch) error {
	for _, k := range b.WebhookKeys {
		created, err := nanos(k.CreatedAt)
		if err != nil {
			return err
		}
		expires, err := nanos(k.ExpiresAt)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO webhook_keys (id, secret, created_at, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`, k.ID, k.Secret, created, expires); err != nil {
			return translate(err, "webhook key")
		}
	}
	for _, c := range b.ChatSecrets {
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO chat_secrets (chat_id, secret) VALUES (?, ?)
			ON CONFLICT (chat_id) DO UPDATE SET secret = excluded.secret`, c.ChatID, c.Secret); err != nil {
			return translate(err, "chat secret")
		}
	}
	return nil
}

func (w *writer) chats(b *sb.Batch) error {
	if len(b.Chats) == 0 {
		return nil
	}
	closeSeq := sqlstore.CloseSeqs(b.Events)
	chats := sqlstore.Latest(b.Chats, func(c *sb.Chat) string { return c.ID })
	err := w.s.putChats.insert(w.ctx, w.conn, w.rows, len(chats), func(r *rows, i int) error {
		return chatRow(r, chats[i], closeSeq)
	})
	return translate(err, "chat")
}

// chatRow appends the chat row's values for c (sqlstore.Name.ChatRow).
func chatRow(r *rows, c *sb.Chat, closeSeq map[string]int64) error {
	start := len(r.buf)
	row, buf, err := name.ChatRow(r.buf, *c, closeSeq)
	r.buf = buf
	if err != nil {
		return err
	}
	r.add(row.ID, string(c.Status), c.OperatorID, c.Client.ID, c.Channel,
		value(row.Created), value(row.Closed), value(row.CloseSeq), r.text(start))
	return nil
}

func (w *writer) messages(b *sb.Batch) error {
	err := w.s.putMessages.insert(w.ctx, w.conn, w.rows, len(b.Messages), func(r *rows, i int) error {
		m := &b.Messages[i]
		start := len(r.buf)
		var err error
		if r.buf, err = name.AppendJSON(r.buf, m, "message"); err != nil {
			return err
		}
		r.add(m.ID, m.ChatID, r.text(start))
		return nil
	})
	return translate(err, "message")
}

func (w *writer) events(b *sb.Batch) error {
	err := w.s.putEvents.insert(w.ctx, w.conn, w.rows, len(b.Events), func(r *rows, i int) error {
		e := &b.Events[i]
		at, err := nanos(e.OccurredAt)
		if err != nil {
			return err
		}
		data, err := name.EventJSON(e)
		r.add(e.Seq, e.Name, e.ChatID, at, data)
		return err
	})
	return translate(err, "event")
}

func (w *writer) decisions(b *sb.Batch) error {
	err := w.s.putDecisions.insert(w.ctx, w.conn, w.rows, len(b.Decisions), func(r *rows, i int) error {
		d := &b.Decisions[i]
		at, err := nanos(d.At)
		if err != nil {
			return err
		}
		start := len(r.buf)
		if r.buf, err = name.AppendJSON(r.buf, d, "decision"); err != nil {
			return err
		}
		r.add(d.Seq, at, r.text(start))
		return nil
	})
	return translate(err, "decision")
}

func (w *writer) config(b *sb.Batch) error {
	if b.Config == nil {
		return nil
	}
	data, err := name.Marshal(b.Config, "config")
	if err == nil {
		_, err = w.stmt(w.s.putConfig).ExecContext(w.ctx, data)
	}
	return translate(err, "config")
}

func (w *writer) meta(b *sb.Batch) error {
	if !b.Routing() { // tokens or webhooks only: the counters stand
		return nil
	}
	data, err := name.Marshal(&b.Counters, "counters")
	if err == nil {
		_, err = w.stmt(w.s.putMeta).ExecContext(w.ctx, data, sqlstore.FormatNow(b.Now))
	}
	return translate(err, "counters")
}

// deliveries enqueues ds and returns their ids (0 for one dropped).
func (w *writer) deliveries(ds []sb.Delivery) ([]int64, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	put := w.stmt(w.s.putDelivery)
	ids := make([]int64, len(ds))
	for i := range ds {
		id, err := w.delivery(put, &ds[i])
		if err != nil {
			return nil, translate(err, "delivery")
		}
		ids[i] = id
	}
	return ids, nil
}

func (w *writer) delivery(put *sql.Stmt, d *sb.Delivery) (int64, error) {
	next, err := nanos(d.NextAt)
	if err != nil {
		return 0, err
	}
	created, err := nanos(d.CreatedAt)
	if err != nil {
		return 0, err
	}
	res, err := put.ExecContext(w.ctx, d.WebhookID, d.URL, d.EventSeq, d.ChatID, d.Attempts, next, d.Done, created)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err
	}
	return res.LastInsertId()
}
