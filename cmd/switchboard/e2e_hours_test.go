package main

import (
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// End-to-end tests of business hours and of what a waiting client is told
// (issue 23) through the HTTP API.

// e2eClock is a server clock that runs with the wall clock from an
// offset the test may move forward.
type e2eClock struct{ offset atomic.Int64 }

func (c *e2eClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())).UTC() }

// jump moves the clock so that it reads at now.
func (c *e2eClock) jump(at time.Time) { c.offset.Store(int64(time.Until(at))) }

// TestOutOfHoursHTTP: outside a topic's hours a connect answers limit
// with out_of_hours and next_open_at; with "status": "queue" the chat
// waits, held, and is given to the operator when the hours open.
func TestOutOfHoursHTTP(t *testing.T) {
	t.Parallel()
	clock := &e2eClock{}
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Now = "127.0.0.1:0", t.TempDir(), clock.now
	s := e2eRun(t, m)
	// Open from a minute two hours ahead until midnight, every day: the
	// clock only moves forward.
	opening := time.Now().UTC().Truncate(time.Minute).Add(2 * time.Hour)
	from := opening.Format("15:04")
	if from == "00:00" {
		opening, from = opening.Add(time.Minute), "00:01"
	}
	day := [][]string{{from, "24:00"}}
	s.must(201, "POST", "/api/v1/calendars", s.admin, map[string]any{"id": "late", "time_zone": "UTC", "hours": map[string]any{
		"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}})
	s.settings(map[string]any{"auto_offline_after_s": 0}) // a has no panel open, and the clock jumps
	s.topic("t")
	s.must(200, "PATCH", "/api/v1/topics/t", s.admin, map[string]any{"calendar_id": "late"})
	s.operator("a", nil)
	s.group("g", []string{"t"}, []string{"a"})
	s.setStatus("a", sb.StatusOnline)
	in := s.token(sb.RoleIntegrator, "")

	clock.jump(opening.Add(-5 * time.Second))
	a := s.connect(in, e2eConnectBody("k1", "telegram", e2eAuto("t")))
	if a.Event != "limit" || a.Reason == nil || a.Reason.Code != "out_of_hours" || !a.Reason.NextOpenAt.Equal(opening) {
		t.Fatalf("connect before the opening: %+v (reason %+v), want limit out_of_hours opening %v", a, a.Reason, opening)
	}
	cfg := e2eAuto("t")
	cfg["status"] = "queue"
	c := s.connectChat(in, "k2", "telegram", cfg)
	if c.Status != sb.ChatQueued || !c.HeldUntil.Equal(opening) {
		t.Fatalf("queued before the opening: %s held until %v, want queued until %v", c.Status, c.HeldUntil, opening)
	}
	e2eEventually(t, "the chat given to a at the opening", func() bool { return s.chat(c.ID).OperatorID == "a" })
	got := s.chat(c.ID)
	if got.AssignedAt.Before(opening) {
		t.Errorf("assigned at %v, before the opening %v", got.AssignedAt, opening)
	}
	if !got.HeldUntil.IsZero() {
		t.Errorf("an assigned chat is still held until %v", got.HeldUntil)
	}
}

// TestQueueFullHTTP: past max_queue_length the connect action answers
// limit with queue_full.
func TestQueueFullHTTP(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.topic("t") // nobody serves it: chats wait
	s.settings(map[string]any{"max_queue_length": 1})
	in := s.token(sb.RoleIntegrator, "")
	cfg := e2eAuto("t")
	cfg["status"] = "queue"
	s.connectChat(in, "k1", "telegram", cfg)
	a := s.connect(in, e2eConnectBody("k2", "telegram", cfg))
	if a.Event != "limit" || a.Reason == nil || a.Reason.Code != "queue_full" {
		t.Errorf("a second chat: %+v (reason %+v), want limit queue_full", a, a.Reason)
	}
}

// TestQueuePositionHTTP: waiting chats with an event_webhook_url are told
// their position and estimated wait when their band changes, at most once
// per queue_update_interval_s.
func TestQueuePositionHTTP(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.settings(map[string]any{"queue_update_interval_s": 1, "webhook_allow_private_targets": true, "accept_timeout_s": 0})
	s.topic("t")
	s.operator("a", map[string]any{"max_chats": 1})
	s.group("g", []string{"t"}, []string{"a"})
	s.setStatus("a", sb.StatusOnline)
	in := s.token(sb.RoleIntegrator, "")
	hook := &hookSink{}
	hs := httptest.NewServer(hook)
	t.Cleanup(hs.Close)
	cfg := e2eAuto("t")
	cfg["status"], cfg["event_webhook_url"] = "queue", hs.URL
	first := s.connectChat(in, "k0", "telegram", cfg) // goes to a
	var waiting []sb.Chat
	for _, k := range []string{"k1", "k2", "k3"} {
		waiting = append(waiting, s.connectChat(in, k, "telegram", cfg))
	}
	if waiting[2].QueuePosition != 3 {
		t.Fatalf("the third waiting chat is at %d", waiting[2].QueuePosition)
	}
	s.must(200, "POST", "/api/v1/chats/"+first.ID+"/close", s.admin, nil) // k1 goes to a; k2, k3 move up
	e2eEventually(t, "k3 told it is 2nd", func() bool {
		for _, ev := range hook.events() {
			if ev.Name == sb.EventQueuePosition && ev.ChatID == waiting[2].ID && ev.Chat.QueuePosition == 2 {
				return true
			}
		}
		return false
	})
	last := map[string]sb.Event{}
	for _, ev := range hook.events() {
		if ev.Name != sb.EventQueuePosition {
			continue
		}
		if p, ok := last[ev.ChatID]; ok {
			if ev.OccurredAt.Sub(p.OccurredAt) < time.Second {
				t.Errorf("chat %s told twice within the interval: %v, %v", ev.ChatID, p.OccurredAt, ev.OccurredAt)
			}
			if ev.Chat.QueuePosition == p.Chat.QueuePosition {
				t.Errorf("chat %s told position %d twice", ev.ChatID, ev.Chat.QueuePosition)
			}
		}
		last[ev.ChatID] = ev
	}
	if _, ok := last[waiting[0].ID]; ok {
		t.Errorf("chat %s (now with a) was told a position", waiting[0].ID)
	}
}
