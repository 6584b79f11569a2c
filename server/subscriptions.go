package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// EventNames are the event names a subscription may list ("*": all).
var EventNames = []string{
	"*", sb.EventChatCreated, sb.EventChatQueued, sb.EventAutoConnected, sb.EventOperatorConnected,
	sb.EventOperatorDisconnected, sb.EventChatAccepted, sb.EventChatTransferred, sb.EventChatUpdated,
	sb.EventChatReturnedToBot, sb.EventClosedByOperator, sb.EventClosedByClient, sb.EventClosedByTimer,
	sb.EventChatClosed, sb.EventLimit, sb.EventQueueTimeout, sb.EventResponseOverdue, sb.EventMessageCreated,
	sb.EventOperatorStatus, sb.EventConfigChanged, sb.EventTransferOffered, sb.EventTransferAccepted,
	sb.EventTransferDeclined, sb.EventTransferExpired, sb.EventTransferWithdrawn, sb.EventWrapUpStarted,
	sb.EventWrapUpEnded, sb.EventQueuePosition, sb.EventChatRated,
}

// ValidURL reports whether s is an absolute http or https URL.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// MaxBatchSize bounds a subscription's max_batch_size.
const MaxBatchSize = 1000

// CreateWebhook adds a subscription to the events named (none or "*":
// all), sending up to maxBatch events in one request (0: 1, each event
// alone). Without a secret it gets a generated whsec_ one. The answer
// holds the secret: it is shown only now.
func (s *Server) CreateWebhook(ctx context.Context, target string, events []string, secret string, maxBatch int) (sb.Webhook, error) {
	if !ValidURL(target) {
		return sb.Webhook{}, sb.Errorf(sb.EINVALID, "url", "url must be an absolute http or https URL")
	}
	if !ValidSecret(secret) {
		return sb.Webhook{}, sb.Errorf(sb.EINVALID, "secret", "a whsec_ secret must be base64 after the prefix")
	}
	for _, e := range events {
		if !slices.Contains(EventNames, e) {
			return sb.Webhook{}, sb.Errorf(sb.EINVALID, "events", "unknown event %q", e)
		}
	}
	if maxBatch == 0 {
		maxBatch = 1
	}
	if maxBatch < 1 || maxBatch > MaxBatchSize {
		return sb.Webhook{}, sb.Errorf(sb.EINVALID, "max_batch_size", "max_batch_size must be 1 to %d", MaxBatchSize)
	}
	if err := s.checkTarget(ctx, target); err != nil { // last: it may resolve the name
		return sb.Webhook{}, err
	}
	if secret == "" {
		secret = newWhsec()
	}
	if events == nil {
		events = []string{}
	}
	w := sb.Webhook{ID: NewSecret("wh_")[:15], URL: target, Events: events, MaxBatch: maxBatch, Secret: secret, CreatedAt: time.Now().UTC()}
	err := s.write(ctx, &request{
		side: func(_ *routing.Engine, b *sb.Batch) error {
			b.Webhooks = append(b.Webhooks, w)
			return nil
		},
		after: func() { s.webhooks = append(slices.Clip(s.webhooks), w) },
	})
	return w, err
}

// Webhooks lists the subscriptions by creation.
func (s *Server) Webhooks(ctx context.Context) ([]sb.Webhook, error) { return s.Store.Webhooks(ctx) }

// DeleteWebhook removes a subscription and its pending deliveries
// (ENOTFOUND for an unknown id).
func (s *Server) DeleteWebhook(ctx context.Context, id string) error {
	return s.write(ctx, &request{
		side: func(_ *routing.Engine, b *sb.Batch) error {
			if !slices.ContainsFunc(s.webhooks, func(w sb.Webhook) bool { return w.ID == id }) {
				return sb.Errorf(sb.ENOTFOUND, "id", "webhook %q not found", id)
			}
			b.DeletedWebhooks = append(b.DeletedWebhooks, id)
			return nil
		},
		after: func() {
			s.webhooks = slices.DeleteFunc(slices.Clone(s.webhooks), func(w sb.Webhook) bool { return w.ID == id })
			s.forgetWebhook(id)
		},
	})
}

// newWhsec is a new random Standard Webhooks secret.
func newWhsec() string {
	k := make([]byte, 24)
	_, _ = rand.Read(k)
	return "whsec_" + base64.StdEncoding.EncodeToString(k)
}

// DeliveryView is a delivery as the API lists it: its state and its
// latest attempts.
type DeliveryView struct {
	sb.Delivery
	// Status is "pending" (next_at says when the next attempt is due) or
	// "delivered".
	Status string `json:"status"`
	// LastAttempts are the latest attempts, newest first (at most
	// maxShownAttempts).
	LastAttempts []sb.Attempt `json:"last_attempts"`
}

// maxShownAttempts is how many attempts a listed delivery shows.
const maxShownAttempts = 5

// DeliveryPage is a page of deliveries, newest first; NextCursor, when
// not empty, asks for the next page (?cursor=), as the API's other pages.
type DeliveryPage struct {
	Items      []DeliveryView `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// webhookExists is ENOTFOUND for an unknown subscription.
func (s *Server) webhookExists(id string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !slices.ContainsFunc(s.webhooks, func(w sb.Webhook) bool { return w.ID == id }) {
		return sb.Errorf(sb.ENOTFOUND, "id", "webhook %q not found", id)
	}
	return nil
}

// WebhookDeliveries returns a page of a subscription's deliveries, newest
// first, pending ones included (ENOTFOUND for an unknown subscription).
func (s *Server) WebhookDeliveries(ctx context.Context, q sb.DeliveryQuery) (DeliveryPage, error) {
	if err := s.webhookExists(q.WebhookID); err != nil {
		return DeliveryPage{}, err
	}
	return s.deliveryPage(ctx, q)
}

// ChatDeliveries returns a page of the deliveries to a chat's
// event_webhook_url, for a chat the principal may see (ENOTFOUND
// otherwise).
func (s *Server) ChatDeliveries(ctx context.Context, p Principal, q sb.DeliveryQuery) (DeliveryPage, error) {
	if _, err := s.Chat(ctx, p, q.ChatID); err != nil {
		return DeliveryPage{}, err
	}
	q.WebhookID = ""
	return s.deliveryPage(ctx, q)
}

func (s *Server) deliveryPage(ctx context.Context, q sb.DeliveryQuery) (DeliveryPage, error) {
	q.Limit = min(max(q.Limit, 1), 1000)
	ds, err := s.Store.Deliveries(ctx, q)
	if err != nil {
		return DeliveryPage{}, err
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	as, err := s.Store.Attempts(ctx, ids)
	if err != nil {
		return DeliveryPage{}, err
	}
	byDelivery := map[int64][]sb.Attempt{}
	for _, a := range as {
		if len(byDelivery[a.DeliveryID]) < maxShownAttempts {
			byDelivery[a.DeliveryID] = append(byDelivery[a.DeliveryID], a)
		}
	}
	page := DeliveryPage{Items: make([]DeliveryView, len(ds))}
	for i, d := range ds {
		v := DeliveryView{Delivery: d, Status: "pending", LastAttempts: byDelivery[d.ID]}
		if d.Done {
			v.Status = "delivered"
		}
		if v.LastAttempts == nil {
			v.LastAttempts = []sb.Attempt{}
		}
		page.Items[i] = v
	}
	if len(ds) == q.Limit {
		page.NextCursor = strconv.FormatInt(ds[len(ds)-1].ID, 10)
	}
	return page, nil
}

// ResendDelivery enqueues a new delivery of a delivery's event to the same
// target: a subscription's (webhookID) or, with webhookID empty, a chat's
// event_webhook_url (chatID, which the principal must see). ENOTFOUND when
// the delivery is not one of theirs.
func (s *Server) ResendDelivery(ctx context.Context, p Principal, webhookID, chatID string, id int64) (sb.Delivery, error) {
	if webhookID != "" {
		if err := s.webhookExists(webhookID); err != nil {
			return sb.Delivery{}, err
		}
	} else if _, err := s.Chat(ctx, p, chatID); err != nil {
		return sb.Delivery{}, err
	}
	old, err := s.Store.Delivery(ctx, id)
	if err == nil && (old.WebhookID != webhookID || webhookID == "" && old.ChatID != chatID) {
		err = sb.Errorf(sb.ENOTFOUND, "delivery_id", "delivery %d not found", id)
	}
	if err != nil {
		return sb.Delivery{}, err
	}
	now := s.now()
	d := sb.Delivery{WebhookID: old.WebhookID, URL: old.URL, EventSeq: old.EventSeq, ChatID: old.ChatID, NextAt: now, CreatedAt: now}
	return s.enqueue(ctx, d)
}

// TestWebhook enqueues a test event (event_name webhook_test) to a
// subscription (ENOTFOUND for an unknown one).
func (s *Server) TestWebhook(ctx context.Context, id string) (sb.Delivery, error) {
	s.mu.RLock()
	i := slices.IndexFunc(s.webhooks, func(w sb.Webhook) bool { return w.ID == id })
	var w sb.Webhook
	if i >= 0 {
		w = s.webhooks[i]
	}
	s.mu.RUnlock()
	if i < 0 {
		return sb.Delivery{}, sb.Errorf(sb.ENOTFOUND, "id", "webhook %q not found", id)
	}
	now := s.now()
	return s.enqueue(ctx, sb.Delivery{WebhookID: w.ID, URL: w.URL, NextAt: now, CreatedAt: now})
}

// enqueue commits one delivery through the writer and returns it with its
// id (ENOTFOUND when its subscription was deleted meanwhile).
func (s *Server) enqueue(ctx context.Context, d sb.Delivery) (sb.Delivery, error) {
	var b *sb.Batch
	var at int
	err := s.write(ctx, &request{
		side: func(_ *routing.Engine, batch *sb.Batch) error {
			b, at = batch, len(batch.Deliveries)
			batch.Deliveries = append(batch.Deliveries, d)
			return nil
		},
		after: func() { d = b.Deliveries[at] },
	})
	if err == nil && d.ID == 0 {
		err = sb.Errorf(sb.ENOTFOUND, "id", "webhook %q not found", d.WebhookID)
	}
	if err == nil {
		s.probeNow(d.Target()) // after the commit pushed the delivery
	}
	return d, err
}

// WebhookKeys lists the server-wide keys that sign deliveries to chats'
// event_webhook_url, without their secrets.
func (s *Server) WebhookKeys() []sb.WebhookKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.webhookKeys)
}

// MaxKeyOverlap bounds how long a rotated key keeps signing.
const MaxKeyOverlap = 30 * 24 * time.Hour

// RotateWebhookKey creates a new server-wide signing key for chats'
// event_webhook_url and returns it with its secret (shown only now). The
// keys in force go on signing beside it for overlap, then stop.
func (s *Server) RotateWebhookKey(ctx context.Context, overlap time.Duration) (sb.WebhookKey, error) {
	if overlap < 0 || overlap > MaxKeyOverlap {
		return sb.WebhookKey{}, sb.Errorf(sb.EINVALID, "overlap_s", "overlap_s must be 0 to %d", int(MaxKeyOverlap.Seconds()))
	}
	now := time.Now().UTC()
	k := sb.WebhookKey{ID: NewSecret("whk_")[:16], Secret: newWhsec(), CreatedAt: now}
	var keys []sb.WebhookKey
	err := s.write(ctx, &request{
		side: func(_ *routing.Engine, b *sb.Batch) error {
			keys = nil
			for _, old := range s.webhookKeys {
				if end := now.Add(overlap); old.ExpiresAt.IsZero() || old.ExpiresAt.After(end) {
					old.ExpiresAt = end
					b.WebhookKeys = append(b.WebhookKeys, old)
				}
				keys = append(keys, old)
			}
			b.WebhookKeys = append(b.WebhookKeys, k)
			keys = append(keys, k)
			return nil
		},
		after: func() { s.webhookKeys = keys },
	})
	return k, err
}

// Connect applies a connect action; webhookSecret, when set, signs the
// deliveries to the chat's event_webhook_url, kept in the same commit.
func (s *Server) Connect(ctx context.Context, cmd routing.Connect, webhookSecret string) (routing.Result, error) {
	if webhookSecret == "" {
		return s.Do(ctx, cmd)
	}
	r := &request{cmd: cmd}
	r.side = func(_ *routing.Engine, b *sb.Batch) error {
		if c := r.res.Chat; c != nil && c.WebhookURL != "" {
			b.ChatSecrets = append(b.ChatSecrets, sb.ChatSecret{ChatID: c.ID, Secret: webhookSecret})
		}
		return nil
	}
	return s.submit(ctx, r)
}
