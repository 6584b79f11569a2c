package simulate_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard/switchboard/simulate"
)

// staffed is cfg with the team's operators per hour set to counts.
func staffed(cfg simulate.Config, counts []int) simulate.Config {
	perHour := make([]int, 24)
	copy(perHour, counts)
	cfg.Teams = []simulate.Team{cfg.Teams[0]}
	cfg.Teams[0].PerHour = perHour
	return cfg
}

// TestStaffReachesGoalWhileOneFewerDoesNot: for every hour the search's
// count reaches the SLA goal and one operator fewer does not; a plain Run
// with the counts found plays exactly the search's day, and with one
// operator fewer in the last hour that hour misses the goal.
func TestStaffReachesGoalWhileOneFewerDoesNot(t *testing.T) {
	cfg := simulate.Config{DurationS: 3 * 3600, Seed: 11, SLAGoal: 0.8, SLATargetS: 20,
		Teams:      []simulate.Team{{Name: "ops", MaxChats: 2, PerHour: []int{1}}},
		Arrivals:   []simulate.Stream{{PerHour: []float64{90, 240, 150}}},
		HandleTime: simulate.Dist{Kind: simulate.DistExponential, MeanS: 240},
		Patience:   simulate.Dist{Kind: simulate.DistExponential, MeanS: 120},
	}
	cfg.Arrivals[0].PerHour = append(cfg.Arrivals[0].PerHour, make([]float64, 21)...)
	rep, err := simulate.Staff(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var counts []int
	for h, s := range rep.Staffing {
		t.Logf("hour %d: %d operators (SLA %.3f; one fewer %.3f), Erlang C %d, Erlang A %d",
			h, s.Operators, s.SLAShare, s.FewerSLAShare, s.ErlangC, s.ErlangA)
		if !s.Reached || s.SLAShare < cfg.SLAGoal || s.Operators == 0 || s.FewerSLAShare >= cfg.SLAGoal {
			t.Errorf("hour %d: %+v", h, s)
		}
		counts = append(counts, s.Operators)
	}
	plain, err := simulate.Run(staffed(cfg, counts))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := hoursJSON(t, rep), hoursJSON(t, plain); a != b {
		t.Fatalf("a plain run with the counts found differs from the search's day:\n%s\n%s", a, b)
	}
	last := len(counts) - 1
	counts[last]--
	fewer, err := simulate.Run(staffed(cfg, counts))
	if err != nil {
		t.Fatal(err)
	}
	if got := fewer.Hours[last].SLAShare; got >= cfg.SLAGoal || got != rep.Staffing[last].FewerSLAShare {
		t.Fatalf("last hour with one fewer: SLA %v, the search saw %v", got, rep.Staffing[last].FewerSLAShare)
	}
}

func hoursJSON(t *testing.T, rep simulate.Report) string {
	b, err := json.Marshal(rep.Hours)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStaffPoolsReplicationsDeterministically: with several replications
// (played in parallel) every candidate is played on each day, and the
// search's answer does not depend on how the goroutines ran.
func TestStaffPoolsReplicationsDeterministically(t *testing.T) {
	cfg := day(t, 2)
	cfg.Replications = 3
	a, err := simulate.Staff(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := simulate.Staff(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.WallS, b.WallS = 0, 0
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("two searches of one Config differ")
	}
	for h, s := range a.Staffing {
		if s.Simulations%3 != 0 || !s.Reached || s.SLAShare < cfg.SLAGoal || s.FewerSLAShare >= cfg.SLAGoal {
			t.Errorf("hour %d: %+v", h, s)
		}
	}
}
