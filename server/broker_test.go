package server

import (
	"testing"

	sb "github.com/switchboard/switchboard"
)

// TestBrokerBatches: every subscriber gets each commit's events as one
// batch, in order; one whose buffer is full is dropped, the others not.
func TestBrokerBatches(t *testing.T) {
	b := NewBroker()
	fast, slow := b.Subscribe(4), b.Subscribe(1)
	first := []sb.Event{{Seq: 1}, {Seq: 2}}
	second := []sb.Event{{Seq: 3}}
	b.Publish(first)
	b.Publish(nil) // a commit without events sends nothing
	b.Publish(second)
	for i, want := range [][]sb.Event{first, second} {
		if got := <-fast.C; len(got) != len(want) || got[0].Seq != want[0].Seq {
			t.Errorf("batch %d: %v, want %v", i, got, want)
		}
	}
	if got := <-slow.C; got[0].Seq != 1 {
		t.Errorf("slow subscriber's batch: %v", got)
	}
	if _, open := <-slow.C; open {
		t.Error("a subscriber with a full buffer was not dropped")
	}
	if n := b.Len(); n != 1 {
		t.Errorf("%d subscribers, want 1", n)
	}
	fast.Close()
	b.CloseAll()
}
