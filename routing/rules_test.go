package routing_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// t0 is the time every fixture starts at.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// sec is a shorthand for n seconds.
func sec(n int) time.Duration { return time.Duration(n) * time.Second }

// mustApply applies cmd and fails the test on an error.
func mustApply(t *testing.T, e *routing.Engine, now time.Time, cmd routing.Command) routing.Result {
	t.Helper()
	res, err := e.Apply(now, cmd)
	if err != nil {
		t.Fatalf("Apply(%T %+v): %v", cmd, cmd, err)
	}
	return res
}

// fixture is an engine with the topics "support" and "sales" and the active
// skill group "support-team" (topic support) holding the given operators,
// who are online with an open panel session.
type fixture struct {
	t       *testing.T
	e       *routing.Engine
	now     time.Time
	clients int
}

func newFixture(t *testing.T, ops ...string) *fixture {
	t.Helper()
	f := &fixture{t: t, e: routing.New(t0), now: t0}
	for _, alias := range []string{"support", "sales"} {
		f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: alias, Name: alias}})
	}
	for _, id := range ops {
		f.addOperator(id)
	}
	f.group("support-team", []string{"support"}, ops)
	for _, id := range ops {
		f.setStatus(id, sb.StatusOnline)
	}
	return f
}

func (f *fixture) apply(cmd routing.Command) routing.Result {
	f.t.Helper()
	return mustApply(f.t, f.e, f.now, cmd)
}

// fail applies cmd, expects an error and checks that nothing changed.
func (f *fixture) fail(cmd routing.Command) error {
	f.t.Helper()
	f.apply(routing.Tick{})
	before := f.e.Export()
	_, err := f.e.Apply(f.now, cmd)
	if err == nil {
		f.t.Fatalf("Apply(%T %+v): no error", cmd, cmd)
	}
	if after := f.e.Export(); !reflect.DeepEqual(before, after) {
		f.t.Errorf("Apply(%T) failed with %v but changed the state", cmd, err)
	}
	return err
}

// at sets the fixture's clock to t0+d.
func (f *fixture) at(d time.Duration) { f.now = t0.Add(d) }

func (f *fixture) tick() routing.Result {
	f.t.Helper()
	return f.apply(routing.Tick{})
}

// addOperator creates an operator with an open panel session; it stays
// offline.
func (f *fixture) addOperator(id string) {
	f.t.Helper()
	f.apply(routing.CreateOperator{Operator: sb.Operator{ID: id, Name: "Operator " + id, Role: sb.RoleOperator}})
	f.apply(routing.PresenceRestored{OperatorID: id})
}

func (f *fixture) group(id string, topics, ops []string) {
	f.t.Helper()
	f.apply(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: id, Name: id, Topics: topics, Operators: ops, Active: true}})
}

// updateGroup changes a skill group through fn.
func (f *fixture) updateGroup(id string, fn func(*sb.SkillGroup)) routing.Result {
	f.t.Helper()
	for _, g := range f.e.Config().Groups {
		if g.ID == id {
			fn(&g)
			return f.apply(routing.UpdateSkillGroup{Group: g})
		}
	}
	f.t.Fatalf("no skill group %q", id)
	return routing.Result{}
}

func (f *fixture) setStatus(op, status string) routing.Result {
	f.t.Helper()
	return f.apply(routing.SetOperatorStatus{OperatorID: op, Status: status})
}

func (f *fixture) createStatus(id string, canReceive bool) {
	f.t.Helper()
	f.apply(routing.CreateStatus{Status: sb.Status{ID: id, Name: id, CanReceive: canReceive, Color: "#000000"}})
}

// updateOperator changes an operator's limits through fn.
func (f *fixture) updateOperator(id string, fn func(*sb.Operator)) routing.Result {
	f.t.Helper()
	o := f.operator(id)
	fn(&o)
	return f.apply(routing.UpdateOperator{Operator: o})
}

func (f *fixture) setMax(id string, n int) routing.Result {
	f.t.Helper()
	return f.updateOperator(id, func(o *sb.Operator) { o.MaxChats = &n })
}

func (f *fixture) setChannelLimits(id string, limits map[string]int) routing.Result {
	f.t.Helper()
	return f.updateOperator(id, func(o *sb.Operator) { o.ChannelLimits = limits })
}

// settings changes the settings through fn.
func (f *fixture) settings(fn func(*sb.Settings)) routing.Result {
	f.t.Helper()
	s := f.e.Config().Settings
	fn(&s)
	return f.apply(routing.UpdateSettings{Settings: s})
}

// client returns a new client on telegram.
func (f *fixture) client() sb.Client {
	f.clients++
	return sb.Client{ID: fmt.Sprintf("client-%d", f.clients), Name: "Client", Channel: "telegram"}
}

// connectCmd fills in a new client and a text when cmd has none.
func (f *fixture) connectCmd(cmd routing.Connect) routing.Connect {
	if cmd.Client.ID == "" {
		ch := cmd.Client.Channel
		cmd.Client = f.client()
		if ch != "" {
			cmd.Client.Channel = ch
		}
	}
	if cmd.Text == "" {
		cmd.Text = "hello"
	}
	return cmd
}

// connect runs the connect action with auto_connect_operator and no status.
func (f *fixture) connect(topic string) routing.Result {
	f.t.Helper()
	return f.apply(f.connectCmd(routing.Connect{Topic: topic, AutoConnect: true}))
}

// connectOn is connect on a channel.
func (f *fixture) connectOn(topic, channel string) routing.Result {
	f.t.Helper()
	cmd := routing.Connect{Topic: topic, AutoConnect: true, Client: sb.Client{Channel: channel}}
	return f.apply(f.connectCmd(cmd))
}

// enqueue runs the connect action with status "queue" and returns the id.
func (f *fixture) enqueue(topic string, weight int) string {
	f.t.Helper()
	cmd := routing.Connect{Topic: topic, AutoConnect: true, Status: "queue", Weight: weight}
	return chatID(f.t, f.apply(f.connectCmd(cmd)))
}

// newChat creates a chat in New (no auto-connect, no operator).
func (f *fixture) newChat(topic string) string {
	f.t.Helper()
	return chatID(f.t, f.apply(f.connectCmd(routing.Connect{Topic: topic})))
}

// assigned connects and checks that the chat went to op; returns its id.
func (f *fixture) assigned(topic, op string) string {
	f.t.Helper()
	res := f.connect(topic)
	id := chatID(f.t, res)
	if res.Chat.Status != sb.ChatActive || res.Chat.OperatorID != op {
		f.t.Fatalf("chat %s: status %q operator %q, want active with %q", id, res.Chat.Status, res.Chat.OperatorID, op)
	}
	return id
}

// occupy gives op an accepted chat and a general limit of 1: it serves
// the topic "support" but takes nothing more. An operator excluded from a
// chat stays excluded while such an operator is not (R7: exclusions lapse
// only when every operator who could take the chat is excluded).
func (f *fixture) occupy(op string) string {
	f.t.Helper()
	f.setMax(op, 1)
	return chatID(f.t, f.apply(f.connectCmd(routing.Connect{Topic: "support", Operator: op})))
}

func (f *fixture) closeChat(id string) routing.Result {
	f.t.Helper()
	return f.apply(routing.Close{ChatID: id, By: sb.ByClient})
}

func (f *fixture) chat(id string) sb.Chat {
	f.t.Helper()
	c, ok := f.e.Chat(id)
	if !ok {
		f.t.Fatalf("no chat %q", id)
	}
	return c
}

func (f *fixture) operator(id string) sb.Operator {
	f.t.Helper()
	o, ok := f.e.Operator(id)
	if !ok {
		f.t.Fatalf("no operator %q", id)
	}
	return o
}

// wantChat checks a chat's status and operator.
func (f *fixture) wantChat(id string, status sb.ChatStatus, op string) {
	f.t.Helper()
	c := f.chat(id)
	if c.Status != status || c.OperatorID != op {
		f.t.Errorf("chat %s: status %q operator %q, want %q %q", id, c.Status, c.OperatorID, status, op)
	}
}

// queueIDs lists the queued chats in queue order.
func (f *fixture) queueIDs() []string {
	ids := []string{}
	for _, q := range f.e.Queue() {
		ids = append(ids, q.Chat.ID)
	}
	return ids
}

func chatID(t *testing.T, res routing.Result) string {
	t.Helper()
	if res.Chat == nil || res.Chat.ID == "" {
		t.Fatalf("result has no chat (outcome %q, reason %+v)", res.Outcome, res.Reason)
	}
	return res.Chat.ID
}

// names lists the event names of a result.
func names(res routing.Result) []string {
	out := []string{}
	for _, ev := range res.Events {
		out = append(out, ev.Name)
	}
	return out
}

// eventChats lists the chat ids of the events with that name.
func eventChats(res routing.Result, name string) []string {
	out := []string{}
	for _, ev := range res.Events {
		if ev.Name == name {
			out = append(out, ev.ChatID)
		}
	}
	return out
}

func kinds(res routing.Result) []string {
	out := []string{}
	for _, d := range res.Decisions {
		out = append(out, d.Kind)
	}
	return out
}

// decision returns the one decision of that kind about the chat.
func decision(t *testing.T, res routing.Result, kind, chat string) sb.Decision {
	t.Helper()
	for _, d := range res.Decisions {
		if d.Kind == kind && d.ChatID == chat {
			return d
		}
	}
	t.Fatalf("no %s decision for chat %s in %+v", kind, chat, res.Decisions)
	return sb.Decision{}
}

func chatIDs(chats []sb.Chat) []string {
	out := []string{}
	for _, c := range chats {
		out = append(out, c.ID)
	}
	return out
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func equalTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantDeadline(t *testing.T, e *routing.Engine, want time.Time) {
	t.Helper()
	got, ok := e.NextDeadline()
	if !ok || !got.Equal(want) {
		t.Errorf("NextDeadline = %v, %v; want %v, true", got, ok, want)
	}
}

func wantNoDeadline(t *testing.T, e *routing.Engine) {
	t.Helper()
	if got, ok := e.NextDeadline(); ok {
		t.Errorf("NextDeadline = %v, true; want none", got)
	}
}

func wantError(t *testing.T, err error, code, field string) {
	t.Helper()
	if sb.ErrorCode(err) != code || sb.ErrorField(err) != field {
		t.Errorf("error %v: code %q field %q, want %q %q", err, sb.ErrorCode(err), sb.ErrorField(err), code, field)
	}
}

// wantCode checks an error's code; the field of a conflict is free.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if sb.ErrorCode(err) != code {
		t.Errorf("error %v: code %q, want %q", err, sb.ErrorCode(err), code)
	}
}

// R1: each clause of eligibility decides whether operator "a" gets a chat.
func TestR1Eligibility(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(f *fixture)
		topic   string
		channel string
		want    string // the operator, or "" for limit
	}{
		{"online operator serves topic", nil, "support", "telegram", "a"},
		{"status cannot receive", func(f *fixture) { f.setStatus("a", sb.StatusBreak) }, "support", "telegram", ""},
		{"custom status that can receive", func(f *fixture) {
			f.createStatus("lunch-duty", true)
			f.setStatus("a", "lunch-duty")
		}, "support", "telegram", "a"},
		{"custom status that cannot receive", func(f *fixture) {
			f.createStatus("lunch", false)
			f.setStatus("a", "lunch")
		}, "support", "telegram", ""},
		{"topic not served", nil, "sales", "telegram", ""},
		{"group inactive", func(f *fixture) {
			f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Active = false })
		}, "support", "telegram", ""},
		{"chat without topic goes to any operator", func(f *fixture) {
			f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Operators = []string{} })
		}, "", "telegram", "a"},
		{"parent topic serves its subtopics", func(f *fixture) {
			f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support-vip", Name: "VIP", Parent: "support"}})
			f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support-vip-refunds", Name: "Refunds", Parent: "support-vip"}})
		}, "support-vip-refunds", "telegram", "a"},
		{"subtopic does not serve its parent", func(f *fixture) {
			f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "sales-vip", Name: "VIP", Parent: "sales"}})
			f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Topics = []string{"sales-vip"} })
		}, "sales", "telegram", ""},
		{"moving a topic under a served parent", func(f *fixture) {
			f.apply(routing.UpdateTopic{Topic: sb.Topic{Alias: "sales", Name: "sales", Parent: "support"}})
		}, "sales", "telegram", "a"},
		{"under general limit", func(f *fixture) {
			f.setMax("a", 2)
			f.assigned("support", "a")
		}, "support", "telegram", "a"},
		{"at general limit", func(f *fixture) {
			f.setMax("a", 1)
			f.assigned("support", "a")
		}, "support", "telegram", ""},
		{"default_max_chats when max_chats unset", func(f *fixture) {
			f.settings(func(s *sb.Settings) { s.DefaultMaxChats = 1 })
			f.assigned("support", "a")
		}, "support", "telegram", ""},
		{"own max_chats over default", func(f *fixture) {
			f.settings(func(s *sb.Settings) { s.DefaultMaxChats = 1 })
			f.setMax("a", 2)
			f.assigned("support", "a")
		}, "support", "telegram", "a"},
		{"channel limit reached", func(f *fixture) {
			f.setChannelLimits("a", map[string]int{"telegram": 1})
			f.assigned("support", "a")
		}, "support", "telegram", ""},
		{"channel limit leaves other channels", func(f *fixture) {
			f.setChannelLimits("a", map[string]int{"telegram": 1})
			f.assigned("support", "a")
		}, "support", "widget", "a"},
		{"channel limit 0 bars the channel", func(f *fixture) {
			f.setChannelLimits("a", map[string]int{"telegram": 0})
		}, "support", "telegram", ""},
		{"default channel limits when unset", func(f *fixture) {
			f.settings(func(s *sb.Settings) { s.DefaultChannelLimits = map[string]int{"telegram": 1} })
			f.assigned("support", "a")
		}, "support", "telegram", ""},
		{"channel limited only for another operator", func(f *fixture) {
			f.addOperator("z")
			f.setChannelLimits("z", map[string]int{"viber": 0})
			f.setChannelLimits("a", map[string]int{"telegram": 0})
		}, "support", "viber", "a"},
		{"second limited channel still open", func(f *fixture) {
			f.setChannelLimits("a", map[string]int{"telegram": 1, "viber": 1})
			f.assigned("support", "a")
		}, "support", "viber", "a"},
		{"own empty channel limits over defaults", func(f *fixture) {
			f.settings(func(s *sb.Settings) { s.DefaultChannelLimits = map[string]int{"telegram": 1} })
			f.setChannelLimits("a", map[string]int{})
			f.assigned("support", "a")
		}, "support", "telegram", "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a")
			if tc.setup != nil {
				tc.setup(f)
			}
			res := f.connectOn(tc.topic, tc.channel)
			if tc.want == "" {
				equal(t, "outcome", res.Outcome, routing.OutcomeLimit)
				return
			}
			equal(t, "outcome", res.Outcome, routing.OutcomeSuccess)
			f.wantChat(chatID(t, res), sb.ChatActive, tc.want)
		})
	}
	t.Run("excluded", r1Excluded)
}

// R1.5: an operator excluded from a chat does not get it, while another
// operator who could take it (b, at its limit) is not excluded.
func r1Excluded(t *testing.T) {
	f := newFixture(t, "a", "b")
	busy := f.occupy("b")
	id := f.assigned("support", "a")
	f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
	f.wantChat(id, sb.ChatQueued, "")
	equal(t, "excluded", f.chat(id).Excluded, []string{"a"})
	f.setStatus("a", sb.StatusBreak)
	f.setStatus("a", sb.StatusOnline)
	f.wantChat(id, sb.ChatQueued, "")
	equal(t, "operator a active", f.operator("a").Active, 0)
	f.closeChat(busy)
	f.wantChat(id, sb.ChatActive, "b")
}

func TestR2Choice(t *testing.T) {
	cases := []struct {
		name   string
		method string
		ops    []string
		setup  func(f *fixture)
		want   string
	}{
		{"default/fewest active chats", sb.MethodDefault, []string{"a", "b"}, func(f *fixture) {
			f.apply(routing.Assign{ChatID: f.newChat("support"), OperatorID: "a"})
		}, "b"},
		{"default/earliest close", sb.MethodDefault, []string{"a", "b"}, func(f *fixture) {
			c1 := f.assigned("support", "a")
			c2 := f.assigned("support", "b")
			f.at(sec(10))
			f.closeChat(c2)
			f.at(sec(20))
			f.closeChat(c1)
		}, "b"},
		{"default/closes at one time ordered as made", sb.MethodDefault, []string{"a", "b"}, func(f *fixture) {
			c1 := f.assigned("support", "a")
			c2 := f.assigned("support", "b")
			f.closeChat(c2)
			f.closeChat(c1)
		}, "b"},
		{"default/never closed counts as earliest", sb.MethodDefault, []string{"a", "b"}, func(f *fixture) {
			f.at(sec(5))
			f.closeChat(f.assigned("support", "a"))
		}, "b"},
		{"default/operator id as string", sb.MethodDefault, []string{"op-9", "op-10"}, nil, "op-10"},
		{"by_number_of_dialogs/fewest active chats", sb.MethodByNumber, []string{"a", "b"}, func(f *fixture) {
			f.apply(routing.Assign{ChatID: f.newChat("support"), OperatorID: "a"})
		}, "b"},
		{"by_number_of_dialogs/close order ignored", sb.MethodByNumber, []string{"a", "b"}, func(f *fixture) {
			c1 := f.assigned("support", "a")
			c2 := f.assigned("support", "b")
			f.closeChat(c2)
			f.closeChat(c1)
		}, "a"},
		{"by_number_of_dialogs/after a method change", sb.MethodDefault, []string{"a", "b"}, func(f *fixture) {
			c1 := f.assigned("support", "a")
			c2 := f.assigned("support", "b")
			f.closeChat(c2)
			f.closeChat(c1)
			f.settings(func(s *sb.Settings) { s.DistributionMethod = sb.MethodByNumber })
		}, "a"},
		{"by_number_of_dialogs/operator id", sb.MethodByNumber, []string{"b", "a"}, nil, "a"},
		{"by_date_of_last_dialog/earliest assignment over fewer chats", sb.MethodByLastDate, []string{"a", "b"}, func(f *fixture) {
			f.assigned("support", "a")
			f.at(sec(1))
			f.closeChat(f.assigned("support", "b"))
		}, "a"},
		{"by_date_of_last_dialog/never assigned counts as earliest", sb.MethodByLastDate, []string{"a", "b"}, func(f *fixture) {
			id := f.newChat("support")
			f.apply(routing.Assign{ChatID: id, OperatorID: "a"})
			f.closeChat(id)
		}, "b"},
		{"by_date_of_last_dialog/take counts", sb.MethodByLastDate, []string{"a", "b"}, func(f *fixture) {
			id := f.newChat("support")
			f.apply(routing.Take{ChatID: id, OperatorID: "a"})
			f.closeChat(id)
		}, "b"},
		{"by_date_of_last_dialog/operator id", sb.MethodByLastDate, []string{"b", "a"}, nil, "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.ops...)
			f.settings(func(s *sb.Settings) { s.DistributionMethod = tc.method })
			if tc.setup != nil {
				tc.setup(f)
			}
			f.at(sec(60))
			res := f.connect("support")
			equal(t, "outcome", res.Outcome, routing.OutcomeSuccess)
			f.wantChat(chatID(t, res), sb.ChatActive, tc.want)
		})
	}
	t.Run("one pass", r2OnePass)
}

// R2 by_date_of_last_dialog: assignments made in one routing pass, at one
// time, are ordered as they were made.
func r2OnePass(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.DistributionMethod = sb.MethodByLastDate })
	f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Active = false })
	c1, c2, c3 := f.enqueue("support", 0), f.enqueue("support", 0), f.enqueue("support", 0)
	f.updateGroup("support-team", func(g *sb.SkillGroup) { g.Active = true })
	f.wantChat(c1, sb.ChatActive, "a")
	f.wantChat(c2, sb.ChatActive, "b")
	f.wantChat(c3, sb.ChatActive, "a")
	if a, b := f.operator("a"), f.operator("b"); a.AssignSeq <= b.AssignSeq {
		t.Errorf("assign_seq a=%d b=%d, want a > b", a.AssignSeq, b.AssignSeq)
	}
	f.assigned("support", "b")
}

// R3: the queue order, with operator "a" on break so that chats wait.
func TestR3QueueOrder(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fixture)
		want  []string
	}{
		{"higher weight first", func(f *fixture) {
			f.enqueue("support", 0)
			f.at(sec(1))
			f.enqueue("support", 10)
			f.at(sec(2))
			f.enqueue("support", 5)
		}, []string{"2", "3", "1"}},
		{"earlier queue entry first", func(f *fixture) {
			for i := range 3 {
				f.at(sec(i))
				f.enqueue("support", 1)
			}
		}, []string{"1", "2", "3"}},
		{"chat id compared as a number", func(f *fixture) {
			for range 10 {
				f.enqueue("support", 0)
			}
		}, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
		{"requeued chat keeps its place", func(f *fixture) {
			f.setStatus("a", sb.StatusOnline)
			f.setMax("a", 1)
			f.assigned("support", "a")
			f.at(sec(1))
			f.enqueue("support", 0)
			f.at(sec(2))
			f.enqueue("support", 0)
			f.at(sec(3))
			f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusBreak})
		}, []string{"1", "2", "3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "a")
			f.setStatus("a", sb.StatusBreak)
			tc.setup(f)
			equal(t, "queue", f.queueIDs(), tc.want)
			for i, q := range f.e.Queue() {
				equal(t, "position of "+q.Chat.ID, q.Position, i+1)
				equal(t, "chat.queue_position of "+q.Chat.ID, f.chat(q.Chat.ID).QueuePosition, i+1)
			}
			equal(t, "in_queue folder", chatIDs(f.e.Folder(routing.FolderInQueue, "")), tc.want)
		})
	}
	t.Run("drain", r3Drain)
}

// R3: the requeued chat keeps its queued_at (its creation, as it never
// waited), and a drain takes the first chat in R3 order.
func r3Drain(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.setStatus("b", sb.StatusBreak)
	f.setMax("a", 1)
	f.setMax("b", 1)
	c1 := f.assigned("support", "a")
	f.at(sec(1))
	c2 := f.enqueue("support", 0)
	f.at(sec(2))
	f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusBreak})
	equalTime(t, "queued_at", f.chat(c1).QueuedAt, t0)
	equal(t, "queue", f.queueIDs(), []string{c1, c2})
	f.at(sec(3))
	f.setStatus("b", sb.StatusOnline)
	f.wantChat(c1, sb.ChatActive, "b")
	f.wantChat(c2, sb.ChatQueued, "")
}
