package routing

import (
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// TestRate: a closed chat is rated once, 1 to 5, with chat_rated; an open
// chat, a second rating, a bad score or comment are refused and change
// nothing; a chat closed longer ago than the engine remembers is rated from
// the copy the command carries.
func TestRate(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e := New(now)
	must := func(res Result, err error) Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	must(e.Apply(now, Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}}))
	must(e.Apply(now, Connect{Client: sb.Client{ID: "c2", Channel: "telegram"}}))
	must(e.Apply(now, Close{ChatID: "1", By: sb.ByClient}))
	for _, tc := range []struct {
		cmd         Rate
		code, field string
	}{
		{Rate{ChatID: "2", Score: 5}, sb.ECONFLICT, "chat_id"},
		{Rate{ChatID: "9", Score: 5}, sb.ENOTFOUND, "chat_id"},
		{Rate{ChatID: "1", Score: 0}, sb.EINVALID, "score"},
		{Rate{ChatID: "1", Score: 6}, sb.EINVALID, "score"},
		{Rate{ChatID: "1", Score: 4, Comment: strings.Repeat("x", sb.DefaultMaxMessageBytes+1)}, sb.EINVALID, "comment"},
		{Rate{ChatID: "2", Score: 5, Closed: &sb.Chat{ID: "2", Status: sb.ChatClosed}}, sb.ECONFLICT, "chat_id"},
	} {
		_, err := e.Apply(now, tc.cmd)
		if sb.ErrorCode(err) != tc.code || sb.ErrorField(err) != tc.field {
			t.Errorf("%+v: %v; want %s on %s", tc.cmd, err, tc.code, tc.field)
		}
	}
	rated := now.Add(time.Minute)
	res := must(e.Apply(rated, Rate{ChatID: "1", Score: 4, Comment: "quick"}))
	want := sb.Rating{Score: 4, Comment: "quick", RatedAt: rated}
	if len(res.Events) != 1 || res.Events[0].Name != sb.EventChatRated || *res.Events[0].Chat.Rating != want {
		t.Fatalf("events %+v; want one chat_rated with %+v", res.Events, want)
	}
	if len(res.Changes.Chats) != 1 || *res.Changes.Chats[0].Rating != want {
		t.Errorf("the store gets %+v", res.Changes.Chats)
	}
	if _, err := e.Apply(rated, Rate{ChatID: "1", Score: 5}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("a second rating: %v; want conflict", err)
	}
	old := sb.Chat{ID: "77", Status: sb.ChatClosed, OperatorID: "op-1", Topic: "support"}
	res = must(e.Apply(rated, Rate{ChatID: "77", Score: 2, Closed: &old}))
	if c := res.Chat; c == nil || c.Rating == nil || c.Rating.Score != 2 || c.OperatorID != "op-1" {
		t.Errorf("an old chat rated from the command's copy: %+v", c)
	}
}

// TestSLASettings: the service level's target and goal are checked where
// they are set, naming the field; 0 means the default (settings) or the
// parent's (topic).
func TestSLASettings(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e := New(now)
	num := func(v int) *int { return &v }
	share := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		cmd   Command
		field string
	}{
		{PatchSettings{SLATargetS: num(-1)}, "sla_target_s"},
		{PatchSettings{SLATargetS: num(MaxTimerS + 1)}, "sla_target_s"},
		{PatchSettings{SLAGoal: share(1.01)}, "sla_goal"},
		{PatchSettings{SLAGoal: share(-0.1)}, "sla_goal"},
		{CreateTopic{Topic: sb.Topic{Alias: "a", SLATargetS: -5}}, "sla_target_s"},
		{CreateTopic{Topic: sb.Topic{Alias: "a", SLAGoal: 2}}, "sla_goal"},
		{PatchSettings{SLATargetS: num(30), SLAGoal: share(0.9)}, ""},
		{CreateTopic{Topic: sb.Topic{Alias: "a", SLATargetS: 60, SLAGoal: 0.95}}, ""},
		{PatchTopic{Alias: "a", SLATargetS: num(0)}, ""},
	} {
		_, err := e.Apply(now, tc.cmd)
		if tc.field == "" && err != nil || tc.field != "" && (sb.ErrorCode(err) != sb.EINVALID || sb.ErrorField(err) != tc.field) {
			t.Errorf("%T %+v: %v; want invalid %q", tc.cmd, tc.cmd, err, tc.field)
		}
	}
	cfg := e.Config()
	if s := cfg.Settings; s.SLATargetS != 30 || s.SLAGoal != 0.9 {
		t.Errorf("settings %d, %v; want 30, 0.9", s.SLATargetS, s.SLAGoal)
	}
	if tp := cfg.Topics[0]; tp.SLATargetS != 0 || tp.SLAGoal != 0.95 {
		t.Errorf("topic %+v; want target 0 (the settings'), goal 0.95", tp)
	}
	if d := sb.DefaultSettings(); d.SLATargetS != 20 || d.SLAGoal != 0.8 {
		t.Errorf("defaults %d, %v; want 20, 0.8", d.SLATargetS, d.SLAGoal)
	}
}
