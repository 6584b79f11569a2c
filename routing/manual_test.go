package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// R4: each kind of change assigns a waiting chat at once, in the result of
// the command that made an operator eligible.
func TestR4WorkConservation(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(f *fixture) string // returns the waiting chat
		trigger func(f *fixture) routing.Result
		want    string // operator the chat goes to
	}{
		{"chat created", func(f *fixture) string { return "1" },
			func(f *fixture) routing.Result {
				return f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"}))
			}, "a"},
		{"chat closed", func(f *fixture) string {
			f.setMax("a", 1)
			f.assigned("support", "a")
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result { return f.closeChat("1") }, "a"},
		{"status change", func(f *fixture) string {
			f.setStatus("a", sb.StatusBreak)
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result { return f.setStatus("a", sb.StatusOnline) }, "a"},
		{"limit change: max_chats", func(f *fixture) string {
			f.setMax("a", 1)
			f.assigned("support", "a")
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result { return f.setMax("a", 2) }, "a"},
		{"limit change: channel limit", func(f *fixture) string {
			f.setChannelLimits("a", map[string]int{"telegram": 1})
			f.assigned("support", "a")
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result { return f.setChannelLimits("a", map[string]int{"telegram": 2}) }, "a"},
		{"limit change: default_max_chats", func(f *fixture) string {
			f.settings(func(s *sb.Settings) { s.DefaultMaxChats = 1 })
			f.assigned("support", "a")
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result {
			return f.settings(func(s *sb.Settings) { s.DefaultMaxChats = 2 })
		}, "a"},
		{"skill-group change: topic added", func(f *fixture) string { return f.enqueue("sales", 0) },
			func(f *fixture) routing.Result {
				return f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Topics = []string{"support", "sales"} })
			}, "a"},
		{"skill-group change: group activated", func(f *fixture) string {
			f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Active = false })
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result {
			return f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Active = true })
		}, "a"},
		{"skill-group change: new group", func(f *fixture) string { return f.enqueue("sales", 0) },
			func(f *fixture) routing.Result {
				return f.apply(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "sales-team", Name: "Sales",
					Topics: []string{"sales"}, Operators: []string{"a"}, Active: true}})
			}, "a"},
		{"operator added to a group", func(f *fixture) string {
			f.setStatus("a", sb.StatusBreak)
			f.addOperator("b")
			f.setStatus("b", sb.StatusOnline)
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result {
			return f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Operators = []string{"a", "b"} })
		}, "b"},
		{"operator created", func(f *fixture) string {
			f.setStatus("a", sb.StatusBreak)
			f.createStatus("away", false)
			f.settings(func(s *sb.Settings) { s.AutoOfflineStatus = "away" })
			f.apply(routing.UpdateStatus{Status: sb.Status{ID: sb.StatusOffline, Name: "Offline", CanReceive: true, Color: "#8a8f98"}})
			return f.enqueue("", 0)
		}, func(f *fixture) routing.Result {
			return f.apply(routing.CreateOperator{Operator: sb.Operator{ID: "z", Name: "Zoe", Role: sb.RoleOperator}})
		}, "z"},
		{"timer fired", func(f *fixture) string {
			f.settings(func(s *sb.Settings) { s.ChatInactivityTimeoutS = 60 })
			f.setMax("a", 1)
			f.assigned("support", "a")
			return f.enqueue("support", 0)
		}, func(f *fixture) routing.Result { f.at(sec(60)); return f.tick() }, "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a")
			id := tc.setup(f)
			if c, ok := f.e.Chat(id); ok && c.Status != sb.ChatQueued {
				t.Fatalf("chat %s is %s before the trigger, want queued", id, c.Status)
			}
			res := tc.trigger(f)
			f.wantChat(id, sb.ChatActive, tc.want)
			equal(t, "auto_connected chats", eventChats(res, sb.EventAutoConnected), []string{id})
			equal(t, "queue", f.queueIDs(), []string{})
		})
	}
	t.Run("drains all", r4DrainsAll)
	t.Run("skips untakeable", r4SkipsUntakeable)
}

// R4: a drain assigns until no queued chat has an eligible operator.
func r4DrainsAll(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.setMax("a", 2)
	f.setMax("b", 1)
	f.setStatus("a", sb.StatusBreak)
	f.setStatus("b", sb.StatusBreak)
	for range 4 {
		f.enqueue("support", 0)
	}
	f.setStatus("a", sb.StatusOnline)
	res := f.setStatus("b", sb.StatusOnline)
	equal(t, "auto_connected", eventChats(res, sb.EventAutoConnected), []string{"3"})
	f.wantChat("1", sb.ChatActive, "a")
	f.wantChat("2", sb.ChatActive, "a")
	f.wantChat("3", sb.ChatActive, "b")
	equal(t, "queue", f.queueIDs(), []string{"4"})
}

// R4: the drain takes the first chat that has an eligible operator and
// passes over earlier chats nobody can take.
func r4SkipsUntakeable(t *testing.T) {
	f := newFixture(t, "a")
	f.setStatus("a", sb.StatusBreak)
	f.setChannelLimits("a", map[string]int{"telegram": 0})
	tg := f.enqueue("support", 10)
	f.at(sec(1))
	res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue",
		Client: sb.Client{Channel: "widget"}}))
	wg := chatID(t, res)
	f.setStatus("a", sb.StatusOnline)
	f.wantChat(wg, sb.ChatActive, "a")
	f.wantChat(tg, sb.ChatQueued, "")
}

// R6: redistribution returns the operator's chats to routing.
func TestR6Redistribution(t *testing.T) {
	t.Run("without weight", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		c1 := f.assigned("support", "a")
		f.assigned("support", "b")
		c3 := f.assigned("support", "a")
		f.apply(routing.Accept{ChatID: c1, OperatorID: "a"})
		f.at(sec(30))
		res := f.apply(routing.Redistribute{OperatorID: "a"})
		equal(t, "events", names(res), []string{sb.EventOperatorStatus,
			sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventOperatorDisconnected, sb.EventChatQueued,
			sb.EventAutoConnected, sb.EventAutoConnected})
		equal(t, "disconnected", eventChats(res, sb.EventOperatorDisconnected), []string{c1, c3})
		equal(t, "decisions", kinds(res), []string{sb.DecisionRequeue, sb.DecisionRequeue, sb.DecisionAuto, sb.DecisionAuto})
		a := f.operator("a")
		equal(t, "a.status", a.Status, sb.StatusOffline)
		equal(t, "a.active", a.Active, 0)
		equal(t, "a.close_seq", a.CloseSeq, int64(0))
		for _, id := range []string{c1, c3} {
			c := f.chat(id)
			f.wantChat(id, sb.ChatActive, "b")
			equal(t, "weight", c.Weight, 0)
			equal(t, "excluded", c.Excluded, []string{"a"})
			equal(t, "requeues", c.Requeues, 1)
			equal(t, "accepted", c.AcceptedAt.IsZero(), true)
		}
		equal(t, "b.active", f.operator("b").Active, 3)
	})
	t.Run("with weight and status, chats wait", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.setStatus("b", sb.StatusBreak)
		c1 := f.assigned("support", "a")
		f.at(sec(5))
		c2 := f.assigned("support", "a")
		f.enqueue("sales", 3)
		f.at(sec(30))
		w := 7
		res := f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusBreak, Weight: &w})
		equal(t, "decisions", kinds(res), []string{sb.DecisionRequeue, sb.DecisionRequeue})
		equal(t, "a.status", f.operator("a").Status, sb.StatusBreak)
		equal(t, "queue", f.queueIDs(), []string{c1, c2, "3"})
		equal(t, "weight", f.chat(c1).Weight, 7)
		equalTime(t, "queued_at", f.chat(c2).QueuedAt, t0.Add(sec(5)))
		equalTime(t, "wait_started_at", f.chat(c2).WaitStartedAt, t0.Add(sec(30)))
	})
	t.Run("excluded operator does not get the chats back", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		busy := f.occupy("b")
		c1 := f.assigned("support", "a")
		f.apply(routing.Redistribute{OperatorID: "a"})
		f.setStatus("a", sb.StatusOnline)
		f.wantChat(c1, sb.ChatQueued, "")
		c2 := f.assigned("support", "a")
		f.closeChat(c2)
		f.wantChat(c1, sb.ChatQueued, "")
		f.closeChat(busy)
		f.wantChat(c1, sb.ChatActive, "b")
	})
	t.Run("a lone operator gets them back (R7: exclusions lapse)", func(t *testing.T) {
		f := newFixture(t, "a")
		c1 := f.assigned("support", "a")
		f.apply(routing.Redistribute{OperatorID: "a"})
		f.wantChat(c1, sb.ChatQueued, "")
		res := f.setStatus("a", sb.StatusOnline)
		f.wantChat(c1, sb.ChatActive, "a")
		equal(t, "excluded", len(f.chat(c1).Excluded), 0)
		equal(t, "events", names(res), []string{sb.EventOperatorStatus, sb.EventAutoConnected})
	})
	t.Run("auto_connect off returns chats to New", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		c1 := f.assigned("support", "a")
		f.settings(func(s *sb.Settings) { s.AutoConnect = false })
		f.apply(routing.Redistribute{OperatorID: "a"})
		f.wantChat(c1, sb.ChatNew, "")
		equal(t, "new folder", chatIDs(f.e.Folder(routing.FolderNew, "")), []string{c1})
	})
	t.Run("unknown operator", func(t *testing.T) {
		f := newFixture(t, "a")
		wantCode(t, f.fail(routing.Redistribute{OperatorID: "ghost"}), sb.ENOTFOUND)
	})
}

// R8: a status change alone never moves active chats; setting the current
// status changes nothing; a change resets the missed count.
func r8Status(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.occupy("b")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	id := f.assigned("support", "a")
	f.at(sec(30))
	f.tick()
	equal(t, "missed", f.operator("a").MissedInRow, 1)
	equal(t, "same status events", names(f.setStatus("a", sb.StatusOnline)), []string{})
	equal(t, "missed after same status", f.operator("a").MissedInRow, 1)
	c2 := f.assigned("support", "a")
	f.at(sec(40))
	res := f.setStatus("a", sb.StatusBreak)
	equal(t, "events", names(res), []string{sb.EventOperatorStatus})
	equal(t, "missed after change", f.operator("a").MissedInRow, 0)
	equalTime(t, "status_since", f.operator("a").StatusSince, t0.Add(sec(40)))
	f.wantChat(c2, sb.ChatActive, "a")
	f.wantChat(id, sb.ChatQueued, "")
}

// R8: taking a new or queued chat.
func r8Take(t *testing.T) {
	t.Run("new chat", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.newChat("support")
		f.at(sec(10))
		res := f.apply(routing.Take{ChatID: id, OperatorID: "a"})
		equal(t, "events", names(res), []string{sb.EventOperatorConnected})
		equal(t, "decisions", kinds(res), []string{sb.DecisionTake})
		f.wantChat(id, sb.ChatActive, "a")
		equalTime(t, "accepted_at", f.chat(id).AcceptedAt, t0.Add(sec(10)))
		equal(t, "auto_assigned", f.chat(id).AutoAssigned, false)
		equal(t, "a.active", f.operator("a").Active, 1)
	})
	t.Run("queued chat, status and exclusion do not matter", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		f.apply(routing.Redistribute{OperatorID: "a"})
		f.apply(routing.Take{ChatID: id, OperatorID: "a"})
		f.wantChat(id, sb.ChatActive, "a")
		equal(t, "queue", f.queueIDs(), []string{})
	})
	t.Run("refused", func(t *testing.T) {
		f := newFixture(t, "a")
		f.addOperator("c")
		f.setMax("a", 1)
		f.assigned("support", "a")
		id := f.newChat("support")
		wantCode(t, f.fail(routing.Take{ChatID: id, OperatorID: "c"}), sb.ECONFLICT)
		wantCode(t, f.fail(routing.Take{ChatID: id, OperatorID: "a"}), sb.ECONFLICT)
		wantCode(t, f.fail(routing.Take{ChatID: "1", OperatorID: "a"}), sb.ECONFLICT)
		wantCode(t, f.fail(routing.Take{ChatID: "99", OperatorID: "a"}), sb.ENOTFOUND)
	})
}

// R8: a supervisor assigns, with or without force.
func r8Assign(t *testing.T) {
	t.Run("without force", func(t *testing.T) {
		f := newFixture(t, "a")
		f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
		f.setStatus("a", sb.StatusBreak)
		id := f.newChat("support")
		res := f.apply(routing.Assign{ChatID: id, OperatorID: "a"})
		equal(t, "events", names(res), []string{sb.EventOperatorConnected})
		d := decision(t, res, sb.DecisionAssign, id)
		equal(t, "operator", d.OperatorID, "a")
		equal(t, "anomalies", len(d.Anomalies), 0)
		f.wantChat(id, sb.ChatActive, "a")
		equal(t, "accepted", f.chat(id).AcceptedAt.IsZero(), true)
		wantNoDeadline(t, f.e)
	})
	t.Run("without force refused", func(t *testing.T) {
		f := newFixture(t, "a")
		f.addOperator("c")
		f.setMax("a", 1)
		f.assigned("support", "a")
		id := f.newChat("support")
		wantCode(t, f.fail(routing.Assign{ChatID: id, OperatorID: "a"}), sb.ECONFLICT)
		wantCode(t, f.fail(routing.Assign{ChatID: id, OperatorID: "c"}), sb.ECONFLICT)
		wantCode(t, f.fail(routing.Assign{ChatID: "1", OperatorID: "a", Force: true}), sb.ECONFLICT)
		err := f.fail(routing.Assign{ChatID: id, OperatorID: "ghost", Force: true})
		if code := sb.ErrorCode(err); code != sb.ENOTFOUND && code != sb.EINVALID {
			t.Errorf("unknown operator: code %q, want not_found or invalid", code)
		}
	})
	t.Run("force over the limit is flagged", func(t *testing.T) {
		f := newFixture(t, "a")
		f.setMax("a", 1)
		f.assigned("support", "a")
		id := f.newChat("support")
		res := f.apply(routing.Assign{ChatID: id, OperatorID: "a", Force: true})
		d := decision(t, res, sb.DecisionAssign, id)
		equal(t, "anomalies", d.Anomalies, []string{sb.AnomalyForcedOverLimit})
		equal(t, "a.active", f.operator("a").Active, 2)
		audit := f.e.Audit(t0)
		equal(t, "last audit record", audit[len(audit)-1].Anomalies, []string{sb.AnomalyForcedOverLimit})
	})
	t.Run("force under the limit is not flagged", func(t *testing.T) {
		f := newFixture(t, "a")
		f.addOperator("c")
		id := f.newChat("support")
		res := f.apply(routing.Assign{ChatID: id, OperatorID: "c", Force: true})
		equal(t, "anomalies", len(decision(t, res, sb.DecisionAssign, id).Anomalies), 0)
		f.wantChat(id, sb.ChatActive, "c")
	})
	t.Run("active chat moves", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.assigned("support", "a")
		res := f.apply(routing.Assign{ChatID: id, OperatorID: "b"})
		equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventOperatorConnected})
		f.wantChat(id, sb.ChatActive, "b")
		equal(t, "a.active", f.operator("a").Active, 0)
		equal(t, "b.active", f.operator("b").Active, 1)
		equal(t, "auto_assigned", f.chat(id).AutoAssigned, false)
	})
}

// R8: accepting an auto-assigned chat.
func r8Accept(t *testing.T) {
	f := newFixture(t, "a", "b")
	id := f.assigned("support", "a")
	f.at(sec(3))
	res := f.apply(routing.Accept{ChatID: id, OperatorID: "a"})
	equal(t, "events", names(res), []string{sb.EventChatAccepted})
	equalTime(t, "accepted_at", f.chat(id).AcceptedAt, t0.Add(sec(3)))
	f.at(sec(9))
	res = f.apply(routing.Accept{ChatID: id, OperatorID: "a"})
	equal(t, "events again", names(res), []string{})
	equalTime(t, "accepted_at again", f.chat(id).AcceptedAt, t0.Add(sec(3)))
	wantCode(t, f.fail(routing.Accept{ChatID: id, OperatorID: "b"}), sb.ECONFLICT)
}

// R8: closing by operator, client and system.
func r8Close(t *testing.T) {
	cases := []struct {
		by     sb.ClosedBy
		events []string
	}{
		{sb.ByOperator, []string{sb.EventClosedByOperator, sb.EventChatClosed}},
		{sb.ByClient, []string{sb.EventClosedByClient, sb.EventChatClosed}},
		{sb.BySystem, []string{sb.EventChatClosed}},
	}
	for _, tc := range cases {
		t.Run(string(tc.by), func(t *testing.T) {
			f := newFixture(t, "a")
			id := f.assigned("support", "a")
			f.at(sec(40))
			cmd := routing.Close{ChatID: id, By: tc.by, Comment: "done"}
			if tc.by == sb.ByOperator {
				cmd.OperatorID = "a"
			}
			res := f.apply(cmd)
			equal(t, "events", names(res), tc.events)
			if res.Chat == nil || res.Chat.Status != sb.ChatClosed {
				t.Errorf("result chat = %+v, want the closed chat", res.Chat)
			}
			c := f.chat(id)
			equal(t, "status", c.Status, sb.ChatClosed)
			equal(t, "closed_by", c.ClosedBy, tc.by)
			equalTime(t, "closed_at", c.ClosedAt, t0.Add(sec(40)))
			a := f.operator("a")
			equal(t, "a.active", a.Active, 0)
			equal(t, "a.telegram", a.ActiveByChannel["telegram"], 0)
			equal(t, "a.close_seq", a.CloseSeq > 0, true)
			equalTime(t, "a.last_closed_at", a.LastClosedAt, t0.Add(sec(40)))
			equal(t, "closed folder", chatIDs(f.e.Folder(routing.FolderClosed, "")), []string{id})
			wantCode(t, f.fail(cmd), sb.ECONFLICT)
		})
	}
}

// R8: closing a queued chat takes it out of the queue.
func r8CloseQueued(t *testing.T) {
	f := newFixture(t, "a")
	f.setStatus("a", sb.StatusBreak)
	id := f.enqueue("support", 0)
	f.enqueue("support", 0)
	f.closeChat(id)
	equal(t, "queue", f.queueIDs(), []string{"2"})
	equal(t, "position", f.chat("2").QueuePosition, 1)
}

// R8: messages, first response and acceptance by a reply.
func r8Messages(t *testing.T) {
	f := newFixture(t, "a", "b")
	id := f.assigned("support", "a")
	f.at(sec(20))
	res := f.apply(routing.ClientMessage{ChatID: id, Text: "hello?"})
	equal(t, "client events", names(res), []string{sb.EventMessageCreated})
	c := f.chat(id)
	equalTime(t, "last_message_at", c.LastMessageAt, t0.Add(sec(20)))
	equalTime(t, "awaiting_reply_since", c.AwaitingSince, t0.Add(sec(20)))
	if len(res.Changes.Messages) != 1 || res.Changes.Messages[0].From != "client" {
		t.Errorf("messages = %+v, want one client message", res.Changes.Messages)
	}
	f.at(sec(30))
	res = f.apply(routing.OperatorMessage{ChatID: id, OperatorID: "a", Text: "hi"})
	if !contains(names(res), sb.EventMessageCreated) || !contains(names(res), sb.EventChatAccepted) {
		t.Errorf("events = %v, want message_created and chat_accepted", names(res))
	}
	c = f.chat(id)
	equalTime(t, "first_response_at", c.FirstResponseAt, t0.Add(sec(30)))
	equalTime(t, "accepted_at", c.AcceptedAt, t0.Add(sec(30)))
	equal(t, "awaiting cleared", c.AwaitingSince.IsZero(), true)
	f.at(sec(50))
	f.apply(routing.OperatorMessage{ChatID: id, OperatorID: "a", Text: "more"})
	equalTime(t, "first_response_at kept", f.chat(id).FirstResponseAt, t0.Add(sec(30)))
	equalTime(t, "last_message_at", f.chat(id).LastMessageAt, t0.Add(sec(50)))
	wantCode(t, f.fail(routing.OperatorMessage{ChatID: f.newChat("support"), OperatorID: "a", Text: "x"}), sb.ECONFLICT)
}

// R8: a transfer changes the topic, clears exclusions and routes again.
func r8Transfer(t *testing.T) {
	t.Run("active chat", func(t *testing.T) {
		f := newFixture(t, "a")
		f.addOperator("s")
		f.group("sales-team", []string{"sales"}, []string{"s"})
		f.setStatus("s", sb.StatusOnline)
		id := f.assigned("support", "a")
		res := f.apply(routing.Transfer{ChatID: id, Topic: "sales"})
		for _, ev := range []string{sb.EventOperatorDisconnected, sb.EventChatTransferred, sb.EventAutoConnected} {
			if !contains(names(res), ev) {
				t.Errorf("events = %v, want %s", names(res), ev)
			}
		}
		f.wantChat(id, sb.ChatActive, "s")
		if res.Chat == nil || res.Chat.OperatorID != "s" {
			t.Errorf("result chat = %+v, want the chat with s", res.Chat)
		}
		equal(t, "topic", f.chat(id).Topic, "sales")
		equal(t, "excluded", len(f.chat(id).Excluded), 0)
		equal(t, "a.active", f.operator("a").Active, 0)
		equal(t, "a.close_seq", f.operator("a").CloseSeq, int64(0))
	})
	t.Run("clears exclusions", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.occupy("b")
		id := f.assigned("support", "a")
		f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
		f.wantChat(id, sb.ChatQueued, "")
		f.apply(routing.Transfer{ChatID: id, Topic: "support"})
		f.wantChat(id, sb.ChatActive, "a")
	})
	t.Run("queued chat is re-indexed", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.enqueue("sales", 0)
		f.apply(routing.Transfer{ChatID: id, Topic: "support"})
		f.wantChat(id, sb.ChatActive, "a")
	})
	t.Run("new chat stays new", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.newChat("sales")
		res := f.apply(routing.Transfer{ChatID: id, Topic: "support"})
		equal(t, "events", names(res), []string{sb.EventChatTransferred})
		f.wantChat(id, sb.ChatNew, "")
		equal(t, "topic", f.chat(id).Topic, "support")
	})
	t.Run("to no topic", func(t *testing.T) {
		f := newFixture(t, "a")
		f.addOperator("c")
		f.setStatus("c", sb.StatusOnline)
		f.setStatus("a", sb.StatusBreak)
		id := f.enqueue("sales", 0)
		f.apply(routing.Transfer{ChatID: id, Topic: ""})
		f.wantChat(id, sb.ChatActive, "c")
		equal(t, "topic", f.chat(id).Topic, "")
	})
	t.Run("unknown topic", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.newChat("sales")
		err := f.fail(routing.Transfer{ChatID: id, Topic: "nope"})
		if code := sb.ErrorCode(err); code != sb.EINVALID && code != sb.ENOTFOUND {
			t.Errorf("code = %q, want invalid or not_found", code)
		}
	})
}

// R8: with auto_connect off chats wait in New; turning it on drains the
// queue but leaves New alone.
func r8AutoConnectSetting(t *testing.T) {
	f := newFixture(t, "a")
	f.setStatus("a", sb.StatusBreak)
	q := f.enqueue("support", 0)
	f.settings(func(s *sb.Settings) { s.AutoConnect = false })
	f.setStatus("a", sb.StatusOnline)
	f.wantChat(q, sb.ChatQueued, "")
	res := f.connect("support")
	n := chatID(t, res)
	equal(t, "status", res.Chat.Status, sb.ChatNew)
	equal(t, "warnings", warningCodes(res), []string{routing.WarnAutoConnectDisabled})
	equal(t, "new folder", chatIDs(f.e.Folder(routing.FolderNew, "")), []string{n})
	res = f.settings(func(s *sb.Settings) { s.AutoConnect = true })
	equal(t, "auto_connected", eventChats(res, sb.EventAutoConnected), []string{q})
	f.wantChat(q, sb.ChatActive, "a")
	f.wantChat(n, sb.ChatNew, "")
}

// R8: take, assign, accept, close, messages, transfer and the auto_connect
// setting.
func TestR8ManualWork(t *testing.T) {
	t.Run("status", r8Status)
	t.Run("take", r8Take)
	t.Run("assign", r8Assign)
	t.Run("accept", r8Accept)
	t.Run("close", r8Close)
	t.Run("close queued", r8CloseQueued)
	t.Run("messages", r8Messages)
	t.Run("transfer", r8Transfer)
	t.Run("auto connect setting", r8AutoConnectSetting)
}
