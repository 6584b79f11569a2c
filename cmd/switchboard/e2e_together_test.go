package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// End-to-end tests of working together (issue 22) through the HTTP API:
// offers to a colleague, notes, a supervisor who joins, wrap-up.

// e2eTogether is a server with topic t served by operators a and b (online,
// each with a token), a supervisor token and an integrator token.
type e2eTogether struct {
	*e2eSrv
	a, b, sup, in string
}

func e2eTogetherNew(t *testing.T) *e2eTogether {
	s := e2eNew(t)
	s.topic("t")
	s.operator("a", nil)
	s.operator("b", nil)
	s.operator("sup", map[string]any{"role": sb.RoleSupervisor})
	s.group("g", []string{"t"}, []string{"a", "b"})
	s.setStatus("a", sb.StatusOnline)
	s.setStatus("b", sb.StatusOnline)
	return &e2eTogether{e2eSrv: s, a: s.token(sb.RoleOperator, "a"), b: s.token(sb.RoleOperator, "b"),
		sup: s.token(sb.RoleSupervisor, "sup"), in: s.token(sb.RoleIntegrator, "")}
}

// heldBy connects a chat straight to an operator.
func (s *e2eTogether) heldBy(client, op string) sb.Chat {
	s.t.Helper()
	return s.connectChat(s.in, client, "telegram", map[string]any{"subject_alias": "t", "assigned_operator": op})
}

// TestTransferOfferHTTP: a offers its chat to b with a note; b sees the
// offer, its stream gets it, b accepts and the chat moves; a second chat's
// offer is declined and stays with a; a third is withdrawn, a fourth
// expires.
func TestTransferOfferHTTP(t *testing.T) {
	t.Parallel()
	s := e2eTogetherNew(t)
	s.settings(map[string]any{"transfer_offer_timeout_s": 1})
	c := s.heldBy("k1", "a")
	after := s.lastSeq()
	stream := s.openStream(s.b, after)
	var got sb.Chat
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/transfer", s.a, map[string]any{"operator_id": "b", "note": "wants a refund, order 1182"}).into(t, &got)
	if got.OperatorID != "a" || got.Offer == nil || got.Offer.To != "b" || got.Offer.Note != "wants a refund, order 1182" {
		t.Fatalf("after the offer: %+v (offer %+v)", got, got.Offer)
	}
	ev := stream.next().Ev
	if ev.Name != sb.EventTransferOffered || ev.Target == nil || ev.Target.ID != "b" || ev.Operator.ID != "a" {
		t.Errorf("b's stream got %s (target %+v), want transfer_offered to b", ev.Name, ev.Target)
	}
	if note := stream.next().Ev; note.Name != sb.EventMessageCreated || note.Message.Kind != sb.MessageNote {
		t.Errorf("b's stream got %s %+v, want the handover note", note.Name, note.Message)
	}
	var msgs []sb.Message
	s.must(200, "GET", "/api/v1/chats/"+c.ID+"/messages", s.b, nil).into(t, &msgs)
	if len(msgs) == 0 || msgs[len(msgs)-1].Kind != sb.MessageNote {
		t.Errorf("b reads %+v, want the handover note last", msgs)
	}
	got = sb.Chat{}
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/offer/accept", s.b, nil).into(t, &got)
	if got.OperatorID != "b" || got.Offer != nil || got.AcceptedAt.IsZero() {
		t.Errorf("after accept: operator %q offer %+v accepted %v", got.OperatorID, got.Offer, got.AcceptedAt)
	}
	want := []string{sb.EventTransferOffered, sb.EventMessageCreated, sb.EventOperatorDisconnected,
		sb.EventOperatorConnected, sb.EventTransferAccepted, sb.EventChatAccepted}
	if names := e2eNames(s.eventsOf(c.ID, after)); !slices.Equal(names, want) {
		t.Errorf("events %v, want %v", names, want)
	}

	d := s.heldBy("k2", "a")
	s.must(200, "POST", "/api/v1/chats/"+d.ID+"/transfer", s.a, map[string]any{"operator_id": "b"})
	s.must(200, "POST", "/api/v1/chats/"+d.ID+"/offer/decline", s.b, map[string]any{"reason": "on a call"})
	evs := s.eventsOf(d.ID, 0)
	last := evs[len(evs)-1]
	if last.Name != sb.EventTransferDeclined || last.Reason == nil || last.Reason.Message != "on a call" {
		t.Errorf("last event %s %+v, want transfer_declined with the reason", last.Name, last.Reason)
	}
	if ch := s.chat(d.ID); ch.OperatorID != "a" || ch.Offer != nil {
		t.Errorf("declined chat: operator %q offer %+v", ch.OperatorID, ch.Offer)
	}
	if r := s.do("POST", "/api/v1/chats/"+d.ID+"/offer/accept", s.b, nil); r.Status != 404 {
		t.Errorf("b accepting a declined offer: %s, want 404", r)
	}

	s.must(200, "POST", "/api/v1/chats/"+d.ID+"/transfer", s.a, map[string]any{"operator_id": "b"})
	s.must(200, "POST", "/api/v1/chats/"+d.ID+"/offer/withdraw", s.a, nil)
	if evs := s.eventsOf(d.ID, 0); evs[len(evs)-1].Name != sb.EventTransferWithdrawn {
		t.Errorf("last event %s, want transfer_withdrawn", evs[len(evs)-1].Name)
	}

	s.must(200, "POST", "/api/v1/chats/"+d.ID+"/transfer", s.a, map[string]any{"operator_id": "b"})
	e2eEventually(t, "the offer expired", func() bool {
		evs := s.eventsOf(d.ID, 0)
		return evs[len(evs)-1].Name == sb.EventTransferExpired
	})
	if ch := s.chat(d.ID); ch.OperatorID != "a" || ch.Offer != nil {
		t.Errorf("expired offer: operator %q offer %+v", ch.OperatorID, ch.Offer)
	}
}

// TestTransferOfferLimitsHTTP: an offer to a full colleague is refused
// naming operator_id; a supervisor forces it, audited.
func TestTransferOfferLimitsHTTP(t *testing.T) {
	t.Parallel()
	s := e2eTogetherNew(t)
	s.must(200, "PATCH", "/api/v1/operators/b", s.admin, map[string]any{"max_chats": 1})
	s.heldBy("k0", "b")
	c := s.heldBy("k1", "a")
	r := s.do("POST", "/api/v1/chats/"+c.ID+"/transfer", s.a, map[string]any{"operator_id": "b"})
	if f, code := r.errField(); r.Status != 409 || f != "operator_id" || code != sb.ECONFLICT {
		t.Errorf("offer to a full colleague: %s", r)
	}
	if r := s.do("POST", "/api/v1/chats/"+c.ID+"/transfer", s.a, map[string]any{"operator_id": "b", "force": true}); r.Status != 403 {
		t.Errorf("an operator forcing: %s, want 403", r)
	}
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/transfer", s.sup, map[string]any{"operator_id": "b", "force": true})
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/offer/accept", s.b, nil)
	var audit struct {
		Records []sb.Decision `json:"records"`
	}
	s.must(200, "GET", "/api/v1/distribution/audit", s.admin, nil).into(t, &audit)
	forced := 0
	for _, d := range audit.Records {
		if d.ChatID == c.ID && slices.Contains(d.Anomalies, sb.AnomalyForcedOverLimit) {
			forced++
		}
	}
	if forced != 2 {
		t.Errorf("%d forced_over_limit decisions for the chat, want 2 (offer, transfer): %+v", forced, audit.Records)
	}
	if o := s.op("b"); o.Active != 2 {
		t.Errorf("b holds %d chats, want 2", o.Active)
	}
}

// hookSink records the events posted to it.
type hookSink struct {
	mu  sync.Mutex
	got []sb.Event
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev sb.Event
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &ev) == nil {
		h.mu.Lock()
		h.got = append(h.got, ev)
		h.mu.Unlock()
	}
}

func (h *hookSink) events() []sb.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// messageTexts lists the texts of the message_created events, with kinds.
func messageTexts(evs []sb.Event) []string {
	var out []string
	for _, ev := range evs {
		if ev.Name == sb.EventMessageCreated {
			out = append(out, ev.Message.Kind+":"+ev.Message.Text)
		}
	}
	return out
}

// TestNotesHTTP: notes are written by the chat's operator and staff, read
// by them, never by the integrator, never sent to the chat's
// event_webhook_url; a global subscription gets them marked kind note. A
// supervisor joins the chat with a message of its own.
func TestNotesHTTP(t *testing.T) {
	t.Parallel()
	s := e2eTogetherNew(t)
	s.settings(map[string]any{"webhook_allow_private_targets": true})
	chatHook, globalHook := &hookSink{}, &hookSink{}
	chatSrv, globalSrv := httptest.NewServer(chatHook), httptest.NewServer(globalHook)
	t.Cleanup(chatSrv.Close)
	t.Cleanup(globalSrv.Close)
	s.must(201, "POST", "/api/v1/webhooks", s.admin, map[string]any{"url": globalSrv.URL, "events": []string{sb.EventMessageCreated}})
	c := s.connectChat(s.in, "k1", "telegram", map[string]any{"subject_alias": "t", "assigned_operator": "a", "event_webhook_url": chatSrv.URL})
	var note sb.Message
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/notes", s.a, map[string]any{"text": "VIP, be quick"}).into(t, &note)
	if note.Kind != sb.MessageNote || note.AuthorID != "a" || note.From != "operator" {
		t.Errorf("note %+v", note)
	}
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/notes", s.sup, map[string]any{"text": "offer the voucher"})
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/messages", s.sup, map[string]any{"text": "Hello, I'm the supervisor"})
	if r := s.do("POST", "/api/v1/chats/"+c.ID+"/notes", s.b, map[string]any{"text": "x"}); r.Status != 404 {
		t.Errorf("b noting a's chat: %s, want 404", r)
	}
	if r := s.do("POST", "/api/v1/chats/"+c.ID+"/notes", s.in, map[string]any{"text": "x"}); r.Status != 403 {
		t.Errorf("the integrator noting: %s, want 403", r)
	}
	if ch := s.chat(c.ID); ch.OperatorID != "a" || ch.FirstResponseAt.IsZero() {
		t.Errorf("after the supervisor joined: operator %q first response %v", ch.OperatorID, ch.FirstResponseAt)
	}
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/messages", s.a, map[string]any{"text": "done"})

	kinds := func(tok string) []string {
		var ms []sb.Message
		s.must(200, "GET", "/api/v1/chats/"+c.ID+"/messages", tok, nil).into(t, &ms)
		var out []string
		for _, m := range ms {
			out = append(out, m.Kind)
		}
		return out
	}
	all := []string{"client", "note", "note", "operator", "operator"}
	if got := kinds(s.a); !slices.Equal(got, all) {
		t.Errorf("a reads %v, want %v", got, all)
	}
	if got := kinds(s.sup); !slices.Equal(got, all) {
		t.Errorf("the supervisor reads %v, want %v", got, all)
	}
	if got := kinds(s.in); !slices.Equal(got, []string{"client", "operator", "operator"}) {
		t.Errorf("the integrator reads %v, want no notes", got)
	}

	// Deliveries to one target keep event order: once "done" arrived,
	// every earlier message that was going to arrive has.
	e2eEventually(t, "the last reply at the chat's webhook", func() bool {
		ts := messageTexts(chatHook.events())
		return len(ts) > 0 && ts[len(ts)-1] == "operator:done"
	})
	want := []string{"client:hello from k1", "operator:Hello, I'm the supervisor", "operator:done"}
	if got := messageTexts(chatHook.events()); !slices.Equal(got, want) {
		t.Errorf("the chat's event_webhook_url got %v, want %v (no notes)", got, want)
	}
	e2eEventually(t, "the last reply at the subscription", func() bool {
		ts := messageTexts(globalHook.events())
		return len(ts) > 0 && ts[len(ts)-1] == "operator:done"
	})
	want = []string{"client:hello from k1", "note:VIP, be quick", "note:offer the voucher", "operator:Hello, I'm the supervisor", "operator:done"}
	if got := messageTexts(globalHook.events()); !slices.Equal(got, want) {
		t.Errorf("the subscription got %v, want %v", got, want)
	}

	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/close", s.a, nil)
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/notes", s.a, map[string]any{"text": "refund sent"})
}

// TestWrapUpHTTP: a's slot stays taken after a close for wrap_up_s; the
// waiting chat goes to a when a presses Ready.
func TestWrapUpHTTP(t *testing.T) {
	t.Parallel()
	s := e2eTogetherNew(t)
	s.settings(map[string]any{"wrap_up_s": 3600})
	s.setStatus("b", sb.StatusOffline)
	s.must(200, "PATCH", "/api/v1/operators/a", s.admin, map[string]any{"max_chats": 1})
	c := s.heldBy("k1", "a")
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/close", s.a, nil)
	o := s.op("a")
	if o.Active != 0 || len(o.WrapUp) != 1 || o.WrapUp[0].ChatID != c.ID {
		t.Fatalf("after the close: active %d wrap-up %+v", o.Active, o.WrapUp)
	}
	q := s.connectChat(s.in, "k2", "telegram", map[string]any{"subject_alias": "t", "auto_connect_operator": true, "status": "queue"})
	if q.Status != sb.ChatQueued {
		t.Fatalf("the second chat is %s, want queued while a wraps up", q.Status)
	}
	if r := s.do("POST", "/api/v1/operators/a/ready", s.b, nil); r.Status != 403 {
		t.Errorf("b pressing a's Ready: %s, want 403", r)
	}
	s.must(200, "POST", "/api/v1/operators/a/ready", s.a, nil)
	if ch := s.chat(q.ID); ch.Status != sb.ChatActive || ch.OperatorID != "a" {
		t.Errorf("after Ready: %s with %q, want active with a", ch.Status, ch.OperatorID)
	}
	names := e2eNames(s.eventsOf(c.ID, 0))
	if !slices.Contains(names, sb.EventWrapUpStarted) || !slices.Contains(names, sb.EventWrapUpEnded) {
		t.Errorf("chat %s events %v lack wrap_up_started/ended", c.ID, names)
	}
}
