package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// sqlPutDeliveries enqueues deliveries in their order and returns the
// positions (1-based) of those kept and their ids, both ascending: a
// delivery for a subscription that does not exist is dropped. Ids are
// handed out as rows are inserted, in ord order, so the i-th kept position
// has the i-th id.
//
// FOR KEY SHARE locks each subscription a delivery is kept for until the
// commit, so a DeleteWebhook running at the same time waits for it and then
// deletes the deliveries too, as if the two had run one after the other.
const sqlPutDeliveries = `WITH d AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::integer[],
			$6::bigint[], $7::boolean[], $8::bigint[])
			WITH ORDINALITY AS d (webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at, ord)
	), kept AS MATERIALIZED (
		SELECT * FROM d WHERE webhook_id = ''
			OR EXISTS (SELECT FROM webhooks w WHERE w.id = d.webhook_id FOR KEY SHARE)
	), ins AS (
		INSERT INTO deliveries (webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at)
		SELECT webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at FROM kept ORDER BY ord
		RETURNING id
	)
	SELECT coalesce((SELECT array_agg(ord ORDER BY ord) FROM kept), '{}'),
		coalesce((SELECT array_agg(id ORDER BY id) FROM ins), '{}')`

// deliveries queues the batch's deliveries; once sent, w.ids holds their
// ids (0 for one dropped).
func (w *writer) deliveries(b *sb.Batch) error {
	ds := b.Deliveries
	if len(ds) == 0 {
		return nil
	}
	n := len(ds)
	hooks, urls, chats := make([]string, n), make([]string, n), make([]string, n)
	seqs, attempts, done := make([]int64, n), make([]int, n), make([]bool, n)
	next, created := make([]pgtype.Int8, n), make([]pgtype.Int8, n)
	for i := range ds {
		d := &ds[i]
		var err error
		if next[i], err = nanos(d.NextAt); err != nil {
			return err
		}
		if created[i], err = nanos(d.CreatedAt); err != nil {
			return err
		}
		hooks[i], urls[i], seqs[i], chats[i] = d.WebhookID, d.URL, d.EventSeq, d.ChatID
		attempts[i], done[i] = d.Attempts, d.Done
	}
	w.q.Queue(sqlPutDeliveries, hooks, urls, seqs, chats, attempts, next, done, created)
	w.steps = append(w.steps, step{what: "delivery", read: func(br pgx.BatchResults) error {
		var ords, ids []int64
		if err := br.QueryRow().Scan(&ords, &ids); err != nil {
			return err
		}
		w.ids = make([]int64, n)
		for i, ord := range ords {
			w.ids[ord-1] = ids[i]
		}
		return nil
	}})
	return nil
}

// PendingDeliveries returns up to limit deliveries not done, by id.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]sb.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.DeliveryColumns+`
		FROM deliveries WHERE NOT done ORDER BY id LIMIT $1`, limit)
	return collect(rows, err, "delivery", scan(sqlstore.ScanDelivery))
}

// RecordAttempt stores an attempt and the delivery's new Attempts, NextAt
// and Done, in one statement (ENOTFOUND when the delivery is gone).
func (s *Store) RecordAttempt(ctx context.Context, d sb.Delivery, a sb.Attempt) error {
	next, err := nanos(d.NextAt)
	if err != nil {
		return err
	}
	at, err := nanos(a.At)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `WITH d AS (
			UPDATE deliveries SET attempts = $2, next_at = $3, done = $4 WHERE id = $1 RETURNING id)
		INSERT INTO attempts (delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms)
		SELECT $5, $6, $7, $8, $9, $10, $11 FROM d`,
		d.ID, d.Attempts, next, d.Done, a.DeliveryID, a.WebhookID, a.EventSeq, at, a.StatusCode, a.Error, a.DurationMs)
	if err != nil {
		return translate(err, "attempt")
	}
	if tag.RowsAffected() == 0 {
		return sqlstore.NotFound("delivery")
	}
	return nil
}

// Attempts returns up to limit of a subscription's latest attempts, newest
// (last recorded) first.
func (s *Store) Attempts(ctx context.Context, webhookID string, limit int) ([]sb.Attempt, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.AttemptColumns+`
		FROM attempts WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, webhookID, limit)
	return collect(rows, err, "attempt", scan(sqlstore.ScanAttempt))
}
