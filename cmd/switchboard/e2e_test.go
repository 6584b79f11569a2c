package main

import (
	"slices"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// End-to-end tests of the real server: each test runs Main on a free port
// over a fresh data folder and talks to it over HTTP. The harness is in
// e2e_client_test.go; the role matrix, bad input, events and restart tests
// are in the other e2e_*_test.go files.

// e2eConnectFixture is a server with topics and operators for the §5 table:
//
//	support   served by op-a (online, max 50)
//	busy      served by op-busy (online, max_chats 0)
//	off       served by op-off (offline)
//	orphan    served by nobody
type e2eConnectFixture struct {
	*e2eSrv
	integ string
}

func e2eConnectFixtureNew(t *testing.T) e2eConnectFixture {
	s := e2eNew(t)
	for _, tp := range []string{"support", "busy", "off", "orphan"} {
		s.topic(tp)
	}
	s.operator("op-a", map[string]any{"max_chats": 50})
	s.operator("op-busy", map[string]any{"max_chats": 0})
	s.operator("op-off", nil)
	s.group("g-support", []string{"support"}, []string{"op-a"})
	s.group("g-busy", []string{"busy"}, []string{"op-busy"})
	s.group("g-off", []string{"off"}, []string{"op-off"})
	s.setStatus("op-a", sb.StatusOnline)
	s.setStatus("op-busy", sb.StatusOnline)
	return e2eConnectFixture{e2eSrv: s, integ: s.token(sb.RoleIntegrator, "")}
}

// openChats counts the chats in the open folders.
func (s *e2eSrv) openChats() int {
	s.t.Helper()
	return len(s.folder("new")) + len(s.folder("in_queue")) + len(s.folder("active"))
}

// TestConnectTable covers every row of PRODUCT.md §5's table through the
// connect action with an integrator token.
func TestConnectTable(t *testing.T) {
	t.Parallel()
	f := e2eConnectFixtureNew(t)

	t.Run("banned client gets banned and no chat", func(t *testing.T) {
		until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		f.must(201, "POST", "/api/v1/bans", f.integ, map[string]any{"client_id": "ban-1", "until": until, "reason": "spam"})
		before, seq := f.openChats(), f.lastSeq()
		a := f.connect(f.integ, e2eConnectBody("ban-1", "telegram", map[string]any{"auto_connect_operator": true, "subject_alias": "support"}))
		if a.Event != "banned" || a.Chat != nil {
			t.Fatalf("answer %+v, want banned without chat", a)
		}
		if n := f.openChats(); n != before {
			t.Errorf("open chats %d -> %d", before, n)
		}
		if evs := f.events(seq); len(evs) != 0 {
			t.Errorf("a banned connect emitted %v", e2eNames(evs))
		}
	})

	t.Run("banned client with an open chat gets banned; the chat stays", func(t *testing.T) {
		c := f.connectChat(f.integ, "ban-2", "telegram", nil)
		until := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		f.must(201, "POST", "/api/v1/bans", f.integ, map[string]any{"client_id": "ban-2", "channel": "telegram", "until": until})
		if a := f.connect(f.integ, e2eConnectBody("ban-2", "telegram", nil)); a.Event != "banned" || a.Chat != nil {
			t.Fatalf("answer %+v, want banned", a)
		}
		if got := f.chat(c.ID); got.Status != sb.ChatNew {
			t.Errorf("the older chat is %s, want new", got.Status)
		}
		// The ban is per channel: another channel connects.
		if a := f.connect(f.integ, e2eConnectBody("ban-2", "viber", nil)); a.Event != "success" {
			t.Errorf("other channel: %+v", a)
		}
	})

	t.Run("open chat on the channel is returned, no second chat", func(t *testing.T) {
		cfg := map[string]any{"auto_connect_operator": true, "subject_alias": "support"}
		first := f.connectChat(f.integ, "retry-1", "widget", cfg)
		seq := f.lastSeq()
		again := f.connectChat(f.integ, "retry-1", "widget", cfg)
		if again.ID != first.ID || again.Status != sb.ChatActive || again.OperatorID != "op-a" {
			t.Fatalf("retry got %+v, want chat %s active with op-a", again, first.ID)
		}
		// The retry's text is one more client message on that chat.
		if evs := f.events(seq); len(evs) != 1 || evs[0].Name != sb.EventMessageCreated || evs[0].ChatID != first.ID {
			t.Errorf("a retry emitted %v, want one message_created on chat %s", e2eNames(evs), first.ID)
		}
		body := e2eConnectBody("retry-1", "widget", cfg)
		body["text"] = ""
		seq = f.lastSeq()
		if a := f.connect(f.integ, body); a.Chat == nil || a.Chat.ID != first.ID {
			t.Fatalf("retry without text: %+v", a)
		}
		if evs := f.events(seq); len(evs) != 0 {
			t.Errorf("a retry without text emitted %v", e2eNames(evs))
		}
	})

	t.Run("status queue: behind waiting chats, by R3", func(t *testing.T) {
		q := map[string]any{"auto_connect_operator": true, "subject_alias": "off", "status": "queue"}
		c1 := f.connectChat(f.integ, "q-1", "telegram", q)
		c2 := f.connectChat(f.integ, "q-2", "telegram", q)
		if c1.Status != sb.ChatQueued || c1.QueuePosition != 1 || c2.Status != sb.ChatQueued || c2.QueuePosition != 2 {
			t.Fatalf("got %s@%d and %s@%d, want queued at 1 and 2", c1.Status, c1.QueuePosition, c2.Status, c2.QueuePosition)
		}
		heavy := map[string]any{"auto_connect_operator": true, "subject_alias": "off", "status": "queue", "weight": 5}
		if c3 := f.connectChat(f.integ, "q-3", "telegram", heavy); c3.QueuePosition != 1 {
			t.Errorf("a heavier chat is at %d, want 1", c3.QueuePosition)
		}
		if got := f.chat(c2.ID); got.QueuePosition != 3 {
			t.Errorf("q-2 is at %d after a heavier chat, want 3", got.QueuePosition)
		}
	})

	t.Run("status queue with a free operator: active after R4", func(t *testing.T) {
		c := f.connectChat(f.integ, "q-free", "telegram", map[string]any{"auto_connect_operator": true, "subject_alias": "support", "status": "queue"})
		if c.Status != sb.ChatActive || c.OperatorID != "op-a" || c.QueuePosition != 0 {
			t.Errorf("got %+v, want active with op-a", c)
		}
	})

	t.Run("no status, eligible operator: active", func(t *testing.T) {
		c := f.connectChat(f.integ, "auto-1", "telegram", map[string]any{"auto_connect_operator": true, "subject_alias": "support"})
		if c.Status != sb.ChatActive || c.OperatorID != "op-a" || c.AssignedAt.IsZero() {
			t.Errorf("got %+v, want active with op-a", c)
		}
	})

	for _, tc := range []struct{ topic, reason string }{
		{"orphan", "no_operator_for_topic"},
		{"off", "no_operator_online"},
		{"busy", "all_operators_busy"},
	} {
		t.Run("no status, nobody eligible: limit "+tc.reason, func(t *testing.T) {
			before, seq := f.openChats(), f.lastSeq()
			a := f.connect(f.integ, e2eConnectBody("limit-"+tc.topic, "telegram", map[string]any{"auto_connect_operator": true, "subject_alias": tc.topic}))
			if a.Event != "limit" || a.Reason == nil || a.Reason.Code != tc.reason || a.Reason.Message == "" {
				t.Fatalf("answer %+v, want limit %s", a, tc.reason)
			}
			if n := f.openChats(); n != before {
				t.Errorf("open chats %d -> %d: a limit left a chat behind", before, n)
			}
			evs := f.events(seq)
			if len(evs) != 1 || evs[0].Name != sb.EventLimit || evs[0].ChatID != "" || evs[0].Reason == nil || evs[0].Reason.Code != tc.reason {
				t.Errorf("events %+v, want one limit event without chat id", evs)
			}
		})
	}

	t.Run("setting auto_connect off: new with warning", func(t *testing.T) {
		f.settings(map[string]any{"auto_connect": false})
		defer f.settings(map[string]any{"auto_connect": true})
		a := f.connect(f.integ, e2eConnectBody("off-1", "telegram", map[string]any{"auto_connect_operator": true, "subject_alias": "support"}))
		if a.Event != "success" || a.Chat == nil || a.Chat.Status != sb.ChatNew || !slices.Contains(e2eCodes(a.Warnings), "auto_connect_disabled") {
			t.Fatalf("answer %+v, want success new with auto_connect_disabled", a)
		}
		if !slices.Contains(e2eIDs(f.folder("new")), a.Chat.ID) {
			t.Errorf("chat %s is not in New", a.Chat.ID)
		}
	})

	for _, tc := range []struct {
		name, op, topic string
		warnings        []string
	}{
		{"serving online operator", "op-a", "support", nil},
		{"operator cannot receive and not in topic", "op-off", "support", []string{"operator_cannot_receive", "operator_not_in_topic"}},
		{"operator over limit", "op-busy", "busy", []string{"operator_over_limit"}},
	} {
		t.Run("auto false, assigned_operator: "+tc.name, func(t *testing.T) {
			a := f.connect(f.integ, e2eConnectBody("assigned-"+tc.op, "telegram", map[string]any{"assigned_operator": tc.op, "subject_alias": tc.topic}))
			if a.Event != "success" || a.Chat == nil || a.Chat.Status != sb.ChatActive || a.Chat.OperatorID != tc.op {
				t.Fatalf("answer %+v, want active with %s", a, tc.op)
			}
			got := e2eCodes(a.Warnings)
			slices.Sort(got)
			if !slices.Equal(got, append([]string{}, tc.warnings...)) {
				t.Errorf("warnings %v, want %v", got, tc.warnings)
			}
		})
	}

	t.Run("auto true ignores assigned_operator with a warning", func(t *testing.T) {
		a := f.connect(f.integ, e2eConnectBody("ignored-1", "telegram", map[string]any{"auto_connect_operator": true, "assigned_operator": "op-off", "subject_alias": "support"}))
		if a.Event != "success" || a.Chat == nil || a.Chat.OperatorID != "op-a" || !slices.Contains(e2eCodes(a.Warnings), "assigned_operator_ignored") {
			t.Fatalf("answer %+v, want op-a with assigned_operator_ignored", a)
		}
	})

	t.Run("auto false, no assigned_operator: new", func(t *testing.T) {
		c := f.connectChat(f.integ, "manual-1", "telegram", map[string]any{"subject_alias": "support"})
		if c.Status != sb.ChatNew || c.OperatorID != "" {
			t.Errorf("got %+v, want new", c)
		}
	})

	t.Run("auto_connect_operator absent means false", func(t *testing.T) {
		a := f.connect(f.integ, e2eConnectBody("absent-1", "telegram", nil))
		if a.Chat == nil || a.Chat.Status != sb.ChatNew {
			t.Errorf("answer %+v, want new", a)
		}
	})
}

// TestConnectBadInput covers the bad-input row of §5: 400 for malformed
// JSON, 422 naming the field otherwise, event "error", nothing created.
func TestConnectBadInput(t *testing.T) {
	t.Parallel()
	f := e2eConnectFixtureNew(t)
	client := func(id, channel string) map[string]any {
		return map[string]any{"id": id, "channel": channel}
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", e2eRaw(`{"client": {"id": "x"`), 400, ""},
		{"missing client", map[string]any{"text": "hi"}, 422, "client"},
		{"missing client.id", map[string]any{"client": client("", "telegram")}, 422, "client.id"},
		{"missing client.channel", map[string]any{"client": client("c1", "")}, 422, "client.channel"},
		{"unknown subject_alias", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"subject_alias": "nope"}}, 422, "config.subject_alias"},
		{"unknown status", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"auto_connect_operator": true, "status": "later"}}, 422, "config.status"},
		{"unknown assigned_operator", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"assigned_operator": "ghost"}}, 422, "config.assigned_operator"},
		{"unknown assigned_operator, ignored", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"auto_connect_operator": true, "assigned_operator": "ghost"}}, 422, "config.assigned_operator"},
		{"negative weight", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"weight": -1}}, 422, "config.weight"},
		{"weight of the wrong type", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"weight": "high"}}, 422, "config.weight"},
		{"unknown field", map[string]any{"client": client("c1", "telegram"), "priority": 1}, 422, "priority"},
		{"bad event_webhook_url", map[string]any{"client": client("c1", "telegram"), "config": map[string]any{"event_webhook_url": "ftp://x"}}, 422, "config.event_webhook_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, seq := f.openChats(), f.lastSeq()
			r := f.do("POST", e2eConnectPath, f.integ, tc.body)
			field, code := r.errField()
			if r.Status != tc.status || r.obj()["event"] != "error" || code == "" || field != tc.field {
				t.Fatalf("got %s, want %d event error naming %q", r, tc.status, tc.field)
			}
			if _, ok := r.obj()["chat"]; ok {
				t.Errorf("an error answer carries a chat: %s", r)
			}
			if n := f.openChats(); n != before {
				t.Errorf("open chats %d -> %d", before, n)
			}
			if evs := f.events(seq); len(evs) != 0 {
				t.Errorf("bad input emitted %v", e2eNames(evs))
			}
		})
	}
}
