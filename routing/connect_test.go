package routing_test

import (
	"reflect"
	"slices"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// olena is the client of the connect table cases.
var olena = sb.Client{ID: "380501234567", Name: "Olena", Channel: "telegram"}

type connectCase struct {
	name  string
	setup func(f *fixture)
	cmd   routing.Connect
	// Expected answer; status "" means no chat is created.
	outcome   string
	status    sb.ChatStatus
	operator  string
	reason    string
	warnings  []string
	events    []string
	decisions []string
	anomalies []string // of the first decision
}

var (
	created      = []string{sb.EventChatCreated, sb.EventMessageCreated}
	createdAuto  = append(slices.Clone(created), sb.EventAutoConnected)
	createdQueue = append(slices.Clone(created), sb.EventChatQueued)
)

func auto(topic string) routing.Connect {
	return routing.Connect{Client: olena, Text: "refund", Topic: topic, AutoConnect: true}
}

func manual(topic, op string) routing.Connect {
	return routing.Connect{Client: olena, Text: "refund", Topic: topic, Operator: op}
}

func withStatus(c routing.Connect, status string) routing.Connect {
	c.Status = status
	return c
}

func withText(c routing.Connect, text string) routing.Connect {
	c.Text = text
	return c
}

func onChannel(c routing.Connect, channel string) routing.Connect {
	c.Client.Channel = channel
	return c
}

func ban(channel string, until int) func(f *fixture) {
	return func(f *fixture) {
		f.apply(routing.CreateBan{Ban: sb.Ban{ClientID: olena.ID, Channel: channel, Until: t0.Add(sec(until))}})
	}
}

// openChat gives olena an open chat (chat "1", active with "a").
func openChat(f *fixture) { f.apply(auto("support")) }

func allOffline(f *fixture) {
	f.setStatus("a", sb.StatusOffline)
	f.setStatus("b", sb.StatusBreak)
}

// busy gives a and b one chat each and a limit of one.
func busy(f *fixture) {
	f.setMax("a", 1)
	f.setMax("b", 1)
	f.assigned("support", "a")
	f.assigned("support", "b")
}

func connectCases() []connectCase {
	return []connectCase{
		{name: "ban/active ban on all channels", setup: ban("", 3600), cmd: auto("support"),
			outcome: routing.OutcomeBanned, events: []string{}},
		{name: "ban/active ban on this channel", setup: ban("telegram", 3600), cmd: auto("support"),
			outcome: routing.OutcomeBanned, events: []string{}},
		{name: "ban/checked before the open chat", setup: func(f *fixture) { openChat(f); ban("", 60)(f) },
			cmd: auto("support"), outcome: routing.OutcomeBanned, events: []string{}},
		{name: "ban/on another channel does not apply", setup: ban("viber", 3600), cmd: auto("support"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a", events: createdAuto,
			decisions: []string{sb.DecisionAuto}},
		{name: "ban/expired does not apply", setup: ban("", 5), cmd: auto("support"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a", events: createdAuto,
			decisions: []string{sb.DecisionAuto}},
		{name: "ban/ending now does not apply", setup: ban("", 10), cmd: auto("support"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a", events: createdAuto,
			decisions: []string{sb.DecisionAuto}},
		{name: "open chat/returned, nothing changes", setup: openChat, cmd: withText(auto("sales"), ""),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a", events: []string{},
			decisions: []string{}},
		{name: "open chat/its text is a client message", setup: openChat, cmd: auto("sales"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a", events: []string{sb.EventMessageCreated},
			decisions: []string{}},
		{name: "open chat/on another channel does not count", setup: openChat, cmd: onChannel(auto("support"), "viber"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "b", events: createdAuto,
			decisions: []string{sb.DecisionAuto}},
		{name: "queue/routed at once", cmd: withStatus(auto("support"), "queue"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a",
			events:    append(slices.Clone(createdQueue), sb.EventAutoConnected),
			decisions: []string{sb.DecisionQueue, sb.DecisionAuto}},
		{name: "queue/waits behind queued chats", setup: func(f *fixture) { allOffline(f); f.enqueue("support", 0) },
			cmd: withStatus(auto("support"), "queue"), outcome: routing.OutcomeSuccess, status: sb.ChatQueued,
			events: createdQueue, decisions: []string{sb.DecisionQueue}},
		{name: "auto/eligible operator", cmd: auto("support"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a", events: createdAuto,
			decisions: []string{sb.DecisionAuto}},
		{name: "auto/no_operator_for_topic", cmd: auto("sales"),
			outcome: routing.OutcomeLimit, reason: routing.ReasonNoOperatorForTopic,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/no_operator_for_topic when the group is inactive",
			setup: func(f *fixture) { f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Active = false }) },
			cmd:   auto("support"), outcome: routing.OutcomeLimit, reason: routing.ReasonNoOperatorForTopic,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/no_operator_for_topic without topic and operators",
			setup: func(f *fixture) {
				f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Operators = []string{} })
				f.apply(routing.DeleteOperator{ID: "a"})
				f.apply(routing.DeleteOperator{ID: "b"})
			},
			cmd: auto(""), outcome: routing.OutcomeLimit, reason: routing.ReasonNoOperatorForTopic,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/no_operator_online", setup: allOffline, cmd: auto("support"),
			outcome: routing.OutcomeLimit, reason: routing.ReasonNoOperatorOnline,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/no_operator_online without topic", setup: allOffline, cmd: auto(""),
			outcome: routing.OutcomeLimit, reason: routing.ReasonNoOperatorOnline,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/all_operators_busy", setup: busy, cmd: auto("support"),
			outcome: routing.OutcomeLimit, reason: routing.ReasonAllOperatorsBusy,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/all_operators_busy by channel limit",
			setup: func(f *fixture) {
				f.setChannelLimits("a", map[string]int{"telegram": 0})
				f.setChannelLimits("b", map[string]int{"telegram": 0})
			},
			cmd: auto("support"), outcome: routing.OutcomeLimit, reason: routing.ReasonAllOperatorsBusy,
			events: []string{sb.EventLimit}, decisions: []string{sb.DecisionLimit}},
		{name: "auto/assigned_operator ignored", cmd: func() routing.Connect { c := auto("support"); c.Operator = "b"; return c }(),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "a",
			warnings: []string{routing.WarnAssignedOpIgnored}, events: createdAuto, decisions: []string{sb.DecisionAuto}},
		{name: "auto/setting auto_connect off",
			setup: func(f *fixture) { f.settings(func(s *sb.Settings) { s.AutoConnect = false }) },
			cmd:   auto("support"), outcome: routing.OutcomeSuccess, status: sb.ChatNew,
			warnings: []string{routing.WarnAutoConnectDisabled}, events: created, decisions: []string{}},
		{name: "auto/setting off wins over status queue",
			setup: func(f *fixture) { f.settings(func(s *sb.Settings) { s.AutoConnect = false }) },
			cmd:   withStatus(auto("support"), "queue"), outcome: routing.OutcomeSuccess, status: sb.ChatNew,
			warnings: []string{routing.WarnAutoConnectDisabled}, events: created, decisions: []string{}},
		{name: "auto/setting off and assigned_operator ignored",
			setup:   func(f *fixture) { f.settings(func(s *sb.Settings) { s.AutoConnect = false }) },
			cmd:     func() routing.Connect { c := auto("support"); c.Operator = "b"; return c }(),
			outcome: routing.OutcomeSuccess, status: sb.ChatNew, events: created,
			warnings: []string{routing.WarnAssignedOpIgnored, routing.WarnAutoConnectDisabled}},
		{name: "manual/assigned operator", cmd: manual("support", "b"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "b",
			events:    append(slices.Clone(created), sb.EventOperatorConnected),
			decisions: []string{sb.DecisionAssign}},
		{name: "manual/operator_cannot_receive", setup: func(f *fixture) { f.setStatus("b", sb.StatusBreak) },
			cmd: manual("support", "b"), outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "b",
			warnings: []string{routing.WarnOperatorCannotReceive},
			events:   append(slices.Clone(created), sb.EventOperatorConnected), decisions: []string{sb.DecisionAssign}},
		{name: "manual/operator_not_in_topic", cmd: manual("sales", "b"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "b",
			warnings: []string{routing.WarnOperatorNotInTopic},
			events:   append(slices.Clone(created), sb.EventOperatorConnected), decisions: []string{sb.DecisionAssign}},
		{name: "manual/operator_over_limit", setup: busy, cmd: manual("support", "b"),
			outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "b",
			warnings: []string{routing.WarnOperatorOverLimit}, anomalies: []string{sb.AnomalyForcedOverLimit},
			events: append(slices.Clone(created), sb.EventOperatorConnected), decisions: []string{sb.DecisionAssign}},
		{name: "manual/operator_over_limit by channel",
			setup: func(f *fixture) { f.setChannelLimits("b", map[string]int{"telegram": 0}) },
			cmd:   manual("support", "b"), outcome: routing.OutcomeSuccess, status: sb.ChatActive, operator: "b",
			warnings: []string{routing.WarnOperatorOverLimit}, anomalies: []string{sb.AnomalyForcedOverLimit},
			events: append(slices.Clone(created), sb.EventOperatorConnected), decisions: []string{sb.DecisionAssign}},
		{name: "manual/no operator", cmd: manual("support", ""),
			outcome: routing.OutcomeSuccess, status: sb.ChatNew, events: created, decisions: []string{}},
	}
}

// R5: every row of the connect table (PRODUCT.md §5, ROUTING.md Connect).
func TestR5Connect(t *testing.T) {
	for _, tc := range connectCases() {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a", "b")
			if tc.setup != nil {
				tc.setup(f)
			}
			f.at(sec(10))
			before := f.e.Export()
			res := f.apply(tc.cmd)
			checkConnect(t, f, tc, res, before)
		})
	}
	t.Run("chat", r5Chat)
	t.Run("queue position", r5QueuePosition)
	t.Run("limit uses no id", r5LimitUsesNoID)
	t.Run("invalid", r5Invalid)
	t.Run("ban ids", r5BanIDs)
}

func checkConnect(t *testing.T, f *fixture, tc connectCase, res routing.Result, before routing.State) {
	t.Helper()
	equal(t, "outcome", res.Outcome, tc.outcome)
	equal(t, "events", names(res), tc.events)
	equal(t, "warnings", warningCodes(res), orEmpty(tc.warnings))
	if tc.decisions != nil {
		equal(t, "decisions", kinds(res), tc.decisions)
	}
	if tc.anomalies != nil && len(res.Decisions) > 0 {
		equal(t, "anomalies", res.Decisions[0].Anomalies, tc.anomalies)
	}
	if tc.reason != "" {
		if res.Reason == nil {
			t.Fatalf("reason = nil, want %q", tc.reason)
		}
		equal(t, "reason", res.Reason.Code, tc.reason)
	}
	if tc.status == "" {
		after := f.e.Export()
		equal(t, "open chats", chatIDs(after.Chats), chatIDs(before.Chats))
		equal(t, "chat counter", after.Counters.Chat, before.Counters.Chat)
		return
	}
	id := chatID(t, res)
	equal(t, "chat.status", res.Chat.Status, tc.status)
	equal(t, "chat.operator_id", res.Chat.OperatorID, tc.operator)
	f.wantChat(id, tc.status, tc.operator)
}

func warningCodes(res routing.Result) []string {
	out := []string{}
	for _, w := range res.Warnings {
		out = append(out, w.Code)
	}
	slices.Sort(out)
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Sorted(slices.Values(s))
}

// R5: a created chat carries the connect fields; the text is its first
// client message.
func r5Chat(t *testing.T) {
	f := newFixture(t, "a")
	cmd := auto("support")
	cmd.Tags, cmd.Weight, cmd.WebhookURL = []string{"vip"}, 10, "https://crm.example.com/hook"
	res := f.apply(cmd)
	c := f.chat(chatID(t, res))
	equal(t, "id", c.ID, "1")
	equal(t, "client", c.Client, olena)
	equal(t, "channel", c.Channel, "telegram")
	equal(t, "topic", c.Topic, "support")
	equal(t, "tags", c.Tags, []string{"vip"})
	equal(t, "weight", c.Weight, 10)
	equal(t, "webhook", c.WebhookURL, "https://crm.example.com/hook")
	equal(t, "auto_assigned", c.AutoAssigned, true)
	equalTime(t, "created_at", c.CreatedAt, t0)
	equalTime(t, "assigned_at", c.AssignedAt, t0)
	equalTime(t, "last_message_at", c.LastMessageAt, t0)
	equalTime(t, "awaiting_reply_since", c.AwaitingSince, t0)
	if !c.AcceptedAt.IsZero() {
		t.Errorf("accepted_at = %v, want zero", c.AcceptedAt)
	}
	if len(res.Changes.Messages) != 1 || res.Changes.Messages[0].Text != "refund" {
		t.Errorf("messages = %+v, want the connect text", res.Changes.Messages)
	}
	equal(t, "operator a active", f.operator("a").Active, 1)
	equal(t, "operator a telegram", f.operator("a").ActiveByChannel["telegram"], 1)
}

// R5: the queued answer carries its queue position.
func r5QueuePosition(t *testing.T) {
	f := newFixture(t, "a")
	f.setStatus("a", sb.StatusBreak)
	f.enqueue("support", 0)
	f.enqueue("support", 0)
	res := f.apply(withStatus(auto("support"), "queue"))
	equal(t, "queue_position", res.Chat.QueuePosition, 3)
	equal(t, "status", res.Chat.Status, sb.ChatQueued)
	equalTime(t, "queued_at", res.Chat.QueuedAt, t0)
}

// R5: a limit uses no chat id; the limit event carries the would-be chat.
func r5LimitUsesNoID(t *testing.T) {
	f := newFixture(t, "a")
	f.assigned("support", "a")
	res := f.apply(auto("sales"))
	equal(t, "outcome", res.Outcome, routing.OutcomeLimit)
	if len(res.Events) != 1 || res.Events[0].Chat == nil {
		t.Fatalf("events = %+v, want one limit event with a chat", res.Events)
	}
	equal(t, "limit chat id", res.Events[0].Chat.ID, "")
	equal(t, "limit chat topic", res.Events[0].Chat.Topic, "sales")
	equal(t, "next chat id", chatID(t, f.connect("support")), "2")
	if _, ok := f.e.Chat(""); ok {
		t.Errorf("a chat with an empty id exists")
	}
}

// R5: bad input is invalid, names the field, and creates nothing.
func r5Invalid(t *testing.T) {
	cases := []struct {
		name  string
		cmd   func() routing.Connect
		field string
	}{
		{"missing client.id", func() routing.Connect { c := auto("support"); c.Client.ID = ""; return c }, "client.id"},
		{"missing client.channel", func() routing.Connect { return onChannel(auto("support"), "") }, "client.channel"},
		{"unknown subject_alias", func() routing.Connect { return auto("nope") }, "config.subject_alias"},
		{"unknown status", func() routing.Connect { return withStatus(auto("support"), "later") }, "config.status"},
		{"unknown assigned_operator", func() routing.Connect { return manual("support", "ghost") }, "config.assigned_operator"},
		{"unknown assigned_operator even when ignored", func() routing.Connect {
			c := auto("support")
			c.Operator = "ghost"
			return c
		}, "config.assigned_operator"},
		{"negative weight", func() routing.Connect { c := auto("support"); c.Weight = -1; return c }, "config.weight"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a")
			before := f.e.Export()
			_, err := f.e.Apply(f.now, tc.cmd())
			wantError(t, err, sb.EINVALID, tc.field)
			if after := f.e.Export(); !reflect.DeepEqual(before, after) {
				t.Errorf("state changed by an invalid connect")
			}
			equal(t, "next chat id", chatID(t, f.connect("support")), "1")
		})
	}
}

// R5: ban ids are numbers unless the caller gives one.
func r5BanIDs(t *testing.T) {
	f := newFixture(t, "a")
	until := t0.Add(sec(3600))
	ids := []string{}
	for _, id := range []string{"", "vip-ban", ""} {
		res := f.apply(routing.CreateBan{Ban: sb.Ban{ID: id, ClientID: "c-" + id, Until: until}})
		if res.Ban == nil {
			t.Fatalf("CreateBan %q: no ban in the result", id)
		}
		ids = append(ids, res.Ban.ID)
	}
	equal(t, "ban ids", ids, []string{"1", "vip-ban", "2"})
	f.apply(routing.DeleteBan{ID: "vip-ban"})
	res := f.apply(routing.Connect{Client: sb.Client{ID: "c-vip-ban", Channel: "telegram"}, Text: "hi", AutoConnect: true})
	equal(t, "outcome after delete", res.Outcome, routing.OutcomeSuccess)
}

// TestApplyAppend: ApplyAppend gathers the events of several commands in one
// list, and each command's Result.Events is its own part of it, which an
// append by the caller cannot spill into the next command's.
func TestApplyAppend(t *testing.T) {
	f := newFixture(t, "a")
	var all []sb.Event
	var parts [][]sb.Event
	for _, cmd := range []routing.Command{auto("support"), onChannel(auto("support"), "viber"),
		routing.Connect{Client: sb.Client{ID: "other", Channel: "telegram"}, Text: "hi", Topic: "sales", AutoConnect: true}} {
		res, out, err := f.e.ApplyAppend(f.now, cmd, all)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out[len(all):], res.Events) || len(all) > 0 && !reflect.DeepEqual(out[:len(all)], all) {
			t.Fatalf("%v: the list is not the events before and then the command's", cmd)
		}
		if cap(res.Events) != len(res.Events) {
			t.Fatalf("%v: Result.Events has room past its end (cap %d, len %d)", cmd, cap(res.Events), len(res.Events))
		}
		all = out
		parts = append(parts, res.Events)
	}
	want := [][]string{createdAuto, createdAuto, {sb.EventLimit}}
	for i, p := range parts {
		if got := names(routing.Result{Events: p}); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("command %d: events %v, want %v", i, got, want[i])
		}
	}
	for i := range all {
		if all[i].Seq != int64(i+1)+all[0].Seq-1 {
			t.Fatalf("event %d has seq %d after %d", i, all[i].Seq, all[0].Seq)
		}
	}
}
