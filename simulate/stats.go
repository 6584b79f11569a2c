package simulate

import "slices"

// tally counts one hour's chats (by arrival) and load (by time).
type tally struct {
	chats, connected, within, waited   int
	abandoned, abandonedWithin         int
	timedOut, timedOutWithin, unfinish int
	leftAfterMiss, limit, missed       int
	handled                            int
	handleSum, waitSum                 float64
	waits                              []float64
	staffedS, slotsS, busyS            float64 // operator-seconds
	hasLoad                            bool
}

// stats is the tally of every hour and of the whole run after the warm-up.
type stats struct {
	targetS float64
	hours   []tally
	total   tally
}

func newStats(c *Config, hours int) *stats {
	return &stats{targetS: c.SLATargetS, hours: make([]tally, hours)}
}

// each applies f to hour b's tally and the total; b < 0 (the warm-up) is
// not counted.
func (st *stats) each(b int, f func(t *tally)) {
	if b >= 0 {
		f(&st.hours[b])
		f(&st.total)
	}
}

func (st *stats) arrived(b int) { st.each(b, func(t *tally) { t.chats++ }) }
func (st *stats) limit(b int)   { st.each(b, func(t *tally) { t.limit++ }) }

func (st *stats) missedAccept(b int)  { st.each(b, func(t *tally) { t.missed++ }) }
func (st *stats) leftAfterMiss(b int) { st.each(b, func(t *tally) { t.leftAfterMiss++ }) }

func (st *stats) connected(b int, waitS float64) {
	st.each(b, func(t *tally) {
		t.connected++
		t.waits = append(t.waits, waitS)
		t.waitSum += waitS
		if waitS > 0 {
			t.waited++
		}
		if waitS <= st.targetS {
			t.within++
		}
	})
}

func (st *stats) abandoned(b int, waitedS float64) {
	st.each(b, func(t *tally) {
		t.abandoned++
		t.waited++
		if waitedS <= st.targetS {
			t.abandonedWithin++
		}
	})
}

func (st *stats) timedOut(b int, waitedS float64) {
	st.each(b, func(t *tally) {
		t.timedOut++
		t.waited++
		if waitedS <= st.targetS {
			t.timedOutWithin++
		}
	})
}

func (st *stats) unfinished(b int) {
	st.each(b, func(t *tally) {
		t.unfinish++
		t.waited++
	})
}

func (st *stats) handled(b int, handleS float64) {
	st.each(b, func(t *tally) {
		t.handled++
		t.handleSum += handleS
	})
}

// addLoad adds the load l held over [from, to) to the hours it covers,
// and to the total past the warm-up; time after end is the drain, not
// counted.
func (st *stats) addLoad(from, to, end, warmup int64, l *load) {
	for from < to && from < end {
		h := from / hourNs
		seg := min(to, (h+1)*hourNs, end)
		st.hours[h].addLoad(secOf(seg-from), l)
		if seg > warmup {
			st.total.addLoad(secOf(seg-max(from, warmup)), l)
		}
		from = seg
	}
}

func (t *tally) addLoad(dt float64, l *load) {
	t.hasLoad = true
	t.staffedS += dt * float64(l.staffed)
	t.slotsS += dt * float64(l.slots) / float64(l.scale)
	t.busyS += dt * float64(l.busy)
}

// sla is the share of chats connected within the target among those
// connected or lost (abandoned, timed out, unfinished) after it; chats
// that left within the target count on neither side.
func (t *tally) sla() float64 {
	den := t.chats - t.abandonedWithin - t.timedOutWithin
	if den <= 0 {
		return 1
	}
	return float64(t.within) / float64(den)
}

// pct is the p-th percentile (nearest rank below, as GET /api/v1/stats
// computes it) of the sorted values v.
func pct(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[(len(v)-1)*p/100]
}

func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// bucket turns a tally into the report's figures.
func (t *tally) bucket() Bucket {
	slices.Sort(t.waits)
	return Bucket{
		Chats: t.chats, Served: t.connected, Abandoned: t.abandoned, TimedOut: t.timedOut,
		Unfinished: t.unfinish, Limit: t.limit, MissedAccepts: t.missed, LeftAfterMiss: t.leftAfterMiss,
		SLAShare: t.sla(), WaitedShare: share(t.waited, t.chats), AbandonShare: share(t.abandoned, t.chats),
		WaitMeanS: ratio(t.waitSum, float64(t.connected)),
		WaitP50S:  pct(t.waits, 50), WaitP90S: pct(t.waits, 90), WaitP99S: pct(t.waits, 99),
		HandleMeanS: ratio(t.handleSum, float64(t.handled)),
		Occupancy:   ratio(t.slotsS, t.staffedS), BusyShare: ratio(t.busyS, t.staffedS),
		Operators: t.staffedS,
	}
}
