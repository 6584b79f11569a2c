package stats_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/stats"
	"github.com/switchboard/switchboard/stats/statstest"
)

// day runs the scripted day on an engine and returns it with its events.
func day(t *testing.T) (*routing.Engine, []sb.Event) {
	e := routing.New(statstest.At(6, 0, 0))
	return e, statstest.Run(t, e)
}

func names(e *routing.Engine) map[string]string {
	out := map[string]string{}
	for _, o := range e.Operators() {
		out[o.ID] = o.Name
	}
	return out
}

// report builds the report of hours, and of hours encoded as the store
// keeps them, for a grouping, in the window of the day's figures.
func report(t *testing.T, e *routing.Engine, groupBy string, hours []*stats.Hour, encoded ...[]byte) stats.Report {
	b := stats.NewBuilder(stats.Query{From: statstest.From, To: statstest.To, GroupBy: groupBy}, e.Config(), names(e))
	for _, h := range hours {
		b.Add(h)
	}
	for _, data := range encoded {
		if err := b.AddEncoded(data); err != nil {
			t.Fatal(err)
		}
	}
	return b.Report()
}

// folded is an engine whose events go into a fold as commands are
// applied; shift is added to the seqs of the engine's events (events
// written by hand come before them).
type folded struct {
	t     *testing.T
	e     *routing.Engine
	f     *stats.Fold
	shift int64
}

func newFolded(t *testing.T, start time.Time) *folded {
	return &folded{t: t, e: routing.New(start), f: stats.NewFold()}
}

// apply applies a command at when and folds its events.
func (x *folded) apply(when time.Time, cmd routing.Command) {
	x.t.Helper()
	res, err := x.e.Apply(when, cmd)
	if err != nil {
		x.t.Fatalf("%T: %v", cmd, err)
	}
	for i := range res.Events {
		res.Events[i].Seq += x.shift
		x.f.Apply(&res.Events[i])
	}
}

// report is the report of q from every hour folded until now.
func (x *folded) report(q stats.Query, now time.Time) stats.Report {
	b := stats.NewBuilder(q, x.e.Config(), names(x.e))
	for _, h := range x.f.Hours(0, 1<<40, now) {
		b.Add(h)
	}
	return b.Report()
}

// TestScriptedDay derives every figure of docs/STATS.md from the events of
// a scripted day and compares them with the figures worked out by hand.
func TestScriptedDay(t *testing.T) {
	e, events := day(t)
	f := stats.NewFold()
	for i := range events {
		f.Apply(&events[i])
	}
	for groupBy := range statstest.Want() {
		t.Run(groupBy, func(t *testing.T) {
			statstest.Check(t, report(t, e, groupBy, f.Hours(0, 1<<40, statstest.To)))
		})
	}
}

// TestFoldSavedAnywhere: a fold saved after any event, loaded again and fed
// the rest, with its sealed hours handed over as a store would, gives the
// report of a fold that never stopped.
func TestFoldSavedAnywhere(t *testing.T) {
	e, events := day(t)
	whole := stats.NewFold()
	for i := range events {
		whole.Apply(&events[i])
	}
	want := report(t, e, stats.ByHour, whole.Hours(0, 1<<40, statstest.To))
	for cut := range len(events) + 1 {
		f, stored := stats.NewFold(), [][]byte{}
		for i := range events[:cut] {
			f.Apply(&events[i])
		}
		start := f.Current()
		for _, h := range f.Sealed() {
			stored = append(stored, stats.EncodeHour(h))
		}
		g := stats.NewFold()
		if err := g.UnmarshalBinary(f.StateAfterForget(start)); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		for i := range events {
			g.Apply(&events[i]) // those up to the cut are skipped
		}
		hours := g.Hours(0, 1<<40, statstest.To)
		decoded := slices.Clone(hours)
		for _, b := range stored {
			h, err := stats.DecodeHour(b)
			if err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			decoded = append(decoded, h)
		}
		if got := report(t, e, stats.ByHour, decoded); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut after %d events, hours decoded: the report differs from the fold's that never stopped\n got %+v\nwant %+v", cut, got.Total, want.Total)
		}
		if got := report(t, e, stats.ByHour, hours, stored...); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut after %d events: the report differs from the fold's that never stopped\n got %+v\nwant %+v", cut, got.Total, want.Total)
		}
	}
}

// TestOpenIntervals: an operator online now counts up to the report's
// time without the fold changing.
func TestOpenIntervals(t *testing.T) {
	e := routing.New(statstest.At(8, 0, 0))
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS = 0
	f := stats.NewFold()
	for _, cmd := range []routing.Command{
		routing.UpdateSettings{Settings: set},
		routing.CreateOperator{Operator: sb.Operator{ID: "anna", Name: "Anna"}},
		routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOnline},
	} {
		res, err := e.Apply(statstest.At(8, 0, 0), cmd)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Events {
			f.Apply(&res.Events[i])
		}
	}
	for range 2 {
		r := report(t, e, stats.ByOperator, f.Hours(0, 1<<40, statstest.At(9, 30, 0)))
		if got := r.Rows[0].StatusS["online"]; got != 5400 {
			t.Fatalf("online until 09:30: %v s, want 5400", got)
		}
	}
	if got := len(f.Sealed()); got != 0 {
		t.Errorf("the report sealed %d hours", got)
	}
}

// TestHistWithinTarget: a wait is within a target of t seconds when it
// lasted at most t seconds, to the microsecond.
func TestHistWithinTarget(t *testing.T) {
	for _, tc := range []struct {
		wait  time.Duration
		share float64
	}{{0, 1}, {20 * time.Second, 1}, {20*time.Second + time.Microsecond, 0}, {19500 * time.Millisecond, 1}} {
		var c stats.ChatCell
		c.Served = 1
		c.Wait.Add(tc.wait)
		b := stats.NewBuilder(stats.Query{From: statstest.From, To: statstest.To, GroupBy: stats.ByTopic}, routing.New(statstest.From).Config(), nil)
		b.Add(&stats.Hour{Start: statstest.From.Unix(), Chats: map[stats.ChatKey]*stats.ChatCell{{}: &c}})
		if got := b.Report().Total.SLAShare; got == nil || *got != tc.share {
			t.Errorf("wait %v: share %v, want %v", tc.wait, got, tc.share)
		}
	}
}

// TestFoldHandOverAndWrapUp: a supervisor's assign of an active chat to
// another operator ends no wait (the chat never waited) and starts the
// second operator's connection; a wrap-up counts as busy until it ends.
// The wrap-up events are written by hand here; TestFoldOfferAndWrapUp has
// the engine's own.
func TestFoldHandOverAndWrapUp(t *testing.T) {
	at := statstest.At
	x := newFolded(t, at(8, 0, 0))
	apply := x.apply
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS = 0
	apply(at(8, 0, 0), routing.UpdateSettings{Settings: set})
	for _, id := range []string{"anna", "boris"} {
		apply(at(8, 0, 0), routing.CreateOperator{Operator: sb.Operator{ID: id, Name: id}})
		apply(at(8, 0, 0), routing.SetOperatorStatus{OperatorID: id, Status: sb.StatusOnline})
	}
	apply(at(9, 0, 0), routing.Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}, AutoConnect: true}) // → anna
	apply(at(9, 10, 0), routing.Assign{ChatID: "1", OperatorID: "boris"})
	apply(at(9, 30, 0), routing.Close{ChatID: "1", By: sb.ByOperator})
	for _, ev := range []sb.Event{ // boris wraps the chat up for five minutes
		{Name: "wrap_up_started", OccurredAt: at(9, 30, 0), ChatID: "1", Operator: &sb.OperatorRef{ID: "boris"}},
		{Name: "wrap_up_ended", OccurredAt: at(9, 35, 0), ChatID: "1", Operator: &sb.OperatorRef{ID: "boris"}},
	} {
		x.shift++ // the engine's events come after those written by hand
		ev.Seq = x.e.Counters().Event + x.shift
		x.f.Apply(&ev)
	}
	apply(at(10, 0, 0), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOffline})
	apply(at(10, 0, 0), routing.SetOperatorStatus{OperatorID: "boris", Status: sb.StatusOffline})

	r := x.report(stats.Query{From: at(8, 0, 0), To: at(11, 0, 0), GroupBy: stats.ByOperator}, at(11, 0, 0))
	if got := r.Total; got.Served != 1 || *got.WaitMaxS != 0 || got.Returned != 0 || got.Handled != 1 || *got.HandleAvgS != 1200 {
		t.Errorf("total: served %d (wait max %v), returned %d, handled %d in %v s; want 1 wait of 0, none returned, 1 handled in 1200 s",
			got.Served, *got.WaitMaxS, got.Returned, got.Handled, *got.HandleAvgS)
	}
	busy, online := map[string]float64{}, map[string]float64{}
	conns := map[string]int64{}
	for _, row := range r.Rows {
		busy[row.Key], online[row.Key], conns[row.Key] = row.BusyS, row.StatusS["online"], row.Connections
	}
	// both online 08:00–10:00; anna held the chat 09:00–09:10, boris
	// 09:10–09:30 and wrapped it up until 09:35
	if busy["anna"] != 600 || busy["boris"] != 1500 || conns["anna"] != 1 || conns["boris"] != 1 ||
		online["anna"] != 7200 || online["boris"] != 7200 {
		t.Errorf("busy %v, online %v, connections %v; want anna 600 s and boris 1500 s busy of 7200 online, 1 connection each",
			busy, online, conns)
	}
}

// TestFoldOfferAndWrapUp: a chat offered to a colleague who accepts moves
// without a wait (a handover, like an assign) and counts one transfer, for
// the sender; the engine's own wrap-up counts as busy until it ends.
func TestFoldOfferAndWrapUp(t *testing.T) {
	at := statstest.At
	x := newFolded(t, at(8, 0, 0))
	apply := x.apply
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS, set.AcceptTimeoutS, set.WrapUpS, set.TransferOfferTimeoutS = 0, 0, 300, 0
	apply(at(8, 0, 0), routing.UpdateSettings{Settings: set})
	for _, id := range []string{"anna", "boris"} {
		apply(at(8, 0, 0), routing.CreateOperator{Operator: sb.Operator{ID: id, Name: id}})
		apply(at(8, 0, 0), routing.SetOperatorStatus{OperatorID: id, Status: sb.StatusOnline})
	}
	apply(at(9, 0, 0), routing.Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}, AutoConnect: true}) // → anna
	apply(at(9, 10, 0), routing.OfferTransfer{ChatID: "1", OperatorID: "anna", Role: sb.RoleOperator, To: "boris"})
	apply(at(9, 12, 0), routing.AcceptOffer{ChatID: "1", OperatorID: "boris", Role: sb.RoleOperator})
	apply(at(9, 30, 0), routing.Close{ChatID: "1", By: sb.ByOperator})
	apply(at(9, 35, 0), routing.Tick{}) // boris's wrap-up ends
	apply(at(10, 0, 0), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOffline})
	apply(at(10, 0, 0), routing.SetOperatorStatus{OperatorID: "boris", Status: sb.StatusOffline})

	r := x.report(stats.Query{From: at(8, 0, 0), To: at(11, 0, 0), GroupBy: stats.ByOperator}, at(11, 0, 0))
	if got := r.Total; got.Served != 1 || *got.WaitMaxS != 0 || got.Returned != 0 || got.Handled != 1 || got.Transfers != 1 || *got.HandleAvgS != 1080 {
		t.Errorf("total: served %d (wait max %v), returned %d, handled %d in %v s, %d transfers; want 1 wait of 0, none returned, 1 handled in 1080 s, 1 transfer",
			got.Served, *got.WaitMaxS, got.Returned, got.Handled, *got.HandleAvgS, got.Transfers)
	}
	busy, transfers := map[string]float64{}, map[string]int64{}
	for _, row := range r.Rows {
		busy[row.Key], transfers[row.Key] = row.BusyS, row.Transfers
	}
	// anna held the chat 09:00–09:12; boris 09:12–09:30 and wrapped it up
	// until 09:35
	if busy["anna"] != 720 || busy["boris"] != 1380 || transfers["anna"] != 1 || transfers["boris"] != 0 {
		t.Errorf("busy %v, transfers %v; want anna 720 s and boris 1380 s, anna's 1 transfer", busy, transfers)
	}
}

// TestFoldBusinessTime: a wait across the closing of its topic's business
// hours counts only the open time (the event that ends it carries it).
func TestFoldBusinessTime(t *testing.T) {
	at := statstest.At
	x := newFolded(t, at(8, 0, 0))
	apply := x.apply
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS, set.AcceptTimeoutS = 0, 0
	apply(at(8, 0, 0), routing.UpdateSettings{Settings: set})
	day := [][2]string{{"09:00", "18:00"}}
	apply(at(8, 0, 0), routing.CreateCalendar{Calendar: sb.Calendar{ID: "office", TimeZone: "UTC", Hours: map[string][][2]string{
		"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}}})
	apply(at(8, 0, 0), routing.CreateTopic{Topic: sb.Topic{Alias: "support", CalendarID: "office"}})
	apply(at(8, 0, 0), routing.CreateOperator{Operator: sb.Operator{ID: "anna", Name: "anna"}})
	apply(at(8, 0, 0), routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g", Topics: []string{"support"}, Operators: []string{"anna"}, Active: true}})
	apply(at(17, 58, 0), routing.Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}, Topic: "support", AutoConnect: true, Status: "queue"})
	next := at(9, 0, 30).Add(24 * time.Hour) // the next day, 30 s after the opening
	apply(next, routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOnline})
	apply(next.Add(time.Hour), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOffline})

	got := x.report(stats.Query{From: at(8, 0, 0), To: next.Add(2 * time.Hour)}, next.Add(2*time.Hour)).Total
	if got.Served != 1 || got.WaitMaxS == nil || *got.WaitMaxS != 150 {
		t.Errorf("served %d, longest wait %v s; want 1 wait of 150 s (2 min before the closing, 30 s after the opening)", got.Served, got.WaitMaxS)
	}
}
