package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// held connects a support chat straight to op and returns its id.
func (f *fixture) held(op string) string {
	f.t.Helper()
	id := chatID(f.t, f.apply(f.connectCmd(routing.Connect{Topic: "support", Operator: op})))
	f.wantChat(id, sb.ChatActive, op)
	return id
}

// offer offers chat id, held by from, to a colleague as from would.
func (f *fixture) offer(id, from, to, note string) routing.Result {
	f.t.Helper()
	return f.apply(routing.OfferTransfer{ChatID: id, OperatorID: from, Role: sb.RoleOperator, To: to, Note: note})
}

// event returns the one event of that name in res.
func event(t *testing.T, res routing.Result, name string) sb.Event {
	t.Helper()
	for _, ev := range res.Events {
		if ev.Name == name {
			return ev
		}
	}
	t.Fatalf("no %s event in %v", name, names(res))
	return sb.Event{}
}

// TestR8TransferOffer: an offer to a colleague leaves the chat with its
// operator until the colleague accepts; then the chat moves, accepted.
func TestR8TransferOffer(t *testing.T) {
	f := newFixture(t, "a", "b")
	id := f.held("a")
	res := f.offer(id, "a", "b", "wants a refund, order 1182")
	equal(t, "events", names(res), []string{sb.EventTransferOffered, sb.EventMessageCreated})
	ev := event(t, res, sb.EventTransferOffered)
	if ev.Operator == nil || ev.Operator.ID != "a" || ev.Target == nil || ev.Target.ID != "b" {
		t.Errorf("transfer_offered: operator %+v target %+v, want a and b", ev.Operator, ev.Target)
	}
	note := event(t, res, sb.EventMessageCreated).Message
	if note.Kind != sb.MessageNote || note.Text != "wants a refund, order 1182" || note.AuthorID != "a" {
		t.Errorf("the handover note is %+v", note)
	}
	equal(t, "decision", decision(t, res, sb.DecisionOffer, id).OperatorID, "b")
	f.wantChat(id, sb.ChatActive, "a")
	offer := f.chat(id).Offer
	if offer == nil || offer.From != "a" || offer.To != "b" || !offer.ExpiresAt.Equal(f.now.Add(sec(60))) {
		t.Fatalf("offer %+v, want a → b expiring in 60 s (the default)", offer)
	}
	equal(t, "b's load while offered", f.operator("b").Active, 0)

	f.at(sec(5))
	res = f.apply(routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator})
	equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventOperatorConnected,
		sb.EventTransferAccepted, sb.EventChatAccepted})
	equal(t, "disconnect reason", event(t, res, sb.EventOperatorDisconnected).Reason.Code, sb.ReasonHandover)
	equal(t, "decision", decision(t, res, sb.DecisionTransfer, id).OperatorID, "b")
	f.wantChat(id, sb.ChatActive, "b")
	c := f.chat(id)
	if c.Offer != nil || c.AcceptedAt.IsZero() || c.AutoAssigned {
		t.Errorf("after accept: offer %+v accepted_at %v auto %v", c.Offer, c.AcceptedAt, c.AutoAssigned)
	}
	equal(t, "a's load", f.operator("a").Active, 0)
	equal(t, "b's load", f.operator("b").Active, 1)
	if len(c.Excluded) != 0 {
		t.Errorf("a transfer excludes %v", c.Excluded)
	}
}

// TestR8TransferOfferEnds: a decline, an expiry and a withdrawal leave the
// chat with its operator, who is told; a new offer, a close and a return
// to routing withdraw the open one.
func TestR8TransferOfferEnds(t *testing.T) {
	t.Run("declined", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		res := f.apply(routing.DeclineOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator, Reason: "on a call"})
		ev := event(t, res, sb.EventTransferDeclined)
		if ev.Reason == nil || ev.Reason.Message != "on a call" || ev.Operator.ID != "a" || ev.Target.ID != "b" {
			t.Errorf("transfer_declined %+v", ev)
		}
		f.wantChat(id, sb.ChatActive, "a")
		equal(t, "offer", f.chat(id).Offer, (*sb.TransferOffer)(nil))
	})
	t.Run("expired", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.settings(func(s *sb.Settings) { s.TransferOfferTimeoutS, s.AcceptTimeoutS, s.ResponseTimeoutS = 30, 0, 0 })
		id := f.held("a")
		f.offer(id, "a", "b", "")
		wantDeadline(t, f.e, f.now.Add(sec(30)))
		f.at(sec(29))
		equal(t, "events before the deadline", names(f.tick()), []string{})
		f.at(sec(30))
		res := f.tick()
		equal(t, "events", names(res), []string{sb.EventTransferExpired})
		f.wantChat(id, sb.ChatActive, "a")
		equal(t, "offer", f.chat(id).Offer, (*sb.TransferOffer)(nil))
		if err := f.fail(routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("accepting an expired offer: %v, want not_found (b no longer sees the chat)", err)
		}
	})
	t.Run("no expiry when the timeout is 0", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.settings(func(s *sb.Settings) { s.TransferOfferTimeoutS, s.AcceptTimeoutS, s.ResponseTimeoutS = 0, 0, 0 })
		id := f.held("a")
		f.offer(id, "a", "b", "")
		wantNoDeadline(t, f.e)
		if !f.chat(id).Offer.ExpiresAt.IsZero() {
			t.Error("an offer without timeout has an expiry")
		}
	})
	t.Run("withdrawn", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		res := f.apply(routing.WithdrawOffer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator})
		equal(t, "events", names(res), []string{sb.EventTransferWithdrawn})
		if err := f.fail(routing.WithdrawOffer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("withdrawing twice: %v, want conflict", err)
		}
	})
	t.Run("a new offer withdraws the open one", func(t *testing.T) {
		f := newFixture(t, "a", "b", "c")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		res := f.offer(id, "a", "c", "")
		equal(t, "events", names(res), []string{sb.EventTransferWithdrawn, sb.EventTransferOffered})
		equal(t, "withdrawn from", event(t, res, sb.EventTransferWithdrawn).Target.ID, "b")
		equal(t, "offered to", f.chat(id).Offer.To, "c")
		if err := f.fail(routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("b accepting a withdrawn offer: %v, want not_found", err)
		}
	})
	t.Run("the close withdraws it", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		res := f.closeChat(id)
		equal(t, "events", names(res)[:1], []string{sb.EventTransferWithdrawn})
	})
	t.Run("the sender's redistribution withdraws it", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		res := f.apply(routing.Redistribute{OperatorID: "a"})
		if !contains(names(res), sb.EventTransferWithdrawn) {
			t.Errorf("events %v lack transfer_withdrawn", names(res))
		}
		if c := f.chat(id); c.Offer != nil || c.OperatorID == "a" {
			t.Errorf("after redistribution: operator %q offer %+v", c.OperatorID, c.Offer)
		}
	})
	t.Run("deleting the target withdraws it", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		res := f.apply(routing.DeleteOperator{ID: "b"})
		equal(t, "first event", names(res)[0], sb.EventTransferWithdrawn)
		f.wantChat(id, sb.ChatActive, "a")
	})
}

// TestR8TransferOfferLimits: the colleague must be able to take the chat
// (a status that can receive, under its limits: R1 without the topic) when
// offered and when it accepts; a supervisor may force it over a limit.
func TestR8TransferOfferLimits(t *testing.T) {
	t.Run("across topics", func(t *testing.T) {
		f := newFixture(t, "a")
		f.addOperator("x") // in no skill group
		f.setStatus("x", sb.StatusOnline)
		id := f.held("a")
		f.offer(id, "a", "x", "")
		f.apply(routing.AcceptOffer{ChatID: id, OperatorID: "x", Role: sb.RoleOperator})
		f.wantChat(id, sb.ChatActive, "x")
	})
	t.Run("a status that cannot receive", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.setStatus("b", sb.StatusBreak)
		if err := f.fail(routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "b"}); sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("offer to an operator on break: %v, want conflict", err)
		}
		f.setStatus("b", sb.StatusOnline)
		f.offer(id, "a", "b", "")
		f.setStatus("b", sb.StatusBreak)
		if err := f.fail(routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("accepting on break: %v, want conflict", err)
		}
	})
	t.Run("at a limit", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.occupy("b") // b: max 1, one chat
		id := f.held("a")
		err := f.fail(routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "b"})
		if sb.ErrorCode(err) != sb.ECONFLICT || sb.ErrorField(err) != "operator_id" {
			t.Errorf("offer to a full operator: %v, want conflict on operator_id", err)
		}
		f.setChannelLimits("b", map[string]int{"telegram": 0})
		f.setMax("b", 5)
		if err := f.fail(routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "b"}); sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("offer over a channel limit: %v, want conflict", err)
		}
	})
	t.Run("full by the time it accepts", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.held("a")
		f.offer(id, "a", "b", "")
		f.occupy("b")
		if err := f.fail(routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("accepting at a limit: %v, want conflict", err)
		}
		f.wantChat(id, sb.ChatActive, "a")
	})
	t.Run("forced by a supervisor", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.occupy("b")
		id := f.held("a")
		if err := f.fail(routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "b", Force: true}); sb.ErrorCode(err) != sb.EFORBIDDEN {
			t.Errorf("an operator forcing: %v, want forbidden", err)
		}
		res := f.apply(routing.OfferTransfer{ChatID: id, Role: sb.RoleSupervisor, OperatorID: "sup", To: "b", Force: true})
		equal(t, "offer anomalies", decision(t, res, sb.DecisionOffer, id).Anomalies, []string{sb.AnomalyForcedOverLimit})
		res = f.apply(routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator})
		equal(t, "transfer anomalies", decision(t, res, sb.DecisionTransfer, id).Anomalies, []string{sb.AnomalyForcedOverLimit})
		equal(t, "b's load", f.operator("b").Active, 2)
	})
}

// TestR8TransferOfferWho: the chat's operator or staff offers; the target
// or staff answers; integrators do neither.
func TestR8TransferOfferWho(t *testing.T) {
	f := newFixture(t, "a", "b", "c")
	id := f.held("a")
	cases := []struct {
		name string
		cmd  routing.Command
		code string
	}{
		{"another operator offers", routing.OfferTransfer{ChatID: id, OperatorID: "c", Role: sb.RoleOperator, To: "b"}, sb.ENOTFOUND},
		{"an integrator offers", routing.OfferTransfer{ChatID: id, Role: sb.RoleIntegrator, To: "b"}, sb.EFORBIDDEN},
		{"an offer to the chat's own operator", routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "a"}, sb.ECONFLICT},
		{"an offer to nobody", routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "ghost"}, sb.EINVALID},
		{"a note too long", routing.OfferTransfer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, To: "b", Note: string(make([]byte, sb.DefaultMaxMessageBytes+1))}, sb.EINVALID},
		{"an answer to no offer", routing.AcceptOffer{ChatID: id, OperatorID: "b", Role: sb.RoleOperator}, sb.ENOTFOUND},
	}
	for _, tc := range cases {
		if err := f.fail(tc.cmd); sb.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	queued := f.enqueue("sales", 0) // nobody serves sales
	if err := f.fail(routing.OfferTransfer{ChatID: queued, Role: sb.RoleSupervisor, To: "b"}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("offering a queued chat: %v, want conflict", err)
	}
	f.offer(id, "a", "b", "")
	if err := f.fail(routing.AcceptOffer{ChatID: id, OperatorID: "c", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("c accepting b's offer: %v, want not_found (c may not see the chat)", err)
	}
	if err := f.fail(routing.AcceptOffer{ChatID: id, OperatorID: "a", Role: sb.RoleOperator}); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("the sender accepting its own offer: %v, want forbidden", err)
	}
	if !f.e.CanSee(sb.RoleOperator, "b", ptr(f.chat(id))) || f.e.CanSee(sb.RoleOperator, "c", ptr(f.chat(id))) {
		t.Error("the target should see the offered chat, and only it")
	}
	f.apply(routing.DeclineOffer{ChatID: id, Role: sb.RoleSupervisor, OperatorID: "sup"}) // on b's behalf
	f.wantChat(id, sb.ChatActive, "a")
}

func ptr[T any](v T) *T { return &v }

// TestNotes: a note is an internal message: it is no reply, accepts
// nothing, and only staff and the chat's operator read it.
func TestNotes(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.ResponseTimeoutS = 30 })
	id := f.held("a")
	f.apply(routing.ClientMessage{ChatID: id, Text: "hello?"})
	before := f.chat(id)
	res := f.apply(routing.AddNote{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, Text: "VIP, be quick"})
	m := event(t, res, sb.EventMessageCreated).Message
	equal(t, "kind", m.Kind, sb.MessageNote)
	after := f.chat(id)
	if !after.FirstResponseAt.IsZero() || !after.AwaitingSince.Equal(before.AwaitingSince) || !after.AcceptedAt.Equal(before.AcceptedAt) {
		t.Errorf("a note changed the chat's reply state: %+v", after)
	}
	ev := event(t, res, sb.EventMessageCreated)
	for _, tc := range []struct {
		role, op string
		want     bool
	}{
		{sb.RoleOperator, "a", true}, {sb.RoleOperator, "b", false}, {sb.RoleSupervisor, "s", true},
		{sb.RoleAdmin, "", true}, {sb.RoleIntegrator, "", false},
	} {
		if got := f.e.CanSeeEvent(tc.role, tc.op, &ev); got != tc.want {
			t.Errorf("%s %q sees the note: %v, want %v", tc.role, tc.op, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		cmd  routing.AddNote
		code string
	}{
		{"another operator", routing.AddNote{ChatID: id, OperatorID: "b", Role: sb.RoleOperator, Text: "x"}, sb.ENOTFOUND},
		{"an integrator", routing.AddNote{ChatID: id, Role: sb.RoleIntegrator, Text: "x"}, sb.EFORBIDDEN},
		{"no text", routing.AddNote{ChatID: id, OperatorID: "a", Role: sb.RoleOperator}, sb.EINVALID},
	} {
		if err := f.fail(tc.cmd); sb.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	f.apply(routing.AddNote{ChatID: id, Role: sb.RoleSupervisor, OperatorID: "s", Text: "whisper"})
	f.closeChat(id)
	f.apply(routing.AddNote{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, Text: "refund sent"}) // after the close
	if err := f.fail(routing.AddNote{ChatID: id, OperatorID: "b", Role: sb.RoleOperator, Text: "x"}); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a note by another operator on a closed chat: %v, want not_found", err)
	}
	if !routing.SeesNotes(sb.RoleOperator, "b", &sb.Chat{OperatorID: "a", Offer: &sb.TransferOffer{To: "b"}}) {
		t.Error("the colleague offered a chat does not read its notes (the handover note)")
	}
}

// TestR8SupervisorJoins: a supervisor writes into an operator's chat
// without taking it; the message is a reply by the supervisor.
func TestR8SupervisorJoins(t *testing.T) {
	f := newFixture(t, "a")
	id := f.held("a")
	f.apply(routing.ClientMessage{ChatID: id, Text: "hello?"})
	res := f.apply(routing.OperatorMessage{ChatID: id, OperatorID: "sup", Role: sb.RoleSupervisor, Text: "I'm the supervisor"})
	m := event(t, res, sb.EventMessageCreated).Message
	if m.Kind != sb.MessageOperator || m.AuthorID != "sup" {
		t.Errorf("the supervisor's message %+v", m)
	}
	c := f.chat(id)
	f.wantChat(id, sb.ChatActive, "a")
	if c.FirstResponseAt.IsZero() || !c.AwaitingSince.IsZero() {
		t.Errorf("the supervisor's message is no reply: %+v", c)
	}
	if err := f.fail(routing.OperatorMessage{ChatID: f.enqueue("sales", 0), OperatorID: "sup", Role: sb.RoleSupervisor, Text: "x"}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("joining a queued chat: %v, want conflict", err)
	}
}

// TestR1WrapUp: a closed chat keeps its slot for wrap_up_s (a skill group
// may override it) against both the general and the channel limit; R4
// runs when the wrap-up ends or the operator is Ready.
func TestR1WrapUp(t *testing.T) {
	setup := func(t *testing.T) (*fixture, string) {
		f := newFixture(t, "a")
		f.settings(func(s *sb.Settings) { s.WrapUpS, s.AcceptTimeoutS, s.ResponseTimeoutS = 30, 0, 0 })
		f.setMax("a", 1)
		id := f.held("a")
		return f, id
	}
	t.Run("the slot stays taken until the wrap-up ends", func(t *testing.T) {
		f, id := setup(t)
		res := f.closeChat(id)
		equal(t, "last event", names(res)[len(res.Events)-1], sb.EventWrapUpStarted)
		w := f.operator("a").WrapUp
		if len(w) != 1 || w[0].ChatID != id || !w[0].Until.Equal(f.now.Add(sec(30))) {
			t.Fatalf("wrap-up %+v", w)
		}
		q := f.enqueue("support", 0)
		f.wantChat(q, sb.ChatQueued, "")
		wantDeadline(t, f.e, f.now.Add(sec(30)))
		f.at(sec(30))
		res = f.tick()
		equal(t, "events", names(res)[:2], []string{sb.EventWrapUpEnded, sb.EventAutoConnected})
		f.wantChat(q, sb.ChatActive, "a")
		equal(t, "wrap-ups", len(f.operator("a").WrapUp), 0)
	})
	t.Run("Ready ends it", func(t *testing.T) {
		f, id := setup(t)
		f.closeChat(id)
		q := f.enqueue("support", 0)
		f.at(sec(3))
		f.apply(routing.EndWrapUp{OperatorID: "a"})
		f.wantChat(q, sb.ChatActive, "a")
	})
	t.Run("against the channel limit", func(t *testing.T) {
		f, id := setup(t)
		f.setMax("a", 5)
		f.setChannelLimits("a", map[string]int{"telegram": 1})
		f.closeChat(id)
		tg := f.enqueue("support", 0) // telegram
		f.wantChat(tg, sb.ChatQueued, "")
		web := chatID(t, f.connectOn("support", "widget"))
		f.wantChat(web, sb.ChatActive, "a")
		if d, err := f.e.Diagnostics("a"); err != nil || d.Channels["telegram"].Active != 1 {
			t.Errorf("diagnostics %+v, %v: the wrap-up should count on telegram", d.Channels, err)
		}
	})
	t.Run("a skill group overrides it", func(t *testing.T) {
		f, id := setup(t)
		f.updateGroup("support-team", func(g *sb.SkillGroup) { g.WrapUpS = 5 })
		f.closeChat(id)
		equal(t, "until", f.operator("a").WrapUp[0].Until, f.now.Add(sec(5)))
	})
	t.Run("0 is off", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.held("a")
		if res := f.closeChat(id); contains(names(res), sb.EventWrapUpStarted) {
			t.Error("wrap-up started with wrap_up_s 0")
		}
	})
	t.Run("a chat returned to routing has none", func(t *testing.T) {
		f, id := setup(t)
		if res := f.apply(routing.Redistribute{OperatorID: "a"}); contains(names(res), sb.EventWrapUpStarted) || f.chat(id).OperatorID == "a" {
			t.Error("a redistributed chat started a wrap-up")
		}
	})
}
