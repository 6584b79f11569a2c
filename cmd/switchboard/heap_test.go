package main

import (
	"context"
	"net"
	"net/http"
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

// TestServeHeapFloor: the serve command keeps the heap floor while it runs
// (the GC percent rises above GOGC's 100 with this test's small heap) and
// gives GOGC back when it ends; --heap-floor 0 leaves GOGC alone.
func TestServeHeapFloor(t *testing.T) {
	for _, tc := range []struct {
		floor  string
		raised bool
	}{{"256", true}, {"0", false}} {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port, so that the test can wait for /readyz
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int)
		go func() {
			done <- serve(ctx, []string{"--addr", addr, "--data", t.TempDir(), "--heap-floor", tc.floor},
				func(string) string { return "" }, quietLog())
		}()
		ready := false
		for deadline := time.Now().Add(10 * time.Second); !ready && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				ready = resp.StatusCode == 200
			}
		}
		if !ready {
			cancel()
			t.Fatalf("--heap-floor %s: the server was not ready (serve returned %d)", tc.floor, <-done)
		}
		if got := gcPercent(); (got > 100) != tc.raised {
			t.Errorf("--heap-floor %s: GC percent %d while serving", tc.floor, got)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("--heap-floor %s: serve returned %d", tc.floor, code)
		}
		if got := gcPercent(); got != 100 {
			t.Errorf("--heap-floor %s: GC percent %d after serve returned, want 100", tc.floor, got)
		}
	}
}

// TestBenchServerHeapFloor: the in-process server of switchboard bench keeps
// the heap floor as serve does, and gives GOGC back when it stops.
func TestBenchServerHeapFloor(t *testing.T) {
	_, stop, err := startBenchServer(t.Context(), t.TempDir(), sbAdminSecret, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if got := gcPercent(); got <= 100 {
		t.Errorf("GC percent %d while the in-process server runs", got)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
	if got := gcPercent(); got != 100 {
		t.Errorf("GC percent %d after it stopped, want 100", got)
	}
}

// gcPercent is the runtime's current GC percent.
func gcPercent() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
