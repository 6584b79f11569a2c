package http

import (
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// TestStreamFilter: an operator's stream is woken for a commit only when
// one of its events is one the operator may see (visibleIn); staff streams
// have no filter and get every commit.
func TestStreamFilter(t *testing.T) {
	e := fuzzEngine(t, time.Now()) // op-7 serves support, not sales
	chat := func(name string, status sb.ChatStatus, topic, op string) sb.Event {
		return sb.Event{Name: name, ChatID: "1", Chat: &sb.Chat{ID: "1", Status: status, Topic: topic, OperatorID: op}}
	}
	op7 := principal{Role: sb.RoleOperator, OperatorID: "op-7"}
	want := streamFilter(op7)
	for _, c := range []struct {
		what string
		evs  []sb.Event
		ok   bool
	}{
		{"a New chat of another topic", []sb.Event{chat(sb.EventChatCreated, sb.ChatNew, "sales", "")}, false},
		{"a New chat of op-7's topic", []sb.Event{chat(sb.EventChatCreated, sb.ChatNew, "support", "")}, true},
		{"op-8's chat of another topic closing, then op-8's status", []sb.Event{
			chat(sb.EventChatClosed, sb.ChatClosed, "sales", "op-8"),
			{Name: sb.EventOperatorStatus, Operator: &sb.OperatorRef{ID: "op-8"}},
		}, false},
		{"a chat of op-7's topic leaving New, after one op-7 may not see", []sb.Event{
			chat(sb.EventChatCreated, sb.ChatNew, "sales", ""),
			chat(sb.EventAutoConnected, sb.ChatActive, "support", "op-8"),
		}, true},
		{"op-7's own chat", []sb.Event{chat(sb.EventChatClosed, sb.ChatClosed, "sales", "op-7")}, true},
		{"op-7's status", []sb.Event{{Name: sb.EventOperatorStatus, Operator: &sb.OperatorRef{ID: "op-7"}}}, true},
		{"a configuration change", []sb.Event{{Name: sb.EventConfigChanged}}, true},
	} {
		if got := want(e, c.evs); got != c.ok {
			t.Errorf("%s: woken %v, want %v", c.what, got, c.ok)
		}
	}
	if streamFilter(principal{Role: sb.RoleSupervisor}) != nil {
		t.Error("a supervisor's stream has a filter")
	}
}
