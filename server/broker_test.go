package server

import (
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// TestBrokerBatches: every subscriber gets each commit's events as one
// batch, in order; one whose buffer is full is dropped, the others not.
func TestBrokerBatches(t *testing.T) {
	b := NewBroker(nil)
	fast, slow := b.Subscribe(4, nil), b.Subscribe(1, nil)
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

// TestBrokerFilter: a subscriber with a filter gets only the batches it
// wants, judged against the engine the broker's view gives; without a view
// the filter is not run and every batch goes through.
func TestBrokerFilter(t *testing.T) {
	eng := routing.New(time.Now())
	var seen *routing.Engine
	b := NewBroker(func(fn func(*routing.Engine)) { fn(eng) })
	odd := func(e *routing.Engine, evs []sb.Event) bool { seen = e; return evs[0].Seq%2 == 1 }
	all, some := b.Subscribe(4, nil), b.Subscribe(4, odd)
	for seq := int64(1); seq <= 3; seq++ {
		b.Publish([]sb.Event{{Seq: seq}})
	}
	if seen != eng {
		t.Error("the filter did not get the view's engine")
	}
	for _, want := range []int64{1, 3} {
		if got := <-some.C; got[0].Seq != want {
			t.Errorf("filtered subscriber got batch %d, want %d", got[0].Seq, want)
		}
	}
	if len(some.C) != 0 || len(all.C) != 3 {
		t.Errorf("filtered subscriber has %d more batches, unfiltered %d; want 0 and 3", len(some.C), len(all.C))
	}
	if n := b.Sent(); n != 5 {
		t.Errorf("Sent() = %d, want 5 (3 to one subscriber, 2 to the other)", n)
	}
	b.CloseAll()

	nb := NewBroker(nil)
	sub := nb.Subscribe(4, func(*routing.Engine, []sb.Event) bool { return false })
	nb.Publish([]sb.Event{{Seq: 1}})
	if len(sub.C) != 1 {
		t.Error("without a view a filtered subscriber missed a batch")
	}
	nb.CloseAll()
}
