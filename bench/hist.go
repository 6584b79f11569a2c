package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// hist is a log-linear histogram of durations in nanoseconds: 64 buckets
// per power of two (≤ 1.6 % error), safe for concurrent recording.
type hist struct {
	counts [histBuckets]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64
}

const (
	subBits     = 6
	histBuckets = (64 - subBits + 1) << subBits
)

func bucketOf(v int64) int {
	if v < 1<<subBits {
		return int(max(v, 0))
	}
	e := bits.Len64(uint64(v)) - subBits - 1
	return (e+1)<<subBits + int(uint64(v)>>e) - 1<<subBits
}

// bucketValue is the middle of bucket i.
func bucketValue(i int) int64 {
	if i < 1<<subBits {
		return int64(i)
	}
	e := i>>subBits - 1
	m := int64(i&(1<<subBits-1) + 1<<subBits)
	return m<<e + (int64(1)<<e)/2
}

func (h *hist) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

func (h *hist) count() uint64 { return h.n.Load() }

// quantile returns the q-quantile (0..1) in nanoseconds; 0 without samples.
func (h *hist) quantile(q float64) int64 {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(bucketValue(i), h.max.Load())
		}
	}
	return h.max.Load()
}

// ms returns the q-quantile in milliseconds, rounded to microseconds.
func (h *hist) ms(q float64) float64 { return nsToMs(h.quantile(q)) }

func (h *hist) maxMs() float64 { return nsToMs(h.max.Load()) }

func nsToMs(ns int64) float64 { return math.Round(float64(ns)/1e3) / 1e3 }
