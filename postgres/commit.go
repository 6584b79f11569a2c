package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
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
// The whole transaction, BEGIN to COMMIT, goes to the server as one
// pipelined batch: one round trip.
//
// After Fence, the transaction first checks the lease (lease_fence) and
// logs b.Applied after the head of the command log; a commit that finds the
// lease lost changes nothing and closes Fence's channel.
func (s *Store) Commit(ctx context.Context, b *sb.Batch) error {
	if b == nil {
		return sb.Errorf(sb.EINVALID, "", "nil batch")
	}
	lease, head, fenced := s.fenced()
	if fenced && lease.Epoch == 0 {
		return errNotLeader
	}
	w := &writer{}
	if fenced {
		w.fence, w.head = &lease, head
	}
	if err := w.build(b); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return internal(err, "begin")
	}
	defer conn.Release()
	if err := w.send(ctx, conn); err != nil {
		if isLeaseLost(err) {
			s.lose(lease)
		}
		return err
	}
	for i, id := range w.ids {
		b.Deliveries[i].ID = id
	}
	if fenced {
		s.committedUnder(lease, len(b.Applied))
	}
	return nil
}

// writer is one batch's transaction: the queued statements, what each
// writes (for its errors) and how to read its result.
type writer struct {
	q     pgx.Batch
	steps []step
	ids   []int64 // the deliveries' ids, once sent
	// fence, when set, is the lease the transaction checks first; the
	// batch's commands are logged after head.
	fence *sb.Lease
	head  int64
}

type step struct {
	what string
	read func(pgx.BatchResults) error // nil: an Exec
}

func (w *writer) queue(what, sql string, args ...any) {
	w.q.Queue(sql, args...)
	w.steps = append(w.steps, step{what: what})
}

// build queues the transaction; encoding errors and times out of range come
// out before anything is sent.
func (w *writer) build(b *sb.Batch) error {
	w.queue("begin", "BEGIN")
	if w.fence != nil {
		w.queue("lease", `SELECT lease_fence($1, $2)`, w.fence.Holder, w.fence.Epoch)
	}
	w.deletions(b.DeletedOperators)
	for _, add := range []func(*sb.Batch) error{
		w.operators, w.chats, w.messages, w.events, w.decisions, w.config, w.meta, w.deliveries, w.commands,
	} {
		if err := add(b); err != nil {
			return err
		}
	}
	w.q.Queue("COMMIT")
	w.steps = append(w.steps, step{what: "commit", read: committed})
	return nil
}

// committed reads COMMIT's result: the server answers ROLLBACK, without an
// error, to a COMMIT of a failed transaction.
func committed(br pgx.BatchResults) error {
	tag, err := br.Exec()
	if err == nil && tag.String() != "COMMIT" {
		err = fmt.Errorf("the transaction ended with %s", tag)
	}
	return err
}

// send sends the batch on conn and reads every result. On a failure it
// rolls back what the server began.
func (w *writer) send(ctx context.Context, conn *pgxpool.Conn) (err error) {
	br := conn.SendBatch(ctx, &w.q)
	for _, st := range w.steps {
		if st.read != nil {
			err = st.read(br)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			err = translate(err, st.what)
			break
		}
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		err = translate(cerr, "commit")
	}
	if err != nil {
		rollback(ctx, conn)
	}
	return err
}

// rollback ends the transaction a failed batch left open, if the connection
// is still usable; the pool discards a connection left in a transaction.
func rollback(ctx context.Context, conn *pgxpool.Conn) {
	if pc := conn.Conn().PgConn(); pc.IsClosed() || pc.TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = conn.Exec(ctx, "ROLLBACK") // best effort, as said above
}

func (w *writer) deletions(ids []string) {
	if len(ids) == 0 {
		return
	}
	w.queue("operator", `DELETE FROM operators WHERE id = ANY($1::text[])`, ids)
	w.queue("password", `DELETE FROM passwords WHERE operator_id = ANY($1::text[])`, ids)
}

func (w *writer) operators(b *sb.Batch) error {
	if len(b.Operators) == 0 {
		return nil
	}
	ops := latest(b.Operators, func(o *sb.Operator) string { return o.ID })
	ids, data := make([]string, len(ops)), make([]string, len(ops))
	for i, o := range ops {
		var err error
		if data[i], err = marshal(o, "operator"); err != nil {
			return err
		}
		ids[i] = o.ID
	}
	w.queue("operator", `INSERT INTO operators (id, json) SELECT * FROM unnest($1::text[], $2::json[])
		ON CONFLICT (id) DO UPDATE SET json = excluded.json`, ids, data)
	return nil
}

// chatRows are the columns of the chats written by one batch.
type chatRows struct {
	id                                []int64
	status, operator, client, channel []string
	created, closed, closeSeq         []pgtype.Int8
	data                              []string
}

func (w *writer) chats(b *sb.Batch) error {
	if len(b.Chats) == 0 {
		return nil
	}
	closeSeq := closeSeqs(b.Events)
	var r chatRows
	for _, c := range latest(b.Chats, func(c *sb.Chat) string { return c.ID }) {
		if err := r.add(*c, closeSeq); err != nil {
			return err
		}
	}
	w.queue("chat", `INSERT INTO chats AS c (id, status, operator_id, client_id, channel, created_at, closed_at, close_seq, json)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
			$6::bigint[], $7::bigint[], $8::bigint[], $9::json[])
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, operator_id = excluded.operator_id,
			client_id = excluded.client_id, channel = excluded.channel, created_at = excluded.created_at,
			closed_at = excluded.closed_at, json = excluded.json,
			close_seq = CASE WHEN excluded.status = 'closed' THEN coalesce(excluded.close_seq, c.close_seq) END`,
		r.id, r.status, r.operator, r.client, r.channel, r.created, r.closed, r.closeSeq, r.data)
	return nil
}

// add appends chat c; closeSeq maps chats closed in the batch to the seq of
// their chat_closed event.
func (r *chatRows) add(c sb.Chat, closeSeq map[string]int64) error {
	id, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil {
		return sb.Errorf(sb.EINVALID, "chat_id", "chat id %q is not a number", c.ID)
	}
	c.QueuePosition = 0
	created, err := nanos(c.CreatedAt)
	if err != nil {
		return err
	}
	closed, err := nanos(c.ClosedAt)
	if err != nil {
		return err
	}
	var seq pgtype.Int8
	if n, ok := closeSeq[c.ID]; ok && c.Status == sb.ChatClosed {
		seq = pgtype.Int8{Int64: n, Valid: true}
	}
	data, err := c.AppendJSON(nil)
	if err != nil {
		return internal(err, "encode chat")
	}
	r.id, r.status, r.operator = append(r.id, id), append(r.status, string(c.Status)), append(r.operator, c.OperatorID)
	r.client, r.channel = append(r.client, c.Client.ID), append(r.channel, c.Channel)
	r.created, r.closed, r.closeSeq = append(r.created, created), append(r.closed, closed), append(r.closeSeq, seq)
	r.data = append(r.data, string(data))
	return nil
}

// closeSeqs maps each chat closed in events to its chat_closed event's seq.
func closeSeqs(events []sb.Event) map[string]int64 {
	m := map[string]int64{}
	for i := range events {
		if events[i].Name == sb.EventChatClosed {
			m[events[i].ChatID] = events[i].Seq
		}
	}
	return m
}

func (w *writer) messages(b *sb.Batch) error {
	if len(b.Messages) == 0 {
		return nil
	}
	n := len(b.Messages)
	ids, chats, data := make([]int64, n), make([]string, n), make([]string, n)
	for i := range b.Messages {
		m := &b.Messages[i]
		var err error
		if data[i], err = marshal(m, "message"); err != nil {
			return err
		}
		ids[i], chats[i] = m.ID, m.ChatID
	}
	w.queue("message", `INSERT INTO messages (id, chat_id, json)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::json[])`, ids, chats, data)
	return nil
}

func (w *writer) events(b *sb.Batch) error {
	if len(b.Events) == 0 {
		return nil
	}
	n := len(b.Events)
	seqs, names, chats, ats, data := make([]int64, n), make([]string, n), make([]string, n), make([]pgtype.Int8, n), make([]string, n)
	for i := range b.Events {
		e := &b.Events[i]
		var err error
		if ats[i], err = nanos(e.OccurredAt); err != nil {
			return err
		}
		if data[i], err = eventJSON(e); err != nil {
			return err
		}
		seqs[i], names[i], chats[i] = e.Seq, e.Name, e.ChatID
	}
	w.queue("event", `INSERT INTO events (seq, name, chat_id, occurred_at, json)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::json[])`,
		seqs, names, chats, ats, data)
	return nil
}

func (w *writer) decisions(b *sb.Batch) error {
	if len(b.Decisions) == 0 {
		return nil
	}
	n := len(b.Decisions)
	seqs, ats, data := make([]int64, n), make([]pgtype.Int8, n), make([]string, n)
	for i := range b.Decisions {
		d := &b.Decisions[i]
		var err error
		if ats[i], err = nanos(d.At); err != nil {
			return err
		}
		if data[i], err = marshal(d, "decision"); err != nil {
			return err
		}
		seqs[i] = d.Seq
	}
	w.queue("decision", `INSERT INTO decisions (seq, at, json)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::json[])`, seqs, ats, data)
	return nil
}

func (w *writer) config(b *sb.Batch) error {
	if b.Config == nil {
		return nil
	}
	data, err := marshal(b.Config, "config")
	if err != nil {
		return err
	}
	w.queue("config", `INSERT INTO config (id, json) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET json = excluded.json`, data)
	return nil
}

func (w *writer) meta(b *sb.Batch) error {
	data, err := marshal(&b.Counters, "counters")
	if err != nil {
		return err
	}
	w.queue("counters", `INSERT INTO meta (id, counters, now) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET counters = excluded.counters, now = excluded.now`, data, formatNow(b.Now))
	return nil
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

// eventJSON is the event as JSON text, encoded once by the server.
func eventJSON(e *sb.Event) (string, error) {
	data, err := e.JSON()
	if err != nil {
		return "", internal(err, "encode event")
	}
	return string(data), nil
}

// marshal is v as JSON text.
func marshal(v any, what string) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", internal(err, "encode "+what)
	}
	return string(data), nil
}
