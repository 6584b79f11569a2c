package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"unsafe"

	sb "github.com/switchboard/switchboard"
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
		return internal(err, "begin")
	}
	ctx = context.WithoutCancel(ctx)
	s.ck.tail(s.w)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return internal(err, "begin")
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return internal(err, "begin")
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
		w.operators, w.chats, w.messages, w.events, w.decisions, w.config, w.meta,
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
		}
	}
	if len(b.Operators) == 0 {
		return nil
	}
	put := w.stmt(w.s.putOperator)
	for _, o := range latest(b.Operators, func(o *sb.Operator) string { return o.ID }) {
		data, err := marshal(o, "operator")
		if err == nil {
			_, err = put.ExecContext(w.ctx, o.ID, data)
		}
		if err != nil {
			return translate(err, "operator")
		}
	}
	return nil
}

func (w *writer) chats(b *sb.Batch) error {
	if len(b.Chats) == 0 {
		return nil
	}
	closeSeq := closeSeqs(b.Events)
	chats := latest(b.Chats, func(c *sb.Chat) string { return c.ID })
	err := w.s.putChats.insert(w.ctx, w.conn, w.rows, len(chats), func(r *rows, i int) error {
		return chatRow(r, *chats[i], closeSeq)
	})
	return translate(err, "chat")
}

// chatRow appends the chat row's values for c, its JSON without the queue
// position.
func chatRow(r *rows, c sb.Chat, closeSeq map[string]int64) error {
	id, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil {
		return sb.Errorf(sb.EINVALID, "chat_id", "chat id %q is not a number", c.ID)
	}
	created, err := nanos(c.CreatedAt)
	if err != nil {
		return err
	}
	closed, err := nanos(c.ClosedAt)
	if err != nil {
		return err
	}
	var seq any
	if n, ok := closeSeq[c.ID]; ok && c.Status == sb.ChatClosed {
		seq = n
	}
	c.QueuePosition = 0
	start := len(r.buf)
	if r.buf, err = c.AppendJSON(r.buf); err != nil {
		return internal(err, "encode chat")
	}
	r.add(id, string(c.Status), c.OperatorID, c.Client.ID, c.Channel, created, closed, seq, r.text(start))
	return nil
}

// closeSeqs maps each chat closed in events to its chat_closed event's seq
// (nil when none closed).
func closeSeqs(events []sb.Event) map[string]int64 {
	var m map[string]int64
	for i := range events {
		if events[i].Name == sb.EventChatClosed {
			if m == nil {
				m = map[string]int64{}
			}
			m[events[i].ChatID] = events[i].Seq
		}
	}
	return m
}

func (w *writer) messages(b *sb.Batch) error {
	err := w.s.putMessages.insert(w.ctx, w.conn, w.rows, len(b.Messages), func(r *rows, i int) error {
		m := &b.Messages[i]
		start := len(r.buf)
		var err error
		if r.buf, err = m.AppendJSON(r.buf); err != nil {
			return internal(err, "encode message")
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
		data, err := eventJSON(e)
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
		if r.buf, err = d.AppendJSON(r.buf); err != nil {
			return internal(err, "encode decision")
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
	data, err := marshal(b.Config, "config")
	if err == nil {
		_, err = w.stmt(w.s.putConfig).ExecContext(w.ctx, data)
	}
	return translate(err, "config")
}

func (w *writer) meta(b *sb.Batch) error {
	data, err := marshal(&b.Counters, "counters")
	if err == nil {
		_, err = w.stmt(w.s.putMeta).ExecContext(w.ctx, data, formatNow(b.Now))
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

// latest returns pointers to the items not superseded by a later item with
// the same key.
func latest[T any](items []T, key func(*T) string) []*T {
	out := make([]*T, 0, len(items))
	if len(items) == 1 {
		return append(out, &items[0])
	}
	seen := make(map[string]bool, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		if k := key(&items[i]); !seen[k] {
			seen[k] = true
			out = append(out, &items[i])
		}
	}
	return out
}

// eventJSON is the event as JSON text, encoded once by the server. The
// text shares the encoding's bytes, which nothing changes once encoded (the
// driver copies them into SQLite).
func eventJSON(e *sb.Event) (string, error) {
	data, err := e.JSON()
	if err != nil {
		return "", internal(err, "encode event")
	}
	return unsafeString(data), nil
}

// unsafeString is data as a string without a copy: data must not change
// afterwards.
func unsafeString(data []byte) string { return unsafe.String(unsafe.SliceData(data), len(data)) }

// marshal is v as JSON text.
func marshal(v any, what string) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", internal(err, "encode "+what)
	}
	return string(data), nil
}
