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

// DeliveryTargets returns every target with deliveries not done and how
// many, in one pass over the index of pending deliveries.
func (s *Store) DeliveryTargets(ctx context.Context) ([]sb.TargetBacklog, error) {
	rows, err := s.pool.Query(ctx, `SELECT webhook_id, url, count(*)::integer, max(id) FROM deliveries
		WHERE NOT done GROUP BY webhook_id, url ORDER BY webhook_id, url`)
	return collect(rows, err, "delivery", scan(sqlstore.ScanTargetBacklog))
}

// PendingDeliveries returns up to limit of a target's deliveries not done
// with id above after, by id, each with its event's JSON, through the
// index of pending deliveries by target.
func (s *Store) PendingDeliveries(ctx context.Context, t sb.DeliveryTarget, after int64, limit int) ([]sb.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.PendingColumns+`
		FROM deliveries AS d LEFT JOIN events AS e ON e.seq = d.event_seq
		WHERE NOT d.done AND d.webhook_id = $1 AND d.url = $2 AND d.id > $3 ORDER BY d.id LIMIT $4`, t.WebhookID, t.URL, after, limit)
	return collect(rows, err, "delivery", scan(sqlstore.ScanPending))
}

// sqlRecordAttempts updates the deliveries and inserts the attempts of
// those that still exist, in one statement.
const sqlRecordAttempts = `WITH a AS (
		SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::boolean[], $5::text[], $6::bigint[],
			$7::bigint[], $8::integer[], $9::text[], $10::bigint[])
			AS a (id, attempts, next_at, done, webhook_id, event_seq, at, status_code, error, duration_ms)
	), d AS (
		UPDATE deliveries SET attempts = a.attempts, next_at = a.next_at, done = a.done FROM a
		WHERE deliveries.id = a.id RETURNING deliveries.id
	)
	INSERT INTO attempts (delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms)
	SELECT a.id, a.webhook_id, a.event_seq, a.at, a.status_code, a.error, a.duration_ms FROM a
	WHERE a.id IN (SELECT id FROM d)`

// RecordAttempts stores attempts and their deliveries' new Attempts,
// NextAt and Done in one statement; a delivery that is gone is skipped.
func (s *Store) RecordAttempts(ctx context.Context, ds []sb.Delivery, as []sb.Attempt) error {
	if len(ds) != len(as) {
		return sb.Errorf(sb.EINVALID, "", "%d deliveries for %d attempts", len(ds), len(as))
	}
	n := len(ds)
	if n == 0 {
		return nil
	}
	ids, attempts, done := make([]int64, n), make([]int, n), make([]bool, n)
	next, at := make([]pgtype.Int8, n), make([]pgtype.Int8, n)
	hooks, errs := make([]string, n), make([]string, n)
	seqs, codes, durs := make([]int64, n), make([]int, n), make([]int64, n)
	for i := range ds {
		var err error
		if next[i], err = nanos(ds[i].NextAt); err != nil {
			return err
		}
		if at[i], err = nanos(as[i].At); err != nil {
			return err
		}
		ids[i], attempts[i], done[i] = ds[i].ID, ds[i].Attempts, ds[i].Done
		hooks[i], seqs[i], codes[i], errs[i], durs[i] = as[i].WebhookID, as[i].EventSeq, as[i].StatusCode, as[i].Error, as[i].DurationMs
	}
	_, err := s.pool.Exec(ctx, sqlRecordAttempts, ids, attempts, next, done, hooks, seqs, at, codes, errs, durs)
	return translate(err, "attempt")
}

// Delivery returns one delivery (ENOTFOUND).
func (s *Store) Delivery(ctx context.Context, id int64) (sb.Delivery, error) {
	d, err := sqlstore.ScanDelivery(s.pool.QueryRow(ctx, `SELECT `+sqlstore.DeliveryColumns+` FROM deliveries WHERE id = $1`, id))
	return d, translate(err, "delivery")
}

// Deliveries returns a page of a subscription's or a chat's deliveries,
// newest first.
func (s *Store) Deliveries(ctx context.Context, q sb.DeliveryQuery) ([]sb.Delivery, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	where, args := sqlstore.DeliveryPage(q)
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.DeliveryColumns+` FROM deliveries WHERE `+where, args...)
	return collect(rows, err, "delivery", scan(sqlstore.ScanDelivery))
}

// Attempts returns the attempts of the deliveries given, newest (last
// recorded) first.
func (s *Store) Attempts(ctx context.Context, deliveryIDs []int64) ([]sb.Attempt, error) {
	if len(deliveryIDs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.AttemptColumns+`
		FROM attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY id DESC`, deliveryIDs)
	return collect(rows, err, "attempt", scan(sqlstore.ScanAttempt))
}

// WebhookKeys lists the server-wide signing keys by creation.
func (s *Store) WebhookKeys(ctx context.Context) ([]sb.WebhookKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.WebhookKeyColumns+` FROM webhook_keys ORDER BY created_at, id`)
	return collect(rows, err, "webhook key", scan(sqlstore.ScanWebhookKey))
}

// ChatSecret returns the secret given for a chat's event_webhook_url
// (ENOTFOUND).
func (s *Store) ChatSecret(ctx context.Context, chatID string) (string, error) {
	var secret string
	err := s.pool.QueryRow(ctx, `SELECT secret FROM chat_secrets WHERE chat_id = $1`, chatID).Scan(&secret)
	return secret, translate(err, "chat secret")
}

// Installation returns the installation's id.
func (s *Store) Installation(ctx context.Context) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT name FROM installation WHERE id = 1`).Scan(&id)
	return id, translate(err, "installation")
}
