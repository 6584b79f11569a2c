package stats

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// Hist is a distribution of durations: how many fell in each whole second,
// rounded up (a wait of 0.3 s counts in second 1, one of exactly 20 s in
// second 20), and their exact sum. Rounding up makes "within t seconds"
// exact for every whole t, which the service level needs whatever target is
// set later; percentiles are whole seconds.
type Hist struct {
	Bins  []Bin
	N     int64 // the count, the sum of the bins'
	SumUs int64 // the exact sum, in microseconds
}

// Bin is one second of a Hist: the durations in (S-1, S] seconds.
type Bin struct {
	S uint32
	N uint32
}

// ceilSeconds is d in whole seconds, rounded up; negative durations count
// as 0.
func ceilSeconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	s := (d + time.Second - 1) / time.Second
	return uint32(min(s, 1<<32-1))
}

// Add counts one duration.
func (h *Hist) Add(d time.Duration) {
	d = max(d, 0)
	h.add(ceilSeconds(d), 1)
	h.N++
	h.SumUs += d.Microseconds()
}

// add counts n in second s, keeping the bins in order.
func (h *Hist) add(s uint32, n uint32) {
	i, found := slices.BinarySearchFunc(h.Bins, s, func(b Bin, s uint32) int { return cmp.Compare(b.S, s) })
	if found {
		h.Bins[i].N += n
		return
	}
	h.Bins = slices.Insert(h.Bins, i, Bin{S: s, N: n})
}

// dist accumulates many Hists for a report: counts by second in a slice
// below denseMax seconds (most durations), in a map above.
type dist struct {
	dense  []int64
	sparse map[uint32]int64
	n      int64
	sumUs  int64
}

const denseMax = 4096

func (d *dist) merge(h *Hist) {
	if h.N == 0 {
		return
	}
	for _, b := range h.Bins {
		if b.S >= denseMax {
			if d.sparse == nil {
				d.sparse = map[uint32]int64{}
			}
			d.sparse[b.S] += int64(b.N)
			continue
		}
		if int(b.S) >= len(d.dense) {
			d.dense = slices.Grow(d.dense, max(64, 2*int(b.S))-len(d.dense))
			d.dense = d.dense[:cap(d.dense)]
		}
		d.dense[b.S] += int64(b.N)
	}
	d.n += h.N
	d.sumUs += h.SumUs
}

// each calls fn for every second with durations, in order.
func (d *dist) each(fn func(s uint32, n int64) bool) {
	for s, n := range d.dense {
		if n > 0 && !fn(uint32(s), n) {
			return
		}
	}
	for _, s := range slices.Sorted(maps.Keys(d.sparse)) {
		if !fn(s, d.sparse[s]) {
			return
		}
	}
}

// summary is a dist's figures in seconds; nil where there is no duration.
type summary struct {
	avg, max *float64
	p        map[int]*float64
}

// summarize returns the mean, the maximum and the percentiles ps (nearest
// rank: the smallest whole second at or under which at least p % of the
// durations fall).
func (d *dist) summarize(ps ...int) summary {
	out := summary{p: map[int]*float64{}}
	if d.n == 0 {
		return out
	}
	out.avg = ptr(float64(d.sumUs) / float64(d.n) / 1e6)
	var seen int64
	d.each(func(s uint32, n int64) bool {
		seen += n
		for _, p := range ps {
			rank := max((int64(p)*d.n+99)/100, 1) // ceil(p·n/100), at least 1
			if out.p[p] == nil && seen >= rank {
				out.p[p] = ptr(float64(s))
			}
		}
		out.max = ptr(float64(s))
		return true
	})
	return out
}

func ptr[T any](v T) *T { return &v }
