package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
)

// PendingDeliveries returns up to limit deliveries not done, by id.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]sb.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at
		FROM deliveries WHERE done = 0 ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, translate(err, "delivery")
	}
	defer rows.Close()
	var out []sb.Delivery
	for rows.Next() {
		var d sb.Delivery
		var next, created sql.NullInt64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.URL, &d.EventSeq, &d.ChatID, &d.Attempts, &next, &d.Done, &created); err != nil {
			return nil, translate(err, "delivery")
		}
		d.NextAt, d.CreatedAt = fromNanos(next), fromNanos(created)
		out = append(out, d)
	}
	return out, translate(rows.Err(), "delivery")
}

// RecordAttempt stores an attempt and the delivery's new Attempts, NextAt
// and Done, in one transaction (ENOTFOUND when the delivery is gone).
func (s *Store) RecordAttempt(ctx context.Context, d sb.Delivery, a sb.Attempt) error {
	next, err := nanos(d.NextAt)
	if err != nil {
		return err
	}
	at, err := nanos(a.At)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET attempts = ?, next_at = ?, done = ? WHERE id = ?`,
			d.Attempts, next, d.Done, d.ID)
		if err := deleted(res, err, "delivery"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO attempts (delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.DeliveryID, a.WebhookID, a.EventSeq, at, a.StatusCode, a.Error, a.DurationMs)
		return translate(err, "attempt")
	})
}

// Attempts returns up to limit of a subscription's latest attempts, newest
// (last recorded) first.
func (s *Store) Attempts(ctx context.Context, webhookID string, limit int) ([]sb.Attempt, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms
		FROM attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, translate(err, "attempt")
	}
	defer rows.Close()
	var out []sb.Attempt
	for rows.Next() {
		var a sb.Attempt
		var at sql.NullInt64
		if err := rows.Scan(&a.DeliveryID, &a.WebhookID, &a.EventSeq, &at, &a.StatusCode, &a.Error, &a.DurationMs); err != nil {
			return nil, translate(err, "attempt")
		}
		a.At = fromNanos(at)
		out = append(out, a)
	}
	return out, translate(rows.Err(), "attempt")
}
