package sqlstore

import (
	"database/sql"
	"math"

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
	WebhookColumns = `id, url, events, max_batch, secret, created_at`
	// DeliveryColumns are what ScanDelivery reads.
	DeliveryColumns = `id, webhook_id, url, event_seq, chat_id, attempts, next_at, done, created_at`
	// AttemptColumns are what ScanAttempt reads.
	AttemptColumns = `delivery_id, webhook_id, event_seq, at, status_code, error, duration_ms`
	// WebhookKeyColumns are what ScanWebhookKey reads.
	WebhookKeyColumns = `id, secret, created_at, expires_at`
	// TargetColumns are what ScanTargetBacklog reads (aggregates of a
	// GROUP BY webhook_id, url).
	TargetColumns = `webhook_id, url, count(*), max(id)`
)

// ScanWebhookKey reads a row of WebhookKeyColumns.
func ScanWebhookKey(r Scanner) (sb.WebhookKey, error) {
	var k sb.WebhookKey
	var created, expires sql.NullInt64
	err := r.Scan(&k.ID, &k.Secret, &created, &expires)
	k.CreatedAt, k.ExpiresAt = FromNanos(created), FromNanos(expires)
	return k, err
}

// ScanTargetBacklog reads a row of TargetColumns.
func ScanTargetBacklog(r Scanner) (sb.TargetBacklog, error) {
	var t sb.TargetBacklog
	err := r.Scan(&t.WebhookID, &t.URL, &t.Pending, &t.LastID)
	return t, err
}

// DeliveryPage is the WHERE and ORDER BY of a DeliveryQuery's page, with
// numbered placeholders ($1 the webhook id or chat id, $2 the id bound,
// $3 the limit) that SQLite and PostgreSQL both read; the deliveries
// indexes by webhook and by chat serve it.
func DeliveryPage(q sb.DeliveryQuery) (where string, args []any) {
	before := q.Before
	if before <= 0 {
		before = math.MaxInt64
	}
	key, cond := q.WebhookID, `webhook_id = $1`
	if q.WebhookID == "" {
		key, cond = q.ChatID, `webhook_id = '' AND chat_id = $1`
	}
	if q.Pending {
		cond += ` AND done = false`
	}
	return cond + ` AND id < $2 ORDER BY id DESC LIMIT $3`, []any{key, before, q.Limit}
}

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
	if err := r.Scan(&w.ID, &w.URL, &events, &w.MaxBatch, &w.Secret, &created); err != nil {
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

// PendingColumns are what ScanPending reads: a delivery (as d) and its
// event's JSON (as e, joined; NULL for a test event).
const PendingColumns = `d.id, d.webhook_id, d.url, d.event_seq, d.chat_id, d.attempts, d.next_at, d.done, d.created_at, e.json`

// ScanPending reads a row of PendingColumns: the delivery with its Body.
func ScanPending(r Scanner) (sb.Delivery, error) {
	var d sb.Delivery
	var next, created sql.NullInt64
	var body []byte
	err := r.Scan(&d.ID, &d.WebhookID, &d.URL, &d.EventSeq, &d.ChatID, &d.Attempts, &next, &d.Done, &created, &body)
	d.NextAt, d.CreatedAt = FromNanos(next), FromNanos(created)
	if body != nil {
		d.Body = body
	}
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
