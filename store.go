package switchboard

import (
	"context"
	"time"
)

// Batch is what one group commit writes: the routing engine's output for one
// or more commands, in order. Later entries for the same chat or operator
// supersede earlier ones.
type Batch struct {
	Chats            []Chat
	Operators        []Operator
	DeletedOperators []string
	Messages         []Message
	Events           []Event
	Decisions        []Decision
	// Config is set when configuration changed; it replaces the stored one.
	Config *Config
	// Counters and Now are the engine's after the batch; a batch that
	// carries no routing state (Routing) leaves the stored ones.
	Counters Counters
	Now      time.Time
	// Deliveries are webhook deliveries to enqueue (ID is assigned by the
	// store).
	Deliveries []Delivery
	// Tokens are created; DeletedTokens (ids) are removed. Deleting an
	// operator removes its tokens and its password in the same
	// transaction.
	Tokens        []Token
	DeletedTokens []string
	// Passwords set operators' password hashes, after the deletions.
	Passwords []Password
	// Webhooks are created, before the deliveries; DeletedWebhooks (ids)
	// are removed with their pending deliveries (done ones and attempts
	// stay).
	Webhooks        []Webhook
	DeletedWebhooks []string
	// WebhookKeys are the server-wide signing keys of chats'
	// event_webhook_url deliveries to create or, for an id that exists,
	// to update (only ExpiresAt changes).
	WebhookKeys []WebhookKey
	// ChatSecrets are the signing secrets connects gave for their chats'
	// event_webhook_url (config.webhook_secret); a later one for a chat
	// replaces the earlier.
	ChatSecrets []ChatSecret
	// Applied are the commands that made this batch, in order, when the
	// server journals them (several instances: see ClusterStore); a store
	// that keeps no command log ignores them.
	Applied []Applied
}

// Routing reports whether the batch carries routing state (the engine's
// output, or its clock and counters) rather than only tokens, passwords,
// webhooks or deliveries.
func (b *Batch) Routing() bool {
	return len(b.Chats) > 0 || len(b.Operators) > 0 || len(b.DeletedOperators) > 0 || len(b.Messages) > 0 ||
		len(b.Events) > 0 || len(b.Decisions) > 0 || b.Config != nil || !b.Now.IsZero() || b.Counters != (Counters{}) ||
		len(b.Applied) > 0
}

// Token is an API token; only the SHA-256 hash of its secret is stored.
type Token struct {
	ID         string    `json:"id"`
	Hash       string    `json:"-"`
	Role       string    `json:"role"`
	OperatorID string    `json:"operator_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Password is an operator's bcrypt password hash.
type Password struct {
	OperatorID string
	Hash       string
}

// Webhook is a global event subscription. Events empty or ["*"] means all.
type Webhook struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// MaxBatch is how many events one request may carry: 1 sends each
	// event alone as Standard Webhooks does; more sends JSON arrays.
	MaxBatch  int       `json:"max_batch_size"`
	Secret    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookKey is a server-wide key that signs the deliveries to chats'
// event_webhook_url (Standard Webhooks). Several may sign at once while a
// rotation overlaps: every key whose ExpiresAt is zero or ahead.
type WebhookKey struct {
	ID        string    `json:"id"`
	Secret    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the key stops signing; zero: never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// ChatSecret is the secret that signs the deliveries of one chat's
// event_webhook_url, given with its connect.
type ChatSecret struct {
	ChatID string
	Secret string
}

// DeliveryTarget is where deliveries go: a subscription (WebhookID and its
// URL) or a chat's event_webhook_url (WebhookID empty). Each target is
// scheduled on its own.
type DeliveryTarget struct {
	WebhookID string
	URL       string
}

// TargetBacklog is a target with how many of its deliveries are not done,
// and the highest id among them.
type TargetBacklog struct {
	DeliveryTarget
	Pending int
	LastID  int64
}

// DeliveryQuery selects a page of deliveries, newest first: a
// subscription's (WebhookID) or, with WebhookID empty, a chat's
// deliveries to its event_webhook_url (ChatID).
type DeliveryQuery struct {
	WebhookID string
	ChatID    string
	// Before pages: only deliveries with a smaller id (0: from the newest).
	Before int64
	// Pending keeps only the deliveries not done.
	Pending bool
	Limit   int
}

// Target is where the delivery goes.
func (d *Delivery) Target() DeliveryTarget { return DeliveryTarget{WebhookID: d.WebhookID, URL: d.URL} }

// Delivery is one event to deliver to one URL: a subscription's
// (WebhookID set) or a chat's event_webhook_url (WebhookID empty). An
// EventSeq of 0 is a test event (POST /webhooks/{id}/test), whose body the
// server makes when it sends it.
type Delivery struct {
	ID        int64     `json:"id"`
	WebhookID string    `json:"webhook_id,omitempty"`
	URL       string    `json:"url"`
	EventSeq  int64     `json:"event_id"`
	ChatID    string    `json:"chat_id,omitempty"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	Done      bool      `json:"done"`
	CreatedAt time.Time `json:"created_at"`
	// Body is the event's JSON while the delivery is known from its
	// commit; not stored (a delivery read back reads its event).
	Body []byte `json:"-"`
}

// Attempt is one try to deliver a Delivery.
type Attempt struct {
	DeliveryID int64     `json:"delivery_id"`
	WebhookID  string    `json:"webhook_id,omitempty"`
	EventSeq   int64     `json:"event_id"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error,omitempty"`
	DurationMs int64     `json:"duration_ms"`
}

// What the routing engine remembers of the past, and so what Store.Load
// returns.
const (
	// KeepClosed is how many closed chats: the last ones in close order.
	KeepClosed = 1000
	// KeepDecisions is how many decisions: the last ones made.
	KeepDecisions = 10000
)

// Store keeps Switchboard's state durable. Errors are *Error: ENOTFOUND and
// ECONFLICT where said, EINTERNAL for faults.
type Store interface {
	// Load returns the routing state as last committed: configuration,
	// operators, open chats, the last KeepClosed (1,000) closed chats, the
	// last KeepDecisions (10,000) decisions and the counters. ok is false
	// on a store never committed to.
	Load(ctx context.Context) (st State, ok bool, err error)
	// Commit writes a batch in one transaction: all of it or nothing. On
	// success it sets the IDs of b.Deliveries; a delivery for a webhook that
	// no longer exists is dropped (ID 0). A token or webhook whose id (or a
	// token whose hash) exists is ECONFLICT; deleting one that does not
	// exist is not an error.
	Commit(ctx context.Context, b *Batch) error

	// Events returns up to limit events with Seq > after, in order.
	Events(ctx context.Context, after int64, limit int) ([]Event, error)
	// Chat returns any chat, closed ones included (ENOTFOUND).
	Chat(ctx context.Context, id string) (Chat, error)
	// ClosedChats returns closed chats newest first, with numeric id below
	// before (0: from the newest); operatorID filters when set.
	ClosedChats(ctx context.Context, operatorID string, before int64, limit int) ([]Chat, error)
	// ChatsCreated returns the chats created in [from, to). A store may
	// rely on creation times never going back as chat ids grow: the
	// engine's clock never goes back.
	ChatsCreated(ctx context.Context, from, to time.Time) ([]Chat, error)
	// CountEvents counts events of a name that occurred in [from, to).
	CountEvents(ctx context.Context, name string, from, to time.Time) (int, error)
	// Messages returns a chat's messages in order.
	Messages(ctx context.Context, chatID string) ([]Message, error)
	// Decisions returns decisions made at or after since, oldest first. A
	// store may rely on decision times never going back as seqs grow.
	Decisions(ctx context.Context, since time.Time, limit int) ([]Decision, error)

	// TokenByHash finds a token by the hash of its secret (ENOTFOUND).
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens lists tokens by creation.
	Tokens(ctx context.Context) ([]Token, error)

	// PasswordHash returns an operator's password hash (ENOTFOUND). Deleting
	// the operator deletes it.
	PasswordHash(ctx context.Context, operatorID string) (string, error)

	// Webhooks lists subscriptions by creation.
	Webhooks(ctx context.Context) ([]Webhook, error)

	// DeliveryTargets returns every target that has deliveries not done,
	// with how many (one pass over the pending deliveries: the server
	// calls it when its delivery loop starts).
	DeliveryTargets(ctx context.Context) ([]TargetBacklog, error)
	// PendingDeliveries returns up to limit of a target's deliveries not
	// done whose id is above after, by id, each with Body set to its
	// event's JSON (nil for a test event). It reads only that target's
	// rows.
	PendingDeliveries(ctx context.Context, t DeliveryTarget, after int64, limit int) ([]Delivery, error)
	// RecordAttempts stores attempts and, for each, its delivery's new
	// Attempts, NextAt and Done (ds[i] goes with as[i]), in one
	// transaction. A delivery that is gone (its subscription was deleted)
	// is skipped with its attempt.
	RecordAttempts(ctx context.Context, ds []Delivery, as []Attempt) error
	// Delivery returns one delivery (ENOTFOUND).
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// Deliveries returns a page of deliveries, newest first (see
	// DeliveryQuery).
	Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error)
	// Attempts returns the attempts of the deliveries given, newest first.
	Attempts(ctx context.Context, deliveryIDs []int64) ([]Attempt, error)

	// WebhookKeys lists the server-wide signing keys by creation.
	WebhookKeys(ctx context.Context) ([]WebhookKey, error)
	// ChatSecret returns the secret given for a chat's event_webhook_url
	// (ENOTFOUND when none was).
	ChatSecret(ctx context.Context, chatID string) (string, error)
	// Installation returns this installation's id: random, made when the
	// store was created, so it differs after a reset of the data.
	Installation(ctx context.Context) (string, error)

	// StatsStore keeps the statistics' hourly aggregates.
	StatsStore

	// Close releases the store.
	Close() error
}
