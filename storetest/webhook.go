package storetest

import (
	"context"
	"testing"

	sb "github.com/switchboard/switchboard"
)

func webhook(id string, created int, events ...string) sb.Webhook {
	return sb.Webhook{ID: id, URL: "https://example.com/" + id, Events: events, MaxBatch: 1, Secret: "whsec_" + id, CreatedAt: at(created)}
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
	a := d[0].Target()
	equal(t, "PendingDeliveries of wh-a", must(s.PendingDeliveries(ctx, a, 0, 10))(t), d[:1])
	equal(t, "PendingDeliveries of the chat URL", must(s.PendingDeliveries(ctx, d[1].Target(), 0, 10))(t), d[1:2])
	equal(t, "PendingDeliveries after the last", len(must(s.PendingDeliveries(ctx, a, d[0].ID, 10))(t)), 0)

	first := sb.Attempt{DeliveryID: d[0].ID, WebhookID: "wh-a", EventSeq: 1, At: at(5), StatusCode: 500, Error: "boom", DurationMs: 12}
	failed := d[0]
	failed.Attempts, failed.NextAt = 1, at(65)
	check(t, s.RecordAttempts(ctx, []sb.Delivery{failed}, []sb.Attempt{first}))
	equal(t, "PendingDeliveries after a failure", must(s.PendingDeliveries(ctx, a, 0, 10))(t), []sb.Delivery{failed})

	second := sb.Attempt{DeliveryID: d[0].ID, WebhookID: "wh-a", EventSeq: 1, At: at(65), StatusCode: 204, DurationMs: 3}
	done := failed
	done.Attempts, done.Done = 2, true
	// A delivery that is gone is skipped with its attempt; the others are
	// recorded.
	gone := sb.Delivery{ID: d[3].ID + 100, Attempts: 1}
	goneAttempt := sb.Attempt{DeliveryID: gone.ID, EventSeq: 9, At: at(66)}
	check(t, s.RecordAttempts(ctx, []sb.Delivery{gone, done}, []sb.Attempt{goneAttempt, second}))
	equal(t, "PendingDeliveries after a success", len(must(s.PendingDeliveries(ctx, a, 0, 10))(t)), 0)
	equal(t, "Delivery", must(s.Delivery(ctx, d[0].ID))(t), done)
	equal(t, "Attempts", must(s.Attempts(ctx, []int64{d[0].ID, d[3].ID}))(t), []sb.Attempt{second, first})
	equal(t, "Attempts of another delivery", len(must(s.Attempts(ctx, []int64{d[3].ID, gone.ID}))(t)), 0)
	_, err := s.Delivery(ctx, gone.ID)
	wantCode(t, "Delivery of an unknown id", err, sb.ENOTFOUND)
	wantCode(t, "RecordAttempts of unpaired slices", s.RecordAttempts(ctx, []sb.Delivery{done}, nil), sb.EINVALID)
	equal(t, "DeliveryTargets", must(s.DeliveryTargets(ctx))(t), []sb.TargetBacklog{
		{DeliveryTarget: d[1].Target(), Pending: 1, LastID: d[1].ID}, {DeliveryTarget: d[3].Target(), Pending: 1, LastID: d[3].ID}})
}

// testDeliveriesPerTarget: a target's pending deliveries are read without
// the other targets', in id order and in pages, and a target counts its own.
func testDeliveriesPerTarget(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{Webhooks: []sb.Webhook{webhook("wh-dead", 0), webhook("wh-ok", 0)}})
	var ds []sb.Delivery
	for i := range 300 {
		ds = append(ds, delivery("wh-dead", int64(i+1)))
		if i%100 == 0 {
			ds = append(ds, delivery("wh-ok", int64(i+1)))
		}
	}
	b := &sb.Batch{Deliveries: ds}
	commit(t, s, b)
	var ok []sb.Delivery
	for _, d := range b.Deliveries {
		if d.WebhookID == "wh-ok" {
			ok = append(ok, d)
		}
	}
	target := ok[0].Target()
	equal(t, "PendingDeliveries of wh-ok", must(s.PendingDeliveries(ctx, target, 0, 10))(t), ok)
	equal(t, "PendingDeliveries of wh-ok after the first", must(s.PendingDeliveries(ctx, target, ok[0].ID, 1))(t), ok[1:2])
	dead := b.Deliveries[0].Target()
	page := must(s.PendingDeliveries(ctx, dead, 0, 100))(t)
	next := must(s.PendingDeliveries(ctx, dead, page[99].ID, 1000))(t)
	if len(page) != 100 || len(next) != 200 || next[0].ID <= page[99].ID {
		t.Errorf("wh-dead pages: %d then %d deliveries; want 100 then 200, in id order", len(page), len(next))
	}
	equal(t, "DeliveryTargets", must(s.DeliveryTargets(ctx))(t), []sb.TargetBacklog{
		{DeliveryTarget: dead, Pending: 300, LastID: next[len(next)-1].ID}, {DeliveryTarget: target, Pending: 3, LastID: ok[2].ID}})
	other := sb.DeliveryTarget{WebhookID: "wh-ok", URL: "https://example.com/elsewhere"}
	equal(t, "PendingDeliveries of another URL", len(must(s.PendingDeliveries(ctx, other, 0, 10))(t)), 0)
}

// testDeliveryPages: a subscription's and a chat's deliveries page newest
// first, all or only the pending ones.
func testDeliveryPages(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{Webhooks: []sb.Webhook{webhook("wh-a", 0)}})
	chatHook := func(chat string, seq int64) sb.Delivery {
		d := delivery("", seq)
		d.URL, d.ChatID = "https://crm.example.com/"+chat, chat
		return d
	}
	b := &sb.Batch{Deliveries: []sb.Delivery{delivery("wh-a", 1), chatHook("7", 1), delivery("wh-a", 2), chatHook("8", 2),
		delivery("wh-a", 3), chatHook("7", 3)}}
	commit(t, s, b)
	d := b.Deliveries
	done := d[2]
	done.Attempts, done.Done = 1, true
	check(t, s.RecordAttempts(ctx, []sb.Delivery{done}, []sb.Attempt{{DeliveryID: done.ID, WebhookID: "wh-a", EventSeq: 2, At: at(9), StatusCode: 200}}))
	page := func(q sb.DeliveryQuery) []sb.Delivery { return must(s.Deliveries(ctx, q))(t) }
	equal(t, "wh-a's deliveries", page(sb.DeliveryQuery{WebhookID: "wh-a", Limit: 10}), []sb.Delivery{d[4], done, d[0]})
	equal(t, "wh-a's first page", page(sb.DeliveryQuery{WebhookID: "wh-a", Limit: 2}), []sb.Delivery{d[4], done})
	equal(t, "wh-a's second page", page(sb.DeliveryQuery{WebhookID: "wh-a", Before: done.ID, Limit: 2}), []sb.Delivery{d[0]})
	equal(t, "wh-a's pending", page(sb.DeliveryQuery{WebhookID: "wh-a", Pending: true, Limit: 10}), []sb.Delivery{d[4], d[0]})
	equal(t, "chat 7's deliveries", page(sb.DeliveryQuery{ChatID: "7", Limit: 10}), []sb.Delivery{d[5], d[1]})
	equal(t, "an unknown subscription's", len(page(sb.DeliveryQuery{WebhookID: "wh-x", Limit: 10})), 0)
	equal(t, "a page of none", len(page(sb.DeliveryQuery{WebhookID: "wh-a"})), 0)
}

// testWebhookSecrets: signing keys are created and get new expiries; chat
// secrets are kept per chat, the last one winning; the installation has an
// id.
func testWebhookSecrets(t *testing.T, s sb.Store) {
	ctx := context.Background()
	k1 := sb.WebhookKey{ID: "key-1", Secret: "whsec_a", CreatedAt: at(1)}
	k2 := sb.WebhookKey{ID: "key-2", Secret: "whsec_b", CreatedAt: at(2)}
	commit(t, s, &sb.Batch{WebhookKeys: []sb.WebhookKey{k2, k1}})
	equal(t, "WebhookKeys", must(s.WebhookKeys(ctx))(t), []sb.WebhookKey{k1, k2})
	k1.ExpiresAt = at(100)
	commit(t, s, &sb.Batch{WebhookKeys: []sb.WebhookKey{{ID: "key-1", Secret: "ignored", CreatedAt: at(50), ExpiresAt: at(100)}}})
	equal(t, "WebhookKeys after an expiry", must(s.WebhookKeys(ctx))(t), []sb.WebhookKey{k1, k2})

	commit(t, s, &sb.Batch{ChatSecrets: []sb.ChatSecret{{ChatID: "1", Secret: "one"}, {ChatID: "2", Secret: "two"}}})
	commit(t, s, &sb.Batch{ChatSecrets: []sb.ChatSecret{{ChatID: "1", Secret: "uno"}}})
	equal(t, "ChatSecret", must(s.ChatSecret(ctx, "1"))(t), "uno")
	_, err := s.ChatSecret(ctx, "3")
	wantCode(t, "ChatSecret of a chat without one", err, sb.ENOTFOUND)

	id := must(s.Installation(ctx))(t)
	if len(id) < 8 || id != must(s.Installation(ctx))(t) {
		t.Errorf("Installation = %q; want a stable id of 8 characters or more", id)
	}
}

func testDeleteWebhookDeliveries(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{Webhooks: []sb.Webhook{webhook("wh-a", 0), webhook("wh-b", 0)}})
	b := &sb.Batch{Deliveries: []sb.Delivery{delivery("wh-a", 1), delivery("wh-b", 1), delivery("", 1), delivery("wh-a", 2)}}
	commit(t, s, b)
	commit(t, s, &sb.Batch{DeletedWebhooks: []string{"wh-a"}})
	pending := func() []sb.Delivery {
		var out []sb.Delivery
		for _, tb := range must(s.DeliveryTargets(ctx))(t) {
			out = append(out, must(s.PendingDeliveries(ctx, tb.DeliveryTarget, 0, 10))(t)...)
		}
		return out
	}
	equal(t, "pending deliveries", pending(), []sb.Delivery{b.Deliveries[2], b.Deliveries[1]})
	b2 := &sb.Batch{Deliveries: []sb.Delivery{delivery("wh-a", 3), delivery("wh-b", 3)}}
	commit(t, s, b2)
	equal(t, "id of a delivery to the deleted webhook", b2.Deliveries[0].ID, int64(0))
	equal(t, "pending deliveries after another commit", pending(), []sb.Delivery{b.Deliveries[2], b.Deliveries[1], b2.Deliveries[1]})
}
