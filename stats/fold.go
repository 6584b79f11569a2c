package stats

import (
	"cmp"
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Event names the fold knows besides the vocabulary's: the transfer offers
// and the wrap-up of issue 23's routing part. They are strings here so that
// the figures count them as soon as the engine emits them.
const (
	eventTransferAccepted = "transfer_accepted"
	eventWrapUpStarted    = "wrap_up_started"
	eventWrapUpEnded      = "wrap_up_ended"
)

// Fold turns the event log into hourly cells (docs/STATS.md). It reads
// nothing but the events, in seq order, so any instance that folds the same
// log gets the same cells, and a fold saved and loaded again goes on as if
// it had never stopped. It is not safe for concurrent use.
type Fold struct {
	// Seq is the seq of the last event folded.
	Seq int64
	// Horizon is the first hour (Unix seconds) the fold holds: the hours
	// before it were sealed and handed to the store (Seal, Forget).
	Horizon int64
	now     int64 // the latest event's time, Unix ns
	cur     int64 // the hour of now
	hours   map[int64]*Hour
	ops     map[string]*opState
	// handover is the chat an assign took from its operator in the event
	// just folded: its next connection ends no wait.
	handover string
	// firstChat and firstAt are the chat and time of the last first
	// response counted: two operator messages at one instant count once.
	firstChat string
	firstAt   int64
}

// opState is what the fold knows of an operator between events.
type opState struct {
	Status string
	Mark   int64 // Unix ns: the time counted up to
	Active int   // chats held
	Wrap   int   // chats being wrapped up
}

// NewFold returns a fold of an empty log.
func NewFold() *Fold {
	return &Fold{hours: map[int64]*Hour{}, ops: map[string]*opState{}}
}

// waitTime is how long a chat of the topic waited between from and to. It
// is the one place the figures measure a wait (waits, abandons, the
// service level): the open time the event carries when the chat's topic
// has business hours, else the time on the wall, never below 0 (a chat
// held out of hours and abandoned before the opening waited nothing;
// docs/STATS.md).
func waitTime(c *sb.Chat, from, to time.Time) time.Duration {
	if c.WaitOpenS != nil {
		return max(time.Duration(*c.WaitOpenS*float64(time.Second)), 0)
	}
	return max(to.Sub(from), 0)
}

// hourOf returns the start (Unix seconds) of the hour holding t (Unix ns).
func hourOf(ns int64) int64 {
	s := ns / 1e9
	if ns < 0 && ns%1e9 != 0 {
		s--
	}
	return s - ((s%3600)+3600)%3600
}

// hour returns the cells of the hour starting at start.
func (f *Fold) hour(start int64) *Hour {
	h := f.hours[start]
	if h == nil {
		h = newHour(start)
		f.hours[start] = h
	}
	return h
}

// Apply folds one event; events at or below Seq are skipped (folded
// already).
func (f *Fold) Apply(ev *sb.Event) {
	if ev.Seq <= f.Seq {
		return
	}
	f.Seq = ev.Seq
	t := ev.OccurredAt.UnixNano()
	f.advance(t)
	h := f.hour(f.cur)
	switch ev.Name {
	case sb.EventChatCreated:
		f.chatCell(h, ev).Arrivals++
	case sb.EventLimit:
		f.chatCell(h, ev).Limits++
	case sb.EventAutoConnected, sb.EventOperatorConnected:
		f.connected(h, ev)
	case sb.EventOperatorDisconnected:
		f.disconnected(h, ev)
	case sb.EventChatTransferred:
		f.chatCell(h, ev).Transfers++
	case eventTransferAccepted: // the sender's chat went to a colleague
		f.chatCell(h, ev).Transfers++
		if ev.Operator != nil {
			h.op(ev.Operator.ID).Transfers++
		}
	case sb.EventMessageCreated:
		f.message(h, ev)
	case sb.EventQueueTimeout:
		f.chatCell(h, ev).QueueTimeouts++
	case sb.EventResponseOverdue:
		f.chatCell(h, ev).Overdue++
		if id := chatOperator(ev); id != "" {
			h.op(id).Overdue++
		}
	case sb.EventChatClosed:
		f.closed(h, ev)
	case sb.EventChatRated:
		f.rated(h, ev)
	case sb.EventOperatorStatus:
		if ev.Operator != nil {
			o := f.op(ev.Operator.ID)
			f.accrue(ev.Operator.ID, o, f.now)
			o.Status = ev.Status
		}
	case sb.EventConfigChanged:
		if c := ev.Config; c != nil && c.Entity == "operator" && c.Action == "deleted" {
			if o, ok := f.ops[c.ID]; ok {
				f.accrue(c.ID, o, f.now)
				delete(f.ops, c.ID)
			}
		}
	case eventWrapUpStarted, eventWrapUpEnded:
		f.wrapUp(ev)
	}
	if ev.Name != sb.EventOperatorDisconnected {
		f.handover = ""
	}
}

// advance moves the fold's clock to t (never back). Crossing into a new
// hour seals the hours before it: every operator's time is counted up to
// the new hour's start, so nothing is added to them later.
func (f *Fold) advance(t int64) {
	if t <= f.now {
		return
	}
	if next := hourOf(t); next > f.cur {
		for id, o := range f.ops {
			f.accrue(id, o, next*1e9)
		}
		f.cur = next
	}
	f.now = t
}

func (f *Fold) chatCell(h *Hour, ev *sb.Event) *ChatCell {
	if ev.Chat == nil {
		return h.chat("", "")
	}
	return h.chat(ev.Chat.Topic, ev.Chat.Channel)
}

// chatOperator is the operator of the event's chat, else the event's.
func chatOperator(ev *sb.Event) string {
	if ev.Chat != nil && ev.Chat.OperatorID != "" {
		return ev.Chat.OperatorID
	}
	if ev.Operator != nil {
		return ev.Operator.ID
	}
	return ""
}

func (f *Fold) op(id string) *opState {
	o := f.ops[id]
	if o == nil {
		o = &opState{Status: sb.StatusOffline, Mark: f.now}
		f.ops[id] = o
	}
	return o
}

// waitStart is when the chat's current wait began: its latest entry to the
// queue or New, else its creation.
func waitStart(c *sb.Chat) time.Time {
	if !c.WaitStartedAt.IsZero() {
		return c.WaitStartedAt
	}
	return c.CreatedAt
}

// connected: a wait ended connected (unless an assign handed the chat from
// one operator to another), and the operator holds one more chat.
func (f *Fold) connected(h *Hour, ev *sb.Event) {
	c, id := ev.Chat, chatOperator(ev)
	if c == nil || id == "" {
		return
	}
	if f.handover != c.ID {
		cell := h.chat(c.Topic, c.Channel)
		cell.Served++
		cell.Wait.Add(waitTime(c, waitStart(c), ev.OccurredAt))
	}
	o := f.op(id)
	f.accrue(id, o, f.now)
	o.Active++
	h.op(id).Connections++
}

// disconnected: a connection ended without a close; the chat waits again
// (or, after an assign, goes straight to another operator).
func (f *Fold) disconnected(h *Hour, ev *sb.Event) {
	c, id := ev.Chat, chatOperator(ev)
	if c == nil || id == "" {
		return
	}
	f.release(id)
	reason := ""
	if ev.Reason != nil {
		reason = ev.Reason.Code
	}
	cell, oc := h.chat(c.Topic, c.Channel), h.op(id)
	switch reason {
	case sb.ReasonAssign, sb.ReasonHandover:
		f.handover = c.ID
		return
	case sb.ReasonMissedAccept:
		cell.Missed++
		oc.Missed++
	case sb.ReasonTransfer:
		oc.Transfers++
	}
	cell.Returned++
}

// release counts the operator's time and takes one chat off it.
func (f *Fold) release(id string) {
	o := f.op(id)
	f.accrue(id, o, f.now)
	o.Active = max(o.Active-1, 0)
}

// message: an operator's message that is the chat's first response.
func (f *Fold) message(h *Hour, ev *sb.Event) {
	c, m := ev.Chat, ev.Message
	if c == nil || m == nil || m.From != "operator" || c.AssignedAt.IsZero() || !c.FirstResponseAt.Equal(ev.OccurredAt) {
		return
	}
	if f.firstChat == c.ID && f.firstAt == f.now {
		return
	}
	f.firstChat, f.firstAt = c.ID, f.now
	d := ev.OccurredAt.Sub(c.AssignedAt)
	h.chat(c.Topic, c.Channel).FirstResponse.Add(d)
	id := m.AuthorID
	if id == "" {
		id = c.OperatorID
	}
	if id != "" {
		h.op(id).FirstResponse.Add(d)
	}
}

// closed: a connected chat was handled; a waiting one was abandoned.
func (f *Fold) closed(h *Hour, ev *sb.Event) {
	c := ev.Chat
	if c == nil {
		return
	}
	cell := h.chat(c.Topic, c.Channel)
	if c.OperatorID == "" || c.AssignedAt.IsZero() {
		cell.Abandoned++
		cell.Abandon.Add(waitTime(c, waitStart(c), ev.OccurredAt))
		return
	}
	f.release(c.OperatorID)
	d := ev.OccurredAt.Sub(c.AssignedAt)
	cell.Handled++
	cell.Handle.Add(d)
	oc := h.op(c.OperatorID)
	oc.Handled++
	oc.Handle.Add(d)
}

// rated: a client's score, for the chat's topic and channel and for the
// operator who had the chat when it closed.
func (f *Fold) rated(h *Hour, ev *sb.Event) {
	c := ev.Chat
	if c == nil || c.Rating == nil || c.Rating.Score < 1 || c.Rating.Score > 5 {
		return
	}
	s := c.Rating.Score - 1
	h.chat(c.Topic, c.Channel).CSAT[s]++
	if c.OperatorID != "" {
		h.op(c.OperatorID).CSAT[s]++
	}
}

// wrapUp: an operator started or ended the wrap-up of a chat; the time
// counts as busy.
func (f *Fold) wrapUp(ev *sb.Event) {
	id := ""
	if ev.Operator != nil {
		id = ev.Operator.ID
	} else if ev.Chat != nil {
		id = ev.Chat.OperatorID
	}
	if id == "" {
		return
	}
	o := f.op(id)
	f.accrue(id, o, f.now)
	if ev.Name == eventWrapUpStarted {
		o.Wrap++
	} else {
		o.Wrap = max(o.Wrap-1, 0)
	}
}

// accrue counts the operator's time from its mark up to t in the hours it
// spans, and moves the mark to t. Time offline is not counted.
func (f *Fold) accrue(id string, o *opState, t int64) {
	spend(o, t, func(start int64, d time.Duration, busy bool) {
		f.hour(start).op(id).addStatus(o.Status, d, busy)
	})
	o.Mark = max(o.Mark, t)
}

// spend calls fn for each hour the operator's time from its mark to t
// spans, with the hour's start, the time in it and whether it was busy.
func spend(o *opState, t int64, fn func(start int64, d time.Duration, busy bool)) {
	if o.Status == sb.StatusOffline || o.Status == "" || t <= o.Mark {
		return
	}
	busy := o.Active+o.Wrap > 0
	for from := o.Mark; from < t; {
		start := hourOf(from)
		end := min(t, (start+3600)*1e9)
		fn(start, time.Duration(end-from), busy)
		from = end
	}
}

// Sealed returns the hours the fold holds before its current one, by
// start: they are complete, for the store. Once stored, Forget drops them.
func (f *Fold) Sealed() []*Hour {
	var out []*Hour
	for s, h := range f.hours {
		if s < f.cur {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *Hour) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// Current returns the start of the fold's current hour: the hours before
// it are sealed.
func (f *Fold) Current() int64 { return f.cur }

// Forget drops the hours before start, which the store now holds, and
// moves the Horizon to it.
func (f *Fold) Forget(start int64) {
	for s := range f.hours {
		if s < start {
			delete(f.hours, s)
		}
	}
	f.Horizon = max(f.Horizon, start)
}

// StateAfterForget returns the state MarshalBinary would after
// Forget(start), without forgetting: what to save together with the
// sealed hours before start.
func (f *Fold) StateAfterForget(start int64) []byte {
	g := *f
	g.hours = map[int64]*Hour{}
	for s, h := range f.hours {
		if s >= start {
			g.hours[s] = h
		}
	}
	g.Horizon = max(f.Horizon, start)
	b, _ := g.MarshalBinary()
	return b
}

// Hours returns the hours the fold holds in [from, to) (Unix seconds),
// with the time of the operators' open intervals up to until counted in
// copies: a report sees operators online now without changing the fold.
func (f *Fold) Hours(from, to int64, until time.Time) []*Hour {
	var out []*Hour
	for s, h := range f.hours {
		if s >= from && s < to {
			out = append(out, h)
		}
	}
	open := map[int64]*Hour{}
	u := until.UnixNano()
	for id, o := range f.ops {
		spend(o, u, func(start int64, d time.Duration, busy bool) {
			if start >= from && start < to && start >= f.Horizon {
				h := open[start]
				if h == nil {
					h = newHour(start)
					open[start] = h
				}
				h.op(id).addStatus(o.Status, d, busy)
			}
		})
	}
	for _, h := range open {
		out = append(out, h)
	}
	return out
}
