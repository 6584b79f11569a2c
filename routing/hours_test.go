package routing_test

import (
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// office is open on weekdays 09:00–18:00 UTC; t0 is Monday 09:00.
var office = sb.Calendar{ID: "office", Name: "Office", TimeZone: "UTC", Hours: map[string][][2]string{
	"mon": {{"09:00", "18:00"}}, "tue": {{"09:00", "18:00"}}, "wed": {{"09:00", "18:00"}},
	"thu": {{"09:00", "18:00"}}, "fri": {{"09:00", "18:00"}},
}}

// withOffice gives the topic support the office calendar and sets the
// clock to Monday 19:00, after closing.
func withOffice(t *testing.T, ops ...string) *fixture {
	f := newFixture(t, ops...)
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.ResponseTimeoutS = 0, 0 })
	f.apply(routing.CreateCalendar{Calendar: office})
	f.apply(routing.PatchTopic{Alias: "support", CalendarID: ptr("office")})
	f.at(10 * time.Hour)
	return f
}

// TestOutOfHours: outside its topic's hours the connect action answers
// limit with out_of_hours and when they open; with "status": "queue" the
// chat waits, held, and is distributed at the opening (R4).
func TestOutOfHours(t *testing.T) {
	tuesday9 := t0.Add(24 * time.Hour)
	t.Run("limit with next_open_at", func(t *testing.T) {
		f := withOffice(t, "a")
		res := f.connect("support")
		if res.Outcome != routing.OutcomeLimit || res.Reason.Code != routing.ReasonOutOfHours || !res.Reason.NextOpenAt.Equal(tuesday9) {
			t.Fatalf("connect after hours: %s %+v, want limit out_of_hours opening %v", res.Outcome, res.Reason, tuesday9)
		}
		equal(t, "limit event reason", event(t, res, sb.EventLimit).Reason.Code, routing.ReasonOutOfHours)
		if res := f.connect("sales"); res.Outcome != routing.OutcomeLimit || res.Reason.Code == routing.ReasonOutOfHours {
			t.Errorf("a topic without hours is always open: %+v", res.Reason)
		}
		id := chatID(t, f.apply(f.connectCmd(routing.Connect{Topic: "support", Operator: "a"})))
		f.wantChat(id, sb.ChatActive, "a") // a scenario that names the operator is not refused
	})
	t.Run("queued until the opening", func(t *testing.T) {
		f := withOffice(t, "a")
		first := chatID(t, f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"})))
		f.at(11 * time.Hour)
		second := chatID(t, f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue", Weight: 1})))
		for _, id := range []string{first, second} {
			c := f.chat(id)
			if c.Status != sb.ChatQueued || !c.HeldUntil.Equal(tuesday9) || !c.WaitStartedAt.Equal(tuesday9) {
				t.Fatalf("chat %s: %s held until %v waiting from %v, want queued and held until %v", id, c.Status, c.HeldUntil, c.WaitStartedAt, tuesday9)
			}
		}
		if q := f.e.Queue(); len(q) != 2 || q[0].Reasons[0].Code != routing.ReasonOutOfHours {
			t.Errorf("queue %+v, want both, waiting out of hours", q)
		}
		wantDeadline(t, f.e, tuesday9)
		f.setMax("a", 1)
		f.now = tuesday9.Add(-time.Second)
		f.tick()
		f.wantChat(first, sb.ChatQueued, "")
		f.now = tuesday9
		res := f.tick()
		f.wantChat(second, sb.ChatActive, "a") // weight first (R3), then the other when a has room
		equal(t, "decisions", kinds(res), []string{sb.DecisionAuto})
		if !f.chat(second).HeldUntil.IsZero() {
			t.Error("an active chat is still held")
		}
		f.setMax("a", 2)
		f.wantChat(first, sb.ChatActive, "a")
	})
	t.Run("a subtopic has its parent's hours, the rest the default", func(t *testing.T) {
		f := withOffice(t, "a")
		f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support-eu", Parent: "support"}})
		if res := f.connect("support-eu"); res.Reason == nil || res.Reason.Code != routing.ReasonOutOfHours {
			t.Errorf("subtopic after hours: %+v", res.Reason)
		}
		f.settings(func(s *sb.Settings) { s.DefaultCalendarID = "office" })
		if res := f.connect("sales"); res.Reason == nil || res.Reason.Code != routing.ReasonOutOfHours {
			t.Errorf("a topic under the default calendar after hours: %+v", res.Reason)
		}
		if err := f.fail(routing.DeleteCalendar{ID: "office"}); sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("deleting a calendar in use: %v, want conflict", err)
		}
	})
	t.Run("new hours let held chats go", func(t *testing.T) {
		f := withOffice(t, "a")
		id := chatID(t, f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"})))
		late := office
		late.Hours = map[string][][2]string{"mon": {{"09:00", "24:00"}}}
		f.apply(routing.UpdateCalendar{Calendar: late})
		f.wantChat(id, sb.ChatActive, "a")
	})
	t.Run("bad hours name the field", func(t *testing.T) {
		f := withOffice(t)
		bad := office
		bad.ID, bad.Hours = "x", map[string][][2]string{"mon": {{"18:00", "09:00"}}}
		if err := f.fail(routing.CreateCalendar{Calendar: bad}); sb.ErrorCode(err) != sb.EINVALID || sb.ErrorField(err) != "hours.mon[0]" {
			t.Errorf("an overnight range: %v", err)
		}
		if err := f.fail(routing.PatchTopic{Alias: "sales", CalendarID: ptr("nope")}); sb.ErrorField(err) != "calendar_id" {
			t.Errorf("an unknown calendar: %v", err)
		}
	})
}

// TestQueueAdmission: past max_queue_length (per topic, or the setting) or
// max_estimated_wait_s a connect with "status": "queue" answers limit with
// queue_full.
func TestQueueAdmission(t *testing.T) {
	f := newFixture(t) // nobody serves support: chats wait
	f.apply(routing.PatchTopic{Alias: "support", MaxQueueLength: ptr(2)})
	f.enqueue("support", 0)
	f.enqueue("support", 0)
	res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"}))
	if res.Outcome != routing.OutcomeLimit || res.Reason.Code != routing.ReasonQueueFull {
		t.Errorf("a third chat: %s %+v, want limit queue_full", res.Outcome, res.Reason)
	}
	f.enqueue("sales", 0) // another topic's queue is its own
	f.settings(func(s *sb.Settings) { s.MaxQueueLength = 1 })
	if res := f.apply(f.connectCmd(routing.Connect{Topic: "sales", AutoConnect: true, Status: "queue"})); res.Reason == nil || res.Reason.Code != routing.ReasonQueueFull {
		t.Errorf("past the setting: %+v", res.Reason)
	}
}

// TestEstimatedWait: a waiting chat's estimate is (chats ahead + 1) × the
// mean handling time ÷ the slots of the operators who can take it; past
// max_estimated_wait_s the queue refuses.
func TestEstimatedWait(t *testing.T) {
	f := newFixture(t, "a", "b") // max 1 each by setMax: 2 slots
	f.setMax("a", 1)
	f.setMax("b", 1)
	for i := range 5 { // five chats handled for 60 s each
		id := f.assigned("support", []string{"a", "b"}[i%2])
		f.now = f.now.Add(60 * time.Second)
		f.closeChat(id)
	}
	f.occupy("a")
	f.occupy("b")
	var got []int
	for range 3 {
		res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"}))
		if res.Chat.EstimatedWaitS == nil {
			t.Fatal("no estimate for a queued chat")
		}
		got = append(got, *res.Chat.EstimatedWaitS)
	}
	equal(t, "estimates", got, []int{30, 60, 90})
	q := f.e.Queue()
	equal(t, "estimate of the second in the queue", *q[1].Chat.EstimatedWaitS, 60)
	f.settings(func(s *sb.Settings) { s.MaxEstimatedWaitS = 100 })
	if res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"})); res.Reason == nil || res.Reason.Code != routing.ReasonQueueFull {
		t.Errorf("a fourth chat (120 s): %+v, want queue_full", res.Reason)
	}
}

// TestQueuePositionEvents: a waiting chat with an event_webhook_url is
// told its position and estimate when its band changes, at most once per
// queue_update_interval_s.
func TestQueuePositionEvents(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.QueueUpdateIntervalS, s.AcceptTimeoutS, s.ResponseTimeoutS = 30, 0, 0 })
	busy := f.occupy("a")
	var ids []string
	for range 4 {
		res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue", WebhookURL: "https://bot.example/hook"}))
		ids = append(ids, chatID(t, res))
	}
	wantDeadline(t, f.e, f.now.Add(30*time.Second))
	f.at(5 * time.Second)
	f.closeChat(busy) // the first goes to a: the others move up
	f.at(10 * time.Second)
	f.closeChat(f.chat(ids[0]).ID)
	if res := f.tick(); len(eventChats(res, sb.EventQueuePosition)) != 0 {
		t.Error("position events before the interval")
	}
	f.at(30 * time.Second)
	res := f.tick()
	// ids[1] went to a; ids[2] moved 3 → 1, ids[3] 4 → 2 (bands 3→1, 4→2).
	equal(t, "told", eventChats(res, sb.EventQueuePosition), []string{ids[2], ids[3]})
	ev := event(t, res, sb.EventQueuePosition)
	if ev.Chat.QueuePosition != 1 {
		t.Errorf("position %d, want 1", ev.Chat.QueuePosition)
	}
	f.at(60 * time.Second)
	if res := f.tick(); len(eventChats(res, sb.EventQueuePosition)) != 0 {
		t.Error("told again without a change")
	}
}

// TestBusinessTimeTimers: with business_time_timers the accept and
// response timeouts of a chat whose topic has hours run on open time only.
func TestBusinessTimeTimers(t *testing.T) {
	for _, on := range []bool{false, true} {
		f := newFixture(t, "a")
		f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.ResponseTimeoutS, s.BusinessTimeTimers = 60, 0, on })
		f.apply(routing.CreateCalendar{Calendar: office})
		f.apply(routing.PatchTopic{Alias: "support", CalendarID: ptr("office")})
		f.at(8*time.Hour + 59*time.Minute + 30*time.Second) // Monday 17:59:30, 30 s before closing
		f.connect("support")
		want := f.now.Add(time.Minute) // the wall clock: 18:00:30
		if on {
			want = t0.Add(24*time.Hour + 30*time.Second) // 30 s today, 30 s from Tuesday's opening
		}
		wantDeadline(t, f.e, want)
		f.apply(routing.PatchTopic{Alias: "support", CalendarID: ptr("")}) // always open now
		wantDeadline(t, f.e, f.now.Add(time.Minute))
	}
}
