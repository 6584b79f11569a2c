package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// With GOGC=100 the collector runs each time the heap doubles. A server with
// a small queue keeps a few MiB live, so at 1,000 connects/s it collected
// about three times a second, and on two cores each mark phase holds back
// the connects that overlap it (docs/BENCHMARKS.md). A heap floor lets the
// heap grow to floor bytes first: after each collection the GC percent is
// set so that the next goal is the larger of the floor and what GOGC alone
// would give. Above the floor nothing changes, and GOMEMLIMIT still wins.

// startHeapFloor keeps the heap goal at floor bytes or more until stop is
// called. With floor 0, or with GOGC=off, it does nothing.
func startHeapFloor(floor uint64) (stop func()) {
	gogc := debug.SetGCPercent(100)
	debug.SetGCPercent(gogc)
	if floor == 0 || gogc < 0 {
		return func() {}
	}
	h := &heapFloor{floor: floor, gogc: gogc}
	h.tune()
	h.arm()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.stopped = true
		debug.SetGCPercent(gogc)
	}
}

type heapFloor struct {
	floor   uint64
	gogc    int        // the process's own GOGC
	mu      sync.Mutex // so that no tune lands after stop gave GOGC back
	stopped bool
}

// arm runs tune after the next collection, and so after every one.
func (h *heapFloor) arm() {
	runtime.AddCleanup(new([32]byte), func(h *heapFloor) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.stopped {
			h.tune()
			h.arm()
		}
	}, h)
}

func (h *heapFloor) tune() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	live := s[0].Value.Uint64()
	debug.SetGCPercent(floorPercent(live, live+s[1].Value.Uint64()+s[2].Value.Uint64(), h.floor, h.gogc))
}

// floorPercent is the GC percent whose heap goal is at least floor, gogc
// itself once that reaches it. The runtime's goal is live + scan × percent /
// 100, where scan is the live heap, the stacks and the globals, and at least
// 4 MiB × percent / 100 (the runtime's heap minimum), so scan counts as 4 MiB
// at least.
func floorPercent(live, scan, floor uint64, gogc int) int {
	scan = max(scan, 4<<20)
	if live+scan*uint64(gogc)/100 >= floor {
		return gogc
	}
	return int((floor - live) * 100 / scan)
}
