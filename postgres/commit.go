package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
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
		return name.Internal(err, "begin")
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
		w.operators, w.access, w.webhooks, w.chats, w.messages, w.events, w.decisions, w.config, w.meta,
		w.deliveries, w.commands,
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
	w.queue("token", `DELETE FROM tokens WHERE operator_id = ANY($1::text[])`, ids)
}

// access queues the writes of tokens and passwords: deletions, then
// creations.
func (w *writer) access(b *sb.Batch) error {
	if len(b.DeletedTokens) > 0 {
		w.queue("token", `DELETE FROM tokens WHERE id = ANY($1::text[])`, b.DeletedTokens)
	}
	for _, t := range b.Tokens {
		created, err := nanos(t.CreatedAt)
		if err != nil {
			return err
		}
		w.queue("token", `INSERT INTO tokens (id, hash, role, operator_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
			t.ID, t.Hash, t.Role, t.OperatorID, created)
	}
	for _, p := range b.Passwords {
		w.queue("password", `INSERT INTO passwords (operator_id, hash) VALUES ($1, $2)
			ON CONFLICT (operator_id) DO UPDATE SET hash = excluded.hash`, p.OperatorID, p.Hash)
	}
	return nil
}

// webhooks queues the writes of subscriptions: deletions (with their
// pending deliveries), then creations. The second delete runs after the
// first has waited for any transaction enqueueing deliveries for the
// subscription (the deliveries' insert locks it), so it sees them.
func (w *writer) webhooks(b *sb.Batch) error {
	if len(b.DeletedWebhooks) > 0 {
		w.queue("webhook", `DELETE FROM webhooks WHERE id = ANY($1::text[])`, b.DeletedWebhooks)
		w.queue("delivery", `DELETE FROM deliveries WHERE webhook_id = ANY($1::text[]) AND NOT done`, b.DeletedWebhooks)
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
		w.queue("webhook", `INSERT INTO webhooks (id, url, events, max_batch, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			h.ID, h.URL, events, max(h.MaxBatch, 1), h.Secret, created)
	}
	return w.secrets(b)
}

// secrets queues the writes of the server-wide signing keys (an existing
// id gets its new expiry) and chats' webhook secrets (a later one
// replaces).
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
		w.queue("webhook key", `INSERT INTO webhook_keys (id, secret, created_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`, k.ID, k.Secret, created, expires)
	}
	for _, c := range b.ChatSecrets {
		w.queue("chat secret", `INSERT INTO chat_secrets (chat_id, secret) VALUES ($1, $2)
			ON CONFLICT (chat_id) DO UPDATE SET secret = excluded.secret`, c.ChatID, c.Secret)
	}
	return nil
}

func (w *writer) operators(b *sb.Batch) error {
	if len(b.Operators) == 0 {
		return nil
	}
	ops := sqlstore.Latest(b.Operators, func(o *sb.Operator) string { return o.ID })
	ids, data := make([]string, len(ops)), make([]string, len(ops))
	for i, o := range ops {
		var err error
		if data[i], err = name.Marshal(o, "operator"); err != nil {
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
	closeSeq := sqlstore.CloseSeqs(b.Events)
	var r chatRows
	for _, c := range sqlstore.Latest(b.Chats, func(c *sb.Chat) string { return c.ID }) {
		if err := r.add(c, closeSeq); err != nil {
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

// add appends chat c's row (sqlstore.Name.ChatRow).
func (r *chatRows) add(c *sb.Chat, closeSeq map[string]int64) error {
	row, data, err := name.ChatRow(nil, *c, closeSeq)
	if err != nil {
		return err
	}
	r.id, r.status, r.operator = append(r.id, row.ID), append(r.status, string(c.Status)), append(r.operator, c.OperatorID)
	r.client, r.channel = append(r.client, c.Client.ID), append(r.channel, c.Channel)
	r.created, r.closed = append(r.created, pgtype.Int8(row.Created)), append(r.closed, pgtype.Int8(row.Closed))
	r.closeSeq = append(r.closeSeq, pgtype.Int8(row.CloseSeq))
	r.data = append(r.data, string(data))
	return nil
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
		if data[i], err = appendJSON(m, "message"); err != nil {
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
		if data[i], err = name.EventJSON(e); err != nil {
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
		if data[i], err = appendJSON(d, "decision"); err != nil {
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
	data, err := name.Marshal(b.Config, "config")
	if err != nil {
		return err
	}
	w.queue("config", `INSERT INTO config (id, json) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET json = excluded.json`, data)
	return nil
}

func (w *writer) meta(b *sb.Batch) error {
	if !b.Routing() { // tokens or webhooks only: the counters stand
		return nil
	}
	data, err := name.Marshal(&b.Counters, "counters")
	if err != nil {
		return err
	}
	w.queue("counters", `INSERT INTO meta (id, counters, now) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET counters = excluded.counters, now = excluded.now`, data, sqlstore.FormatNow(b.Now))
	return nil
}

// appendJSON is v's JSON text, from its own encoder.
func appendJSON(v sqlstore.Appender, what string) (string, error) {
	data, err := name.AppendJSON(nil, v, what)
	return string(data), err
}
