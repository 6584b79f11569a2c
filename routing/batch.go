package routing

import (
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Batcher builds one store batch from the engine's output, command by
// command: what a group commit writes. The server's writer, the load
// tool's fill and the store conformance suite all use it.
type Batcher struct {
	b sb.Batch
}

// Apply applies cmd to e at now and adds its output to the batch; the
// result is the command's. A command that fails adds what the timers it
// fired first did.
func (bt *Batcher) Apply(e *Engine, now time.Time, cmd Command) (Result, error) {
	res, events, err := e.ApplyAppend(now, cmd, bt.b.Events)
	bt.b.Events = events
	bt.add(&res)
	return res, err
}

// add adds a result's changes; its events are in the batch already.
func (bt *Batcher) add(r *Result) {
	b, c := &bt.b, &r.Changes
	b.Chats = append(b.Chats, c.Chats...)
	for _, id := range c.DeletedOperators { // a delete supersedes earlier writes
		b.Operators = slices.DeleteFunc(b.Operators, func(o sb.Operator) bool { return o.ID == id })
	}
	for _, o := range c.Operators { // a (re)creation supersedes an earlier delete
		b.DeletedOperators = slices.DeleteFunc(b.DeletedOperators, func(id string) bool { return id == o.ID })
	}
	b.Operators = append(b.Operators, c.Operators...)
	b.DeletedOperators = append(b.DeletedOperators, c.DeletedOperators...)
	b.Messages = append(b.Messages, c.Messages...)
	b.Decisions = append(b.Decisions, r.Decisions...)
	if c.Config {
		b.Config = &sb.Config{} // Done fills it once
	}
}

// Batch returns the batch being built, for the caller's own additions
// (deliveries, tokens, passwords, webhooks, the command log).
func (bt *Batcher) Batch() *sb.Batch { return &bt.b }

// Done sets the engine's counters and clock, and its configuration when a
// command changed it, and returns the batch.
func (bt *Batcher) Done(e *Engine) *sb.Batch {
	b := &bt.b
	b.Counters, b.Now = e.Counters(), e.Now()
	if b.Config != nil {
		cfg := e.Config()
		b.Config = &cfg
	}
	return b
}

// Reset empties the batch for the next group. The lists of chats,
// messages and decisions keep their room (up to limit entries each) and
// hold nothing alive; the others are new, as readers may keep them (the
// event stream keeps the events).
func (bt *Batcher) Reset(limit int) {
	b := &bt.b
	keep := func(n int) bool { return n <= limit }
	chats, messages, decisions := b.Chats, b.Messages, b.Decisions
	if clear(chats); !keep(cap(chats)) {
		chats = nil
	}
	if clear(messages); !keep(cap(messages)) {
		messages = nil
	}
	if clear(decisions); !keep(cap(decisions)) {
		decisions = nil
	}
	*b = sb.Batch{Chats: chats[:0], Messages: messages[:0], Decisions: decisions[:0]}
}
