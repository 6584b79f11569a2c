package main

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// End-to-end tests of what a team migrating from ConnectiveOne needs
// (issue 19), through the HTTP API only.

// eventsOf returns the stored events of a chat after seq.
func (s *e2eSrv) eventsOf(chatID string, after int64) []sb.Event {
	var out []sb.Event
	for _, ev := range s.events(after) {
		if ev.ChatID == chatID {
			out = append(out, ev)
		}
	}
	return out
}

// reasonOf returns the reason code of the first event of a name, or "".
func reasonOf(evs []sb.Event, name string) string {
	for _, ev := range evs {
		if ev.Name == name && ev.Reason != nil {
			return ev.Reason.Code
		}
	}
	return ""
}

// TestR7ExclusionsLapseHTTP is the case: a skill group of two
// operators with accept_timeout_s 2. The chat goes to a, who misses it, then
// to b, who misses it too (each is switched offline: max_missed_chats 1).
// The chat waits saying why; both come back online and it is assigned.
func TestR7ExclusionsLapseHTTP(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.settings(map[string]any{"max_missed_chats": 1})
	s.topic("t")
	s.operator("a", nil)
	s.operator("b", nil)
	s.must(201, "POST", "/api/v1/skill-groups", s.admin, map[string]any{"id": "g", "name": "g", "topics": []string{"t"},
		"operators": []string{"a", "b"}, "accept_timeout_s": 2})
	s.setStatus("a", sb.StatusOnline)
	s.setStatus("b", sb.StatusOnline)
	in := s.token(sb.RoleIntegrator, "")
	c := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	if c.OperatorID != "a" {
		t.Fatalf("the chat went to %q, want a", c.OperatorID)
	}
	e2eEventually(t, "the chat with b", func() bool { return s.chat(c.ID).OperatorID == "b" })
	e2eEventually(t, "the chat queued", func() bool { return s.chat(c.ID).Status == sb.ChatQueued })
	if got := s.chat(c.ID).Excluded; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("excluded = %v, want [a b]", got)
	}
	for _, id := range []string{"a", "b"} {
		if st := s.op(id).Status; st != sb.StatusOffline {
			t.Errorf("%s is %s after missing the chat, want offline", id, st)
		}
	}
	q := s.queue()
	if len(q) != 1 || q[0].Reasons[0].Code != routing.ReasonNoOperatorOnline {
		t.Fatalf("queue = %+v, want the chat waiting for no_operator_online", q)
	}
	var d routing.Diagnostics
	s.must(200, "GET", "/api/v1/operators/a/diagnostics", s.admin, nil).into(t, &d)
	if !slices.Equal(d.ExcludedFrom, []string{c.ID}) {
		t.Errorf("a's diagnostics: excluded_from %v, want [%s]", d.ExcludedFrom, c.ID)
	}
	evs := s.eventsOf(c.ID, 0)
	if r := reasonOf(evs, sb.EventOperatorDisconnected); r != sb.ReasonMissedAccept {
		t.Errorf("operator_disconnected reason %q, want missed_accept", r)
	}
	// Both come back online with no chats: the chat is assigned.
	s.setStatus("a", sb.StatusOnline)
	s.setStatus("b", sb.StatusOnline)
	if got := s.chat(c.ID); got.Status != sb.ChatActive || len(got.Excluded) != 0 {
		t.Fatalf("after both came back: %s with %q, excluded %v; want active, no exclusions", got.Status, got.OperatorID, got.Excluded)
	}
}

// TestR7OperatorsExcludedReason: a chat that waits only because its free
// operator is excluded says operators_excluded, not all_operators_busy.
func TestR7OperatorsExcludedReason(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": {"max_chats": 1}})
	in := s.token(sb.RoleIntegrator, "")
	s.connectChat(in, "k0", "telegram", e2eAuto("t")) // a
	s.connectChat(in, "k1", "telegram", e2eAuto("t")) // b, now at its limit
	s.must(200, "POST", "/api/v1/operators/a/redistribute", s.admin, map[string]any{"status": "online"})
	q := s.queue()
	if len(q) != 1 || q[0].Reasons[0].Code != routing.ReasonOperatorsExcluded {
		t.Fatalf("queue = %+v, want one chat waiting for operators_excluded", q)
	}
}

// TestConnectConnectiveOneButtons: add_button is accepted with a warning
// naming the field; add_return_button marks the chat; any other unknown
// key stays a 422.
func TestConnectConnectiveOneButtons(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	cfg := e2eAuto("t")
	cfg["add_button"] = map[string]any{"text": "Close the chat"}
	cfg["add_return_button"] = true
	a := s.connect(in, e2eConnectBody("k1", "telegram", cfg))
	if a.Event != "success" || a.Chat == nil || !a.Chat.ReturnButton {
		t.Fatalf("answer %+v, want success with add_return_button on the chat", a)
	}
	if len(a.Warnings) != 1 || a.Warnings[0].Code != "unsupported_parameter" || a.Warnings[0].Field != "config.add_button" {
		t.Errorf("warnings = %+v, want unsupported_parameter on config.add_button", a.Warnings)
	}
	bad := e2eAuto("t")
	bad["add_buttons"] = true
	r := s.must(422, "POST", e2eConnectPath, in, e2eConnectBody("k2", "telegram", bad))
	if f, _ := r.errField(); f != "add_buttons" {
		t.Errorf("unknown key: field %q, want add_buttons", f)
	}
}

// TestReturnToBot: the operator holding the chat, a supervisor or the
// integrator ends the operator part; the scenario hears
// chat_returned_to_bot and chat_closed.
func TestReturnToBot(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": nil})
	in := s.token(sb.RoleIntegrator, "")
	opA, opB := s.token(sb.RoleOperator, "a"), s.token(sb.RoleOperator, "b")
	c := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	holder, other := opA, opB
	if c.OperatorID == "b" {
		holder, other = opB, opA
	}
	after := s.lastSeq()
	s.must(404, "POST", "/api/v1/chats/"+c.ID+"/return-to-bot", other, nil)
	var got sb.Chat
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/return-to-bot", holder, map[string]any{"comment": "menu"}).into(t, &got)
	if got.Status != sb.ChatClosed || got.ClosedBy != sb.ByBot || got.CloseComment != "menu" {
		t.Fatalf("chat %+v, want closed by bot with the comment", got)
	}
	if names := e2eNames(s.eventsOf(c.ID, after)); !slices.Equal(names, []string{sb.EventChatReturnedToBot, sb.EventChatClosed}) {
		t.Errorf("events %v, want chat_returned_to_bot, chat_closed", names)
	}
	s.must(409, "POST", "/api/v1/chats/"+c.ID+"/return-to-bot", in, nil)
	for _, tok := range []string{in, s.token(sb.RoleSupervisor, "")} {
		c := s.connectChat(in, "k-"+tok[len(tok)-6:], "telegram", e2eAuto("t"))
		s.must(200, "POST", "/api/v1/chats/"+c.ID+"/return-to-bot", tok, nil)
	}
}

// TestRepeatedConnectAppendsText: a second connect of a client with an
// open chat adds its text to that chat, once per call, and makes no second
// chat.
func TestRepeatedConnectAppendsText(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	first := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	body := e2eConnectBody("k1", "telegram", e2eAuto("t"))
	body["text"] = "are you there?"
	again := s.connect(in, body)
	if again.Event != "success" || again.Chat.ID != first.ID {
		t.Fatalf("second connect: %+v, want success with chat %s", again, first.ID)
	}
	body["text"] = ""
	s.connect(in, body)
	var msgs []sb.Message
	s.must(200, "GET", "/api/v1/chats/"+first.ID+"/messages", s.admin, nil).into(t, &msgs)
	var texts []string
	for _, m := range msgs {
		if m.From != "client" {
			t.Errorf("message %+v is not the client's", m)
		}
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"hello from k1", "are you there?"}) {
		t.Errorf("messages %q, want the two texts", texts)
	}
	if n := s.openChats(); n != 1 {
		t.Errorf("%d open chats, want 1", n)
	}
}

// TestR1SubtopicsHTTP: a skill group that serves a topic serves its
// subtopics.
func TestR1SubtopicsHTTP(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("support", true, map[string]map[string]any{"a": nil})
	s.must(201, "POST", "/api/v1/topics", s.admin, map[string]any{"alias": "refunds", "name": "Refunds", "parent": "support"})
	s.must(201, "POST", "/api/v1/topics", s.admin, map[string]any{"alias": "refunds-eu", "name": "EU", "parent": "refunds"})
	in := s.token(sb.RoleIntegrator, "")
	if c := s.connectChat(in, "k1", "telegram", e2eAuto("refunds-eu")); c.OperatorID != "a" {
		t.Errorf("the subtopic's chat went to %q, want a", c.OperatorID)
	}
}

// TestPatchChat: the topic and tags change in place, without routing the
// chat again; chat_updated tells the scenario.
func TestPatchChat(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	s.topic("other")
	s.operator("b", nil)
	in, opA, opB := s.token(sb.RoleIntegrator, ""), s.token(sb.RoleOperator, "a"), s.token(sb.RoleOperator, "b")
	c := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	after := s.lastSeq()
	var got sb.Chat
	s.must(200, "PATCH", "/api/v1/chats/"+c.ID, opA, map[string]any{"subject_alias": "other", "tag_ids": []string{"vip"}}).into(t, &got)
	if got.Topic != "other" || !slices.Equal(got.Tags, []string{"vip"}) || got.OperatorID != "a" || got.Status != sb.ChatActive {
		t.Fatalf("patched chat %+v, want topic other, tag vip, still active with a", got)
	}
	if names := e2eNames(s.eventsOf(c.ID, after)); !slices.Equal(names, []string{sb.EventChatUpdated}) {
		t.Errorf("events %v, want chat_updated only", names)
	}
	s.must(404, "PATCH", "/api/v1/chats/"+c.ID, opB, map[string]any{"tag_ids": []string{}})
	r := s.must(422, "PATCH", "/api/v1/chats/"+c.ID, s.admin, map[string]any{"subject_alias": "nope"})
	if f, _ := r.errField(); f != "subject_alias" {
		t.Errorf("unknown topic: field %q", f)
	}
	s.must(422, "PATCH", "/api/v1/chats/"+c.ID, s.admin, map[string]any{})
}

// TestPresenceByAPI: an operator that works through the REST API, with no
// event stream, stays present while it makes requests (or calls the
// heartbeat), and goes auto-offline after it stops.
func TestPresenceByAPI(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": nil})
	s.settings(map[string]any{"auto_offline_after_s": 2})
	opA := s.token(sb.RoleOperator, "a")
	stop := time.Now().Add(4 * time.Second)
	for time.Now().Before(stop) {
		s.must(204, "POST", "/api/v1/presence", opA, nil)
		time.Sleep(300 * time.Millisecond)
	}
	// b made no request in those 4 s: it is offline, a is not.
	if st := s.op("b").Status; st != sb.StatusOffline {
		t.Errorf("b, silent, is %s", st)
	}
	if st := s.op("a").Status; st != sb.StatusOnline {
		t.Fatalf("a, calling the heartbeat, is %s", st)
	}
	e2eEventually(t, "a offline once it stops", func() bool { return s.op("a").Status == sb.StatusOffline })
	// A credential that acts for nobody cannot be present.
	s.must(403, "POST", "/api/v1/presence", s.admin, nil)
}

// TestStaffWorkTheirChats: a supervisor in a skill group, online, is given
// chats and can accept, reply to and close them; an admin token that acts
// for no operator is told so.
func TestStaffWorkTheirChats(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.topic("t")
	s.operator("sup", map[string]any{"role": sb.RoleSupervisor})
	s.group("g", []string{"t"}, []string{"sup"})
	s.setStatus("sup", sb.StatusOnline)
	sup := s.token(sb.RoleSupervisor, "sup")
	in := s.token(sb.RoleIntegrator, "")
	c := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	if c.OperatorID != "sup" {
		t.Fatalf("the chat went to %q, want the supervisor", c.OperatorID)
	}
	r := s.must(403, "POST", "/api/v1/chats/"+c.ID+"/accept", s.admin, nil)
	if _, code := r.errField(); code != sb.EFORBIDDEN {
		t.Errorf("admin accept: %s", r)
	}
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/accept", sup, nil)
	var m sb.Message
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/messages", sup, map[string]any{"text": "Hello, I am the team lead"}).into(t, &m)
	if m.From != "operator" || m.AuthorID != "sup" {
		t.Errorf("message %+v, want an operator message by sup", m)
	}
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/close", sup, nil)
	// Take: a New chat of its topic.
	n := s.connectChat(in, "k2", "telegram", map[string]any{"subject_alias": "t"})
	s.must(200, "POST", "/api/v1/chats/"+n.ID+"/take", sup, nil)
}

// TestDeleteOperatorReturnsItsChats: deleting an operator with chats gives
// them to routing, saying why.
func TestDeleteOperatorReturnsItsChats(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": {"max_chats": 0}})
	in := s.token(sb.RoleIntegrator, "")
	c := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	after := s.lastSeq()
	s.must(204, "DELETE", "/api/v1/operators/a", s.admin, nil)
	evs := s.eventsOf(c.ID, after)
	if r := reasonOf(evs, sb.EventChatQueued); r != sb.ReasonOperatorDeleted {
		t.Errorf("chat_queued reason %q, want operator_deleted (events %v)", r, e2eNames(evs))
	}
	if got := s.chat(c.ID); got.Status != sb.ChatQueued {
		t.Errorf("chat %s, want queued", got.Status)
	}
}

// TestCloseRacesRedistribution: an operator closes its chat while a
// supervisor redistributes it to a colleague. Whatever the order, the
// operator closes only a chat it holds: either the close wins (the chat was
// still its own) or it answers 404 and the colleague's chat is untouched.
// The rule is the engine's, applied with the close, so there is no gap
// between a check and the act.
func TestCloseRacesRedistribution(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": {"max_chats": 1}, "b": nil})
	in, opA, sup := s.token(sb.RoleIntegrator, ""), s.token(sb.RoleOperator, "a"), s.token(sb.RoleSupervisor, "")
	won, lost := 0, 0
	for i := range 40 {
		s.setStatus("b", sb.StatusBreak)
		s.setStatus("a", sb.StatusOnline)
		c := s.connectChat(in, "k"+strconv.Itoa(i), "telegram", e2eAuto("t"))
		if c.OperatorID != "a" {
			t.Fatalf("round %d: the chat went to %q, want a", i, c.OperatorID)
		}
		s.setStatus("b", sb.StatusOnline)
		var wg sync.WaitGroup
		var closed e2eResp
		wg.Go(func() { closed = s.do("POST", "/api/v1/chats/"+c.ID+"/close", opA, nil) })
		wg.Go(func() {
			s.must(200, "POST", "/api/v1/operators/a/redistribute", sup, map[string]any{"status": "offline"})
		})
		wg.Wait()
		got := s.chat(c.ID)
		switch closed.Status {
		case 200:
			won++
			if got.Status != sb.ChatClosed || got.OperatorID != "a" {
				t.Fatalf("round %d: a's close answered 200 but the chat is %s with %q", i, got.Status, got.OperatorID)
			}
		case 404:
			lost++
			if got.Status != sb.ChatActive || got.OperatorID != "b" {
				t.Fatalf("round %d: a's close answered 404 but the chat is %s with %q, want active with b", i, got.Status, got.OperatorID)
			}
			s.must(200, "POST", "/api/v1/chats/"+c.ID+"/close", sup, nil)
		default:
			t.Fatalf("round %d: a's close answered %s", i, closed)
		}
	}
	t.Logf("the close won %d rounds, the redistribution %d", won, lost)
}
