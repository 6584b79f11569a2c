package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// PendingDeliveries returns up to limit deliveries not done, by id.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]sb.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.DeliveryColumns+`
		FROM deliveries WHERE done = 0 ORDER BY id LIMIT ?`, limit)
	return collect(rows, err, "delivery", sqlstore.ScanDelivery)
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
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.AttemptColumns+`
		FROM attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
	return collect(rows, err, "attempt", sqlstore.ScanAttempt)
}
