package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

var (
	supervisor = routing.Actor{Role: sb.RoleSupervisor}
	integrator = routing.Actor{Role: sb.RoleIntegrator}
)

func operatorActor(id string) routing.Actor {
	return routing.Actor{Role: sb.RoleOperator, OperatorID: id}
}

// R8: returning a chat to the bot closes its operator part by "bot".
func TestR8ReturnToBot(t *testing.T) {
	t.Run("by the operator holding it", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		res := f.apply(routing.ReturnToBot{ChatID: id, By: operatorActor("a"), Comment: "back to the menu"})
		equal(t, "events", names(res), []string{sb.EventChatReturnedToBot, sb.EventChatClosed})
		c := f.chat(id)
		equal(t, "status", c.Status, sb.ChatClosed)
		equal(t, "closed_by", c.ClosedBy, sb.ByBot)
		equal(t, "comment", c.CloseComment, "back to the menu")
		equal(t, "a.active", f.operator("a").Active, 0)
		equal(t, "event operator", res.Events[0].Operator.ID, "a")
	})
	for _, a := range []routing.Actor{supervisor, integrator, {Role: sb.RoleAdmin}} {
		t.Run("by "+a.Role, func(t *testing.T) {
			f := newFixture(t, "a")
			f.setStatus("a", sb.StatusBreak)
			id := f.enqueue("support", 0)
			f.apply(routing.ReturnToBot{ChatID: id, By: a})
			equal(t, "closed_by", f.chat(id).ClosedBy, sb.ByBot)
		})
	}
	t.Run("another operator's chat is not found", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.assigned("support", "a")
		wantCode(t, f.fail(routing.ReturnToBot{ChatID: id, By: operatorActor("b")}), sb.ENOTFOUND)
	})
	t.Run("a queued chat of the operator's topic is forbidden", func(t *testing.T) {
		f := newFixture(t, "a")
		f.setStatus("a", sb.StatusBreak)
		id := f.enqueue("support", 0)
		wantCode(t, f.fail(routing.ReturnToBot{ChatID: id, By: operatorActor("a")}), sb.EFORBIDDEN)
	})
	t.Run("closed chat", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		f.closeChat(id)
		wantCode(t, f.fail(routing.ReturnToBot{ChatID: id, By: supervisor}), sb.ECONFLICT)
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
		res := f.apply(routing.UpdateChat{ChatID: id, By: operatorActor("a"), Topic: topic("sales"), Tags: &tags})
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
		res := f.apply(routing.UpdateChat{ChatID: id, By: supervisor, Topic: topic("support")})
		equal(t, "events", names(res), []string{sb.EventChatUpdated, sb.EventAutoConnected})
		f.wantChat(id, sb.ChatActive, "a")
	})
	t.Run("queued chat keeps its exclusions", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		f.occupy("b")
		f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support-vip", Name: "VIP", Parent: "support"}})
		id := f.assigned("support", "a")
		f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
		f.apply(routing.UpdateChat{ChatID: id, By: supervisor, Topic: topic("support-vip")})
		f.wantChat(id, sb.ChatQueued, "")
		equal(t, "excluded", f.chat(id).Excluded, []string{"a"})
	})
	t.Run("tags only", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		tags := []string{"vip"}
		f.apply(routing.UpdateChat{ChatID: id, By: integrator, Tags: &tags})
		equal(t, "topic", f.chat(id).Topic, "support")
		equal(t, "tags", f.chat(id).Tags, tags)
	})
	t.Run("unknown topic", func(t *testing.T) {
		f := newFixture(t, "a")
		id := f.assigned("support", "a")
		wantError(t, f.fail(routing.UpdateChat{ChatID: id, By: supervisor, Topic: topic("nope")}), sb.EINVALID, "subject_alias")
	})
	t.Run("another operator's chat", func(t *testing.T) {
		f := newFixture(t, "a", "b")
		id := f.assigned("support", "a")
		wantCode(t, f.fail(routing.UpdateChat{ChatID: id, By: operatorActor("b"), Topic: topic("sales")}), sb.ENOTFOUND)
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
