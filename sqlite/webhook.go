package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// CreateWebhook stores a subscription (ECONFLICT on a duplicate id).
func (s *Store) CreateWebhook(ctx context.Context, w sb.Webhook) error {
	created, err := nanos(w.CreatedAt)
	if err != nil {
		return err
	}
	events, err := name.Marshal(w.Events, "webhook")
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)`,
		w.ID, w.URL, events, w.Secret, created)
	return translate(err, "webhook")
}

// Webhooks lists subscriptions by creation (created_at, then insertion).
func (s *Store) Webhooks(ctx context.Context) ([]sb.Webhook, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.WebhookColumns+` FROM webhooks ORDER BY created_at, rowid`)
	return collect(rows, err, "webhook", name.ScanWebhook)
}

// DeleteWebhook removes a subscription and its pending deliveries
// (ENOTFOUND). Its done deliveries and its attempts stay.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
		if err := deleted(res, err, "webhook"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM deliveries WHERE webhook_id = ? AND done = 0`, id)
		return translate(err, "delivery")
	})
}

// inTx runs fn in a write transaction and commits it when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return name.Internal(err, "begin")
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return translate(tx.Commit(), "commit")
}
