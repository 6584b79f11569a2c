package routing

import (
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Business hours: calendars, the hours of a topic, and the chats queued
// outside them, held until the topic opens.

// calendar is a calendar with its compiled hours.
type calendar struct {
	sb.Calendar
	hours *sb.Schedule
}

// putCalendar creates or replaces a calendar.
func (e *Engine) putCalendar(in sb.Calendar, create bool) error {
	hours, err := in.Compile()
	if err != nil {
		return err
	}
	_, exists := e.cals[in.ID]
	switch {
	case create && exists:
		return sb.Errorf(sb.ECONFLICT, "id", "calendar %q exists", in.ID)
	case !create && !exists:
		return sb.Errorf(sb.ENOTFOUND, "id", "calendar %q not found", in.ID)
	}
	if in.Name == "" {
		in.Name = in.ID
	}
	e.cals[in.ID] = &calendar{Calendar: cloneCalendar(in), hours: hours}
	e.hoursChanged()
	e.configChanged("calendar", in.ID, map[bool]string{true: "created", false: "updated"}[create])
	return nil
}

// cloneCalendar copies a calendar so that the caller's maps and slices
// are not shared.
func cloneCalendar(c sb.Calendar) sb.Calendar {
	h := make(map[string][][2]string, len(c.Hours))
	for d, r := range c.Hours {
		h[d] = slices.Clone(r)
	}
	c.Hours = h
	c.Exceptions = slices.Clone(c.Exceptions)
	for i, x := range c.Exceptions {
		c.Exceptions[i].Hours = slices.Clone(x.Hours)
	}
	return c
}

func (e *Engine) deleteCalendar(id string) error {
	if _, ok := e.cals[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "id", "calendar %q not found", id)
	}
	if e.settings.DefaultCalendarID == id {
		return sb.Errorf(sb.ECONFLICT, "id", "calendar %q is the default (settings.default_calendar_id)", id)
	}
	for _, t := range e.Config().Topics {
		if t.CalendarID == id {
			return sb.Errorf(sb.ECONFLICT, "id", "topic %q has calendar %q", t.Alias, id)
		}
	}
	delete(e.cals, id)
	e.configChanged("calendar", id, "deleted")
	return nil
}

// checkCalendar checks that a calendar id names a calendar ("" does).
func (e *Engine) checkCalendar(field, id string) error {
	if _, ok := e.cals[id]; id != "" && !ok {
		return sb.Errorf(sb.EINVALID, field, "unknown calendar %q", id)
	}
	return nil
}

// hoursOf returns the business hours of a topic: its calendar, else its
// nearest ancestor's, else the default; nil is always open.
func (e *Engine) hoursOf(topic string) *sb.Schedule {
	for t, depth := topic, 0; t != "" && depth <= len(e.topics); t, depth = e.topics[t].Parent, depth+1 {
		if id := e.topics[t].CalendarID; id != "" {
			return e.cals[id].hours
		}
	}
	if c := e.cals[e.settings.DefaultCalendarID]; c != nil {
		return c.hours
	}
	return nil
}

// closedUntil returns when a topic's hours open next if they are closed
// now (ok), with the zero time for never.
func (e *Engine) closedUntil(topic string) (next time.Time, closed bool) {
	h := e.hoursOf(topic)
	if h.Open(e.now) {
		return time.Time{}, false
	}
	return h.NextOpen(e.now).UTC(), true
}

// afterOpen is the deadline of a timeout of s seconds from start for c: on
// the wall clock, or, with business_time_timers, once s seconds of its
// topic's open hours have passed (0, no deadline, when they never do).
func (e *Engine) afterOpen(c *chat, start instant, s int) int64 {
	if !e.settings.BusinessTimeTimers {
		return start.after(s)
	}
	h := e.hoursOf(c.Topic)
	if h == nil {
		return start.after(s)
	}
	at := h.AddBusiness(start.Time(), time.Duration(s)*time.Second)
	if at.IsZero() {
		return 0
	}
	return at.UnixNano()
}

// waitEnds are the events that may end a chat's wait.
var waitEnds = map[string]bool{sb.EventAutoConnected: true, sb.EventOperatorConnected: true, sb.EventChatClosed: true}

// openWait is the open time, in seconds, of c's wait until now when its
// topic has business hours (nil otherwise).
func (e *Engine) openWait(c *chat) *float64 {
	h := e.hoursOf(c.Topic)
	if h == nil {
		return nil
	}
	start := c.WaitStartedAt
	if start == 0 {
		start = c.CreatedAt
	}
	s := h.BusinessSeconds(start.Time(), e.now)
	return &s
}

// hold queues a new chat that arrived outside its topic's hours: it waits,
// in R3 order by its arrival, but no one gets it before until; its queue
// timeout runs from then.
func (e *Engine) hold(c *chat, until time.Time) {
	c.HeldUntil = instantOf(until)
	c.QueuedAt, c.WaitStartedAt, c.Status = e.instant(), c.HeldUntil, sb.ChatQueued
	e.indexChat(c) // counts it; held chats stay out of the trees
	e.touchChat(c)
	e.refreshChatTimers(c)
	e.watch(c)
	e.emit(sb.EventChatQueued, c, nil, sb.Event{Reason: reasonOf(ReasonOutOfHours)})
}

// unhold lets routing give a held chat to an operator (R4 follows).
func (e *Engine) unhold(c *chat) {
	e.unindexChat(c)
	c.HeldUntil = 0
	e.indexChat(c)
	e.dirtyChats = append(e.dirtyChats, c)
	e.touchChat(c)
	e.refreshChatTimers(c)
}

// opening lets go every chat held until now, together: R4 then gives them
// out in R3 order.
func (e *Engine) opening() {
	for _, c := range e.openChats() {
		if c.HeldUntil != 0 && c.HeldUntil <= e.instant() {
			e.unhold(c)
		}
	}
}

// hoursChanged follows a change of business hours: held chats move to
// them, and timers on business time are derived again.
func (e *Engine) hoursChanged() {
	e.reviewHolds()
	if e.settings.BusinessTimeTimers {
		for _, c := range e.chats {
			e.refreshChatTimers(c)
		}
	}
}

// reviewHolds moves the held chats to their topics' hours as they are now
// configured: a chat whose topic is open is let go.
func (e *Engine) reviewHolds() {
	for _, c := range e.openChats() {
		if c.HeldUntil == 0 {
			continue
		}
		next, closed := e.closedUntil(c.Topic)
		if !closed || next.IsZero() {
			e.unhold(c)
			continue
		}
		if at := instantOf(next); at != c.HeldUntil {
			c.HeldUntil, c.WaitStartedAt = at, at
			e.touchChat(c)
			e.refreshChatTimers(c)
		}
	}
}
