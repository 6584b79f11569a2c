package simulate

import (
	"strconv"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// observe follows the engine's events: they are the only way the simulator
// learns what routing did, exactly as the server's clients learn it.
func (s *sim) observe(evs []sb.Event) {
	for i := range evs {
		ev := &evs[i]
		switch ev.Name {
		case sb.EventChatCreated:
			s.created(ev)
		case sb.EventAutoConnected:
			s.assigned(s.chat(ev), s.ops[ev.Operator.ID])
		case sb.EventOperatorDisconnected:
			s.disconnected(s.chat(ev))
		case sb.EventChatClosed:
			s.closed(s.chat(ev), ev.Chat.ClosedBy)
		case sb.EventOperatorStatus:
			s.statusChanged(s.ops[ev.Operator.ID], ev.Status)
		}
	}
}

func chatKey(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

func (s *sim) chat(ev *sb.Event) *chatRec { return s.chats[chatKey(ev.ChatID)] }

// created names the chat being connected and counts it.
func (s *sim) created(ev *sb.Event) {
	c := s.arrival
	s.arrival = nil
	c.id, c.key = ev.ChatID, chatKey(ev.ChatID)
	s.chats[c.key] = c
	s.st.arrived(c.bucket)
	if c.patienceAt != never() {
		s.schedule(c.patienceAt, evAbandon, c.key, 0)
	}
}

// assigned: auto-distribution gave c to o. The first assignment ends the
// wait. The operator then accepts and works the chat, or, at the share of
// missed accepts, lets the accept timeout return it.
func (s *sim) assigned(c *chatRec, o *op) {
	if c == nil || o == nil {
		return
	}
	if !c.connected {
		c.connected = true
		s.st.connected(c.bucket, secOf(s.now-c.created))
	}
	c.op = o
	s.addActive(o, 1)
	if s.cfg.MissedAccepts > 0 && c.mix.float64() < s.cfg.MissedAccepts {
		c.missed = true
		s.st.missedAccept(c.bucket)
		return
	}
	if s.cfg.Settings.AcceptTimeoutS > 0 {
		s.pending = append(s.pending, routing.Accept{ChatID: c.id, OperatorID: o.id})
	}
	handle := c.handleS * (1 + s.cfg.ConcurrencySlowdown*float64(o.active-1))
	c.gen++
	c.assignedAt = s.now
	s.schedule(s.now+nsOf(handle), evClose, c.key, c.gen)
}

// disconnected: the chat went back to the queue (a missed accept). A
// client whose patience ran out meanwhile leaves now.
func (s *sim) disconnected(c *chatRec) {
	if c == nil || c.op == nil {
		return
	}
	s.addActive(c.op, -1)
	c.op = nil
	c.gen++
	if c.patienceAt <= s.now {
		s.schedule(s.now, evAbandon, c.key, 0)
	}
}

// closed counts how the chat ended and frees its operator.
func (s *sim) closed(c *chatRec, by sb.ClosedBy) {
	if c == nil {
		return
	}
	if c.op != nil {
		s.addActive(c.op, -1)
		c.op = nil
	}
	waited := secOf(s.now - c.created)
	switch {
	case by == sb.ByOperator:
		s.st.handled(c.bucket, secOf(s.now-c.assignedAt))
	case by == sb.ByClient && c.connected: // left after a missed accept
		s.st.leftAfterMiss(c.bucket)
	case by == sb.ByClient:
		s.st.abandoned(c.bucket, waited)
	case !c.connected: // the queue timeout
		s.st.timedOut(c.bucket, waited)
	}
	delete(s.chats, c.key)
}
