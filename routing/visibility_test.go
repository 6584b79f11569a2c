package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
)

// Who sees what (PRODUCT.md §6): an operator sees the events of its chats,
// of the New and queued chats of its topics, the events by which a chat of
// its topics leaves New or In Queue, its own status changes and
// configuration changes; everyone else sees everything.
func TestCanSeeEvent(t *testing.T) {
	f := newFixture(t, "a") // a serves support, not sales
	chat := func(name string, status sb.ChatStatus, topic, op string) sb.Event {
		return sb.Event{Name: name, ChatID: "1", Chat: &sb.Chat{ID: "1", Status: status, Topic: topic, OperatorID: op}}
	}
	for _, c := range []struct {
		what string
		ev   sb.Event
		ok   bool
	}{
		{"a New chat of another topic", chat(sb.EventChatCreated, sb.ChatNew, "sales", ""), false},
		{"a New chat of a's topic", chat(sb.EventChatCreated, sb.ChatNew, "support", ""), true},
		{"b's chat of another topic closing", chat(sb.EventChatClosed, sb.ChatClosed, "sales", "b"), false},
		{"b's status", sb.Event{Name: sb.EventOperatorStatus, Operator: &sb.OperatorRef{ID: "b"}}, false},
		{"a chat of a's topic leaving New", chat(sb.EventAutoConnected, sb.ChatActive, "support", "b"), true},
		{"a chat of a's topic changing topic in place", chat(sb.EventChatUpdated, sb.ChatQueued, "sales", ""), false},
		{"a's own chat", chat(sb.EventChatClosed, sb.ChatClosed, "sales", "a"), true},
		{"a's status", sb.Event{Name: sb.EventOperatorStatus, Operator: &sb.OperatorRef{ID: "a"}}, true},
		{"a configuration change", sb.Event{Name: sb.EventConfigChanged}, true},
	} {
		if got := f.e.CanSeeEvent(sb.RoleOperator, "a", &c.ev); got != c.ok {
			t.Errorf("%s: seen %v, want %v", c.what, got, c.ok)
		}
		if !f.e.CanSeeEvent(sb.RoleSupervisor, "", &c.ev) {
			t.Errorf("%s: a supervisor does not see it", c.what)
		}
	}
}
