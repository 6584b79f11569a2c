package storetest

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// step is one engine command at t0 plus a number of seconds.
type step struct {
	sec int
	cmd routing.Command
}

// scenario touches every kind of change the engine makes: configuration,
// operators, the four chat statuses, manual work, redistribution, bans and
// every timer, including several chats closed by timers at one instant.
func scenario() []step {
	conn := func(client, channel, topic string, auto bool, status string) routing.Connect {
		return routing.Connect{Client: sb.Client{ID: client, Name: "Client " + client, Channel: channel},
			Text: "hello from " + client, Topic: topic, AutoConnect: auto, Status: status}
	}
	settings := sb.DefaultSettings()
	settings.AcceptTimeoutS, settings.ResponseTimeoutS, settings.ChatInactivityTimeoutS = 60, 120, 600
	settings.QueueTimeoutS, settings.DefaultChannelLimits = 900, map[string]int{"whatsapp": 3}
	manual := settings
	manual.AutoConnect = false
	vip := conn("c3", "widget", "billing", true, "")
	vip.Tags, vip.Weight, vip.WebhookURL = []string{"vip"}, 2, "https://crm.example.com/hook"
	assigned := conn("c7", "sms", "support", false, "")
	assigned.Operator = "op-3"
	return []step{
		{0, routing.CreateStatus{Status: sb.Status{ID: "lunch", Name: "Lunch", Color: "#123456"}}},
		{1, routing.CreateTopic{Topic: sb.Topic{Alias: "support", Name: "Support"}}},
		{1, routing.CreateTopic{Topic: sb.Topic{Alias: "billing", Name: "Billing", Parent: "support"}}},
		{1, routing.CreateTopic{Topic: sb.Topic{Alias: "sales", Name: "Sales"}}},
		{1, routing.CreateTopic{Topic: sb.Topic{Alias: "orphan", Name: "Nobody serves it"}}},
		{2, routing.CreateOperator{Operator: sb.Operator{ID: "op-1", Name: "Taras", MaxChats: ptr(2)}}},
		{2, routing.CreateOperator{Operator: sb.Operator{ID: "op-2", Name: "Iryna", ChannelLimits: map[string]int{"telegram": 1}}}},
		{2, routing.CreateOperator{Operator: sb.Operator{ID: "op-3", Name: "Petro", ChannelLimits: map[string]int{}}}},
		{3, routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g1", Name: "First line", Topics: []string{"support", "billing"},
			Operators: []string{"op-1", "op-2"}, Active: true, AcceptTimeoutS: 30}}},
		{3, routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g2", Name: "Sales", Topics: []string{"sales"},
			Operators: []string{"op-3"}, Active: true}}},
		{4, routing.UpdateSettings{Settings: settings}},
		{5, routing.PresenceRestored{OperatorID: "op-1"}},
		{5, routing.PresenceRestored{OperatorID: "op-2"}},
		{5, routing.SetOperatorStatus{OperatorID: "op-1", Status: sb.StatusOnline}},
		{5, routing.SetOperatorStatus{OperatorID: "op-2", Status: sb.StatusOnline}},
		{10, conn("c1", "telegram", "support", true, "")}, // 1: active
		{11, conn("c2", "telegram", "support", true, "")}, // 2: active
		{12, vip}, // 3: active or queued
		{13, conn("c4", "whatsapp", "support", true, "queue")}, // 4: queued
		{14, conn("c5", "widget", "orphan", true, "queue")},    // 5: queued for good
		{15, conn("c6", "email", "", false, "")},               // 6: new
		{16, assigned},                                         // 7: active with op-3
		{17, conn("c1", "telegram", "support", true, "")},      // the open chat 1 again
		{20, routing.Accept{ChatID: "1", OperatorID: "op-1"}},
		{21, routing.OperatorMessage{ChatID: "1", OperatorID: "op-1", Text: "How can I help?"}},
		{22, routing.ClientMessage{ChatID: "2", Text: "Anyone there?"}},
		{23, routing.Take{ChatID: "6", OperatorID: "op-2"}},
		{24, routing.Assign{ChatID: "4", OperatorID: "op-3", Force: true}},
		{25, routing.Transfer{ChatID: "2", Topic: "billing"}},
		{26, routing.Close{ChatID: "1", By: sb.ByOperator, OperatorID: "op-1", Comment: "solved"}},
		{27, routing.Close{ChatID: "6", By: sb.ByClient}},
		{28, routing.CreateBan{Ban: sb.Ban{ClientID: "c9", Until: at(3600), Reason: "spam"}}},
		{29, conn("c9", "telegram", "", true, "")}, // banned
		{30, routing.UpdateOperator{Operator: sb.Operator{ID: "op-1", Name: "Taras K.", MaxChats: ptr(3)}}},
		{31, routing.Redistribute{OperatorID: "op-2", Status: "lunch", Weight: ptr(5)}},
		{32, routing.SetOperatorStatus{OperatorID: "op-2", Status: sb.StatusOnline}},
		{100, routing.Tick{}}, // accept timeouts
		{250, routing.Tick{}}, // response timeouts
		{300, conn("c10", "telegram", "orphan", true, "queue")},
		{301, conn("c11", "widget", "support", true, "")},
		{1300, routing.Tick{}}, // inactivity and queue timeouts close chats at one instant
		{1301, routing.DeleteOperator{ID: "op-3"}},
		{1302, routing.DeleteSkillGroup{ID: "g2"}},
		{1303, routing.DeleteTopic{Alias: "sales"}},
		{1304, routing.DeleteBan{ID: "1"}},
		{1310, conn("c12", "telegram", "support", true, "")},
		{1311, conn("c13", "widget", "billing", true, "queue")},
		{1312, conn("c14", "email", "", false, "")},
		{1312, conn("c16", "telegram", "orphan", true, "queue")}, // queued at the end
		{1313, routing.UpdateSettings{Settings: manual}},
		{1314, conn("c15", "viber", "support", true, "")},
		{1315, routing.Redistribute{OperatorID: "op-1"}},
		{1316, routing.PresenceLost{OperatorID: "op-2"}},
	}
}

// testEngineRoundTrip drives a routing engine, commits every Result, and
// checks that Load gives back exactly the engine's Export, and that
// routing.Import of it exports the same again.
func testEngineRoundTrip(t *testing.T, s sb.Store) {
	ctx := context.Background()
	e := routing.New(t0)
	var events []sb.Event
	var decisions []sb.Decision
	for i, st := range scenario() {
		now := t0.Add(time.Duration(st.sec)*time.Second + time.Duration(i)*time.Nanosecond)
		var bt routing.Batcher
		res, err := bt.Apply(e, now, st.cmd)
		if err != nil {
			t.Fatalf("step %d %T: %v", i, st.cmd, err)
		}
		commit(t, s, bt.Done(e))
		events, decisions = append(events, res.Events...), append(decisions, res.Decisions...)
	}
	want := e.Export()
	got := load(t, s)
	equal(t, "Load against Export", nilEmpty(got), nilEmpty(want))
	e2, err := routing.Import(got)
	if err != nil {
		t.Fatalf("Import(Load()): %v", err)
	}
	equal(t, "Import(Load()).Export()", e2.Export(), want)
	equal(t, "Events", must(s.Events(ctx, 0, len(events)+1))(t), events)
	equal(t, "Decisions", must(s.Decisions(ctx, time.Time{}, len(decisions)+1))(t), decisions)
	if len(got.Closed) < 5 || len(got.Chats) < 3 || len(got.Operators) < 2 {
		t.Errorf("the scenario left %d open and %d closed chats, %d operators; want at least 3, 5 and 2",
			len(got.Chats), len(got.Closed), len(got.Operators))
	}
}

// testEngineFirstCommitWithoutConfig: a store whose batches never carried
// a Config loads the configuration of a fresh engine.
func testEngineFirstCommitWithoutConfig(t *testing.T, s sb.Store) {
	e := routing.New(t0)
	var bt routing.Batcher
	res, err := bt.Apply(e, at(1), routing.Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}, AutoConnect: true})
	if err != nil || res.Outcome != routing.OutcomeLimit || res.Changes.Config {
		t.Fatalf("connect to an empty engine: outcome %q, config changed %v, err %v", res.Outcome, res.Changes.Config, err)
	}
	commit(t, s, bt.Done(e))
	got := load(t, s)
	equal(t, "Load against Export", nilEmpty(got), nilEmpty(e.Export()))
	e2, err := routing.Import(got)
	if err != nil {
		t.Fatalf("Import(Load()): %v", err)
	}
	equal(t, "Import(Load()).Export()", e2.Export(), e.Export())
}

// nilEmpty makes the state's empty lists nil: Export returns some of them
// empty and others nil, and a store need not copy that.
func nilEmpty(st sb.State) sb.State {
	for _, l := range []*[]sb.Chat{&st.Chats, &st.Closed} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(st.Operators) == 0 {
		st.Operators = nil
	}
	if len(st.Audit) == 0 {
		st.Audit = nil
	}
	return st
}
