package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

func testRoundTrip(t *testing.T, s sb.Store) {
	cfg := config()
	queued := chat(9, sb.ChatQueued, "", at(5))
	queued.QueuePosition = 3
	b := &sb.Batch{
		Config:    &cfg,
		Operators: []sb.Operator{operator("op-b", sb.StatusOnline), operator("op-a", sb.StatusBreak)},
		Chats: []sb.Chat{chat(10, sb.ChatActive, "op-a", at(6)), queued, closed(4, "op-b", at(7)),
			chat(11, sb.ChatNew, "", at(8))},
		Messages:  []sb.Message{message(1, "10", at(6))},
		Events:    []sb.Event{event(1, sb.EventChatCreated, "10", at(6)), event(2, sb.EventConfigChanged, "", at(6))},
		Decisions: []sb.Decision{decision(1, at(6)), decision(2, at(7))},
		Counters:  counters(10),
		Now:       at(9),
	}
	commit(t, s, b)
	queued.QueuePosition = 0
	want := sb.State{
		Config:    cfg,
		Operators: []sb.Operator{b.Operators[1], b.Operators[0]},
		Chats:     []sb.Chat{queued, b.Chats[0], b.Chats[3]},
		Closed:    []sb.Chat{b.Chats[2]},
		Audit:     b.Decisions,
		Counters:  counters(10),
		Now:       at(9),
	}
	equal(t, "state", load(t, s), want)
}

// testLoadMany loads more open chats than a store reads in one go (stores
// may read and decode in chunks), every one whole and in id order.
func testLoadMany(t *testing.T, s sb.Store) {
	cfg := config()
	b := &sb.Batch{Config: &cfg, Counters: counters(5000), Now: at(9)}
	for i := 5000; i >= 1; i-- { // ids 1..5000, committed out of order
		c := chat(i, sb.ChatQueued, "", at(i%7))
		c.Weight = i % 3
		b.Chats = append(b.Chats, c)
	}
	commit(t, s, b)
	st := load(t, s)
	if len(st.Chats) != 5000 {
		t.Fatalf("loaded %d open chats, want 5000", len(st.Chats))
	}
	for i, c := range st.Chats {
		want := chat(i+1, sb.ChatQueued, "", at((i+1)%7))
		want.Weight = (i + 1) % 3
		equal(t, "chat "+want.ID, c, want)
	}
}

// testTimesUTC commits every timestamp in another zone and expects each
// back exactly, in UTC, from every read.
func testTimesUTC(t *testing.T, s sb.Store) {
	ctx := context.Background()
	local, inUTC := t0.In(time.FixedZone("EET", 2*3600)).Add(987), t0.Add(987)
	b, tok, wh, a := timesFixture(local)
	commit(t, s, &sb.Batch{Tokens: []sb.Token{tok}, Webhooks: []sb.Webhook{wh}})
	commit(t, s, b)
	check(t, s.RecordAttempts(ctx, b.Deliveries[:1], []sb.Attempt{a}))

	want, tok, wh, a := timesFixture(inUTC)
	want.Deliveries[0].ID = b.Deliveries[0].ID
	st := load(t, s)
	equal(t, "loaded config", st.Config, *want.Config)
	equal(t, "loaded operators", st.Operators, want.Operators)
	equal(t, "loaded open chats", st.Chats, want.Chats[:1])
	equal(t, "loaded closed chats", st.Closed, want.Chats[1:])
	equal(t, "loaded decisions", st.Audit, want.Decisions)
	equal(t, "loaded now", st.Now, inUTC)
	equal(t, "Chat", must(s.Chat(ctx, "2"))(t), want.Chats[1])
	equal(t, "Events", must(s.Events(ctx, 0, 10))(t), want.Events)
	equal(t, "Messages", must(s.Messages(ctx, "1"))(t), want.Messages)
	equal(t, "Decisions", must(s.Decisions(ctx, time.Time{}, 10))(t), want.Decisions)
	equal(t, "ChatsCreated", must(s.ChatsCreated(ctx, inUTC, inUTC.Add(1)))(t), want.Chats)
	equal(t, "Tokens", must(s.Tokens(ctx))(t), []sb.Token{tok})
	equal(t, "Webhooks", must(s.Webhooks(ctx))(t), []sb.Webhook{wh})
	d := want.Deliveries[0]
	pending := must(s.PendingDeliveries(ctx, d.Target(), 0, 10))(t)
	if len(pending) == 1 { // with its event's JSON
		var ev sb.Event
		if err := json.Unmarshal(pending[0].Body, &ev); err != nil || ev.Seq != d.EventSeq {
			t.Errorf("PendingDeliveries: body %q; want event %d's JSON", pending[0].Body, d.EventSeq)
		}
		pending[0].Body = nil
	}
	equal(t, "PendingDeliveries", pending, want.Deliveries)
	equal(t, "Delivery", must(s.Delivery(ctx, d.ID))(t), d)
	equal(t, "Attempts", must(s.Attempts(ctx, []int64{d.ID}))(t), []sb.Attempt{a})
}

// timesFixture is one of everything a store keeps, with every time set to
// when.
func timesFixture(when time.Time) (*sb.Batch, sb.Token, sb.Webhook, sb.Attempt) {
	cfg := config()
	b := &sb.Batch{
		Config: &cfg, Operators: []sb.Operator{operator("op-a", sb.StatusOnline)},
		Chats:    []sb.Chat{chat(1, sb.ChatActive, "op-a", t0), closed(2, "op-a", t0)},
		Messages: []sb.Message{message(1, "1", t0)}, Decisions: []sb.Decision{decision(1, t0)},
		Events: []sb.Event{event(1, sb.EventMessageCreated, "1", t0)}, Now: t0,
		Deliveries: []sb.Delivery{{URL: "https://crm.example.com/hook", EventSeq: 1, ChatID: "1"}},
	}
	b.Events[0].Message = &b.Messages[0]
	tok := sb.Token{ID: "tok", Hash: "h", Role: sb.RoleAdmin}
	wh := sb.Webhook{ID: "wh", URL: "https://example.com", Events: []string{"*"}, MaxBatch: 100}
	a := sb.Attempt{DeliveryID: 1, EventSeq: 1, StatusCode: 500}
	for _, v := range []any{b, &tok, &wh, &a} {
		setTimes(reflect.ValueOf(v), when)
	}
	return b, tok, wh, a
}

func testLatestWins(t *testing.T, s sb.Store) {
	ctx := context.Background()
	busy := operator("op-a", sb.StatusOnline)
	busy.Active = 2
	queued, active := chat(1, sb.ChatQueued, "", at(0)), chat(1, sb.ChatActive, "op-a", at(0))
	commit(t, s, &sb.Batch{
		Operators: []sb.Operator{operator("op-a", sb.StatusOffline), busy},
		Chats:     []sb.Chat{queued, chat(2, sb.ChatNew, "", at(1)), active},
	})
	st := load(t, s)
	equal(t, "operators", st.Operators, []sb.Operator{busy})
	equal(t, "chats", st.Chats, []sb.Chat{active, chat(2, sb.ChatNew, "", at(1))})

	done := closed(1, "op-a", at(9))
	commit(t, s, &sb.Batch{Chats: []sb.Chat{done}, Events: []sb.Event{closedEvent(1, done)}})
	st = load(t, s)
	equal(t, "open chats after the close", ids(st.Chats), []string{"2"})
	equal(t, "closed chats after the close", st.Closed, []sb.Chat{done})
	equal(t, "Chat", must(s.Chat(ctx, "1"))(t), done)
	// Every column follows the latest entry, its creation time included.
	equal(t, "ChatsCreated after the close", must(s.ChatsCreated(ctx, done.CreatedAt, at(0)))(t), []sb.Chat{done})
}

func testDeletedOperators(t *testing.T, s sb.Store) {
	ctx := context.Background()
	a, b := operator("op-a", sb.StatusOnline), operator("op-b", sb.StatusOnline)
	commit(t, s, &sb.Batch{Operators: []sb.Operator{a, b},
		Passwords: []sb.Password{{OperatorID: "op-a", Hash: "hash-a"}, {OperatorID: "op-b", Hash: "hash-b"}},
		Tokens: []sb.Token{{ID: "tok-a", Hash: "h-a", Role: sb.RoleOperator, OperatorID: "op-a", CreatedAt: at(1)},
			{ID: "ses-a", Hash: "h-sa", Role: sb.RoleSupervisor, OperatorID: "op-a", CreatedAt: at(1)},
			{ID: "tok-b", Hash: "h-b", Role: sb.RoleOperator, OperatorID: "op-b", CreatedAt: at(1)}}})
	commit(t, s, &sb.Batch{DeletedOperators: []string{"op-a", "op-unknown"}})
	equal(t, "operators", load(t, s).Operators, []sb.Operator{b})
	_, err := s.PasswordHash(ctx, "op-a")
	wantCode(t, "PasswordHash of a deleted operator", err, sb.ENOTFOUND)
	equal(t, "password of op-b", must(s.PasswordHash(ctx, "op-b"))(t), "hash-b")
	for _, h := range []string{"h-a", "h-sa"} {
		_, err := s.TokenByHash(ctx, h)
		wantCode(t, "a token of a deleted operator", err, sb.ENOTFOUND)
	}
	equal(t, "tokens left", len(must(s.Tokens(ctx))(t)), 1)
}

func testDeletedThenUpserted(t *testing.T, s sb.Store) {
	a := operator("op-a", sb.StatusOnline)
	commit(t, s, &sb.Batch{Operators: []sb.Operator{a}})
	a.Name = "Re-created"
	commit(t, s, &sb.Batch{Operators: []sb.Operator{a}, DeletedOperators: []string{"op-a"}})
	equal(t, "operators", load(t, s).Operators, []sb.Operator{a})
}

func testAtomicity(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{
		Chats:  []sb.Chat{chat(1, sb.ChatNew, "", at(0))},
		Events: []sb.Event{event(1, sb.EventChatCreated, "1", at(0))}, Counters: counters(1), Now: at(0),
	})
	before := load(t, s)
	cfg := config()
	bad := &sb.Batch{
		Config: &cfg, Operators: []sb.Operator{operator("op-a", sb.StatusOnline)},
		DeletedOperators: []string{"op-b"},
		Chats:            []sb.Chat{chat(2, sb.ChatNew, "", at(1)), closed(1, "op-a", at(1))},
		Messages:         []sb.Message{message(1, "2", at(1))},
		Decisions:        []sb.Decision{decision(1, at(1))},
		Events:           []sb.Event{event(2, sb.EventChatCreated, "2", at(1)), event(1, sb.EventChatCreated, "1", at(1))},
		Deliveries:       []sb.Delivery{{URL: "https://example.com", EventSeq: 2, ChatID: "2", NextAt: at(1)}},
		Counters:         counters(2), Now: at(1),
	}
	wantCode(t, "Commit repeating an event seq", s.Commit(ctx, bad), sb.ECONFLICT)
	equal(t, "state after the failed commit", load(t, s), before)
	equal(t, "events after the failed commit", len(must(s.Events(ctx, 0, 10))(t)), 1)
	equal(t, "messages after the failed commit", len(must(s.Messages(ctx, "2"))(t)), 0)
	equal(t, "pending deliveries after the failed commit", len(must(s.DeliveryTargets(ctx))(t)), 0)
	equal(t, "delivery id after the failed commit", bad.Deliveries[0].ID, int64(0))
	_, err := s.Chat(ctx, "2")
	wantCode(t, "Chat of the failed batch", err, sb.ENOTFOUND)
}

func testCanceled(t *testing.T, s sb.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Commit(ctx, &sb.Batch{Chats: []sb.Chat{chat(1, sb.ChatNew, "", at(0))}, Now: at(0)}); err == nil {
		t.Fatal("Commit with a canceled context succeeded")
	}
	if _, ok, err := s.Load(context.Background()); ok || err != nil {
		t.Errorf("Load after a canceled commit: ok %v, err %v; want false, nil", ok, err)
	}
}
