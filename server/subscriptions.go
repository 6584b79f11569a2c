package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
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
	sb.EventOperatorStatus, sb.EventConfigChanged, sb.EventChatRated,
}

// ValidURL reports whether s is an absolute http or https URL.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// CreateWebhook adds a subscription to the events named (none or "*":
// all). Without a secret it gets a generated whsec_ one. The answer holds
// the secret: it is shown only now.
func (s *Server) CreateWebhook(ctx context.Context, target string, events []string, secret string) (sb.Webhook, error) {
	if !ValidURL(target) {
		return sb.Webhook{}, sb.Errorf(sb.EINVALID, "url", "url must be an absolute http or https URL")
	}
	if err := s.checkTarget(ctx, target); err != nil {
		return sb.Webhook{}, err
	}
	for _, e := range events {
		if !slices.Contains(EventNames, e) {
			return sb.Webhook{}, sb.Errorf(sb.EINVALID, "events", "unknown event %q", e)
		}
	}
	if secret == "" {
		k := make([]byte, 24)
		_, _ = rand.Read(k)
		secret = "whsec_" + base64.StdEncoding.EncodeToString(k)
	}
	if events == nil {
		events = []string{}
	}
	w := sb.Webhook{ID: NewSecret("wh_")[:15], URL: target, Events: events, Secret: secret, CreatedAt: time.Now().UTC()}
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
		},
	})
}

// Attempts returns a subscription's latest delivery attempts, newest first.
func (s *Server) Attempts(ctx context.Context, webhookID string, limit int) ([]sb.Attempt, error) {
	return s.Store.Attempts(ctx, webhookID, limit)
}
