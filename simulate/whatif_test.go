package simulate_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/simulate"
)

// TestRunStopsWhenCanceled: a run (and a staffing search) whose context is
// done stops with its error instead of playing on.
func TestRunStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := simulate.Config{DurationS: 7200, Seed: 1, Teams: []simulate.Team{{Name: "all", PerHour: []int{5}, MaxChats: 1}},
		Arrivals: []simulate.Stream{{PerHour: []float64{3600}}}, HandleTime: simulate.Dist{Kind: simulate.DistExponential, MeanS: 4}}
	if _, err := simulate.RunContext(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
	if _, err := simulate.StaffContext(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("Staff: %v, want context.Canceled", err)
	}
	if _, err := simulate.RunContext(context.Background(), cfg); err != nil {
		t.Errorf("Run without cancel: %v", err)
	}
}

// TestScaleTeamsPerHour: each hour's count is shared among the teams in
// proportion to their sizes, by largest remainder; one value is the whole
// day.
func TestScaleTeamsPerHour(t *testing.T) {
	teams := func() []simulate.Team {
		return []simulate.Team{{Name: "a", PerHour: []int{2}}, {Name: "b", Shifts: []simulate.Shift{{Start: "08:00", End: "16:00", Count: 1}}}}
	}
	got := teams()
	per := make([]int, 24)
	per[9], per[10], per[11] = 3, 4, 1
	simulate.ScaleTeamsPerHour(got, per)
	a, b := make([]int, 24), make([]int, 24)
	a[9], a[10], a[11] = 2, 3, 1
	b[9], b[10] = 1, 1
	if !reflect.DeepEqual(got[0].PerHour, a) || !reflect.DeepEqual(got[1].PerHour, b) || got[1].Shifts != nil {
		t.Errorf("a %v, b %v (shifts %v); want a %v, b %v", got[0].PerHour, got[1].PerHour, got[1].Shifts, a, b)
	}
	got = teams()
	simulate.ScaleTeamsPerHour(got, []int{6})
	if !reflect.DeepEqual(got[0].PerHour, []int{4}) || !reflect.DeepEqual(got[1].PerHour, []int{2}) {
		t.Errorf("one value: a %v, b %v; want [4], [2]", got[0].PerHour, got[1].PerHour)
	}
}

// TestActualCountsTheHistory: what happened, by hour of day on the
// period's clock, in the simulator's terms: a chat served within the
// target or after it, one abandoned after it, one left within it (on
// neither side of the SLA), one closed by a timer, one still waiting.
func TestActualCountsTheHistory(t *testing.T) {
	zone := time.FixedZone("", 2*3600)
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, zone)
	at := func(day, h, m int) time.Time {
		return from.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	s := func(n int) time.Duration { return time.Duration(n) * time.Second }
	chats := []sb.Chat{
		{CreatedAt: at(0, 9, 0), AssignedAt: at(0, 9, 0).Add(s(5)), ClosedAt: at(0, 9, 10), ClosedBy: sb.ByOperator},
		{CreatedAt: at(1, 9, 30), AssignedAt: at(1, 9, 30).Add(s(60)), ClosedAt: at(1, 9, 45), ClosedBy: sb.ByOperator},
		{CreatedAt: at(1, 9, 40), ClosedAt: at(1, 9, 40).Add(s(90)), ClosedBy: sb.ByClient},
		{CreatedAt: at(0, 9, 50), ClosedAt: at(0, 9, 50).Add(s(10)), ClosedBy: sb.ByClient},
		{CreatedAt: at(0, 14, 0), ClosedAt: at(0, 14, 0).Add(s(600)), ClosedBy: sb.ByTimer},
		{CreatedAt: at(1, 14, 5)},
		{CreatedAt: at(3, 9, 0)}, // after the period
	}
	hours := simulate.Actual(chats, from, at(2, 0, 0), 20)
	if len(hours) != 24 || !hours[9].Start.Equal(at(0, 9, 0)) {
		t.Fatalf("%d hours, hour 9 starts %v", len(hours), hours[9].Start)
	}
	h9, h14 := hours[9], hours[14]
	if h9.Chats != 4 || h9.Served != 2 || h9.Abandoned != 2 || h9.SLAShare != 1.0/3 || h9.WaitP90S != 5 || h9.HandleMeanS != (595+840)/2.0 {
		t.Errorf("09:00: %+v", h9)
	}
	if h14.Chats != 2 || h14.TimedOut != 1 || h14.Unfinished != 1 || h14.SLAShare != 0 {
		t.Errorf("14:00: %+v", h14)
	}
}
