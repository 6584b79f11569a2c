package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// TestEventsPaging: GET /events?after= pages through every event once, in
// order, with consecutive ids.
func TestEventsPaging(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	for i := range 4 {
		s.connectChat(in, fmt.Sprintf("k%d", i), "widget", e2eAuto("t"))
	}
	all := s.events(0)
	if len(all) < 10 {
		t.Fatalf("only %d events", len(all))
	}
	var got []int64
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > len(all) {
			t.Fatal("paging does not end")
		}
		var page struct {
			Events    []sb.Event `json:"events"`
			NextAfter int64      `json:"next_after"`
		}
		s.must(200, "GET", "/api/v1/events?limit=3&after="+strconv.FormatInt(after, 10), s.admin, nil).into(t, &page)
		if len(page.Events) > 3 {
			t.Fatalf("page of %d events with limit 3", len(page.Events))
		}
		if len(page.Events) == 0 {
			if page.NextAfter != after {
				t.Errorf("empty page moved next_after from %d to %d", after, page.NextAfter)
			}
			break
		}
		for _, ev := range page.Events {
			got = append(got, ev.Seq)
			if ev.Name == "" || ev.OccurredAt.IsZero() {
				t.Errorf("event %+v lacks a name or time", ev)
			}
		}
		if page.NextAfter != page.Events[len(page.Events)-1].Seq {
			t.Errorf("next_after %d, last event %d", page.NextAfter, page.Events[len(page.Events)-1].Seq)
		}
		after = page.NextAfter
	}
	for i, seq := range got {
		if seq != int64(i+1) {
			t.Fatalf("event ids %v are not 1, 2, 3, …", got)
		}
	}
	if len(got) != len(all) {
		t.Errorf("paged %d events, one page of 1000 has %d", len(got), len(all))
	}
	// The first events of a connect are in the documented order.
	if want := []string{sb.EventChatCreated, sb.EventMessageCreated, sb.EventAutoConnected}; !slices.Equal(e2eNames(all[len(all)-3:]), want) {
		t.Errorf("last connect's events %v, want %v", e2eNames(all[len(all)-3:]), want)
	}
}

// TestEventStreamResume: the SSE stream replays from Last-Event-ID (or
// ?after=), then goes live; without either it starts now.
func TestEventStreamResume(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	s.connectChat(in, "k1", "widget", e2eAuto("t"))
	s.connectChat(in, "k2", "widget", e2eAuto("t"))
	last := s.lastSeq()
	from := last - 3

	st := s.openStream(s.admin, from)
	if st.Status != 200 {
		t.Fatalf("stream: %d", st.Status)
	}
	for want := from + 1; want <= last; want++ {
		if ev := st.next(); ev.ID != want || ev.Ev.Seq != want || ev.Name != ev.Ev.Name {
			t.Fatalf("replayed event %d (%s), want %d", ev.ID, ev.Name, want)
		}
	}
	// Live events follow the replay without gap or repeat.
	s.connectChat(in, "k3", "widget", e2eAuto("t"))
	ev := st.next()
	if ev.ID != last+1 || ev.Name != sb.EventChatCreated {
		t.Fatalf("live event %d %s, want %d chat_created", ev.ID, ev.Name, last+1)
	}
	seen := ev.ID
	for seen < s.lastSeq() {
		if ev := st.next(); ev.ID != seen+1 {
			t.Fatalf("live event %d after %d", ev.ID, seen)
		}
		seen++
	}
	st.close()

	// A reconnect with the last id seen gets only what came after.
	s.connectChat(in, "k4", "widget", e2eAuto("t"))
	st = s.openStream(s.admin, seen)
	if ev := st.next(); ev.ID != seen+1 {
		t.Errorf("resumed at %d, want %d", ev.ID, seen+1)
	}
	st.close()

	// Without Last-Event-ID the stream starts now.
	st = s.openStream(s.admin, 0)
	now := s.lastSeq()
	s.setStatus("a", sb.StatusBreak)
	if ev := st.next(); ev.ID != now+1 || ev.Name != sb.EventOperatorStatus {
		t.Errorf("a new stream began with %d %s, want %d %s", ev.ID, ev.Name, now+1, sb.EventOperatorStatus)
	}
	// A bad Last-Event-ID is bad input.
	if r := s.do("GET", "/api/v1/events/stream?after=x", s.admin, nil); r.Status != 422 {
		t.Errorf("stream?after=x: %s", r)
	}
}

// TestOperatorStreamVisibility: an operator's stream (and event page)
// shows its own chats and the New / In Queue chats of its topics only.
func TestOperatorStreamVisibility(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("support", true, map[string]map[string]any{"a": {"max_chats": 1}})
	s.e2eTeam("sales", true, map[string]map[string]any{"b": {"max_chats": 1}})
	in := s.token(sb.RoleIntegrator, "")
	opA := s.token(sb.RoleOperator, "a")
	start := s.lastSeq()
	st := s.openStream(opA, 0)
	all := s.openStream(s.admin, 0)

	mine := s.connectChat(in, "k1", "widget", e2eAuto("support")).ID                           // a's own
	other := s.connectChat(in, "k2", "widget", e2eAuto("sales")).ID                            // b's own
	otherNew := s.connectChat(in, "k3", "widget", map[string]any{"subject_alias": "sales"}).ID // New, sales
	topicNew := s.connectChat(in, "k4", "widget", map[string]any{"subject_alias": "support"}).ID
	topicQueued := s.connectChat(in, "k5", "widget", e2eQueued("support", 0)).ID // a is full
	otherQueued := s.connectChat(in, "k6", "widget", e2eQueued("sales", 0)).ID   // b is full
	s.setStatus("b", sb.StatusBreak)
	s.setStatus("a", sb.StatusBreak) // the sentinel: a's own status change

	isSentinel := func(ev e2eSSE) bool { return ev.Name == sb.EventOperatorStatus && ev.Ev.Operator.ID == "a" }
	got := map[string]bool{}
	for _, ev := range st.until(isSentinel) {
		if ev.Ev.ChatID != "" {
			got[ev.Ev.ChatID] = true
		}
		if ev.Name == sb.EventOperatorStatus && ev.Ev.Operator.ID != "a" {
			t.Errorf("a's stream shows %s's status", ev.Ev.Operator.ID)
		}
	}
	for _, id := range []string{mine, topicNew, topicQueued} {
		if !got[id] {
			t.Errorf("a's stream lacks chat %s", id)
		}
	}
	for _, id := range []string{other, otherNew, otherQueued} {
		if got[id] {
			t.Errorf("a's stream shows chat %s, which is not a's", id)
		}
	}
	// The staff stream shows everything.
	seen := map[string]bool{}
	for _, ev := range all.until(isSentinel) {
		seen[ev.Ev.ChatID] = true
	}
	for _, id := range []string{mine, other, otherNew, topicNew, topicQueued, otherQueued} {
		if !seen[id] {
			t.Errorf("the admin's stream lacks chat %s", id)
		}
	}
	// The event page filters the same way.
	var page struct {
		Events []sb.Event `json:"events"`
	}
	s.must(200, "GET", "/api/v1/events?limit=1000&after="+strconv.FormatInt(start, 10), opA, nil).into(t, &page)
	for _, ev := range page.Events {
		if ev.ChatID == other || ev.ChatID == otherNew || ev.ChatID == otherQueued {
			t.Errorf("a's event page shows %s of chat %s", ev.Name, ev.ChatID)
		}
	}
	// Folders and chats too.
	if r := s.do("GET", "/api/v1/chats/"+other, opA, nil); r.Status != 404 && r.Status != 403 {
		t.Errorf("a reads b's chat: %s", r)
	}
}

// TestOperatorStreamWokenForItsEvents: an operator's stream is sent only
// the commits with an event the operator may see; others do not wake it
// (switchboard_sse_batches_total counts what the streams were sent).
func TestOperatorStreamWokenForItsEvents(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("support", true, map[string]map[string]any{"a": {}})
	s.e2eTeam("sales", true, map[string]map[string]any{"b": {}})
	in := s.token(sb.RoleIntegrator, "")
	st := s.openStream(s.token(sb.RoleOperator, "a"), 0)
	sentinel := func(status string) {
		s.setStatus("a", status)
		st.until(func(ev e2eSSE) bool { return ev.Name == sb.EventOperatorStatus && ev.Ev.Status == status })
	}
	sentinel(sb.StatusBreak) // the stream is open and caught up
	before := s.batchesSent()
	for i := range 5 { // New chats of sales: nothing a may see
		s.connectChat(in, "k"+strconv.Itoa(i), "widget", map[string]any{"subject_alias": "sales"})
	}
	sentinel(sb.StatusOnline)
	if n := s.batchesSent() - before; n != 1 {
		t.Errorf("a's stream was sent %d batches for 5 commits it may not see and 1 it may; want 1", n)
	}
}

// batchesSent reads switchboard_sse_batches_total from /metrics.
func (s *e2eSrv) batchesSent() int {
	s.t.Helper()
	r := s.must(200, "GET", "/metrics", "", nil)
	for line := range strings.Lines(string(r.Raw)) {
		if v, ok := strings.CutPrefix(line, "switchboard_sse_batches_total "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				s.t.Fatalf("switchboard_sse_batches_total %q", v)
			}
			return n
		}
	}
	s.t.Fatal("/metrics lacks switchboard_sse_batches_total")
	return 0
}

// TestOperatorStreamPresence: an open operator stream is a panel session;
// the operator is connected while one is open.
func TestOperatorStreamPresence(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil, "b": nil})
	opA := s.token(sb.RoleOperator, "a")
	if s.op("a").Connected {
		t.Fatal("a is connected before any stream")
	}
	st1 := s.openStream(opA, 0)
	st2 := s.openStream(opA, 0)
	e2eEventually(t, "a connected", func() bool { return s.op("a").Connected })
	st1.close()
	// The stream handler ends the session before it unsubscribes, so once
	// one subscriber is left the first close has been processed.
	e2eEventually(t, "one stream left", func() bool { return s.metric("switchboard_sse_subscribers") == "1" })
	if !s.op("a").Connected {
		t.Error("a is disconnected while a stream is still open")
	}
	st2.close()
	e2eEventually(t, "a disconnected", func() bool { return !s.op("a").Connected })

	// With a session open, presence keeps an operator online; b, without
	// one, goes auto-offline.
	st := s.openStream(opA, 0)
	e2eEventually(t, "a connected again", func() bool { return s.op("a").Connected })
	s.settings(map[string]any{"auto_offline_after_s": 1})
	e2eEventually(t, "b to go offline", func() bool { return s.op("b").Status == sb.StatusOffline })
	if o := s.op("a"); o.Status != sb.StatusOnline {
		t.Errorf("a, with an open panel session, is %s", o.Status)
	}
	st.close()
}

// metric returns the value of an unlabelled metric from /metrics.
func (s *e2eSrv) metric(name string) string {
	s.t.Helper()
	r := s.must(200, "GET", "/metrics", "", nil)
	for _, line := range strings.Split(string(r.Raw), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestEventStreamResumeBeyondTheLog: a Last-Event-ID beyond the last event
// (the data was reset since the client read it) is answered with a reset
// event of id 0 and then every event from the first, then live events.
// (Before, the stream stayed silent until the log passed that id.)
func TestEventStreamResumeBeyondTheLog(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	s.connectChat(in, "k1", "widget", e2eAuto("t"))
	last := s.lastSeq()
	st := s.openStream(s.admin, last+1000)
	if st.Status != 200 {
		t.Fatalf("stream: %d", st.Status)
	}
	if ev := st.next(); ev.ID != 0 || ev.Name != "reset" {
		t.Fatalf("first frame %d %q; want id 0, event reset", ev.ID, ev.Name)
	}
	for want := int64(1); want <= last; want++ {
		if ev := st.next(); ev.ID != want || ev.Ev.Seq != want {
			t.Fatalf("after the reset: event %d, want %d", ev.ID, want)
		}
	}
	s.connectChat(in, "k2", "widget", e2eAuto("t"))
	if ev := st.next(); ev.ID != last+1 {
		t.Fatalf("live event %d, want %d", ev.ID, last+1)
	}
	st.close()
}
