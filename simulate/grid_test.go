package simulate_test

import (
	"flag"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/simulate"
)

var (
	gridChats = flag.Float64("simulate.grid", 0, "TestTheoryGrid: chats per run at ρ = 0.5, scaled up with the load (0: skip the test)")
	gridSeeds = flag.Int("simulate.seeds", 1, "TestTheoryGrid: runs (seeds 1…) per grid point")
)

// TestTheoryGrid prints the table of docs/SIMULATION.md: every (n, ρ) of
// the grid, simulated with one chat per operator and no abandonment,
// beside Erlang C. It runs only with -simulate.grid (the full table takes
// minutes):
//
//	go test ./simulate -run TestTheoryGrid -v -simulate.grid 200000 -timeout 2h
func TestTheoryGrid(t *testing.T) {
	if *gridChats == 0 {
		t.Skip("run with -simulate.grid CHATS to print the theory table")
	}
	ns := []int{1, 2, 5, 10, 20, 50}
	rhos := []float64{0.5, 0.7, 0.8, 0.9, 0.95}
	rows := make([]string, len(ns)*len(rhos))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, n := range ns {
		for j, rho := range rhos {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				rows[i*len(rhos)+j] = gridRow(t, n, rho)
			})
		}
	}
	wg.Wait()
	fmt.Println("| n | ρ | chats per run | runs | P(wait) Erlang C | simulated | diff pp | SLA Erlang C | simulated | diff pp |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Println(strings.Join(rows, "\n"))
}

// gridChatsFor scales the run with 1/(1−ρ)²: the queue's relaxation time
// grows that way, and so does the variance of a run's shares.
func gridChatsFor(rho float64) float64 {
	return *gridChats * math.Min(0.25/((1-rho)*(1-rho)), 100)
}

func gridRow(t *testing.T, n int, rho float64) string {
	chats := gridChatsFor(rho)
	f := simulate.ErlangC(n, rho*float64(n)/handleS, handleS, targetS)
	var w, s []float64
	for seed := 1; seed <= *gridSeeds; seed++ {
		rep, err := simulate.Run(queue(n, rho, chats, 0, uint64(seed)))
		if err != nil {
			t.Error(err)
			return ""
		}
		w, s = append(w, rep.WaitedShare), append(s, rep.SLAShare)
	}
	mw, ms := mean(w), mean(s)
	return fmt.Sprintf("| %d | %.2f | %.0f | %d | %.4f | %.4f | %+.2f%s | %.4f | %.4f | %+.2f%s |", n, rho, chats, len(w),
		f.Waited, mw, 100*(mw-f.Waited), spread(w), f.SLA, ms, 100*(ms-f.SLA), spread(s))
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// spread is the runs' standard deviation in pp, when there are several.
func spread(v []float64) string {
	if len(v) < 2 {
		return ""
	}
	m := mean(v)
	var s2 float64
	for _, x := range v {
		s2 += (x - m) * (x - m)
	}
	return fmt.Sprintf(" (sd %.2f)", 100*math.Sqrt(s2/float64(len(v)-1)))
}

var gaps = flag.Bool("simulate.gaps", false, "TestFormulaGaps: print where the formulas are wrong for chats")

// TestFormulaGaps prints the second table of docs/SIMULATION.md: for one
// steady load (600 chats an hour, 300 s handle time, 80 % within 20 s),
// the operators the staffing search finds against the formulas, and the
// SLA the simulation gets when staffed as Erlang C says:
//
//	go test ./simulate -run TestFormulaGaps -v -simulate.gaps
func TestFormulaGaps(t *testing.T) {
	if !*gaps {
		t.Skip("run with -simulate.gaps")
	}
	fmt.Println("| center | simulated operators | Erlang C | Erlang C, measured handle time | Erlang A | Erlang C, 1 chat each | SLA when staffed as Erlang C | measured handle s |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, g := range gapScenarios() {
		fmt.Println(gapRow(t, g.name, g.cfg))
	}
}

type gapScenario struct {
	name string
	cfg  simulate.Config
}

func gapScenarios() []gapScenario {
	base := func(maxChats int) simulate.Config {
		return simulate.Config{DurationS: 4 * 3600, Seed: 1, Replications: 4,
			Teams:      []simulate.Team{{Name: "ops", MaxChats: maxChats, PerHour: []int{1}}},
			Arrivals:   []simulate.Stream{{Channel: "widget", PerHour: []float64{600}}},
			HandleTime: simulate.Dist{Kind: simulate.DistExponential, MeanS: 300},
		}
	}
	with := func(c simulate.Config, f func(*simulate.Config)) simulate.Config { f(&c); return c }
	set := sb.DefaultSettings()
	set.AcceptTimeoutS = 30
	return []gapScenario{
		{"1 chat each", base(1)},
		{"3 chats each", base(3)},
		{"3 chats each, +20 % handle time per other chat held", with(base(3), func(c *simulate.Config) { c.ConcurrencySlowdown = 0.2 })},
		{"3 chats each, lognormal handle time (cv 2)", with(base(3), func(c *simulate.Config) {
			c.HandleTime = simulate.Dist{Kind: simulate.DistLogNormal, MeanS: 300, CV: 2}
		})},
		{"3 chats each, patience 120 s", with(base(3), func(c *simulate.Config) {
			c.Patience = simulate.Dist{Kind: simulate.DistExponential, MeanS: 120}
		})},
		{"3 chats each, 60 % on telegram, 1 telegram chat each", with(base(3), func(c *simulate.Config) {
			c.Arrivals = []simulate.Stream{{Channel: "telegram", PerHour: []float64{360}}, {Channel: "widget", PerHour: []float64{240}}}
			c.Teams[0].ChannelLimits = map[string]int{"telegram": 1}
		})},
		{"3 chats each, two topics, a team for each", with(base(3), func(c *simulate.Config) {
			c.Arrivals = []simulate.Stream{{Topic: "billing", PerHour: []float64{300}}, {Topic: "tech", PerHour: []float64{300}}}
			c.Teams = []simulate.Team{
				{Name: "billing", MaxChats: 3, Topics: []string{"billing"}, PerHour: []int{1}},
				{Name: "tech", MaxChats: 3, Topics: []string{"tech"}, PerHour: []int{1}},
			}
		})},
		{"3 chats each, 15 min break every 2 h, 5 % missed accepts (30 s)", with(base(3), func(c *simulate.Config) {
			c.Teams[0].Break = simulate.Break{EveryS: 7200, LengthS: 900}
			c.Settings, c.MissedAccepts = &set, 0.05
		})},
	}
}

// gapRow searches the staffing, then plays the day staffed as Erlang C
// says. The figures are the means of the last three hours (the first
// starts from an empty center).
func gapRow(t *testing.T, name string, cfg simulate.Config) string {
	rep, err := simulate.Staff(cfg)
	if err != nil {
		t.Fatal(err)
	}
	last := rep.Staffing[1:]
	avg := func(f func(simulate.StaffHour) float64) float64 {
		var s float64
		for _, h := range last {
			s += f(h)
		}
		return s / float64(len(last))
	}
	ec := int(math.Round(avg(func(h simulate.StaffHour) float64 { return float64(h.ErlangC) })))
	asC := cfg
	asC.Teams = append([]simulate.Team(nil), cfg.Teams...)
	simulate.ScaleTeams(asC.Teams, ec)
	played, err := simulate.Run(asC)
	if err != nil {
		t.Fatal(err)
	}
	var sla float64
	for _, h := range played.Hours[1:] {
		sla += h.SLAShare / float64(len(played.Hours)-1)
	}
	measured := rep.HandleMeanS
	k := avg(func(h simulate.StaffHour) float64 { return h.MaxChats })
	rate := avg(func(h simulate.StaffHour) float64 { return h.RatePerH }) / 3600
	ecMeasured := erlangCOperators(rate, measured, k, 0.8, 20)
	ea := "-"
	if !cfg.Patience.IsZero() {
		ea = fmt.Sprintf("%.1f", avg(func(h simulate.StaffHour) float64 { return float64(h.ErlangA) }))
	}
	return fmt.Sprintf("| %s | %.1f | %d | %d | %s | %.0f | %.1f %% | %.0f |", name,
		avg(func(h simulate.StaffHour) float64 { return float64(h.Operators) }), ec, ecMeasured, ea,
		avg(func(h simulate.StaffHour) float64 { return float64(h.ErlangCOneChat) }), 100*sla, measured)
}

// erlangCOperators is the fewest operators of k chats each that Erlang C
// says reach the goal.
func erlangCOperators(rate, handle, k, goal, target float64) int {
	for m := 1; ; m++ {
		if simulate.ErlangC(m, rate, handle, target).SLA >= goal {
			return int(math.Ceil(float64(m)/k - 1e-9))
		}
	}
}

var erlangATable = flag.Bool("simulate.erlanga", false, "TestErlangATable: print the Erlang A table")

// TestErlangATable prints the Erlang A table of docs/SIMULATION.md: one
// chat per operator, exponential patience, 4 runs of 200,000 chats each:
//
//	go test ./simulate -run TestErlangATable -v -simulate.erlanga
func TestErlangATable(t *testing.T) {
	if !*erlangATable {
		t.Skip("run with -simulate.erlanga")
	}
	fmt.Println("| n | ρ | patience s | P(wait) Erlang A | simulated | abandoned Erlang A | simulated | SLA Erlang A | simulated |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, g := range []struct {
		n              int
		rho, patienceS float64
	}{{1, 0.9, 60}, {5, 1.0, 120}, {10, 1.2, 120}, {30, 0.95, 300}, {50, 1.1, 180}} {
		f := simulate.ErlangA(g.n, g.rho*float64(g.n)/handleS, handleS, g.patienceS, targetS)
		var w, a, s []float64
		for seed := uint64(1); seed <= 4; seed++ {
			rep, err := simulate.Run(queue(g.n, g.rho, 200000, g.patienceS, seed))
			if err != nil {
				t.Fatal(err)
			}
			w, a, s = append(w, rep.WaitedShare), append(a, rep.AbandonShare), append(s, rep.SLAShare)
		}
		fmt.Printf("| %d | %.2f | %.0f | %.4f | %.4f%s | %.4f | %.4f%s | %.4f | %.4f%s |\n", g.n, g.rho, g.patienceS,
			f.Waited, mean(w), spread(w), f.Abandoned, mean(a), spread(a), f.SLA, mean(s), spread(s))
	}
}
