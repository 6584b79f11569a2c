package simulate_test

import (
	"math"
	"testing"

	"github.com/switchboard/switchboard/simulate"
)

// TestErlangCKnownValues checks the formula against values worked by hand:
// 2 Erlangs on 3 servers wait with probability 4/9; 1 Erlang on 1 server
// is saturated.
func TestErlangCKnownValues(t *testing.T) {
	f := simulate.ErlangC(3, 2.0/100, 100, 0)
	if math.Abs(f.Waited-4.0/9) > 1e-12 {
		t.Errorf("C(3, 2 Erl) = %v, want 4/9", f.Waited)
	}
	// P(W ≤ t) = 1 − C·e^{−(n−a)t/h}: with t = h/(n−a) the queue term is C/e.
	f = simulate.ErlangC(3, 2.0/100, 100, 100)
	if want := 1 - (4.0/9)/math.E; math.Abs(f.SLA-want) > 1e-12 {
		t.Errorf("SLA = %v, want %v", f.SLA, want)
	}
	if f := simulate.ErlangC(1, 1.0/60, 60, 20); f.Waited != 1 || f.SLA != 0 {
		t.Errorf("saturated queue: %+v, want everyone waiting and SLA 0", f)
	}
}

// TestErlangAWithoutPatienceIsErlangC: clients of endless patience make
// Palm's queue Erlang's.
func TestErlangAWithoutPatienceIsErlangC(t *testing.T) {
	for _, n := range []int{1, 5, 20} {
		rate := 0.9 * float64(n) / 180
		c := simulate.ErlangC(n, rate, 180, 20)
		a := simulate.ErlangA(n, rate, 180, 1e9, 20)
		if math.Abs(a.Waited-c.Waited) > 1e-4 || math.Abs(a.SLA-c.SLA) > 1e-4 || a.Abandoned > 1e-4 {
			t.Errorf("n=%d: Erlang A %+v, Erlang C %+v", n, a, c)
		}
	}
}

// TestErlangAOverloadIsStable: with patience, a load above the servers
// settles, and the clients who leave take the excess: served work equals
// the servers' busy time, so abandon share ≥ 1 − n/a.
func TestErlangAOverloadIsStable(t *testing.T) {
	f := simulate.ErlangA(10, 15.0/180, 180, 120, 20)
	if f.Abandoned < 1-10.0/15 || f.Abandoned >= 1 || f.SLA <= 0 || f.SLA >= 1 {
		t.Errorf("150 %% load: %+v", f)
	}
}
