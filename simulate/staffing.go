package simulate

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"time"
)

// StaffHour is one hour of a staffing search: the fewest operators that
// reach the SLA goal in the simulation, beside what the formulas ask for
// the same hour.
type StaffHour struct {
	Start time.Time `json:"start"`
	// RatePerH and HandleMeanS are the hour's expected arrivals and mean
	// handle time, as the formulas take them; MaxChats the operators' mean
	// general limit.
	RatePerH    float64 `json:"rate_per_h"`
	HandleMeanS float64 `json:"handle_mean_s"`
	MaxChats    float64 `json:"max_chats"`
	// Operators is the fewest on shift that reach the goal: SLAShare with
	// them, FewerSLAShare with one fewer (below the goal; -1 when
	// Operators is 0). Reached is false when even the search's ceiling did
	// not reach it.
	Operators     int            `json:"operators"`
	ByTeam        map[string]int `json:"by_team"`
	SLAShare      float64        `json:"sla_share"`
	FewerSLAShare float64        `json:"fewer_sla_share"`
	Reached       bool           `json:"reached"`
	Simulations   int            `json:"simulations"`
	// ErlangC is the operators Erlang C asks for when each operator counts
	// as MaxChats servers; ErlangCOneChat when each counts as one (the
	// call-center spreadsheet); ErlangA is ErlangC's with the patience
	// (0 without one).
	ErlangC        int `json:"erlang_c"`
	ErlangCOneChat int `json:"erlang_c_one_chat"`
	ErlangA        int `json:"erlang_a,omitempty"`
}

// Staff finds, hour by hour, the fewest operators on shift that reach the
// SLA goal, and reports the run with that staffing. Hours are searched in
// order: hour h starts from the state the chosen staffing of the earlier
// hours left (its queue, its busy operators), and each candidate count is
// played from that state to the hour's end plus the SLA target, when the
// SLA share of the hour's chats is settled. The count is split among the
// teams in proportion to their configured counts in that hour (equally
// when none is configured). Candidates start near the Erlang C estimate
// (see search); the answer n reached the goal and n−1 did not, as
// simulated (the same clients every time: common random numbers). With
// Replications r > 1 each candidate is played on r
// independent days (seeds Seed … Seed+r−1) and their SLA shares are
// pooled; the Report's hours are the first day's.
func Staff(cfg Config) (Report, error) { return StaffContext(context.Background(), cfg) }

// StaffContext is Staff that stops with ctx's error when ctx is done.
func StaffContext(ctx context.Context, cfg Config) (Report, error) {
	t0 := time.Now()
	c, err := cfg.Normalize()
	if err != nil {
		return Report{}, err
	}
	p := newPlan(&c)
	states := make([]*sim, max(1, c.Replications))
	for i := range states {
		day := c
		day.Seed = c.Seed + uint64(i)
		if states[i], err = newSim(ctx, &day, p.capacity()); err != nil {
			return Report{}, err
		}
		p.hourly(states[i])
	}
	var hours []StaffHour
	var prev *StaffHour
	for h := range p.hours {
		sh, next, err := p.search(states, h, prev)
		if err != nil {
			return Report{}, err
		}
		hours = append(hours, sh)
		states, prev = next, &sh
	}
	s := states[0]
	if err := s.runUntil(s.stopAt); err != nil {
		return Report{}, err
	}
	rep := s.report()
	rep.Staffing = hours
	rep.WallS = time.Since(t0).Seconds()
	return rep, nil
}

// plan is the search's view of the configuration: per hour, the expected
// load and the teams' shares.
type plan struct {
	cfg     *Config
	hours   int
	rate    []float64   // arrivals per second
	handle  []float64   // mean handle time
	weights [][]float64 // per hour, per team: share of the operators
	slots   []float64   // per hour: mean max_chats
	guess   []int       // per hour: the Erlang C estimate
}

func newPlan(c *Config) *plan {
	p := &plan{cfg: c, hours: int(math.Ceil(c.DurationS / 3600))}
	p.rate, p.handle = make([]float64, p.hours), make([]float64, p.hours)
	p.replayed()
	sod := float64(c.Start.Hour()*3600 + c.Start.Minute()*60 + c.Start.Second())
	for h := range p.hours {
		mid := math.Mod(sod+(float64(h)+0.5)*3600, 86400)
		p.streamsAt(h, mid)
		p.weights = append(p.weights, p.teamWeights(mid))
		var k float64
		for t, w := range p.weights[h] {
			k += w * float64(c.Teams[t].maxChats(c.Settings))
		}
		p.slots = append(p.slots, k)
		p.guess = append(p.guess, p.formula(h, false, true))
	}
	return p
}

// replayed counts the replayed clients into their hours: p.rate gets
// arrivals per second, p.handle the work they bring (seconds per second).
func (p *plan) replayed() {
	for _, a := range p.cfg.Replay {
		h := int(a.AtS / 3600)
		if h >= p.hours {
			break
		}
		hs := a.HandleS
		if hs == 0 {
			hs = p.handleMean(a.Topic)
		}
		p.rate[h] += 1.0 / 3600
		p.handle[h] += hs / 3600
	}
}

// streamsAt adds the streams' rates at hour h's middle (clock seconds mid)
// and turns the hour's work into its mean handle time.
func (p *plan) streamsAt(h int, mid float64) {
	work := p.handle[h]
	for _, s := range p.cfg.Arrivals {
		r := s.PerHour[int(mid/3600)%len(s.PerHour)] / 3600
		p.rate[h] += r
		work += r * p.handleMean(s.Topic)
	}
	p.handle[h] = ratio(work, p.rate[h])
}

func (p *plan) handleMean(topic string) float64 {
	if d, ok := p.cfg.HandleTimeByTopic[topic]; ok {
		return d.Mean()
	}
	return p.cfg.HandleTime.Mean()
}

// teamWeights are the teams' shares of the operators at a time of day:
// their configured counts (equal shares when none is configured).
func (p *plan) teamWeights(clock float64) []float64 {
	w := make([]float64, len(p.cfg.Teams))
	var sum float64
	for i := range p.cfg.Teams {
		w[i] = float64(countAt(&p.cfg.Teams[i], clock))
		sum += w[i]
	}
	for i := range w {
		if sum == 0 {
			w[i] = 1 / float64(len(w))
		} else {
			w[i] /= sum
		}
	}
	return w
}

// formula is the operators a formula asks for in hour h: Erlang A when
// withPatience and a patience is set, else Erlang C; each operator counts
// as its mean max_chats servers, or as one. The SLA share grows with the
// servers, so the fewest are found by bisection.
func (p *plan) formula(h int, withPatience, slots bool) int {
	rate, handle := p.rate[h], p.handle[h]
	if rate == 0 {
		return 0
	}
	patience := 0.0
	if withPatience {
		patience = p.cfg.Patience.Mean()
	}
	reaches := func(n int) bool {
		return ErlangA(n, rate, handle, patience, p.cfg.SLATargetS).SLA >= p.cfg.SLAGoal
	}
	lo, hi := 0, max(1, int(2*rate*handle)+1) // lo fails (no server), hi reaches
	for !reaches(hi) {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; reaches(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	per := 1.0
	if slots {
		per = max(p.slots[h], 1)
	}
	return int(math.Ceil(float64(hi)/per - 1e-9))
}

// ceiling is the most operators the search tries in an hour: three times
// the largest Erlang C estimate, and ten more.
func (p *plan) ceiling() int {
	top := 0
	for _, g := range p.guess {
		top = max(top, g)
	}
	return 3*top + 10
}

// capacity is how many operators each team gets in the engine: its
// largest share of the ceiling.
func (p *plan) capacity() []int {
	out := make([]int, len(p.cfg.Teams))
	for h := range p.hours {
		for i, n := range p.split(h, p.ceiling()) {
			out[i] = max(out[i], n)
		}
	}
	return out
}

// hourly replaces the teams' schedules by one breakpoint per hour, whose
// counts the search fills in.
func (p *plan) hourly(s *sim) {
	for _, t := range s.teams {
		t.changes = t.changes[:0]
		for h := range p.hours {
			t.changes = append(t.changes, change{at: int64(h) * hourNs})
		}
	}
}

// split divides n operators among the teams by hour h's weights.
func (p *plan) split(h, n int) []int { return largestRemainder(p.weights[h], n) }

func (p *plan) set(s *sim, h, n int) {
	for i, k := range p.split(h, n) {
		t := s.teams[i]
		t.changes[h].count = k
		if h+1 < len(t.changes) { // the hour's chats finish with its own staffing
			t.changes[h+1].count = k
		}
	}
}

// search finds hour h's count from the states at the start of the hour
// (one per replication) and returns the states at its end with that
// count. It plays one count at a time, from the start: the second count
// is where the formula's SLA curve, moved sideways to pass through the
// first measure, meets the goal; later ones follow the secant through the
// last two measures. Every step is guarded: while only one side of the answer
// is known it moves at least twice as far as the step before, once both
// are known it stays strictly between them and bisects when the secant
// leaves the interval or the interval is small. It stops when hi reached
// the goal and hi−1 did not.
func (p *plan) search(states []*sim, h int, prev *StaffHour) (StaffHour, []*sim, error) {
	e := &evaluator{p: p, states: states, h: h, sla: map[int]float64{}, ends: map[int][]*sim{}}
	b := bounds{lo: -1, hi: -1, ceiling: p.ceiling()}
	curve, goal := p.curve(h, prev), p.cfg.SLAGoal
	last := -1 // the count measured before n
	for n := min(max(p.start(h, prev), 0), b.ceiling); e.err == nil; {
		e.evaluate([]int{n})
		b.record(n, e.sla[n] >= goal)
		if b.done() {
			break
		}
		guess := curve.shift(n, e.sla[n], goal, b.ceiling)
		if last >= 0 {
			guess = secant(last, e.sla[last], n, e.sla[n], goal)
		}
		last, n = n, b.next(n, guess)
	}
	if e.err != nil {
		return StaffHour{}, nil, e.err
	}
	return e.result(b.lo, b.hi)
}

// secant is the count where the line through (n0, s0) and (n1, s1) meets
// the goal, rounded up; -1 when the line does not rise.
func secant(n0 int, s0 float64, n1 int, s1, goal float64) int {
	slope := (s1 - s0) / float64(n1-n0)
	if slope <= 0 || math.IsNaN(slope) {
		return -1
	}
	x := float64(n1) + (goal-s1)/slope
	return int(math.Ceil(math.Min(x, 1<<30) - 1e-9))
}

// start is where hour h's search begins: the Erlang C estimate, scaled by
// how far the simulation was from it in the hour before (the same center
// usually differs from the formula by a similar factor hour after hour).
func (p *plan) start(h int, prev *StaffHour) int {
	if prev == nil || !prev.Reached || prev.ErlangC == 0 {
		return p.guess[h]
	}
	return int(math.Round(float64(p.guess[h]) * float64(prev.Operators) / float64(prev.ErlangC)))
}

// slaCurve is the formula's SLA share as a function of the simulated
// operator count: Erlang A (Erlang C without patience) with each operator
// as max_chats servers, stretched by scale (the simulated count over the
// formula's in the hour before).
type slaCurve struct {
	p     *plan
	h     int
	scale float64
}

func (p *plan) curve(h int, prev *StaffHour) slaCurve {
	c := slaCurve{p: p, h: h, scale: 1}
	if prev != nil && prev.Reached && prev.ErlangC > 0 && prev.Operators > 0 {
		c.scale = float64(prev.Operators) / float64(prev.ErlangC)
	}
	return c
}

func (c slaCurve) at(n int) float64 {
	p := c.p
	servers := int(math.Round(float64(n) / c.scale * max(p.slots[c.h], 1)))
	return ErlangA(servers, p.rate[c.h], p.handle[c.h], p.cfg.Patience.Mean(), p.cfg.SLATargetS).SLA
}

// shift is where the formula's curve, moved sideways to pass through the
// measure sla at n, meets the goal: n plus the formula's distance from the
// count that gives sla to the count that gives the goal.
func (c slaCurve) shift(n int, sla, goal float64, ceiling int) int {
	if sla >= 1 {
		return n - 1 // no clue how far: the guard's steps decide
	}
	return n + c.first(-1, ceiling, goal) - c.first(-1, ceiling, sla)
}

// first is the smallest count in (lo, hi] whose formula SLA reaches want
// (hi when none below it does); the formula's SLA grows with the count.
func (c slaCurve) first(lo, hi int, want float64) int {
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; c.at(mid) >= want {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// bounds are what the search knows: lo, the largest count that failed
// (-1: none yet), hi, the smallest that reached the goal (-1: none yet).
type bounds struct {
	lo, hi, ceiling int
	step            int // the last one-sided step
}

func (b *bounds) record(n int, reached bool) {
	switch {
	case reached && (b.hi < 0 || n < b.hi):
		b.hi = n
	case !reached && n > b.lo:
		b.lo = n
	}
}

// done: hi reached the goal and hi−1 failed, 0 reached it, or the
// ceiling failed.
func (b *bounds) done() bool {
	return b.hi >= 0 && b.hi-b.lo <= 1 || b.hi == 0 || b.hi < 0 && b.lo >= b.ceiling
}

// next guards a guess made after measuring n: see search.
func (b *bounds) next(n, guess int) int {
	switch {
	case b.hi < 0: // only failures: up, at least twice the last step
		b.step = max(2*b.step, 1)
		return min(max(guess, n+b.step), b.ceiling)
	case b.lo < 0: // only successes: down, likewise
		b.step = max(2*b.step, 1)
		return max(min(guess, n-b.step), 0)
	case b.hi-b.lo <= 4 || guess <= b.lo || guess >= b.hi:
		return (b.lo + b.hi) / 2
	}
	return guess
}

// evaluator plays candidate counts for one hour from the replications'
// states at its start.
type evaluator struct {
	p      *plan
	states []*sim
	h      int
	sla    map[int]float64 // pooled over the replications
	ends   map[int][]*sim  // the states at the hour's end, per count
	err    error
}

// evaluate plays hour h with each count of ns in every replication, in
// parallel, to the hour's end (kept, to go on from) and on to the end plus
// the SLA target, when every chat of the hour has been connected, has left
// or has waited past the target; it keeps the SLA share pooled over the
// replications. An error is kept in e.err.
func (e *evaluator) evaluate(ns []int) {
	r := len(e.states)
	ends := make([]*sim, len(ns)*r)
	tallies := make([]tally, len(ns)*r)
	errs := make([]error, len(ns)*r)
	var wg sync.WaitGroup
	workers := e.p.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, workers)
	for k, n := range ns {
		for i, s := range e.states {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				ends[k*r+i], tallies[k*r+i], errs[k*r+i] = e.play(s, n)
			})
		}
	}
	wg.Wait()
	if e.err = errors.Join(errs...); e.err != nil {
		return
	}
	for k, n := range ns {
		var within, den int
		for _, t := range tallies[k*r : (k+1)*r] {
			within += t.within
			den += t.chats - t.abandonedWithin - t.timedOutWithin
		}
		e.sla[n] = 1
		if den > 0 {
			e.sla[n] = float64(within) / float64(den)
		}
		e.ends[n] = ends[k*r : (k+1)*r]
	}
}

// play runs one replication's hour with n operators.
func (e *evaluator) play(s *sim, n int) (*sim, tally, error) {
	c, err := s.clone()
	if err != nil {
		return nil, tally{}, err
	}
	e.p.set(c, e.h, n)
	end := int64(e.h+1) * hourNs
	if err := c.runUntil(end); err != nil {
		return nil, tally{}, err
	}
	at, err := c.clone()
	if err != nil {
		return nil, tally{}, err
	}
	if err := c.runUntil(end + nsOf(e.p.cfg.SLATargetS)); err != nil {
		return nil, tally{}, err
	}
	return at, c.st.hours[e.h], nil
}

func (e *evaluator) result(lo, hi int) (StaffHour, []*sim, error) {
	p, h := e.p, e.h
	sh := StaffHour{
		Start:    p.cfg.Start.Add(time.Duration(h) * time.Hour),
		RatePerH: p.rate[h] * 3600, HandleMeanS: p.handle[h], MaxChats: p.slots[h],
		Reached: hi >= 0, Simulations: len(e.sla) * len(e.states), FewerSLAShare: -1,
		ErlangC: p.guess[h], ErlangCOneChat: p.formula(h, false, false),
	}
	if !p.cfg.Patience.IsZero() {
		sh.ErlangA = p.formula(h, true, true)
	}
	n := hi
	if hi < 0 { // not even the ceiling reached the goal: go on with it
		n = lo
	}
	sh.Operators, sh.SLAShare = n, e.sla[n]
	if v, ok := e.sla[n-1]; ok {
		sh.FewerSLAShare = v
	}
	sh.ByTeam = map[string]int{}
	for i, k := range p.split(h, n) {
		sh.ByTeam[p.cfg.Teams[i].Name] = k
	}
	next := e.ends[n]
	for _, s := range next {
		p.set(s, h, n)
	}
	return sh, next, nil
}
