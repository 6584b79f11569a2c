package main

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestFloorPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		live, scan, floor uint64
		gogc, want        int
	}{
		{live: 8 * mib, scan: 8 * mib, floor: 256 * mib, gogc: 100, want: 3100},    // goal 8 + 8 × 31 = 256 MiB
		{live: 6 * mib, scan: 8 * mib, floor: 256 * mib, gogc: 100, want: 3125},    // stacks and globals 2 MiB
		{live: 0, scan: 0, floor: 256 * mib, gogc: 100, want: 6400},                // scan counted as 4 MiB, the heap minimum
		{live: 128 * mib, scan: 128 * mib, floor: 256 * mib, gogc: 100, want: 100}, // GOGC alone reaches the floor
		{live: 700 * mib, scan: 710 * mib, floor: 256 * mib, gogc: 100, want: 100},
		{live: 64 * mib, scan: 64 * mib, floor: 256 * mib, gogc: 50, want: 300},
		{live: 200 * mib, scan: 200 * mib, floor: 256 * mib, gogc: 200, want: 200},
	} {
		if got := floorPercent(tc.live, tc.scan, tc.floor, tc.gogc); got != tc.want {
			t.Errorf("floorPercent(%d, %d, %d MiB, %d) = %d, want %d", tc.live/mib, tc.scan/mib, tc.floor/mib, tc.gogc, got, tc.want)
		}
	}
}

// TestHeapFloor: with a floor the runtime's own heap goal rises to it after
// a collection, stays there as the live heap grows below it (the percent is
// set again after each collection), and falls back once the floor stops.
func TestHeapFloor(t *testing.T) {
	const floor = 96 << 20
	goal := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	near := func(g uint64) bool { return g >= floor*95/100 && g <= floor*5/4 }
	waitGoal := func(ok func(uint64) bool) uint64 {
		var g uint64
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			runtime.GC()
			if g = goal(); ok(g) {
				break
			}
		}
		return g
	}
	stop := startHeapFloor(floor)
	defer stop()
	if g := waitGoal(near); !near(g) {
		t.Fatalf("heap goal %d bytes with a floor of %d", g, floor)
	}
	live := make([]byte, 48<<20) // the GC percent that gave the floor before would now give many times more
	if g := waitGoal(near); !near(g) {
		t.Fatalf("heap goal %d bytes with %d live and a floor of %d", g, len(live), floor)
	}
	runtime.KeepAlive(live)
	stop()
	if g := waitGoal(func(g uint64) bool { return g < floor/2 }); g >= floor/2 {
		t.Errorf("heap goal %d bytes after the floor stopped", g)
	}
}
