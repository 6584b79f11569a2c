package storetest

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// testStats: sealed hours come back by hour within [from, to), a later save
// of an hour replaces it, and the fold state is kept only when its seq is
// above the saved one's.
func testStats(t *testing.T, s sb.Store) {
	ctx := context.Background()
	state, seq := must2(s.StatsState(ctx))(t)
	if state != nil || seq != 0 {
		t.Fatalf("StatsState of a fresh store: %q, %d; want nil, 0", state, seq)
	}
	h := func(n int) time.Time { return time.Date(2026, 3, 2, n, 0, 0, 0, time.UTC) }
	hours := []sb.StatsHour{{Hour: h(9), Data: []byte{1, 2}}, {Hour: h(10), Data: []byte{3}}, {Hour: h(12), Data: []byte{0, 4}}}
	if err := s.SaveStats(ctx, hours[:2], []byte("state 7"), 7); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveStats(ctx, []sb.StatsHour{{Hour: h(10), Data: []byte{5, 5}}, hours[2]}, []byte("state 5"), 5); err != nil {
		t.Fatal(err)
	}
	state, seq = must2(s.StatsState(ctx))(t)
	equal(t, "state after an older save", string(state), "state 7")
	equal(t, "seq after an older save", seq, int64(7))
	got := must(s.StatsHours(ctx, h(9), h(12)))(t)
	equal(t, "StatsHours(9, 12)", got, []sb.StatsHour{hours[0], {Hour: h(10), Data: []byte{5, 5}}})
	equal(t, "StatsHours(11, 13)", must(s.StatsHours(ctx, h(11), h(13)))(t), hours[2:])
	equal(t, "StatsHours(13, 14)", len(must(s.StatsHours(ctx, h(13), h(14)))(t)), 0)
	if err := s.SaveStats(ctx, nil, []byte("state 9"), 9); err != nil {
		t.Fatal(err)
	}
	state, seq = must2(s.StatsState(ctx))(t)
	equal(t, "state after a newer save", string(state), "state 9")
	equal(t, "seq after a newer save", seq, int64(9))
}

// must2 is must for two results.
func must2[A, B any](a A, b B, err error) func(*testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}
