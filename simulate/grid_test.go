package simulate_test

import (
	"flag"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

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
