package routing

import (
	"time"

	sb "github.com/switchboard/switchboard"
)

// Timer kinds, in firing order for equal deadlines: a chat's (its tpos
// index), then an operator's (tpos index kind-timerOffline).
const (
	timerAccept = iota
	timerResponse
	timerInactivity
	timerQueue
	timerOffer // a transfer offer expires
	timerOpen  // a chat held out of hours is let go
	timerOffline
	timerWrapUp // a wrap-up ends
)

// chatTimers and opTimers are how many timers a chat and an operator have.
const (
	chatTimers = timerOffline
	opTimers   = timerWrapUp - timerOffline + 1
)

type timer struct {
	at   int64 // deadline, Unix nanoseconds
	kind int
	c    *chat
	o    *operator
}

func (t timer) less(u timer) bool {
	if t.at != u.at {
		return t.at < u.at
	}
	if t.kind != u.kind {
		return t.kind < u.kind
	}
	if t.c != nil {
		return t.c.seq < u.c.seq
	}
	return t.o.ID < u.o.ID
}

// timerHeap is a binary heap of timers that keeps each timer's position in
// its chat or operator, so a timer can be moved or removed in O(log n).
type timerHeap []timer

func (h timerHeap) pos(i int) *int32 { return h[i].pos() }

// pos is where the timer's heap position is kept.
func (t *timer) pos() *int32 {
	if t.c != nil {
		return &t.c.tpos[t.kind]
	}
	return &t.o.tpos[t.kind-timerOffline]
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	*h.pos(i), *h.pos(j) = int32(i), int32(j)
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].less(h[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) {
	for {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].less(h[m]) {
			m = l
		}
		if r < len(h) && h[r].less(h[m]) {
			m = r
		}
		if m == i {
			return
		}
		h.swap(i, m)
		i = m
	}
}

// set puts t at its deadline, or removes it when at is 0; p is its position.
func (h *timerHeap) set(p *int32, t timer) {
	switch {
	case *p < 0 && t.at == 0:
	case *p < 0:
		*h = append(*h, t)
		*p = int32(len(*h) - 1)
		h.up(int(*p))
	case t.at == 0:
		i, last := int(*p), len(*h)-1
		h.swap(i, last)
		*h = (*h)[:last]
		*p = -1
		if i < last {
			h.down(i)
			h.up(i)
		}
	default:
		i := int(*p)
		(*h)[i].at = t.at
		h.down(i)
		h.up(int(*p))
	}
}

func after(t time.Time, s int) int64 { return t.Add(time.Duration(s) * time.Second).UnixNano() }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// groupTimeout is the shortest non-zero override of the active groups that
// contain the chat's topic and operator, else global.
func (e *Engine) groupTimeout(c *chat, global int, pick func(*group) int) int {
	o := e.ops[c.OperatorID]
	best := 0
	for _, g := range o.groups {
		if v := pick(g); v > 0 && g.covers[c.Topic] && (best == 0 || v < best) {
			best = v
		}
	}
	if best > 0 {
		return best
	}
	return global
}

func (e *Engine) chatDeadlines(c *chat) (d [chatTimers]int64) {
	s := &e.settings
	switch c.Status {
	case sb.ChatActive:
		if c.AutoAssigned && c.AcceptedAt.IsZero() {
			if t := e.groupTimeout(c, s.AcceptTimeoutS, func(g *group) int { return g.AcceptTimeoutS }); t > 0 {
				d[timerAccept] = e.afterOpen(c, c.AssignedAt, t)
			}
		}
		if !c.AwaitingSince.IsZero() && !c.Overdue {
			if t := e.groupTimeout(c, s.ResponseTimeoutS, func(g *group) int { return g.ResponseTimeoutS }); t > 0 {
				d[timerResponse] = e.afterOpen(c, max(c.AwaitingSince, c.AssignedAt), t)
			}
		}
		if t := s.ChatInactivityTimeoutS; t > 0 {
			d[timerInactivity] = max(c.LastMessageAt, c.AssignedAt).after(t)
		}
		if c.offer != nil && !c.offer.ExpiresAt.IsZero() {
			d[timerOffer] = c.offer.ExpiresAt.UnixNano()
		}
	case sb.ChatQueued:
		if c.HeldUntil != 0 {
			d[timerOpen] = int64(c.HeldUntil)
		}
		if t := s.QueueTimeoutS; t > 0 {
			d[timerQueue] = c.WaitStartedAt.after(t)
		}
	}
	return d
}

func (e *Engine) refreshChatTimers(c *chat) {
	d := e.chatDeadlines(c)
	for k := range d {
		e.timers.set(&c.tpos[k], timer{at: d[k], kind: k, c: c})
	}
}

func (e *Engine) clearChatTimers(c *chat) {
	for k := range c.tpos {
		e.timers.set(&c.tpos[k], timer{})
	}
}

func (e *Engine) refreshOpTimer(o *operator) {
	var at int64
	if t := e.settings.AutoOfflineAfterS; t > 0 && o.receiving && !o.Connected {
		at = after(later(o.PresenceLostAt, o.StatusSince), t)
	}
	e.timers.set(&o.tpos[0], timer{at: at, kind: timerOffline, o: o})
	var end int64 // the first wrap-up to end
	for _, w := range o.wrap {
		if end == 0 || int64(w.until) < end {
			end = int64(w.until)
		}
	}
	e.timers.set(&o.tpos[1], timer{at: end, kind: timerWrapUp, o: o})
}

func (e *Engine) clearOpTimer(o *operator) {
	for k := range o.tpos {
		e.timers.set(&o.tpos[k], timer{})
	}
}

func (e *Engine) refreshAllTimers() {
	e.timers = e.timers[:0]
	for _, c := range e.chats {
		c.tpos = noTimers
		e.refreshChatTimers(c)
	}
	for _, o := range e.ops {
		o.tpos = noOpTimers
		e.refreshOpTimer(o)
	}
}

// NextDeadline returns the earliest timer deadline, if any timer is set.
func (e *Engine) NextDeadline() (time.Time, bool) {
	at := e.sweepAt
	if len(e.timers) > 0 && (at == 0 || e.timers[0].at < at) {
		at = e.timers[0].at
	}
	if at == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, at).UTC(), true
}

// fireDue fires the due timers one at a time, running R4 after each.
func (e *Engine) fireDue() {
	now := e.now.UnixNano()
	for len(e.timers) > 0 && e.timers[0].at <= now {
		t := e.timers[0]
		e.timers.set(t.pos(), timer{})
		e.fire(t)
		e.drain()
	}
}

func (e *Engine) fire(t timer) {
	c := t.c
	switch t.kind {
	case timerAccept:
		o := e.ops[c.OperatorID]
		e.requeue(c, true, nil, sb.ReasonMissedAccept, sb.AnomalyMissedAccept)
		o.MissedInRow++
		e.touchOp(o)
		if m := e.settings.MaxMissedChats; m > 0 && o.MissedInRow >= m {
			o.MissedInRow = 0
			e.setStatus(o, e.settings.AutoOfflineStatus)
		}
	case timerResponse:
		c.Overdue = true
		e.touchChat(c)
		e.emit(sb.EventResponseOverdue, c, nil, sb.Event{})
	case timerInactivity:
		if e.settings.ChatInactivityAction == sb.InactivityRequeue {
			e.requeue(c, true, nil, sb.ReasonInactivity)
		} else {
			e.closeChat(c, sb.ByTimer, "")
		}
	case timerQueue:
		e.decide(sb.Decision{Kind: sb.DecisionQueueTimeout, ChatID: c.ID, Anomalies: []string{sb.AnomalyQueueTimeout}})
		e.emit(sb.EventQueueTimeout, c, nil, sb.Event{})
		e.closeChat(c, sb.ByTimer, "")
	case timerOffer:
		e.endOffer(c, sb.EventTransferExpired, nil)
	case timerOpen:
		e.opening()
	case timerOffline:
		e.setStatus(t.o, e.settings.AutoOfflineStatus)
		if e.settings.AutoOfflineRedistribute {
			e.returnAll(t.o, nil, true, sb.ReasonPresenceLost)
		}
	case timerWrapUp:
		e.endWrapUps(t.o, e.instant())
	}
}
