package server

import (
	"sync"

	sb "github.com/switchboard/switchboard"
)

// Broker fans committed events out to live subscribers (the SSE streams).
// Each commit's events go to every subscriber as one shared batch: a
// publish costs one channel send per subscriber however many events the
// commit made, and each subscriber filters and writes in its own goroutine
// (the JSON was encoded once, by the writer). A subscriber whose buffer is
// full is dropped, never waited for; it reconnects and resumes from the
// event log.
type Broker struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Subscription receives every commit's events as one batch, in commit
// order. A batch is shared by all subscribers: read it, never change it.
type Subscription struct {
	C      <-chan []sb.Event
	c      chan []sb.Event
	b      *Broker
	closed bool
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[*Subscription]struct{}{}} }

// Subscribe returns a subscription with a buffer of n batches.
func (b *Broker) Subscribe(n int) *Subscription {
	c := make(chan []sb.Event, n)
	s := &Subscription{C: c, c: c, b: b}
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

// Len returns the number of subscribers.
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Publish sends one commit's events to every subscriber.
func (b *Broker) Publish(events []sb.Event) {
	if len(events) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- events:
		default:
			s.closeLocked() // too slow: dropped
		}
	}
}

// CloseAll ends every subscription (at shutdown, so streams finish).
func (b *Broker) CloseAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.closeLocked()
	}
}
