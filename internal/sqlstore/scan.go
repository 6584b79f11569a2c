package sqlstore

import (
	"database/sql"

	sb "github.com/switchboard/switchboard"
)

// Scanner is a row of either driver: *sql.Row, *sql.Rows, pgx.Row.
type Scanner interface {
	Scan(dest ...any) error
}

// The columns each scan reads, in its order, for a SELECT list.
const (
	// TokenColumns are what ScanToken reads.
	TokenColumns = `id, hash, role, operator_id, created_at`
	// WebhookColumns are what ScanWebhook reads.
	WebhookColumns = `id, url, events, secret, created_at`
	// DeliveryColumns are what ScanDelivery reads.
	DeliveryColumns = `id, webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at`
	// AttemptColumns are what ScanAttempt reads.
	AttemptColumns = `delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms`
)

// ScanToken reads a row of TokenColumns.
func ScanToken(r Scanner) (sb.Token, error) {
	var t sb.Token
	var created sql.NullInt64
	err := r.Scan(&t.ID, &t.Hash, &t.Role, &t.OperatorID, &created)
	t.CreatedAt = FromNanos(created)
	return t, err
}

// ScanWebhook reads a row of WebhookColumns.
func (n Name) ScanWebhook(r Scanner) (sb.Webhook, error) {
	var w sb.Webhook
	var events []byte
	var created sql.NullInt64
	if err := r.Scan(&w.ID, &w.URL, &events, &w.Secret, &created); err != nil {
		return w, err
	}
	w.CreatedAt = FromNanos(created)
	return w, n.Unmarshal(events, &w.Events, "webhook")
}

// ScanDelivery reads a row of DeliveryColumns.
func ScanDelivery(r Scanner) (sb.Delivery, error) {
	var d sb.Delivery
	var next, created sql.NullInt64
	err := r.Scan(&d.ID, &d.WebhookID, &d.URL, &d.EventSeq, &d.ChatID, &d.Attempts, &next, &d.Done, &created)
	d.NextAt, d.CreatedAt = FromNanos(next), FromNanos(created)
	return d, err
}

// ScanAttempt reads a row of AttemptColumns.
func ScanAttempt(r Scanner) (sb.Attempt, error) {
	var a sb.Attempt
	var at sql.NullInt64
	err := r.Scan(&a.DeliveryID, &a.WebhookID, &a.EventSeq, &at, &a.StatusCode, &a.Error, &a.DurationMs)
	a.At = FromNanos(at)
	return a, err
}
