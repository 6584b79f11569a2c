package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
)

// CreateWebhook stores a subscription (ECONFLICT on a duplicate id).
func (s *Store) CreateWebhook(ctx context.Context, w sb.Webhook) error {
	created, err := nanos(w.CreatedAt)
	if err != nil {
		return err
	}
	events, err := marshal(w.Events, "webhook")
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)`,
		w.ID, w.URL, events, w.Secret, created)
	return translate(err, "webhook")
}

// Webhooks lists subscriptions by creation (created_at, then insertion).
func (s *Store) Webhooks(ctx context.Context) ([]sb.Webhook, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, url, events, secret, created_at FROM webhooks ORDER BY created_at, rowid`)
	if err != nil {
		return nil, translate(err, "webhook")
	}
	defer rows.Close()
	var out []sb.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, translate(rows.Err(), "webhook")
}

func scanWebhook(r scanner) (sb.Webhook, error) {
	var w sb.Webhook
	var events string
	var created sql.NullInt64
	if err := r.Scan(&w.ID, &w.URL, &events, &w.Secret, &created); err != nil {
		return w, translate(err, "webhook")
	}
	w.CreatedAt = fromNanos(created)
	return w, unmarshal(events, &w.Events, "webhook")
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
		return internal(err, "begin")
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return translate(tx.Commit(), "commit")
}
