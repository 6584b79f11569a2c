package routing_test

import (
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

func TestQueryFolders(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.ResponseTimeoutS = 60 })
	c1 := f.assigned("support", "a")
	f.at(sec(30))
	c2 := f.assigned("support", "b")
	c3 := f.enqueue("sales", 0)
	c4 := f.newChat("support")
	c5 := f.assigned("support", "a")
	f.closeChat(c5)
	f.at(sec(60))
	f.tick()
	f.offer(c1, "a", "b", "")
	cases := []struct {
		folder, operator string
		want             []string
	}{
		{routing.FolderInQueue, "", []string{c3}},
		{routing.FolderNew, "", []string{c4}},
		{routing.FolderMine, "a", []string{c1}},
		{routing.FolderMine, "b", []string{c2}},
		{routing.FolderActive, "", []string{c1, c2}},
		{routing.FolderOverdue, "", []string{c1}},
		{routing.FolderClosed, "", []string{c5}},
		{routing.FolderOffers, "b", []string{c1}},
		{routing.FolderOffers, "a", []string{}},
		{routing.FolderOffers, "", []string{c1}},
	}
	for _, tc := range cases {
		t.Run(tc.folder+"/"+tc.operator, func(t *testing.T) {
			equal(t, "chats", chatIDs(f.e.Folder(tc.folder, tc.operator)), tc.want)
		})
	}
}

func TestQueryQueue(t *testing.T) {
	f := newFixture(t, "a")
	f.setStatus("a", sb.StatusBreak)
	c1 := f.enqueue("support", 0)
	f.at(sec(10))
	c2 := f.enqueue("support", 5)
	f.at(sec(20))
	c3 := f.enqueue("sales", 0)
	f.at(sec(60))
	f.tick()
	want := []struct {
		id      string
		waiting time.Duration
	}{{c2, sec(50)}, {c1, sec(60)}, {c3, sec(40)}}
	q := f.e.Queue()
	if len(q) != len(want) {
		t.Fatalf("queue has %d entries, want %d", len(q), len(want))
	}
	for i, w := range want {
		equal(t, "chat", q[i].Chat.ID, w.id)
		equal(t, "position", q[i].Position, i+1)
		equal(t, "chat.queue_position", q[i].Chat.QueuePosition, i+1)
		equal(t, "waiting", q[i].Waiting, w.waiting)
		if len(q[i].Reasons) == 0 || q[i].Reasons[0].Code == "" {
			t.Errorf("chat %s: reasons %+v, want a reason code", w.id, q[i].Reasons)
		}
	}
	if len(q[1].Reasons) > 0 && len(q[2].Reasons) > 0 && q[1].Reasons[0].Code == q[2].Reasons[0].Code {
		t.Errorf("offline operator and unserved topic give the same reason %q", q[1].Reasons[0].Code)
	}
}

func TestQueryDiagnostics(t *testing.T) {
	f := newFixture(t, "a", "b", "d", "e")
	f.addOperator("c")
	f.setStatus("c", sb.StatusOnline)
	f.setStatus("b", sb.StatusBreak)
	f.setMax("d", 1)
	f.apply(routing.Assign{ChatID: f.newChat("support"), OperatorID: "d"})
	f.setChannelLimits("e", map[string]int{"telegram": 1})
	f.apply(routing.Assign{ChatID: f.newChat("support"), OperatorID: "e"})

	a := diagnostics(t, f, "a")
	equal(t, "a eligible", a.Eligible, true)
	equal(t, "a status", a.Status, sb.StatusOnline)
	equal(t, "a can_receive", a.CanReceive, true)
	equal(t, "a topics", a.Topics, []string{"support"})
	equal(t, "a max_chats", a.MaxChats, 5)

	b := diagnostics(t, f, "b")
	equal(t, "b status", b.Status, sb.StatusBreak)
	equal(t, "b can_receive", b.CanReceive, false)
	equal(t, "b eligible", b.Eligible, false)

	c := diagnostics(t, f, "c")
	equal(t, "c topics", len(c.Topics), 0)

	d := diagnostics(t, f, "d")
	equal(t, "d active", d.Active, 1)
	equal(t, "d max_chats", d.MaxChats, 1)
	equal(t, "d eligible", d.Eligible, false)

	e := diagnostics(t, f, "e")
	equal(t, "e telegram", e.Channels["telegram"], routing.ChannelLoad{Active: 1, Limit: 1})

	codes := map[string]string{}
	for _, dg := range []routing.Diagnostics{b, c, d} {
		if len(dg.Reasons) == 0 || dg.Reasons[0].Code == "" {
			t.Errorf("%s: reasons %+v, want a reason code", dg.OperatorID, dg.Reasons)
			continue
		}
		if other, ok := codes[dg.Reasons[0].Code]; ok {
			t.Errorf("%s and %s have the same reason %q", other, dg.OperatorID, dg.Reasons[0].Code)
		}
		codes[dg.Reasons[0].Code] = dg.OperatorID
	}
	_, err := f.e.Diagnostics("ghost")
	wantCode(t, err, sb.ENOTFOUND)
}

func diagnostics(t *testing.T, f *fixture, op string) routing.Diagnostics {
	t.Helper()
	d, err := f.e.Diagnostics(op)
	if err != nil {
		t.Fatalf("Diagnostics(%s): %v", op, err)
	}
	equal(t, "operator_id", d.OperatorID, op)
	return d
}

func TestQueryAudit(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.addOperator("c")
	f.group("second-line", []string{"support"}, []string{"c"})
	f.setStatus("c", sb.StatusOnline)
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	f.assigned("support", "a")
	f.apply(auto("sales"))

	all := f.e.Audit(t0)
	if len(all) != 2 {
		t.Fatalf("audit = %+v, want 2 decisions", all)
	}
	d := all[0]
	equal(t, "kind", d.Kind, sb.DecisionAuto)
	equal(t, "chat", d.ChatID, "1")
	equal(t, "operator", d.OperatorID, "a")
	equal(t, "method", d.Method, sb.MethodDefault)
	equal(t, "considered", d.Considered, 2)
	equal(t, "limit kind", all[1].Kind, sb.DecisionLimit)
	equal(t, "limit reason", all[1].Reason, routing.ReasonNoOperatorForTopic)
	if all[1].Seq <= d.Seq {
		t.Errorf("seq %d then %d, want increasing", d.Seq, all[1].Seq)
	}

	f.at(sec(30))
	f.tick()
	recent := f.e.Audit(t0.Add(sec(30)))
	equal(t, "recent kinds", kindsOf(recent), []string{sb.DecisionRequeue, sb.DecisionAuto})
	equal(t, "requeue anomalies", recent[0].Anomalies, []string{sb.AnomalyMissedAccept})
	equal(t, "requeued to", recent[1].OperatorID, "b")
	if !skipped(recent[1], "a") {
		t.Errorf("skipped = %+v, want the excluded operator a", recent[1].Skipped)
	}
}

func kindsOf(ds []sb.Decision) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Kind)
	}
	return out
}

func skipped(d sb.Decision, op string) bool {
	for _, s := range d.Skipped {
		if s.OperatorID == op && s.Reason != "" {
			return true
		}
	}
	return false
}

// Events are numbered one by one across commands.
func TestQueryEventSeq(t *testing.T) {
	f := newFixture(t, "a", "b")
	var seqs []int64
	for _, res := range []routing.Result{f.connect("support"), f.connect("support"), f.closeChat("1")} {
		for _, ev := range res.Events {
			seqs = append(seqs, ev.Seq)
		}
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("seqs = %v, want consecutive", seqs)
		}
	}
	equal(t, "last seq", f.e.Export().Counters.Event, seqs[len(seqs)-1])
}

// Import(Export()) makes the same decisions as the original engine.
func TestQueryExportImport(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.DistributionMethod = 30, sb.MethodByLastDate })
	f.assigned("support", "a")
	f.setStatus("b", sb.StatusBreak)
	f.enqueue("support", 3)
	f.enqueue("sales", 0)
	e2, err := routing.Import(f.e.Export())
	if err != nil {
		t.Fatal(err)
	}
	wantDeadline(t, e2, t0.Add(sec(30)))
	cmds := []routing.Command{routing.SetOperatorStatus{OperatorID: "b", Status: sb.StatusOnline}, routing.Tick{}}
	for i, cmd := range cmds {
		now := t0.Add(sec(30 * i))
		r1, r2 := mustApply(t, f.e, now, cmd), mustApply(t, e2, now, cmd)
		equal(t, "events", r2.Events, r1.Events)
		equal(t, "decisions", kindsOf(r2.Decisions), kindsOf(r1.Decisions))
	}
	equal(t, "queue", chatIDs(e2.Folder(routing.FolderInQueue, "")), chatIDs(f.e.Folder(routing.FolderInQueue, "")))
	equal(t, "operators", e2.Operators(), f.e.Operators())
}

// Changes name every chat and operator a command changed, as they stand
// afterwards.
func TestQueryChanges(t *testing.T) {
	f := newFixture(t, "a", "b")
	c1 := f.assigned("support", "a")
	res := f.apply(routing.Redistribute{OperatorID: "a"})
	var chat *sb.Chat
	for i := range res.Changes.Chats {
		if res.Changes.Chats[i].ID == c1 {
			chat = &res.Changes.Chats[i]
		}
	}
	if chat == nil || chat.Status != sb.ChatActive || chat.OperatorID != "b" {
		t.Errorf("changed chats = %+v, want chat %s active with b", res.Changes.Chats, c1)
	}
	ops := map[string]sb.Operator{}
	for _, o := range res.Changes.Operators {
		ops[o.ID] = o
	}
	equal(t, "a status", ops["a"].Status, sb.StatusOffline)
	equal(t, "b active", ops["b"].Active, 1)

	res = f.apply(auto("sales"))
	equal(t, "limit changes chats", len(res.Changes.Chats), 0)
	equal(t, "limit changes messages", len(res.Changes.Messages), 0)
	res = f.apply(routing.CreateTopic{Topic: sb.Topic{Alias: "vip", Name: "VIP"}})
	equal(t, "config changed", res.Changes.Config, true)
	equal(t, "config event", names(res), []string{sb.EventConfigChanged})
}
