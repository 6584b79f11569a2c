package server

import (
	"sync"
	"sync/atomic"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Broker fans committed events out to live subscribers (the SSE streams).
// Each commit's events go to every subscriber that wants them as one shared
// batch: a publish costs one channel send per such subscriber however many
// events the commit made, and each subscriber filters and writes in its own
// goroutine (the JSON was encoded once, by the writer). A subscriber whose
// buffer is full is dropped, never waited for; it reconnects and resumes
// from the event log.
type Broker struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
	view func(func(*routing.Engine)) // read access to the engine, for filters
	sent atomic.Int64                // batches sent, one per subscriber per commit it got
}

// Filter reports whether a subscriber wants a commit's batch. It runs in
// Publish, with the engine after that commit read-locked, so it must be
// quick and must not block.
type Filter func(e *routing.Engine, events []sb.Event) bool

// Subscription receives every commit's events as one batch, in commit
// order, or, with a filter, the batches the filter wants. A batch is shared
// by all subscribers: read it, never change it.
type Subscription struct {
	C      <-chan []sb.Event
	c      chan []sb.Event
	b      *Broker
	want   Filter
	closed bool
	quiet  bool // the server's own (the statistics): not an event stream
}

// NewBroker returns an empty broker; view gives filters the engine. Without
// it (nil) filters are not run and every batch goes to every subscriber.
func NewBroker(view func(func(*routing.Engine))) *Broker {
	return &Broker{subs: map[*Subscription]struct{}{}, view: view}
}

// Subscribe returns a subscription with a buffer of n batches. With a
// filter, only the batches it wants are sent: a panel that shows none of a
// commit's events is not woken for it.
func (b *Broker) Subscribe(n int, want Filter) *Subscription {
	c := make(chan []sb.Event, n)
	s := &Subscription{C: c, c: c, b: b, want: want}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Close ends the subscription; C is closed.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	if !s.closed {
		s.closed = true
		delete(s.b.subs, s)
		close(s.c)
	}
}

// subscribeQuiet is Subscribe for the server's own use: Len and Sent,
// which count the event streams, leave it out.
func (b *Broker) subscribeQuiet(n int) *Subscription {
	s := b.Subscribe(n, nil)
	b.mu.Lock()
	s.quiet = true
	b.mu.Unlock()
	return s
}

// Len returns the number of subscribers (event streams).
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for s := range b.subs {
		if !s.quiet {
			n++
		}
	}
	return n
}

// Publish sends one commit's events to every subscriber that wants them.
func (b *Broker) Publish(events []sb.Event) {
	if len(events) == 0 {
		return
	}
	if b.view == nil {
		b.publish(nil, events)
		return
	}
	b.view(func(e *routing.Engine) { b.publish(e, events) })
}

func (b *Broker) publish(e *routing.Engine, events []sb.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.want != nil && e != nil && !s.want(e, events) {
			continue
		}
		select {
		case s.c <- events:
			if !s.quiet {
				b.sent.Add(1)
			}
		default:
			s.closeLocked() // too slow: dropped
		}
	}
}

// Sent returns the number of batches sent to subscribers so far: one per
// subscriber woken for a commit.
func (b *Broker) Sent() int64 { return b.sent.Load() }

// CloseAll ends every subscription (at shutdown, so streams finish).
func (b *Broker) CloseAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.closeLocked()
	}
}
