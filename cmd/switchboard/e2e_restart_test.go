package main

import (
	"slices"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// TestRestart: a new Main on the same data folder has the chats,
// operators, messages, events and tokens, and routing goes on: a chat
// queued before the stop is assigned when an operator comes online after.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", false, map[string]map[string]any{"a": {"max_chats": 1}, "b": nil})
	s.setStatus("a", sb.StatusOnline)
	s.settings(map[string]any{"distribution_method": "by_number_of_dialogs"})
	in := s.token(sb.RoleIntegrator, "")
	opA := s.token(sb.RoleOperator, "a")
	active := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	queued := s.connectChat(in, "k2", "telegram", e2eQueued("t", 3))
	fresh := s.connectChat(in, "k3", "widget", map[string]any{"subject_alias": "t"})
	closed := s.connectChat(in, "k4", "sms", nil)
	s.must(200, "POST", "/api/v1/chats/"+closed.ID+"/close", s.admin, map[string]any{"comment": "spam"})
	s.must(201, "POST", "/api/v1/chats/"+active.ID+"/messages", opA, map[string]any{"text": "how can I help?"})
	if active.OperatorID != "a" || queued.Status != sb.ChatQueued || fresh.Status != sb.ChatNew {
		t.Fatalf("setup: %s/%s %s %s", active.Status, active.OperatorID, queued.Status, fresh.Status)
	}
	// An open panel session at the stop must not survive it.
	st := s.openStream(opA, 0)
	e2eEventually(t, "a connected", func() bool { return s.op("a").Connected })

	type view struct {
		events              []sb.Event
		ops                 []sb.Operator
		queue, fresh, alive []string
		closed              []string
		msgs, settings      string
	}
	look := func(s *e2eSrv) view {
		var v view
		v.events = s.events(0)
		s.must(200, "GET", "/api/v1/operators", s.admin, nil).into(t, &v.ops)
		v.queue, v.fresh, v.alive = e2eIDs(s.folder("in_queue")), e2eIDs(s.folder("new")), e2eIDs(s.folder("active"))
		v.closed = e2eIDs(s.folder("closed"))
		v.msgs = string(s.must(200, "GET", "/api/v1/chats/"+active.ID+"/messages", s.admin, nil).Raw)
		v.settings = string(s.must(200, "GET", "/api/v1/settings", s.admin, nil).Raw)
		return v
	}
	before := look(s)

	s2 := s.restart()
	st.close()
	after := look(s2)

	if len(after.events) < len(before.events) {
		t.Fatalf("%d events before the restart, %d after", len(before.events), len(after.events))
	}
	for i, ev := range before.events {
		if got := after.events[i]; got.Seq != ev.Seq || got.Name != ev.Name || got.ChatID != ev.ChatID {
			t.Fatalf("event %d was %d %s, is %d %s", i, ev.Seq, ev.Name, got.Seq, got.Name)
		}
	}
	for _, c := range []struct {
		name     string
		was, now []string
	}{
		{"in_queue", before.queue, after.queue}, {"new", before.fresh, after.fresh},
		{"active", before.alive, after.alive}, {"closed", before.closed, after.closed},
	} {
		if !slices.Equal(c.was, c.now) {
			t.Errorf("folder %s was %v, is %v", c.name, c.was, c.now)
		}
	}
	if before.msgs != after.msgs || before.settings != after.settings {
		t.Errorf("messages or settings changed:\n%s\n%s\n%s\n%s", before.msgs, after.msgs, before.settings, after.settings)
	}
	if len(after.ops) != 2 {
		t.Fatalf("operators after the restart: %+v", after.ops)
	}
	for i, o := range after.ops {
		b := before.ops[i]
		if o.ID != b.ID || o.Status != b.Status || o.Active != b.Active || o.AssignSeq != b.AssignSeq || !slices.Equal(slices.Sorted(e2eMapKeys(o.ChannelLimits)), slices.Sorted(e2eMapKeys(b.ChannelLimits))) {
			t.Errorf("operator %s was %+v, is %+v", o.ID, b, o)
		}
	}
	if a := s2.op("a"); a.Connected {
		t.Error("a's panel session survived the restart")
	}
	// The integrator and operator tokens still work.
	s2.must(200, "GET", "/api/v1/chats/"+active.ID, in, nil)
	s2.must(200, "GET", "/api/v1/chats/"+active.ID, opA, nil)

	// Routing goes on: b comes online and gets the queued chat at once.
	last := after.events[len(after.events)-1].Seq
	s2.setStatus("b", sb.StatusOnline)
	if g := s2.chat(queued.ID); g.Status != sb.ChatActive || g.OperatorID != "b" {
		t.Fatalf("queued chat after b came online: %s with %q", g.Status, g.OperatorID)
	}
	// New chats and events continue the numbering.
	next := s2.connectChat(in, "k5", "widget", map[string]any{"subject_alias": "t"})
	if next.ID != "5" {
		t.Errorf("first chat after the restart has id %s, want 5", next.ID)
	}
	if evs := s2.events(last); len(evs) == 0 || evs[0].Seq != last+1 {
		t.Errorf("events after the restart start at %v, want %d", evs, last+1)
	}
	// The chat a had before the restart is still a's: it can close it.
	s2.must(200, "POST", "/api/v1/chats/"+active.ID+"/close", opA, nil)
	if o := s2.op("a"); o.Active != 0 {
		t.Errorf("a has %d chats after closing its only one", o.Active)
	}
}

func e2eMapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
