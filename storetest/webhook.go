package storetest

import (
	"context"
	"testing"

	sb "github.com/switchboard/switchboard"
)

func webhook(id string, created int, events ...string) sb.Webhook {
	return sb.Webhook{ID: id, URL: "https://example.com/" + id, Events: events, Secret: "whsec_" + id, CreatedAt: at(created)}
}

func delivery(webhookID string, seq int64) sb.Delivery {
	return sb.Delivery{WebhookID: webhookID, URL: "https://example.com/" + webhookID, EventSeq: seq, ChatID: "1",
		NextAt: at(int(seq)), CreatedAt: at(int(seq))}
}

func testWebhooks(t *testing.T, s sb.Store) {
	ctx := context.Background()
	a, b, c := webhook("wh-a", 1, "*"), webhook("wh-b", 2), webhook("wh-c", 3, sb.EventChatClosed, sb.EventLimit)
	b.Events = []string{}
	for _, w := range []sb.Webhook{c, a, b} {
		commit(t, s, &sb.Batch{Webhooks: []sb.Webhook{w}})
	}
	wantCode(t, "a webhook with a taken id", s.Commit(ctx, &sb.Batch{Webhooks: []sb.Webhook{webhook("wh-a", 4)}}), sb.ECONFLICT)
	equal(t, "Webhooks", must(s.Webhooks(ctx))(t), []sb.Webhook{a, b, c})
	commit(t, s, &sb.Batch{DeletedWebhooks: []string{"wh-b"}})
	commit(t, s, &sb.Batch{DeletedWebhooks: []string{"wh-b"}}) // again: nothing to do
	equal(t, "Webhooks after the delete", must(s.Webhooks(ctx))(t), []sb.Webhook{a, c})
}

func testDeliveries(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{Webhooks: []sb.Webhook{webhook("wh-a", 0), webhook("wh-b", 0)}})
	b := &sb.Batch{Deliveries: []sb.Delivery{delivery("wh-a", 1), delivery("", 1), delivery("wh-gone", 2), delivery("wh-b", 2)}}
	commit(t, s, b)
	d := b.Deliveries
	if d[0].ID <= 0 || d[1].ID <= d[0].ID || d[3].ID <= d[1].ID || d[2].ID != 0 {
		t.Fatalf("delivery ids %d %d %d %d; want increasing, and 0 for the unknown webhook", d[0].ID, d[1].ID, d[3].ID, d[2].ID)
	}
	pending := []sb.Delivery{d[0], d[1], d[3]}
	equal(t, "PendingDeliveries", must(s.PendingDeliveries(ctx, 10))(t), pending)
	equal(t, "PendingDeliveries(2)", must(s.PendingDeliveries(ctx, 2))(t), pending[:2])

	first := sb.Attempt{DeliveryID: d[0].ID, WebhookID: "wh-a", EventSeq: 1, At: at(5), StatusCode: 500, Error: "boom", DurationMs: 12}
	pending[0].Attempts, pending[0].NextAt = 1, at(65)
	check(t, s.RecordAttempt(ctx, pending[0], first))
	equal(t, "PendingDeliveries after a failure", must(s.PendingDeliveries(ctx, 10))(t), pending)

	second := sb.Attempt{DeliveryID: d[0].ID, WebhookID: "wh-a", EventSeq: 1, At: at(65), StatusCode: 204, DurationMs: 3}
	pending[0].Attempts, pending[0].Done = 2, true
	check(t, s.RecordAttempt(ctx, pending[0], second))
	equal(t, "PendingDeliveries after a success", must(s.PendingDeliveries(ctx, 10))(t), pending[1:])
	equal(t, "Attempts", must(s.Attempts(ctx, "wh-a", 10))(t), []sb.Attempt{second, first})
	equal(t, "Attempts(1)", must(s.Attempts(ctx, "wh-a", 1))(t), []sb.Attempt{second})
	equal(t, "Attempts of another webhook", len(must(s.Attempts(ctx, "wh-b", 10))(t)), 0)

	gone := sb.Delivery{ID: d[3].ID + 100, Attempts: 1}
	wantCode(t, "RecordAttempt of an unknown delivery", s.RecordAttempt(ctx, gone, first), sb.ENOTFOUND)
}

func testDeleteWebhookDeliveries(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{Webhooks: []sb.Webhook{webhook("wh-a", 0), webhook("wh-b", 0)}})
	b := &sb.Batch{Deliveries: []sb.Delivery{delivery("wh-a", 1), delivery("wh-b", 1), delivery("", 1), delivery("wh-a", 2)}}
	commit(t, s, b)
	commit(t, s, &sb.Batch{DeletedWebhooks: []string{"wh-a"}})
	equal(t, "PendingDeliveries", must(s.PendingDeliveries(ctx, 10))(t), b.Deliveries[1:3])
	b2 := &sb.Batch{Deliveries: []sb.Delivery{delivery("wh-a", 3), delivery("wh-b", 3)}}
	commit(t, s, b2)
	equal(t, "id of a delivery to the deleted webhook", b2.Deliveries[0].ID, int64(0))
	equal(t, "PendingDeliveries after another commit", must(s.PendingDeliveries(ctx, 10))(t),
		append(b.Deliveries[1:3:3], b2.Deliveries[1]))
}
