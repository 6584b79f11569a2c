package main

import (
	"slices"
	"strconv"
	"sync"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// One test per routing rule of PRODUCT.md §4, each through the API only.

// e2eTeam makes topic t served by a group of the given operators, all
// created (with extra fields) and, when online, set online.
func (s *e2eSrv) e2eTeam(topic string, online bool, ops map[string]map[string]any) {
	s.t.Helper()
	s.topic(topic)
	ids := []string{}
	for id, extra := range ops {
		s.operator(id, extra)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	s.group("g-"+topic, []string{topic}, ids)
	if online {
		for _, id := range ids {
			s.setStatus(id, sb.StatusOnline)
		}
	}
}

func e2eAuto(topic string) map[string]any {
	return map[string]any{"auto_connect_operator": true, "subject_alias": topic}
}

func e2eQueued(topic string, weight int) map[string]any {
	return map[string]any{"auto_connect_operator": true, "subject_alias": topic, "status": "queue", "weight": weight}
}

// TestR1Eligibility: status, topic, channel limit and general limit decide
// who may receive a chat.
func TestR1Eligibility(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", false, map[string]map[string]any{
		"a": {"channel_limits": map[string]int{"telegram": 1}},
		"c": nil,
	})
	s.setStatus("a", sb.StatusOnline)
	s.setStatus("c", sb.StatusBreak) // serves t but cannot receive
	s.operator("b", nil)             // online but serves no topic
	s.setStatus("b", sb.StatusOnline)
	in := s.token(sb.RoleIntegrator, "")

	if c := s.connectChat(in, "k1", "telegram", e2eAuto("t")); c.OperatorID != "a" {
		t.Fatalf("first telegram chat went to %q, want a", c.OperatorID)
	}
	// a is at its telegram limit; b does not serve t; c is on break.
	a := s.connect(in, e2eConnectBody("k2", "telegram", e2eAuto("t")))
	if a.Event != "limit" || a.Reason.Code != "all_operators_busy" {
		t.Fatalf("second telegram chat: %+v, want limit all_operators_busy", a)
	}
	// The channel limit binds telegram only.
	if c := s.connectChat(in, "k3", "widget", e2eAuto("t")); c.OperatorID != "a" {
		t.Errorf("widget chat went to %q, want a", c.OperatorID)
	}
	// A chat without topic may go to any operator: b has the fewest chats.
	if c := s.connectChat(in, "k4", "telegram", map[string]any{"auto_connect_operator": true}); c.OperatorID != "b" {
		t.Errorf("chat without topic went to %q, want b", c.OperatorID)
	}
	// The general limit: a has 2 chats; at max_chats 2 it is full.
	s.must(200, "PATCH", "/api/v1/operators/a", s.admin, map[string]any{"max_chats": 2})
	if a := s.connect(in, e2eConnectBody("k5", "widget", e2eAuto("t"))); a.Event != "limit" || a.Reason.Code != "all_operators_busy" {
		t.Errorf("chat over the general limit: %+v, want limit", a)
	}
	if o := s.op("c"); o.Active != 0 {
		t.Errorf("operator on break has %d chats", o.Active)
	}
	if o := s.op("a"); o.Active != 2 || o.ActiveByChannel["telegram"] != 1 {
		t.Errorf("a has %d chats (%v), want 2 with 1 on telegram", o.Active, o.ActiveByChannel)
	}
}

// r2Setup makes a and b online in topic t with the given method, gives
// chat k1 to a and k2 to b, then closes k2 before k1 (b closed earliest).
func e2eR2Setup(t *testing.T, method string) (*e2eSrv, string) {
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": nil})
	s.settings(map[string]any{"distribution_method": method})
	in := s.token(sb.RoleIntegrator, "")
	c1 := s.connectChat(in, "k1", "widget", e2eAuto("t"))
	c2 := s.connectChat(in, "k2", "widget", e2eAuto("t"))
	if c1.OperatorID != "a" || c2.OperatorID != "b" {
		t.Fatalf("%s: k1 to %q, k2 to %q; want a then b (tie on id)", method, c1.OperatorID, c2.OperatorID)
	}
	return s, in
}

// TestR2Choice: each distribution method picks by its key.
func TestR2Choice(t *testing.T) {
	t.Parallel()
	t.Run("default: fewer active chats, then earliest close", func(t *testing.T) {
		t.Parallel()
		s, in := e2eR2Setup(t, "default")
		s.must(200, "POST", "/api/v1/chats/2/close", s.admin, nil)
		s.must(200, "POST", "/api/v1/chats/1/close", s.admin, nil)
		// a and b have no chats; b's last chat closed first.
		if c := s.connectChat(in, "k3", "widget", e2eAuto("t")); c.OperatorID != "b" {
			t.Errorf("tie on load went to %q, want b (closed earliest)", c.OperatorID)
		}
		// Now a has fewer chats.
		if c := s.connectChat(in, "k4", "widget", e2eAuto("t")); c.OperatorID != "a" {
			t.Errorf("went to %q, want a (fewer chats)", c.OperatorID)
		}
	})
	t.Run("by_number_of_dialogs: fewer active chats, then id", func(t *testing.T) {
		t.Parallel()
		s, in := e2eR2Setup(t, "by_number_of_dialogs")
		s.must(200, "POST", "/api/v1/chats/2/close", s.admin, nil)
		s.must(200, "POST", "/api/v1/chats/1/close", s.admin, nil)
		if c := s.connectChat(in, "k3", "widget", e2eAuto("t")); c.OperatorID != "a" {
			t.Errorf("tie on load went to %q, want a (id)", c.OperatorID)
		}
		if c := s.connectChat(in, "k4", "widget", e2eAuto("t")); c.OperatorID != "b" {
			t.Errorf("went to %q, want b (fewer chats)", c.OperatorID)
		}
	})
	t.Run("by_date_of_last_dialog: earliest assignment, whatever the load", func(t *testing.T) {
		t.Parallel()
		s, in := e2eR2Setup(t, "by_date_of_last_dialog")
		if c := s.connectChat(in, "k3", "widget", e2eAuto("t")); c.OperatorID != "a" {
			t.Fatalf("k3 went to %q, want a (assigned earliest)", c.OperatorID)
		}
		s.must(200, "POST", "/api/v1/chats/2/close", s.admin, nil) // b: 0 chats, a: 2
		if c := s.connectChat(in, "k4", "widget", e2eAuto("t")); c.OperatorID != "b" {
			t.Fatalf("k4 went to %q, want b", c.OperatorID)
		}
		s.must(200, "POST", "/api/v1/chats/4/close", s.admin, nil) // b: 0 chats again
		// a has 2 chats, b none, but a's last assignment is older.
		if c := s.connectChat(in, "k5", "widget", e2eAuto("t")); c.OperatorID != "a" {
			t.Errorf("k5 went to %q, want a (assigned earliest despite more chats)", c.OperatorID)
		}
	})
}

// TestR3QueueOrder: GET /queue lists waiting chats by weight, then queue
// entry, then id; a returned chat keeps its place.
func TestR3QueueOrder(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", false, map[string]map[string]any{"a": {"max_chats": 1}})
	in := s.token(sb.RoleIntegrator, "")
	c1 := s.connectChat(in, "k1", "widget", e2eQueued("t", 0))
	c2 := s.connectChat(in, "k2", "widget", e2eQueued("t", 0))
	c3 := s.connectChat(in, "k3", "widget", e2eQueued("t", 10))
	c4 := s.connectChat(in, "k4", "widget", e2eQueued("t", 5))
	checkQueue := func(want ...string) []string {
		t.Helper()
		q := s.queue()
		got := []string{}
		for i, e := range q {
			got = append(got, e.Chat.ID)
			if e.Position != i+1 || e.Chat.QueuePosition != i+1 {
				t.Errorf("entry %d has position %d / %d", i, e.Position, e.Chat.QueuePosition)
			}
			if len(e.Reasons) == 0 {
				t.Errorf("chat %s waits without a reason", e.Chat.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("queue %v, want %v", got, want)
		}
		return got
	}
	checkQueue(c3.ID, c4.ID, c1.ID, c2.ID)
	if q := s.queue(); q[0].Reasons[0].Code != "no_operator_online" || q[0].Chat.Weight != 10 {
		t.Errorf("head %+v, want weight 10 waiting for no_operator_online", q[0])
	}
	// a comes online and takes the head; redistribution returns it with
	// its original queue entry, so it is first again.
	s.setStatus("a", sb.StatusOnline)
	if got := s.chat(c3.ID); got.Status != sb.ChatActive {
		t.Fatalf("head chat is %s after a came online", got.Status)
	}
	checkQueue(c4.ID, c1.ID, c2.ID)
	s.must(200, "POST", "/api/v1/operators/a/redistribute", s.admin, map[string]any{})
	checkQueue(c3.ID, c4.ID, c1.ID, c2.ID)
	if got := s.chat(c3.ID); !got.QueuedAt.Equal(c3.QueuedAt) {
		t.Errorf("returned chat queued_at %v, want the original %v", got.QueuedAt, c3.QueuedAt)
	}
	// The waiting time grows while the chat waits, without other traffic.
	e2eEventually(t, "a waiting time above zero", func() bool {
		return s.queue()[0].Waiting > 0
	})
}

// TestR4WorkConservation: every change that frees capacity assigns the
// first queued chat at once: close, status, limit, skill group, operator.
func TestR4WorkConservation(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": {"max_chats": 1}})
	in := s.token(sb.RoleIntegrator, "")
	opA := s.token(sb.RoleOperator, "a")
	c1 := s.connectChat(in, "k1", "widget", e2eAuto("t"))
	c2 := s.connectChat(in, "k2", "widget", e2eQueued("t", 0))
	c3 := s.connectChat(in, "k3", "widget", e2eQueued("t", 0))
	if c1.OperatorID != "a" || c2.Status != sb.ChatQueued || c3.Status != sb.ChatQueued {
		t.Fatalf("setup: %s %s %s", c1.Status, c2.Status, c3.Status)
	}

	// A close hands the freed slot to the first queued chat.
	s.must(200, "POST", "/api/v1/chats/"+c1.ID+"/close", opA, map[string]any{"comment": "done"})
	if got := s.chat(c2.ID); got.Status != sb.ChatActive || got.OperatorID != "a" {
		t.Fatalf("after the close the first queued chat is %s with %q", got.Status, got.OperatorID)
	}
	if got := s.chat(c3.ID); got.Status != sb.ChatQueued || got.QueuePosition != 1 {
		t.Errorf("second queued chat is %s at %d", got.Status, got.QueuePosition)
	}

	// A limit change.
	s.must(200, "PATCH", "/api/v1/operators/a", s.admin, map[string]any{"max_chats": 2})
	if got := s.chat(c3.ID); got.OperatorID != "a" {
		t.Fatalf("after raising the limit chat %s is %s", c3.ID, got.Status)
	}

	// A status change.
	c4 := s.connectChat(in, "k4", "widget", e2eQueued("t", 0))
	s.operator("b", nil)
	s.must(200, "PATCH", "/api/v1/skill-groups/g-t", s.admin, map[string]any{"operators": []string{"a", "b"}})
	if got := s.chat(c4.ID); got.Status != sb.ChatQueued {
		t.Fatalf("chat went to an offline operator: %+v", got)
	}
	s.setStatus("b", sb.StatusOnline)
	if got := s.chat(c4.ID); got.OperatorID != "b" {
		t.Fatalf("after b came online chat %s is %s with %q", c4.ID, got.Status, got.OperatorID)
	}

	// A skill-group change: a new online operator joins the group.
	s.must(200, "PATCH", "/api/v1/operators/b", s.admin, map[string]any{"max_chats": 1})
	c5 := s.connectChat(in, "k5", "widget", e2eQueued("t", 0))
	s.operator("c", nil)
	s.setStatus("c", sb.StatusOnline)
	if got := s.chat(c5.ID); got.Status != sb.ChatQueued {
		t.Fatalf("chat went to an operator outside the topic: %+v", got)
	}
	s.must(200, "PATCH", "/api/v1/skill-groups/g-t", s.admin, map[string]any{"operators": []string{"a", "b", "c"}})
	if got := s.chat(c5.ID); got.OperatorID != "c" {
		t.Errorf("after c joined the group chat %s is %s with %q", c5.ID, got.Status, got.OperatorID)
	}
	if q := s.queue(); len(q) != 0 {
		t.Errorf("at rest the queue holds %d chats", len(q))
	}
}

// TestR5ConnectRetriesAreSafe: concurrent identical connects make one chat.
func TestR5ConnectRetriesAreSafe(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[string]int{}
	)
	for range 16 {
		wg.Go(func() {
			a := s.connect(in, e2eConnectBody("same", "telegram", e2eAuto("t")))
			mu.Lock()
			defer mu.Unlock()
			if a.Chat != nil {
				got[a.Chat.ID]++
			}
		})
	}
	wg.Wait()
	if len(got) != 1 || len(s.folder("active")) != 1 {
		t.Errorf("16 identical connects answered chats %v; %d active", got, len(s.folder("active")))
	}
	if o := s.op("a"); o.Active != 1 {
		t.Errorf("operator has %d chats, want 1", o.Active)
	}
}

// TestR6Redistribute: the operator's chats go back to routing with the
// given weight, excluding it; those without an operator wait.
func TestR6Redistribute(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": {"max_chats": 0}})
	in := s.token(sb.RoleIntegrator, "")
	sup := s.token(sb.RoleSupervisor, "")
	c1 := s.connectChat(in, "k1", "widget", e2eAuto("t"))
	c2 := s.connectChat(in, "k2", "widget", e2eAuto("t"))
	if c1.OperatorID != "a" || c2.OperatorID != "a" {
		t.Fatalf("setup: %q %q", c1.OperatorID, c2.OperatorID)
	}
	s.must(200, "PATCH", "/api/v1/operators/b", s.admin, map[string]any{"max_chats": 1})
	r := s.must(200, "POST", "/api/v1/operators/a/redistribute", sup, map[string]any{"status": "break", "weight": 7})
	if ds, _ := r.obj()["decisions"].([]any); len(ds) == 0 {
		t.Errorf("redistribute answered no decisions: %s", r)
	}
	if o := s.op("a"); o.Status != sb.StatusBreak || o.Active != 0 {
		t.Errorf("a is %s with %d chats, want break with none", o.Status, o.Active)
	}
	g1, g2 := s.chat(c1.ID), s.chat(c2.ID)
	if g1.OperatorID != "b" || g1.Weight != 7 || !slices.Contains(g1.Excluded, "a") {
		t.Errorf("first chat %+v, want with b, weight 7, a excluded", g1)
	}
	if g2.Status != sb.ChatQueued || g2.Weight != 7 || !slices.Contains(g2.Excluded, "a") {
		t.Errorf("second chat %+v, want queued, weight 7, a excluded", g2)
	}
	// a is back online but excluded from the waiting chat.
	s.setStatus("a", sb.StatusOnline)
	if g := s.chat(c2.ID); g.Status != sb.ChatQueued {
		t.Fatalf("excluded operator got the chat back: %+v", g)
	}
	if q := s.queue(); len(q) != 1 || !slices.Contains(e2eCodes(q[0].Reasons), "operators_excluded") {
		t.Errorf("queue %+v, want one chat waiting with operators_excluded", q)
	}
	// b frees its slot: the waiting chat goes to b.
	s.must(200, "POST", "/api/v1/chats/"+c1.ID+"/close", sup, nil)
	if g := s.chat(c2.ID); g.OperatorID != "b" {
		t.Errorf("after b's close the chat is %s with %q", g.Status, g.OperatorID)
	}
	// Default status is offline.
	s.must(200, "POST", "/api/v1/operators/b/redistribute", sup, map[string]any{})
	if o := s.op("b"); o.Status != sb.StatusOffline {
		t.Errorf("b is %s after a redistribution without status", o.Status)
	}
}

// TestR7Timers: accept, response, inactivity, queue and presence timers
// fire on their own. The timers are 1 s; the tests poll with a deadline.
func TestR7Timers(t *testing.T) {
	t.Parallel()
	t.Run("accept timeout moves the chat to another operator", func(t *testing.T) {
		t.Parallel()
		s := e2eNew(t)
		s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": nil})
		s.settings(map[string]any{"accept_timeout_s": 1})
		in := s.token(sb.RoleIntegrator, "")
		c := s.connectChat(in, "k1", "widget", e2eAuto("t"))
		if c.OperatorID != "a" {
			t.Fatalf("chat went to %q", c.OperatorID)
		}
		e2eEventually(t, "the chat to move to b", func() bool { return s.chat(c.ID).OperatorID == "b" })
		// b accepts at once so that it keeps the chat.
		s.must(200, "POST", "/api/v1/chats/"+c.ID+"/accept", s.token(sb.RoleOperator, "b"), nil)
		g := s.chat(c.ID)
		if !slices.Contains(g.Excluded, "a") || g.Requeues != 1 || g.AcceptedAt.IsZero() {
			t.Errorf("chat %+v, want a excluded, one requeue, accepted", g)
		}
		if o := s.op("a"); o.MissedInRow != 1 || o.Active != 0 {
			t.Errorf("a missed %d, has %d chats", o.MissedInRow, o.Active)
		}
		var audit struct {
			Records []sb.Decision `json:"records"`
		}
		s.must(200, "GET", "/api/v1/distribution/audit", s.admin, nil).into(t, &audit)
		missed := false
		for _, d := range audit.Records {
			missed = missed || slices.Contains(d.Anomalies, sb.AnomalyMissedAccept)
		}
		if !missed {
			t.Errorf("no audit record is flagged missed_accept: %+v", audit.Records)
		}
	})
	t.Run("max missed chats switches the operator to auto-offline", func(t *testing.T) {
		t.Parallel()
		s := e2eNew(t)
		s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
		s.settings(map[string]any{"accept_timeout_s": 1, "max_missed_chats": 1})
		in := s.token(sb.RoleIntegrator, "")
		c := s.connectChat(in, "k1", "widget", e2eAuto("t"))
		e2eEventually(t, "a to go offline", func() bool { return s.op("a").Status == sb.StatusOffline })
		if g := s.chat(c.ID); g.Status != sb.ChatQueued {
			t.Errorf("missed chat is %s, want queued", g.Status)
		}
	})
	t.Run("response timeout flags the chat overdue; a reply clears it", func(t *testing.T) {
		t.Parallel()
		s := e2eNew(t)
		s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
		s.settings(map[string]any{"response_timeout_s": 1})
		in := s.token(sb.RoleIntegrator, "")
		c := s.connectChat(in, "k1", "widget", e2eAuto("t"))
		seq := s.lastSeq()
		// A timer's changes are readable as soon as they are applied; its
		// events as soon as they are committed: poll for both.
		e2eEventually(t, "the chat in Overdue and the event", func() bool {
			return slices.Contains(e2eIDs(s.folder("overdue")), c.ID) && slices.Contains(e2eNames(s.events(seq)), sb.EventResponseOverdue)
		})
		s.must(201, "POST", "/api/v1/chats/"+c.ID+"/messages", s.token(sb.RoleOperator, "a"), map[string]any{"text": "hello"})
		if g := s.chat(c.ID); g.Overdue || g.FirstResponseAt.IsZero() {
			t.Errorf("after the reply: overdue %v, first response %v", g.Overdue, g.FirstResponseAt)
		}
	})
	t.Run("inactivity closes the chat by timer", func(t *testing.T) {
		t.Parallel()
		s := e2eNew(t)
		s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
		s.settings(map[string]any{"chat_inactivity_timeout_s": 1})
		in := s.token(sb.RoleIntegrator, "")
		c := s.connectChat(in, "k1", "widget", e2eAuto("t"))
		e2eEventually(t, "the chat to close", func() bool { return s.chat(c.ID).Status == sb.ChatClosed })
		if g := s.chat(c.ID); g.ClosedBy != sb.ByTimer {
			t.Errorf("closed by %q", g.ClosedBy)
		}
		if o := s.op("a"); o.Active != 0 {
			t.Errorf("a still has %d chats", o.Active)
		}
	})
	t.Run("queue timeout ends the wait", func(t *testing.T) {
		t.Parallel()
		s := e2eNew(t)
		s.e2eTeam("t", false, map[string]map[string]any{"a": nil})
		s.settings(map[string]any{"queue_timeout_s": 1})
		in := s.token(sb.RoleIntegrator, "")
		c := s.connectChat(in, "k1", "widget", e2eQueued("t", 0))
		seq := s.lastSeq()
		e2eEventually(t, "the chat to leave the queue", func() bool {
			return s.chat(c.ID).Status == sb.ChatClosed && slices.Contains(e2eNames(s.events(seq)), sb.EventChatClosed)
		})
		got := e2eNames(s.events(seq))
		if i := slices.Index(got, sb.EventQueueTimeout); i < 0 || !slices.Contains(got[i:], sb.EventChatClosed) {
			t.Errorf("events %v, want queue_timeout then chat_closed", got)
		}
		if g := s.chat(c.ID); g.ClosedBy != sb.ByTimer {
			t.Errorf("closed by %q", g.ClosedBy)
		}
	})
	t.Run("no panel session switches the operator to auto-offline", func(t *testing.T) {
		t.Parallel()
		s := e2eNew(t)
		s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
		s.settings(map[string]any{"auto_offline_after_s": 1})
		e2eEventually(t, "a to go offline", func() bool { return s.op("a").Status == sb.StatusOffline })
	})
}

// TestR8ManualWork: take, assign and force; with auto_connect off chats
// wait in New.
func TestR8ManualWork(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", false, map[string]map[string]any{"a": {"max_chats": 1}})
	s.topic("other")
	s.operator("b", nil)
	s.group("g-other", []string{"other"}, []string{"b"})
	s.settings(map[string]any{"auto_connect": false})
	in := s.token(sb.RoleIntegrator, "")
	opA, opB := s.token(sb.RoleOperator, "a"), s.token(sb.RoleOperator, "b")
	sup := s.token(sb.RoleSupervisor, "")

	c1 := s.connectChat(in, "k1", "widget", e2eAuto("t"))
	c2 := s.connectChat(in, "k2", "widget", e2eAuto("t"))
	if c1.Status != sb.ChatNew || c2.Status != sb.ChatNew {
		t.Fatalf("with auto_connect off: %s %s, want new", c1.Status, c2.Status)
	}
	// a is offline; taking is deliberate, status does not matter.
	var took sb.Chat
	s.must(200, "POST", "/api/v1/chats/"+c1.ID+"/take", opA, nil).into(t, &took)
	if took.Status != sb.ChatActive || took.OperatorID != "a" || took.AcceptedAt.IsZero() {
		t.Fatalf("take: %+v", took)
	}
	// Limits are enforced for operators.
	if r := s.do("POST", "/api/v1/chats/"+c2.ID+"/take", opA, nil); r.Status != 409 {
		t.Errorf("take over the limit: %s, want 409", r)
	}
	// b does not serve t.
	if r := s.do("POST", "/api/v1/chats/"+c2.ID+"/take", opB, nil); r.Status != 404 && r.Status != 403 && r.Status != 409 {
		t.Errorf("take outside the topic: %s", r)
	}
	if g := s.chat(c2.ID); g.Status != sb.ChatNew {
		t.Fatalf("refused takes changed the chat: %+v", g)
	}
	// A supervisor's assign checks limits unless forced.
	if r := s.do("POST", "/api/v1/chats/"+c2.ID+"/assign", sup, map[string]any{"operator_id": "a"}); r.Status != 409 {
		t.Errorf("assign over the limit: %s, want 409", r)
	}
	var forced sb.Chat
	s.must(200, "POST", "/api/v1/chats/"+c2.ID+"/assign", sup, map[string]any{"operator_id": "a", "force": true}).into(t, &forced)
	if forced.OperatorID != "a" || forced.Status != sb.ChatActive {
		t.Fatalf("forced assign: %+v", forced)
	}
	var audit struct {
		Anomalies int           `json:"anomalies"`
		Records   []sb.Decision `json:"records"`
	}
	s.must(200, "GET", "/api/v1/distribution/audit", sup, nil).into(t, &audit)
	flagged := false
	for _, d := range audit.Records {
		flagged = flagged || d.ChatID == c2.ID && d.Kind == sb.DecisionAssign && slices.Contains(d.Anomalies, sb.AnomalyForcedOverLimit)
	}
	if !flagged || audit.Anomalies == 0 {
		t.Errorf("the forced assign is not flagged in the audit: %+v", audit)
	}
	// Assigning an active chat moves it to the other operator.
	s.must(200, "PATCH", "/api/v1/skill-groups/g-t", s.admin, map[string]any{"operators": []string{"a", "b"}})
	seq := s.lastSeq()
	s.must(200, "POST", "/api/v1/chats/"+c2.ID+"/assign", sup, map[string]any{"operator_id": "b"})
	if got := e2eNames(s.events(seq)); !slices.Equal(got, []string{sb.EventOperatorDisconnected, sb.EventOperatorConnected}) {
		t.Errorf("reassign events %v", got)
	}
	if o := s.op("a"); o.Active != 1 {
		t.Errorf("a has %d chats after the reassign, want 1", o.Active)
	}
	// Turning auto_connect on leaves New chats in New.
	c3 := s.connectChat(in, "k3", "widget", e2eAuto("t"))
	s.setStatus("b", sb.StatusOnline)
	s.settings(map[string]any{"auto_connect": true})
	if g := s.chat(c3.ID); g.Status != sb.ChatNew {
		t.Errorf("a New chat became %s when auto_connect was turned on", g.Status)
	}
}

// TestAuditDecisionTimes: the server times every automatic choice, so the
// audit's records and its average decision time are measured, not zero.
func TestAuditDecisionTimes(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	for i := range 3 {
		s.connectChat(in, "k"+strconv.Itoa(i), "widget", e2eAuto("t"))
	}
	var audit struct {
		Avg     int64         `json:"avg_decision_time_ns"`
		Records []sb.Decision `json:"records"`
	}
	s.must(200, "GET", "/api/v1/distribution/audit", s.admin, nil).into(t, &audit)
	autos := 0
	for _, d := range audit.Records {
		if d.Kind == sb.DecisionAuto {
			autos++
			if d.DurationNs <= 0 {
				t.Errorf("decision %d took %d ns", d.Seq, d.DurationNs)
			}
		}
	}
	if autos != 3 || audit.Avg <= 0 {
		t.Errorf("%d automatic decisions, average %d ns; want 3 timed ones", autos, audit.Avg)
	}
}
