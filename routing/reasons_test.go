package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// eventReasons lists "event_name:reason" of the events that carry a
// reason, in order.
func eventReasons(res routing.Result) []string {
	out := []string{}
	for _, ev := range res.Events {
		if ev.Reason != nil && ev.Name != sb.EventLimit {
			if ev.Reason.Message == "" {
				out = append(out, ev.Name+":"+ev.Reason.Code+" (no message)")
				continue
			}
			out = append(out, ev.Name+":"+ev.Reason.Code)
		}
	}
	return out
}

// PRODUCT.md §7: operator_disconnected and chat_queued say why; the
// requeue decision records the same reason and a queue decision the reason
// the chat waits.
func TestEventReasons(t *testing.T) {
	both := func(reason string) []string {
		return []string{sb.EventOperatorDisconnected + ":" + reason, sb.EventChatQueued + ":" + reason}
	}
	cases := []struct {
		name string
		act  func(f *fixture, id string) routing.Result
		want []string
	}{
		{"redistribution", func(f *fixture, id string) routing.Result {
			return f.apply(routing.Redistribute{OperatorID: "a"})
		}, both(sb.ReasonRedistribution)},
		{"missed accept", func(f *fixture, id string) routing.Result {
			f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 5 })
			f.at(sec(5))
			return f.tick()
		}, both(sb.ReasonMissedAccept)},
		{"inactivity", func(f *fixture, id string) routing.Result {
			f.settings(func(s *sb.Settings) { s.ChatInactivityTimeoutS, s.ChatInactivityAction = 5, sb.InactivityRequeue })
			f.at(sec(5))
			return f.tick()
		}, both(sb.ReasonInactivity)},
		{"transfer", func(f *fixture, id string) routing.Result {
			return f.apply(routing.Transfer{ChatID: id, Topic: "sales"})
		}, both(sb.ReasonTransfer)},
		{"assign", func(f *fixture, id string) routing.Result {
			return f.apply(routing.Assign{ChatID: id, OperatorID: "b", Force: true})
		}, []string{sb.EventOperatorDisconnected + ":" + sb.ReasonAssign}},
		{"operator deleted", func(f *fixture, id string) routing.Result {
			return f.apply(routing.DeleteOperator{ID: "a"})
		}, both(sb.ReasonOperatorDeleted)},
		{"presence lost", func(f *fixture, id string) routing.Result {
			f.apply(routing.PresenceLost{OperatorID: "a"})
			f.settings(func(s *sb.Settings) { s.AutoOfflineAfterS = 5 })
			f.at(sec(5))
			return f.tick()
		}, both(sb.ReasonPresenceLost)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a", "b")
			f.setStatus("b", sb.StatusBreak)
			id := f.assigned("support", "a")
			res := tc.act(f, id)
			equal(t, "reasons", eventReasons(res), tc.want)
			if tc.name != "assign" {
				equal(t, "requeue decision reason", decision(t, res, sb.DecisionRequeue, id).Reason, tc.want[0][len(sb.EventOperatorDisconnected)+1:])
			}
		})
	}
	t.Run("first entry", func(t *testing.T) {
		f := newFixture(t, "a")
		f.setStatus("a", sb.StatusBreak)
		res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"}))
		equal(t, "reasons", eventReasons(res), []string{sb.EventChatQueued + ":" + sb.ReasonNew})
		equal(t, "queue decision reason", res.Decisions[0].Reason, routing.ReasonNoOperatorOnline)
	})
	t.Run("queue decision of a chat routed at once", func(t *testing.T) {
		f := newFixture(t, "a")
		res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, Status: "queue"}))
		equal(t, "decisions", kinds(res), []string{sb.DecisionQueue, sb.DecisionAuto})
		equal(t, "queue decision reason", res.Decisions[0].Reason, "")
	})
}

// Deleting an operator returns its active chats to routing (it used to be
// a conflict): nobody is left holding a chat of a deleted operator.
func TestDeleteOperatorReturnsChats(t *testing.T) {
	f := newFixture(t, "a", "b")
	id := f.assigned("support", "a")
	res := f.apply(routing.DeleteOperator{ID: "a"})
	f.wantChat(id, sb.ChatActive, "b")
	equal(t, "excluded", len(f.chat(id).Excluded), 0)
	equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventConfigChanged, sb.EventAutoConnected})
	if _, ok := f.e.Operator("a"); ok {
		t.Error("operator a still exists")
	}
}
