package postgres

import (
	"context"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// Webhooks lists subscriptions by creation (created_at, the zero time
// first, then insertion).
func (s *Store) Webhooks(ctx context.Context) ([]sb.Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.WebhookColumns+` FROM webhooks
		ORDER BY created_at NULLS FIRST, seq`)
	return collect(rows, err, "webhook", scan(name.ScanWebhook))
}
