package sqlite

import (
	"context"
	"database/sql"
	"strings"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// DeliveryTargets returns every target with deliveries not done and how
// many, in one pass over the index of pending deliveries.
func (s *Store) DeliveryTargets(ctx context.Context) ([]sb.TargetBacklog, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.TargetColumns+` FROM deliveries INDEXED BY deliveries_target
		WHERE done = 0 GROUP BY webhook_id, url ORDER BY webhook_id, url`)
	return collect(rows, err, "delivery", sqlstore.ScanTargetBacklog)
}

// PendingDeliveries returns up to limit of a target's deliveries not done
// with id above after, by id, each with its event's JSON, through the
// index of pending deliveries by target.
func (s *Store) PendingDeliveries(ctx context.Context, t sb.DeliveryTarget, after int64, limit int) ([]sb.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.PendingColumns+`
		FROM deliveries AS d INDEXED BY deliveries_target LEFT JOIN events AS e ON e.seq = d.event_seq
		WHERE d.done = 0 AND d.webhook_id = ? AND d.url = ? AND d.id > ? ORDER BY d.id LIMIT ?`, t.WebhookID, t.URL, after, limit)
	return collect(rows, err, "delivery", sqlstore.ScanPending)
}

// RecordAttempts stores attempts and their deliveries' new Attempts,
// NextAt and Done in one transaction; a delivery that is gone is skipped.
func (s *Store) RecordAttempts(ctx context.Context, ds []sb.Delivery, as []sb.Attempt) error {
	if len(ds) != len(as) {
		return sb.Errorf(sb.EINVALID, "", "%d deliveries for %d attempts", len(ds), len(as))
	}
	if len(ds) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		upd, err := tx.PrepareContext(ctx, `UPDATE deliveries SET attempts = ?, next_at = ?, done = ? WHERE id = ?`)
		if err != nil {
			return translate(err, "delivery")
		}
		defer upd.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO attempts (delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return translate(err, "attempt")
		}
		defer ins.Close()
		for i := range ds {
			if err := recordAttempt(ctx, upd, ins, &ds[i], &as[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func recordAttempt(ctx context.Context, upd, ins *sql.Stmt, d *sb.Delivery, a *sb.Attempt) error {
	next, err := nanos(d.NextAt)
	if err != nil {
		return err
	}
	at, err := nanos(a.At)
	if err != nil {
		return err
	}
	res, err := upd.ExecContext(ctx, d.Attempts, next, d.Done, d.ID)
	if err := deleted(res, err, "delivery"); sb.ErrorCode(err) == sb.ENOTFOUND {
		return nil // its subscription was deleted
	} else if err != nil {
		return err
	}
	_, err = ins.ExecContext(ctx, a.DeliveryID, a.WebhookID, a.EventSeq, at, a.StatusCode, a.Error, a.DurationMs)
	return translate(err, "attempt")
}

// Delivery returns one delivery (ENOTFOUND).
func (s *Store) Delivery(ctx context.Context, id int64) (sb.Delivery, error) {
	d, err := sqlstore.ScanDelivery(s.r.QueryRowContext(ctx, `SELECT `+sqlstore.DeliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return sb.Delivery{}, sqlstore.NotFound("delivery")
	}
	return d, translate(err, "delivery")
}

// Deliveries returns a page of a subscription's or a chat's deliveries,
// newest first.
func (s *Store) Deliveries(ctx context.Context, q sb.DeliveryQuery) ([]sb.Delivery, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	where, args := sqlstore.DeliveryPage(q)
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.DeliveryColumns+` FROM deliveries WHERE `+where, args...)
	return collect(rows, err, "delivery", sqlstore.ScanDelivery)
}

// Attempts returns the attempts of the deliveries given, newest (last
// recorded) first.
func (s *Store) Attempts(ctx context.Context, deliveryIDs []int64) ([]sb.Attempt, error) {
	if len(deliveryIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(deliveryIDs))
	for i, id := range deliveryIDs {
		args[i] = id
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.AttemptColumns+`
		FROM attempts WHERE delivery_id IN (`+marks+`) ORDER BY id DESC`, args...)
	return collect(rows, err, "attempt", sqlstore.ScanAttempt)
}

// WebhookKeys lists the server-wide signing keys by creation.
func (s *Store) WebhookKeys(ctx context.Context) ([]sb.WebhookKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.WebhookKeyColumns+` FROM webhook_keys ORDER BY created_at, rowid`)
	return collect(rows, err, "webhook key", sqlstore.ScanWebhookKey)
}

// ChatSecret returns the secret given for a chat's event_webhook_url
// (ENOTFOUND).
func (s *Store) ChatSecret(ctx context.Context, chatID string) (string, error) {
	var secret string
	err := s.r.QueryRowContext(ctx, `SELECT secret FROM chat_secrets WHERE chat_id = ?`, chatID).Scan(&secret)
	if err == sql.ErrNoRows {
		return "", sqlstore.NotFound("chat secret")
	}
	return secret, translate(err, "chat secret")
}

// Installation returns the installation's id.
func (s *Store) Installation(ctx context.Context) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT name FROM installation WHERE id = 1`).Scan(&id)
	return id, translate(err, "installation")
}
