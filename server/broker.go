package server

import (
	"sync"

	sb "github.com/switchboard/switchboard"
)

// Broker fans committed events out to live subscribers (the SSE streams).
// A subscriber that falls behind by more than its buffer is dropped, never
// waited for; it reconnects and resumes from the event log.
type Broker struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Subscription receives events that pass its filter.
type Subscription struct {
	C      chan sb.Event
	filter func(sb.Event) bool
	b      *Broker
	closed bool
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[*Subscription]struct{}{}} }

// Subscribe returns a subscription with a buffer of n events; a nil filter
// passes everything.
func (b *Broker) Subscribe(n int, filter func(sb.Event) bool) *Subscription {
	s := &Subscription{C: make(chan sb.Event, n), filter: filter, b: b}
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
		close(s.C)
	}
}

// Len returns the number of subscribers.
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Publish sends events to every subscriber whose filter passes them.
func (b *Broker) Publish(events []sb.Event) {
	if len(events) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		for _, ev := range events {
			if s.filter != nil && !s.filter(ev) {
				continue
			}
			select {
			case s.C <- ev:
			default:
				s.closeLocked() // too slow: dropped
			}
			if s.closed {
				break
			}
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
