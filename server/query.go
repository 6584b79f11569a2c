package server

import (
	"context"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// The reads of the API. Each answers from the engine, or from the store
// for what the engine does not keep, and applies the engine's rule of who
// may see what (routing.Engine.CanSee).

// notFound is the answer for a chat the caller may not see.
func notFound(id string) error { return sb.Errorf(sb.ENOTFOUND, "id", "chat %q not found", id) }

// Chat returns a chat the principal may see, open or closed (ENOTFOUND
// otherwise).
func (s *Server) Chat(ctx context.Context, p Principal, id string) (sb.Chat, error) {
	var (
		c    sb.Chat
		ok   bool
		sees bool
	)
	s.View(func(e *routing.Engine) {
		if c, ok = e.Chat(id); ok {
			sees = e.CanSee(p.Role, p.OperatorID, &c)
		}
	})
	if !ok {
		var err error
		if c, err = s.Store.Chat(ctx, id); err != nil {
			return sb.Chat{}, err
		}
		s.View(func(e *routing.Engine) { sees = e.CanSee(p.Role, p.OperatorID, &c) })
	}
	if !sees {
		return sb.Chat{}, notFound(id)
	}
	return c, nil
}

// Chats returns the open chats of a folder (routing.Folder*, not closed)
// that the principal may see: an operator's are its own (operatorID is
// ignored); staff and integrators see every operator's, or one's with
// operatorID. topic filters when set.
func (s *Server) Chats(p Principal, folder, topic, operatorID string) []sb.Chat {
	if p.Role == sb.RoleOperator {
		operatorID = p.OperatorID
	}
	var chats []sb.Chat
	s.View(func(e *routing.Engine) { chats = e.Folder(folder, operatorID) })
	out := []sb.Chat{}
	for _, c := range chats {
		if topic == "" || c.Topic == topic {
			out = append(out, c)
		}
	}
	return out
}

// ClosedChats returns a page of closed chats, newest first, below the chat
// number before (0: from the newest): an operator's own, or one
// operator's for the others when operatorID is set.
func (s *Server) ClosedChats(ctx context.Context, p Principal, operatorID string, before int64, limit int) ([]sb.Chat, error) {
	if p.Role == sb.RoleOperator {
		operatorID = p.OperatorID
	}
	return s.Store.ClosedChats(ctx, operatorID, before, limit)
}

// Messages returns the messages of a chat the principal may see.
func (s *Server) Messages(ctx context.Context, p Principal, chatID string) ([]sb.Message, error) {
	c, err := s.Chat(ctx, p, chatID)
	if err != nil {
		return nil, err
	}
	return s.Store.Messages(ctx, c.ID)
}

// Queue returns the waiting chats in R3 order with why each waits: an
// operator's are those of its topics. Each waiting time runs to now.
func (s *Server) Queue(p Principal) []routing.QueueEntry {
	now := s.Now()
	out := []routing.QueueEntry{}
	s.View(func(e *routing.Engine) {
		for _, x := range e.Queue() {
			if e.CanSee(p.Role, p.OperatorID, &x.Chat) {
				// The engine's clock stops between commands; the wait does not.
				x.Waiting = max(x.Waiting, now.Sub(x.Chat.WaitStartedAt))
				out = append(out, x)
			}
		}
	})
	return out
}

// Diagnostics says why an operator gets no chats; an operator may ask only
// about itself (EFORBIDDEN).
func (s *Server) Diagnostics(p Principal, operatorID string) (routing.Diagnostics, error) {
	if err := selfOrStaff(p, operatorID); err != nil {
		return routing.Diagnostics{}, err
	}
	var (
		d   routing.Diagnostics
		err error
	)
	s.View(func(e *routing.Engine) { d, err = e.Diagnostics(operatorID) })
	return d, err
}

// selfOrStaff lets operators act only on themselves.
func selfOrStaff(p Principal, operatorID string) error {
	if p.Role == sb.RoleOperator && p.OperatorID != operatorID {
		return sb.Errorf(sb.EFORBIDDEN, "", "operators act only on themselves")
	}
	return nil
}

// SetStatus sets an operator's status; an operator only its own.
func (s *Server) SetStatus(ctx context.Context, p Principal, operatorID, status string) error {
	if err := selfOrStaff(p, operatorID); err != nil {
		return err
	}
	_, err := s.Do(ctx, routing.SetOperatorStatus{OperatorID: operatorID, Status: status})
	return err
}

// Config returns the configuration: settings, statuses, topics, skill
// groups and bans.
func (s *Server) Config() routing.Config {
	var c routing.Config
	s.View(func(e *routing.Engine) { c = e.Config() })
	return c
}

// OperatorView is an operator as the API shows it: with whether its status
// can receive chats.
type OperatorView struct {
	sb.Operator
	CanReceive bool `json:"can_receive"`
}

// Operators returns every operator by id.
func (s *Server) Operators() []OperatorView {
	out := []OperatorView{}
	s.View(func(e *routing.Engine) {
		for _, o := range e.Operators() {
			out = append(out, OperatorView{Operator: o, CanReceive: e.CanReceive(o.Status)})
		}
	})
	return out
}

// Operator returns one operator (ENOTFOUND).
func (s *Server) Operator(id string) (OperatorView, error) {
	var (
		v  OperatorView
		ok bool
	)
	s.View(func(e *routing.Engine) {
		if v.Operator, ok = e.Operator(id); ok {
			v.CanReceive = e.CanReceive(v.Status)
		}
	})
	if !ok {
		return OperatorView{}, sb.Errorf(sb.ENOTFOUND, "id", "operator %q not found", id)
	}
	return v, nil
}

// AuditSummary is the distribution audit: the cards and the records.
type AuditSummary struct {
	Since             time.Time     `json:"since"`
	Decisions         int           `json:"decisions"`
	Distributed       int           `json:"distributed"`
	Skipped           int           `json:"skipped"`
	Anomalies         int           `json:"anomalies"`
	AvgDecisionTimeNs int64         `json:"avg_decision_time_ns"`
	Records           []sb.Decision `json:"records"`
}

// Audit summarises the decisions made since a time (at most
// sb.KeepDecisions of them).
func (s *Server) Audit(ctx context.Context, since time.Time) (AuditSummary, error) {
	ds, err := s.Store.Decisions(ctx, since, sb.KeepDecisions)
	if err != nil {
		return AuditSummary{}, err
	}
	if ds == nil {
		ds = []sb.Decision{}
	}
	a := AuditSummary{Since: since, Decisions: len(ds), Records: ds}
	var total int64
	for _, d := range ds {
		switch d.Kind {
		case sb.DecisionAuto, sb.DecisionTake, sb.DecisionAssign:
			a.Distributed++
		case sb.DecisionQueue, sb.DecisionLimit:
			a.Skipped++
		}
		if len(d.Anomalies) > 0 {
			a.Anomalies++
		}
		total += d.DurationNs
	}
	if len(ds) > 0 {
		a.AvgDecisionTimeNs = total / int64(len(ds))
	}
	return a, nil
}

// Events returns the stored events after a seq that the principal may
// see, from up to limit stored ones, and the seq to ask after next.
func (s *Server) Events(ctx context.Context, p Principal, after int64, limit int) ([]sb.Event, int64, error) {
	evs, err := s.Store.Events(ctx, after, limit)
	if err != nil {
		return nil, after, err
	}
	out := []sb.Event{}
	s.View(func(e *routing.Engine) {
		for i := range evs {
			if e.CanSeeEvent(p.Role, p.OperatorID, &evs[i]) {
				out = append(out, evs[i])
			}
		}
	})
	if len(evs) > 0 {
		after = evs[len(evs)-1].Seq
	}
	return out, after, nil
}

// LastEvent returns the seq of the last event committed.
func (s *Server) LastEvent() int64 {
	var last int64
	s.View(func(e *routing.Engine) { last = e.Counters().Event })
	return last
}

// Visible reports whether the principal may see an event (for a stream
// filtering its batches).
func (s *Server) Visible(p Principal, ev *sb.Event) bool {
	if p.Role != sb.RoleOperator {
		return true
	}
	ok := false
	s.View(func(e *routing.Engine) { ok = e.CanSeeEvent(p.Role, p.OperatorID, ev) })
	return ok
}

// Subscribe opens a live subscription to the committed events: an
// operator's is woken only for commits with an event it may see; the
// others' for every commit. buffer is how many commits it may fall behind
// before it is dropped.
func (s *Server) Subscribe(p Principal, buffer int) *Subscription {
	var want Filter
	if p.Role == sb.RoleOperator {
		want = func(e *routing.Engine, evs []sb.Event) bool {
			for i := range evs {
				if e.CanSeeEvent(p.Role, p.OperatorID, &evs[i]) {
					return true
				}
			}
			return false
		}
	}
	return s.Broker.Subscribe(buffer, want)
}
