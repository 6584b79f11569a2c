package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
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
	_, err = s.pool.Exec(ctx, `INSERT INTO webhooks (id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5)`,
		w.ID, w.URL, events, w.Secret, created)
	return translate(err, "webhook")
}

// Webhooks lists subscriptions by creation (created_at, the zero time
// first, then insertion).
func (s *Store) Webhooks(ctx context.Context) ([]sb.Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.WebhookColumns+` FROM webhooks
		ORDER BY created_at NULLS FIRST, seq`)
	return collect(rows, err, "webhook", scan(name.ScanWebhook))
}

// DeleteWebhook removes a subscription and its pending deliveries
// (ENOTFOUND). Its done deliveries and its attempts stay.
//
// The two deletes are two statements: the first waits for any Commit
// enqueueing deliveries for the subscription (sqlPutDeliveries locks it),
// and the second, with a snapshot taken after that wait, sees and deletes
// what that Commit enqueued.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return inTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
		if err := deleted(tag, err, "webhook"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM deliveries WHERE webhook_id = $1 AND NOT done`, id)
		return translate(err, "delivery")
	})
}
