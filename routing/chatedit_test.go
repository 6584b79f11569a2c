package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// caller is who acts on a chat: a role and the operator it acts as.
type caller struct{ role, op string }

var (
	supervisor = caller{role: sb.RoleSupervisor}
	integrator = caller{role: sb.RoleIntegrator}
)

func operatorActor(id string) caller { return caller{role: sb.RoleOperator, op: id} }

func returnToBot(id string, by caller, comment string) routing.ReturnToBot {
	return routing.ReturnToBot{ChatID: id, OperatorID: by.op, Role: by.role, Comment: comment}
}

func updateChat(id string, by caller, topic *string, tags *[]string) routing.UpdateChat {
	return routing.UpdateChat{ChatID: id, OperatorID: by.op, Role: by.role, Topic: topic, Tags: tags}
}

// R8: returning a chat to the bot closes its operator part by "bot".
func TestR8ReturnToBot(t *testing.T) {
	t.Run("by the operator holding it", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		res := f.apply(returnToBot(id, operatorActor("a"), "back to the menu"))
		equal(t, "events", names(res), []string{sb.EventChatReturnedToBot, sb.EventChatClosed})
		c := f.chat(id)
		equal(t, "status", c.Status, sb.ChatClosed)
		equal(t, "closed_by", c.ClosedBy, sb.ByBot)
		equal(t, "comment", c.CloseComment, "back to the menu")
		equal(t, "a.active", f.operator("a").Active, 0)
		equal(t, "event operator", res.Events[0].Operator.ID, "a")
	})
	for _, a := range []caller{supervisor, integrator, {role: sb.RoleAdmin}} {
		t.Run("by "+a.role, func(t *testing.T) {
			f := newFixture(t, "a")
			f.setStatus("a", sb.StatusBreak)
			id := f.enqueue("support", 0)
			f.apply(returnToBot(id, a, ""))
			equal(t, "closed_by", f.chat(id).ClosedBy, sb.ByBot)
		})
	}
	t.Run("another operator's chat is not found", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.assigned("support", "a")
		wantCode(t, f.fail(returnToBot(id, operatorActor("b"), "")), sb.ENOTFOUND)
	})
	t.Run("a queued chat of the operator's topic is forbidden", func(t *testing.T) {
		f := newFixture(t, "a")
		f.setStatus("a", sb.StatusBreak)
		id := f.enqueue("support", 0)
		wantCode(t, f.fail(returnToBot(id, operatorActor("a"), "")), sb.EFORBIDDEN)
	})
	t.Run("closed chat", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		f.closeChat(id)
		wantCode(t, f.fail(returnToBot(id, supervisor, "")), sb.ECONFLICT)
	})
}

// R8: a chat's topic and tags change in place; a queued chat moves to the
// queues of its new topic and R4 runs; an active chat keeps its operator.
func TestR8UpdateChat(t *testing.T) {
	topic := func(s string) *string { return &s }
	t.Run("active chat keeps its operator", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		tags := []string{"vip", "refund"}
		res := f.apply(updateChat(id, operatorActor("a"), topic("sales"), &tags))
		equal(t, "events", names(res), []string{sb.EventChatUpdated})
		c := f.chat(id)
		equal(t, "topic", c.Topic, "sales")
		equal(t, "tags", c.Tags, tags)
		f.wantChat(id, sb.ChatActive, "a")
		equal(t, "decisions", kinds(res), []string{})
	})
	t.Run("queued chat is routed for its new topic", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.enqueue("sales", 0)
		res := f.apply(updateChat(id, supervisor, topic("support"), nil))
		equal(t, "events", names(res), []string{sb.EventChatUpdated, sb.EventAutoConnected})
		f.wantChat(id, sb.ChatActive, "a")
	})
	t.Run("queued chat keeps its exclusions", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.occupy("b")
		f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support-vip", Name: "VIP", Parent: "support"}})
		id := f.assigned("support", "a")
		f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
		f.apply(updateChat(id, supervisor, topic("support-vip"), nil))
		f.wantChat(id, sb.ChatQueued, "")
		equal(t, "excluded", f.chat(id).Excluded, []string{"a"})
	})
	t.Run("tags only", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		tags := []string{"vip"}
		f.apply(updateChat(id, integrator, nil, &tags))
		equal(t, "topic", f.chat(id).Topic, "support")
		equal(t, "tags", f.chat(id).Tags, tags)
	})
	t.Run("unknown topic", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		wantError(t, f.fail(updateChat(id, supervisor, topic("nope"), nil)), sb.EINVALID, "subject_alias")
	})
	t.Run("another operator's chat", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.assigned("support", "a")
		wantCode(t, f.fail(updateChat(id, operatorActor("b"), topic("sales"), nil)), sb.ENOTFOUND)
	})
}

// R5: add_return_button marks the chat, so that the panel offers the
// return to the bot.
func TestR5ReturnButton(t *testing.T) {
	f := newFixture(t, "a")
	res := f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true, ReturnButton: true}))
	equal(t, "return button", f.chat(chatID(t, res)).ReturnButton, true)
	res = f.apply(f.connectCmd(routing.Connect{Topic: "support", AutoConnect: true}))
	equal(t, "no return button", f.chat(chatID(t, res)).ReturnButton, false)
}

// R1: the timeouts of a skill group apply to the chats of its topics'
// subtopics.
func TestR1SubtopicTimeouts(t *testing.T) {
	f := newFixture(t, "a")
	f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support-vip", Name: "VIP", Parent: "support"}})
	f.updateGroup("support-team", func(g *sb.SkillGroup) { g.AcceptTimeoutS = 15 })
	f.assigned("support-vip", "a")
	wantDeadline(t, f.e, t0.Add(sec(15)))
}

// R8: the engine decides who may act on a chat, whatever the caller
// checked before: a close, transfer, accept or reply by an operator who no
// longer holds the chat (redistributed meanwhile) is not found and changes
// nothing; a take of a chat outside its topics too.
func TestR8WhoMayActOnAChat(t *testing.T) {
	f := newFixture(t, "a", "b")
	id := f.assigned("support", "a")
	f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
	f.wantChat(id, sb.ChatActive, "b")
	for _, cmd := range []routing.Command{
		routing.Close{ChatID: id, By: sb.ByOperator, OperatorID: "a", Role: sb.RoleOperator},
		routing.Transfer{ChatID: id, Topic: "sales", OperatorID: "a", Role: sb.RoleOperator},
		routing.Accept{ChatID: id, OperatorID: "a", Role: sb.RoleOperator},
		routing.OperatorMessage{ChatID: id, OperatorID: "a", Role: sb.RoleOperator, Text: "still here?"},
	} {
		wantCode(t, f.fail(cmd), sb.ENOTFOUND)
	}
	f.wantChat(id, sb.ChatActive, "b")
	// A supervisor acting as its own operator on a chat it does not hold:
	// it sees the chat, so the answer is a conflict, not a secret.
	wantCode(t, f.fail(routing.Accept{ChatID: id, OperatorID: "a", Role: sb.RoleSupervisor}), sb.ECONFLICT)
	// The holder, or staff, may close it.
	f.apply(routing.Close{ChatID: id, By: sb.ByOperator, OperatorID: "b", Role: sb.RoleOperator})
	q := f.enqueue("sales", 0)
	wantCode(t, f.fail(routing.Take{ChatID: q, OperatorID: "a", Role: sb.RoleOperator}), sb.ENOTFOUND)
	wantCode(t, f.fail(routing.Take{ChatID: q, OperatorID: "a", Role: sb.RoleSupervisor}), sb.ECONFLICT)
	wantCode(t, f.fail(routing.Close{ChatID: q, By: sb.ByOperator, OperatorID: "a", Role: "guest"}), sb.EFORBIDDEN)
}
