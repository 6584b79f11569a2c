package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// Webhooks lists subscriptions by creation (created_at, then insertion).
func (s *Store) Webhooks(ctx context.Context) ([]sb.Webhook, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.WebhookColumns+` FROM webhooks ORDER BY created_at, rowid`)
	return collect(rows, err, "webhook", name.ScanWebhook)
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
