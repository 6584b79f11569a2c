package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// R7 accept timeout: the chat keeps its queue place, goes to another
// operator, and the one who missed it is excluded.
func r7Accept(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	f.setMax("a", 1)
	busy := f.occupy("b")
	c1 := f.assigned("support", "a")
	f.at(sec(10))
	c2 := f.enqueue("support", 0)
	f.at(sec(20))
	c3 := f.enqueue("support", 0)
	wantDeadline(t, f.e, t0.Add(sec(30)))
	f.at(sec(29))
	equal(t, "events before the deadline", names(f.tick()), []string{})
	f.at(sec(30))
	res := f.tick()
	equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventAutoConnected})
	equal(t, "auto_connected", eventChats(res, sb.EventAutoConnected), []string{c2})
	d := decision(t, res, sb.DecisionRequeue, c1)
	equal(t, "anomalies", d.Anomalies, []string{sb.AnomalyMissedAccept})
	c := f.chat(c1)
	equal(t, "status", c.Status, sb.ChatQueued)
	equal(t, "excluded", c.Excluded, []string{"a"})
	equalTime(t, "queued_at", c.QueuedAt, t0)
	equal(t, "queue", f.queueIDs(), []string{c1, c3})
	equal(t, "a.missed_in_row", f.operator("a").MissedInRow, 1)
	f.wantChat(c2, sb.ChatActive, "a")
	f.at(sec(31))
	f.closeChat(busy)
	f.wantChat(c1, sb.ChatActive, "b")
}

// R7 accept timeout: an accepted or replied chat has no accept timer.
func r7AcceptStopped(t *testing.T) {
	for _, name := range []string{"accept", "reply"} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "a")
			f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
			id := f.assigned("support", "a")
			if name == "accept" {
				f.apply(routing.Accept{ChatID: id, OperatorID: "a"})
			} else {
				f.apply(routing.OperatorMessage{ChatID: id, OperatorID: "a", Text: "hi"})
			}
			wantNoDeadline(t, f.e)
			f.at(sec(100))
			f.tick()
			f.wantChat(id, sb.ChatActive, "a")
		})
	}
}

// R7: max_missed_chats misses in a row switch the operator to the
// auto-offline status; an accept breaks the row.
func r7MaxMissed(t *testing.T) {
	for _, acceptBetween := range []bool{false, true} {
		name := "misses in a row"
		if acceptBetween {
			name = "accept breaks the row"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "a", "b")
			f.occupy("b")
			f.createStatus("away", false)
			f.settings(func(s *sb.Settings) {
				s.AcceptTimeoutS, s.MaxMissedChats, s.AutoOfflineStatus = 30, 2, "away"
			})
			f.assigned("support", "a")
			f.at(sec(30))
			f.tick()
			equal(t, "missed", f.operator("a").MissedInRow, 1)
			c2 := f.assigned("support", "a")
			if acceptBetween {
				f.apply(routing.Accept{ChatID: c2, OperatorID: "a"})
				equal(t, "missed after accept", f.operator("a").MissedInRow, 0)
				c2 = f.assigned("support", "a")
			}
			f.at(sec(60))
			res := f.tick()
			checkMissed(t, f, res, c2, acceptBetween)
		})
	}
}

func checkMissed(t *testing.T, f *fixture, res routing.Result, chat string, acceptBetween bool) {
	t.Helper()
	a := f.operator("a")
	f.wantChat(chat, sb.ChatQueued, "")
	if acceptBetween {
		equal(t, "status", a.Status, sb.StatusOnline)
		equal(t, "missed", a.MissedInRow, 1)
		return
	}
	equal(t, "status", a.Status, "away")
	equal(t, "missed", a.MissedInRow, 0)
	for _, ev := range res.Events {
		if ev.Name == sb.EventOperatorStatus {
			equal(t, "new status", ev.Status, "away")
			equal(t, "prev status", ev.PrevStatus, sb.StatusOnline)
			return
		}
	}
	t.Errorf("events = %v, want operator_status_changed", names(res))
}

// R7 response timeout: Overdue and response_overdue, cleared by a reply; each
// client message restarts it.
func r7Response(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.ResponseTimeoutS = 60 })
	id := f.assigned("support", "a")
	wantDeadline(t, f.e, t0.Add(sec(60)))
	f.at(sec(59))
	f.tick()
	equal(t, "overdue at 59s", f.chat(id).Overdue, false)
	f.at(sec(61))
	res := f.tick()
	equal(t, "events", names(res), []string{sb.EventResponseOverdue})
	equalTime(t, "occurred_at", res.Events[0].OccurredAt, t0.Add(sec(61)))
	equal(t, "overdue", f.chat(id).Overdue, true)
	equal(t, "overdue folder", chatIDs(f.e.Folder(routing.FolderOverdue, "")), []string{id})
	wantNoDeadline(t, f.e)
	f.at(sec(70))
	f.apply(routing.OperatorMessage{ChatID: id, OperatorID: "a", Text: "sorry"})
	equal(t, "overdue after reply", f.chat(id).Overdue, false)
	equal(t, "overdue folder after reply", chatIDs(f.e.Folder(routing.FolderOverdue, "")), []string{})
	f.at(sec(100))
	f.apply(routing.ClientMessage{ChatID: id, Text: "and?"})
	wantDeadline(t, f.e, t0.Add(sec(160)))
	f.at(sec(150))
	f.apply(routing.OperatorMessage{ChatID: id, OperatorID: "a", Text: "done"})
	wantNoDeadline(t, f.e)
	f.at(sec(200))
	equal(t, "events after the reply", names(f.tick()), []string{})
}

// R7: the accept and response timeouts of a chat are the shortest non-zero
// override among the active groups with its topic and operator.
func r7GroupOverride(t *testing.T) {
	cases := []struct {
		name   string
		global int
		groups []sb.SkillGroup
		want   int
	}{
		{"global when no override", 60, nil, 60},
		{"override of the chat's group", 60, []sb.SkillGroup{
			{ID: "fast", Topics: []string{"support"}, Operators: []string{"a"}, Active: true, AcceptTimeoutS: 40, ResponseTimeoutS: 40},
		}, 40},
		{"override longer than global", 60, []sb.SkillGroup{
			{ID: "slow", Topics: []string{"support"}, Operators: []string{"a"}, Active: true, AcceptTimeoutS: 90, ResponseTimeoutS: 90},
		}, 90},
		{"override while the global timeout is off", 0, []sb.SkillGroup{
			{ID: "fast", Topics: []string{"support"}, Operators: []string{"a"}, Active: true, AcceptTimeoutS: 40, ResponseTimeoutS: 40},
		}, 40},
		{"shortest non-zero among matching groups", 60, []sb.SkillGroup{
			{ID: "g1", Topics: []string{"support"}, Operators: []string{"a"}, Active: true, AcceptTimeoutS: 40, ResponseTimeoutS: 40},
			{ID: "g2", Topics: []string{"support"}, Operators: []string{"a"}, Active: true, AcceptTimeoutS: 20, ResponseTimeoutS: 20},
			{ID: "inactive", Topics: []string{"support"}, Operators: []string{"a"}, Active: false, AcceptTimeoutS: 10, ResponseTimeoutS: 10},
			{ID: "other-topic", Topics: []string{"sales"}, Operators: []string{"a"}, Active: true, AcceptTimeoutS: 5, ResponseTimeoutS: 5},
			{ID: "other-operator", Topics: []string{"support"}, Operators: []string{"b"}, Active: true, AcceptTimeoutS: 7, ResponseTimeoutS: 7},
		}, 20},
	}
	for _, kind := range []string{"accept", "response"} {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				f := newFixture(t, "a")
				f.addOperator("b")
				for _, g := range tc.groups {
					g.Name = g.ID
					if kind == "accept" {
						g.ResponseTimeoutS = 0
					} else {
						g.AcceptTimeoutS = 0
					}
					f.apply(routing.CreateSkillGroup{Group: g})
				}
				f.settings(func(s *sb.Settings) {
					if kind == "accept" {
						s.AcceptTimeoutS = tc.global
					} else {
						s.ResponseTimeoutS = tc.global
					}
				})
				checkOverride(t, f, kind, tc.want)
			})
		}
	}
}

func checkOverride(t *testing.T, f *fixture, kind string, want int) {
	t.Helper()
	id := f.assigned("support", "a")
	wantDeadline(t, f.e, t0.Add(sec(want)))
	f.at(sec(want - 1))
	equal(t, "events before the deadline", names(f.tick()), []string{})
	f.at(sec(want))
	res := f.tick()
	if kind == "accept" {
		equal(t, "disconnected", eventChats(res, sb.EventOperatorDisconnected), []string{id})
		return
	}
	equal(t, "overdue", eventChats(res, sb.EventResponseOverdue), []string{id})
}

// R7 chat inactivity: closed by timer or returned to the queue.
func r7Inactivity(t *testing.T) {
	t.Run("close", func(t *testing.T) {
		f := newFixture(t, "a")
		f.settings(func(s *sb.Settings) { s.ChatInactivityTimeoutS = 300 })
		id := f.assigned("support", "a")
		f.at(sec(100))
		f.apply(routing.ClientMessage{ChatID: id, Text: "still there?"})
		wantDeadline(t, f.e, t0.Add(sec(400)))
		f.at(sec(399))
		f.tick()
		f.wantChat(id, sb.ChatActive, "a")
		f.at(sec(400))
		res := f.tick()
		equal(t, "events", names(res), []string{sb.EventClosedByTimer, sb.EventChatClosed})
		c := f.chat(id)
		equal(t, "status", c.Status, sb.ChatClosed)
		equal(t, "closed_by", c.ClosedBy, sb.ByTimer)
		equal(t, "a.active", f.operator("a").Active, 0)
	})
	t.Run("requeue", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.settings(func(s *sb.Settings) {
			s.ChatInactivityTimeoutS, s.ChatInactivityAction = 300, sb.InactivityRequeue
		})
		id := f.assigned("support", "a")
		f.at(sec(300))
		res := f.tick()
		equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventAutoConnected})
		f.wantChat(id, sb.ChatActive, "b")
		equal(t, "excluded", f.chat(id).Excluded, []string{"a"})
		equal(t, "requeues", f.chat(id).Requeues, 1)
		wantDeadline(t, f.e, t0.Add(sec(600)))
	})
}

// R7 queue timeout: the chat leaves the queue closed by timer.
func r7Queue(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.QueueTimeoutS = 120 })
	f.setStatus("a", sb.StatusBreak)
	id := f.enqueue("support", 0)
	f.at(sec(60))
	other := f.enqueue("support", 0)
	wantDeadline(t, f.e, t0.Add(sec(120)))
	f.at(sec(119))
	f.tick()
	f.wantChat(id, sb.ChatQueued, "")
	f.at(sec(120))
	res := f.tick()
	equal(t, "events", names(res), []string{sb.EventQueueTimeout, sb.EventClosedByTimer, sb.EventChatClosed})
	d := decision(t, res, sb.DecisionQueueTimeout, id)
	equal(t, "anomalies", d.Anomalies, []string{sb.AnomalyQueueTimeout})
	c := f.chat(id)
	equal(t, "status", c.Status, sb.ChatClosed)
	equal(t, "closed_by", c.ClosedBy, sb.ByTimer)
	equal(t, "queue", f.queueIDs(), []string{other})
	equal(t, "position", f.chat(other).QueuePosition, 1)
}

// R7 auto-offline: an operator who can receive and has no panel session is
// switched to the auto-offline status, and its chats are redistributed.
func r7AutoOffline(t *testing.T) {
	t.Run("after presence lost", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.assigned("support", "a")
		f.at(sec(100))
		f.apply(routing.PresenceLost{OperatorID: "a"})
		wantDeadline(t, f.e, t0.Add(sec(700)))
		f.at(sec(699))
		f.tick()
		equal(t, "status at 699s", f.operator("a").Status, sb.StatusOnline)
		f.at(sec(700))
		res := f.tick()
		equal(t, "events", names(res), []string{sb.EventOperatorStatus,
			sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventAutoConnected})
		equal(t, "status", f.operator("a").Status, sb.StatusOffline)
		f.wantChat(id, sb.ChatActive, "b")
		equal(t, "excluded", f.chat(id).Excluded, []string{"a"})
	})
	t.Run("not while connected", func(t *testing.T) {
		f := newFixture(t, "a")
		f.at(sec(100))
		f.apply(routing.PresenceLost{OperatorID: "a"})
		f.at(sec(200))
		f.apply(routing.PresenceRestored{OperatorID: "a"})
		wantNoDeadline(t, f.e)
		f.at(sec(10000))
		f.tick()
		equal(t, "status", f.operator("a").Status, sb.StatusOnline)
	})
	t.Run("never had a session", func(t *testing.T) {
		f := newFixture(t)
		f.apply(routing.CreateOperator{Operator: sb.Operator{ID: "n", Name: "New", Role: sb.RoleOperator}})
		equalTime(t, "presence_lost_at", f.operator("n").PresenceLostAt, t0)
		equal(t, "status", f.operator("n").Status, sb.StatusOffline)
		equal(t, "connected", f.operator("n").Connected, false)
		wantNoDeadline(t, f.e)
		f.at(sec(50))
		f.setStatus("n", sb.StatusOnline)
		wantDeadline(t, f.e, t0.Add(sec(650)))
	})
	t.Run("status change restarts it", func(t *testing.T) {
		f := newFixture(t, "a")
		f.apply(routing.PresenceLost{OperatorID: "a"})
		f.at(sec(200))
		f.setStatus("a", sb.StatusBreak)
		wantNoDeadline(t, f.e)
		f.at(sec(300))
		f.setStatus("a", sb.StatusOnline)
		wantDeadline(t, f.e, t0.Add(sec(900)))
	})
	t.Run("off at 0", func(t *testing.T) {
		f := newFixture(t, "a")
		f.settings(func(s *sb.Settings) { s.AutoOfflineAfterS = 0 })
		f.apply(routing.PresenceLost{OperatorID: "a"})
		wantNoDeadline(t, f.e)
	})
	t.Run("without redistribution", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.settings(func(s *sb.Settings) { s.AutoOfflineRedistribute = false })
		id := f.assigned("support", "a")
		f.apply(routing.PresenceLost{OperatorID: "a"})
		f.at(sec(600))
		f.tick()
		equal(t, "status", f.operator("a").Status, sb.StatusOffline)
		f.wantChat(id, sb.ChatActive, "a")
	})
}

// R7: NextDeadline is the earliest derived deadline; settings apply to
// running timers at once.
func r7NextDeadline(t *testing.T) {
	f := newFixture(t, "a")
	wantNoDeadline(t, f.e)
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.QueueTimeoutS = 60, 300 })
	f.assigned("support", "a")
	f.at(sec(10))
	f.enqueue("sales", 0)
	wantDeadline(t, f.e, t0.Add(sec(60)))
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	wantDeadline(t, f.e, t0.Add(sec(30)))
	f.apply(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "fast", Name: "fast", Topics: []string{"support"},
		Operators: []string{"a"}, Active: true, AcceptTimeoutS: 20}})
	wantDeadline(t, f.e, t0.Add(sec(20)))
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 0 })
	wantDeadline(t, f.e, t0.Add(sec(20)))
	f.apply(routing.DeleteSkillGroup{ID: "fast"})
	wantDeadline(t, f.e, t0.Add(sec(310)))
}

// R7: due timers fire one at a time by (deadline, kind, id), R4 after each;
// events carry the time of the command.
func r7Order(t *testing.T) {
	t.Run("deadline first", func(t *testing.T) {
		f := newFixture(t, "a")
		f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.QueueTimeoutS = 30, 20 })
		c1 := f.assigned("support", "a")
		c2 := f.enqueue("sales", 0)
		f.at(sec(100))
		res := f.tick()
		// a is the chat's only operator: the missed chat is offered to it
		// again (R7: exclusions lapse).
		equal(t, "events", names(res), []string{sb.EventQueueTimeout, sb.EventClosedByTimer, sb.EventChatClosed,
			sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventAutoConnected})
		equal(t, "queue timeout chat", eventChats(res, sb.EventQueueTimeout), []string{c2})
		equal(t, "disconnected chat", eventChats(res, sb.EventOperatorDisconnected), []string{c1})
		for _, ev := range res.Events {
			equalTime(t, ev.Name+" occurred_at", ev.OccurredAt, t0.Add(sec(100)))
		}
		for _, d := range res.Decisions {
			equalTime(t, d.Kind+" at", d.At, t0.Add(sec(100)))
		}
	})
	t.Run("accept before response at one deadline", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.ResponseTimeoutS = 60, 60 })
		id := f.assigned("support", "a")
		f.at(sec(60))
		res := f.tick()
		equal(t, "response_overdue", eventChats(res, sb.EventResponseOverdue), []string{})
		f.wantChat(id, sb.ChatActive, "b")
		equal(t, "overdue", f.chat(id).Overdue, false)
	})
	t.Run("chat ids as numbers", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
		f.setMax("a", 1)
		f.setMax("b", 1)
		for range 8 {
			f.newChat("support")
		}
		f.assigned("support", "a")
		f.assigned("support", "b")
		f.at(sec(30))
		res := f.tick()
		equal(t, "disconnected", eventChats(res, sb.EventOperatorDisconnected), []string{"9", "10"})
		f.wantChat("9", sb.ChatActive, "b")
		f.wantChat("10", sb.ChatActive, "a")
	})
	t.Run("operator ids as strings", func(t *testing.T) {
		f := newFixture(t, "op-9", "op-10")
		f.apply(routing.PresenceLost{OperatorID: "op-9"})
		f.apply(routing.PresenceLost{OperatorID: "op-10"})
		f.at(sec(600))
		res := f.tick()
		got := []string{}
		for _, ev := range res.Events {
			if ev.Name == sb.EventOperatorStatus && ev.Operator != nil {
				got = append(got, ev.Operator.ID)
			}
		}
		equal(t, "status changes", got, []string{"op-10", "op-9"})
	})
}

// Time never goes backwards: an earlier now is clamped to the latest.
func r7ClampedNow(t *testing.T) {
	f := newFixture(t, "a")
	f.at(sec(100))
	f.tick()
	f.at(sec(50))
	res := f.connect("support")
	equalTime(t, "created_at", res.Chat.CreatedAt, t0.Add(sec(100)))
	for _, ev := range res.Events {
		equalTime(t, ev.Name+" occurred_at", ev.OccurredAt, t0.Add(sec(100)))
	}
}

// R7: the response deadline counts from the assignment when the client
// wrote before it; a return to routing clears Overdue.
func r7ResponseFromAssignment(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.ResponseTimeoutS = 60 })
	f.setStatus("a", sb.StatusBreak)
	f.setStatus("b", sb.StatusBreak)
	id := f.enqueue("support", 0)
	f.at(sec(100))
	f.setStatus("a", sb.StatusOnline)
	wantDeadline(t, f.e, t0.Add(sec(160)))
	f.at(sec(160))
	f.tick()
	equal(t, "overdue", f.chat(id).Overdue, true)
	f.setStatus("b", sb.StatusOnline)
	f.apply(routing.Redistribute{OperatorID: "a"})
	f.wantChat(id, sb.ChatActive, "b")
	equal(t, "overdue after return", f.chat(id).Overdue, false)
	wantDeadline(t, f.e, t0.Add(sec(220)))
}

// R7: the queue timeout counts from the latest entry into the queue.
func r7QueueRestarts(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.QueueTimeoutS = 120 })
	f.setStatus("a", sb.StatusBreak)
	id := f.enqueue("support", 0)
	f.at(sec(60))
	f.setStatus("a", sb.StatusOnline)
	f.at(sec(100))
	f.apply(routing.Redistribute{OperatorID: "a"})
	wantDeadline(t, f.e, t0.Add(sec(220)))
	f.at(sec(219))
	f.tick()
	f.wantChat(id, sb.ChatQueued, "")
	equalTime(t, "queued_at", f.chat(id).QueuedAt, t0)
}

// R7: only auto-distribution starts an accept timer.
func r7AcceptOnlyAuto(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	c1 := chatID(t, f.apply(f.connectCmd(routing.Connect{Topic: "support", Operator: "a"})))
	c2 := f.newChat("support")
	f.apply(routing.Take{ChatID: c2, OperatorID: "a"})
	wantNoDeadline(t, f.e)
	f.at(sec(100))
	f.tick()
	f.wantChat(c1, sb.ChatActive, "a")
	f.wantChat(c2, sb.ChatActive, "a")
}

// R7 with auto_connect off: a missed accept returns the chat to New.
func r7AcceptAutoConnectOff(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	id := f.assigned("support", "a")
	f.settings(func(s *sb.Settings) { s.AutoConnect = false })
	f.at(sec(30))
	f.tick()
	f.wantChat(id, sb.ChatNew, "")
	equal(t, "excluded", f.chat(id).Excluded, []string{"a"})
}

// R7: reaching max_missed_chats switches the operator to the auto-offline
// status and resets the count, even when that status is the current one;
// the switch does not move the operator's other chats.
func r7MaxMissedResets(t *testing.T) {
	cases := []struct {
		name   string
		status string // set after the assignment
	}{
		{"from online", sb.StatusOnline},
		{"already in the auto-offline status", sb.StatusOffline},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a")
			f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.MaxMissedChats = 30, 1 })
			kept := f.assigned("support", "a")
			f.apply(routing.Accept{ChatID: kept, OperatorID: "a"})
			missed := f.assigned("support", "a")
			f.setStatus("a", tc.status)
			f.at(sec(30))
			f.tick()
			a := f.operator("a")
			equal(t, "status", a.Status, sb.StatusOffline)
			equal(t, "missed_in_row", a.MissedInRow, 0)
			f.wantChat(kept, sb.ChatActive, "a")
			f.wantChat(missed, sb.ChatQueued, "")
		})
	}
}

// R7: max_missed_chats 0 never switches the operator.
func r7MaxMissedOff(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.occupy("b")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.MaxMissedChats = 30, 0 })
	for i := range 3 {
		f.assigned("support", "a")
		f.at(sec(30 * (i + 1)))
		f.tick()
	}
	equal(t, "status", f.operator("a").Status, sb.StatusOnline)
	equal(t, "missed_in_row", f.operator("a").MissedInRow, 3)
}

// R7: each timer of ROUTING.md "Timers (R7)", its deadline and its order.
func TestR7Timers(t *testing.T) {
	t.Run("accept", r7Accept)
	t.Run("accept stopped", r7AcceptStopped)
	t.Run("max missed", r7MaxMissed)
	t.Run("response", r7Response)
	t.Run("group override", r7GroupOverride)
	t.Run("inactivity", r7Inactivity)
	t.Run("queue", r7Queue)
	t.Run("auto offline", r7AutoOffline)
	t.Run("next deadline", r7NextDeadline)
	t.Run("order", r7Order)
	t.Run("clamped now", r7ClampedNow)
	t.Run("response from assignment", r7ResponseFromAssignment)
	t.Run("queue restarts", r7QueueRestarts)
	t.Run("accept only auto", r7AcceptOnlyAuto)
	t.Run("accept auto connect off", r7AcceptAutoConnectOff)
	t.Run("max missed resets", r7MaxMissedResets)
	t.Run("max missed off", r7MaxMissedOff)
}
