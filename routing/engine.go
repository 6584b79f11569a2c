package routing

import (
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

const (
	keepClosed = sb.KeepClosed    // closed chats the engine remembers
	keepAudit  = sb.KeepDecisions // decisions the engine remembers
)

// Engine is the routing state machine. It is not safe for concurrent use:
// one goroutine (the server's single writer) owns it.
type Engine struct {
	// Stopwatch, when set, returns a monotonic time in nanoseconds; the
	// engine uses it only to fill Decision.DurationNs.
	Stopwatch func() int64

	now      time.Time
	settings sb.Settings
	statuses []sb.Status
	topics   map[string]sb.Topic
	groups   map[string]*group
	ops      map[string]*operator
	chats    map[int64]*chat
	byClient map[string]*chat  // open chats by client id: see openChat
	names    map[string]string // see intern
	bans     map[string]sb.Ban
	closed   ring[sb.Chat]
	audit    ring[sb.Decision]
	cnt      Counters

	idx        indexes
	timers     timerHeap
	dirtyOps   []*operator     // operators whose eligibility grew (R4)
	dirtyChats []*chat         // chats newly queued (R4)
	excl       map[int64]*chat // queued chats with exclusions (lapse)
	offers     map[int64]*chat // chats with an open transfer offer
	queuedBy   map[string]int  // queued chats (held ones too) by topic
	cals       map[string]*calendar
	sweepAt    int64                  // the next queue position sweep (0: none due)
	handled    map[string]handleStats // handling times of the closed chats kept, by topic
	exclDirty  bool                   // who could take them changed: check them all

	// per Apply
	res     *Result
	resChat *chat // the chat Result.Chat shows
	trigger string
	epoch   uint64
	tChats  []*chat
	tOps    []*operator
}

// noTimers and noOpTimers are a chat's and an operator's timer positions
// when none is set.
var (
	noTimers   = [chatTimers]int32{-1, -1, -1, -1, -1, -1}
	noOpTimers = [opTimers]int32{-1, -1}
)

// operator is an operator with its index bookkeeping.
type operator struct {
	sb.Operator
	receiving bool
	groups    []*group        // active skill groups it is in
	mine      map[int64]*chat // its active chats
	in        bool            // in the operator trees
	okey      opKey
	omask     uint64
	dirty     bool
	deleted   bool
	tpos      [opTimers]int32
	touched   uint64
	wrap      []wrapUp // closed chats still counted in its load
}

// wrapUp is a closed chat its operator is still wrapping up.
type wrapUp struct {
	seq     int64 // the chat's
	id      string
	channel string
	until   instant
}

// group is a skill group with its operator and queue trees.
type group struct {
	sb.SkillGroup
	topicSet  map[string]bool // its own topics
	covers    map[string]bool // its topics and their subtopics (R1)
	opSet     map[string]bool
	ops       *tree[opKey]   // eligible operators by R2 key (active groups only)
	queue     *tree[chatKey] // queued chats with a topic of the group, R3 order
	receiving int            // members whose status can receive
}

// New returns an engine with the default statuses and settings.
func New(now time.Time) *Engine {
	e := &Engine{
		now:      now,
		settings: sb.DefaultSettings(),
		statuses: sb.DefaultStatuses(),
		topics:   map[string]sb.Topic{},
		groups:   map[string]*group{},
		ops:      map[string]*operator{},
		chats:    map[int64]*chat{},
		byClient: map[string]*chat{},
		names:    map[string]string{},
		bans:     map[string]sb.Ban{},
		excl:     map[int64]*chat{},
		offers:   map[int64]*chat{},
		queuedBy: map[string]int{},
		cals:     map[string]*calendar{},
		handled:  map[string]handleStats{},
		closed:   ring[sb.Chat]{max: keepClosed},
		audit:    ring[sb.Decision]{max: keepAudit},
	}
	e.rebuild()
	return e
}

// Apply fires the timers due at now, applies cmd, and runs R4. now is
// clamped so that time never goes backwards. On error cmd changed nothing,
// but the Result still holds what due timers did; persist it.
func (e *Engine) Apply(now time.Time, cmd Command) (Result, error) {
	res, _, err := e.ApplyAppend(now, cmd, make([]sb.Event, 0, 4))
	return res, err
}

// ApplyAppend is Apply with the events appended to events, which it
// returns; Result.Events is the part it appended. A writer that commits
// several commands at once gathers their events in one list this way.
func (e *Engine) ApplyAppend(now time.Time, cmd Command, events []sb.Event) (Result, []sb.Event, error) {
	if now.After(e.now) {
		e.now = now
	}
	start := len(events)
	res := Result{Events: events}
	e.res = &res
	e.trigger = "timer"
	e.epoch++
	e.tChats, e.tOps = e.tChats[:0], e.tOps[:0]
	e.fireDue()
	e.trigger = cmd.name()
	err := cmd.apply(e)
	e.drain()
	e.sweep()
	e.finish()
	e.res = nil
	events = res.Events
	res.Events = events[start:len(events):len(events)]
	return res, events, err
}

// finish writes the changed chats and operators into the result.
func (e *Engine) finish() {
	if c := e.resChat; c != nil && c.Status == sb.ChatQueued && c.seq != 0 {
		defer func(c *chat) { // the client is told how long it may wait
			e.res.Chat.EstimatedWaitS = e.estimate(c, map[*group]int{})
		}(c)
	}
	ch := &e.res.Changes
	// Closed chats a command changed (a rating) are in already.
	ch.Chats = append(make([]sb.Chat, 0, len(ch.Chats)+len(e.tChats)), ch.Chats...)
	for _, c := range e.tChats {
		ch.Chats = append(ch.Chats, e.snap(c))
		if c == e.resChat { // the answer shows the same state: share the snapshot
			e.res.Chat, e.resChat = &ch.Chats[len(ch.Chats)-1], nil
		}
	}
	if c := e.resChat; c != nil {
		s := e.snap(c)
		e.res.Chat = &s
		e.resChat = nil
	}

	for _, o := range e.tOps {
		if !o.deleted {
			ch.Operators = append(ch.Operators, o.snap())
		}
	}
}

func (e *Engine) touchChat(c *chat) {
	if c.touched != e.epoch {
		c.touched = e.epoch
		e.tChats = append(e.tChats, c)
	}
}

func (e *Engine) touchOp(o *operator) {
	if o.touched != e.epoch {
		o.touched = e.epoch
		e.tOps = append(e.tOps, o)
	}
}

// intern's table holds at most maxNames names of at most maxNameLen bytes:
// channel names come from clients.
const (
	maxNames   = 1024
	maxNameLen = 64
)

// intern returns the engine's copy of a topic or channel name, so that the
// open chats share one string each instead of keeping their decoded copies
// (fewer objects for the collector to mark).
func (e *Engine) intern(s string) string {
	if v, ok := e.names[s]; ok || s == "" {
		return v
	}
	if len(e.names) < maxNames && len(s) <= maxNameLen {
		e.names[s] = s
	}
	return s
}

// emit records an event about chat c (may be nil) and operator o (may be nil).
func (e *Engine) emit(name string, c *chat, o *operator, ev sb.Event) {
	e.cnt.Event++
	ev.Seq, ev.Name, ev.OccurredAt = e.cnt.Event, name, e.now
	if c != nil {
		s := e.snap(c)
		if waitEnds[name] {
			s.WaitOpenS = e.openWait(c)
		}
		ev.ChatID, ev.Chat = c.ID, &s
		if o == nil && c.OperatorID != "" {
			o = e.ops[c.OperatorID]
		}
	}
	if o != nil {
		ev.Operator = &sb.OperatorRef{ID: o.ID, Name: o.Name}
	}
	e.res.Events = append(e.res.Events, ev)
}

func (e *Engine) configChanged(entity, id, action string) {
	e.res.Changes.Config = true
	e.emit(sb.EventConfigChanged, nil, nil, sb.Event{Config: &sb.ConfigChange{Entity: entity, ID: id, Action: action}})
}

// decide records an audit decision.
func (e *Engine) decide(d sb.Decision) {
	e.cnt.Decision++
	d.Seq, d.At, d.Trigger, d.Method = e.cnt.Decision, e.now, e.trigger, e.settings.DistributionMethod
	e.res.Decisions = append(e.res.Decisions, d)
	e.audit.push(d)
}

func (e *Engine) stopwatch() int64 {
	if e.Stopwatch == nil {
		return 0
	}
	return e.Stopwatch()
}

// snap returns a copy of the chat safe to hand out.
func (e *Engine) snap(c *chat) sb.Chat {
	s := c.export()
	if s.Status == sb.ChatQueued {
		s.QueuePosition = e.idx.qall.rank(c.key()) + 1
	}
	return s
}

// snap returns a copy of the operator safe to hand out.
func (o *operator) snap() sb.Operator {
	s := o.Operator
	s.ActiveByChannel = nil
	if len(o.ActiveByChannel) > 0 {
		s.ActiveByChannel = make(map[string]int, len(o.ActiveByChannel))
		for k, v := range o.ActiveByChannel {
			s.ActiveByChannel[k] = v
		}
	}
	s.WrapUp = nil
	for _, w := range o.wrap {
		s.WrapUp = append(s.WrapUp, sb.WrapUp{ChatID: w.id, Channel: w.channel, Until: w.until.Time()})
	}
	return s
}

func (e *Engine) chat(id string) (*chat, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err == nil {
		if c, ok := e.chats[n]; ok {
			return c, nil
		}
	}
	for _, c := range e.closed.items() {
		if c.ID == id {
			return nil, sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is closed", id)
		}
	}
	return nil, sb.Errorf(sb.ENOTFOUND, "chat_id", "chat %q not found", id)
}

func (e *Engine) op(id, field string) (*operator, error) {
	if o, ok := e.ops[id]; ok {
		return o, nil
	}
	return nil, sb.Errorf(sb.ENOTFOUND, field, "operator %q not found", id)
}

func (e *Engine) status(id string) (sb.Status, bool) {
	for _, s := range e.statuses {
		if s.ID == id {
			return s, true
		}
	}
	return sb.Status{}, false
}

// ring keeps the last max items.
type ring[T any] struct {
	buf   []T
	start int
	max   int
}

func (r *ring[T]) push(v T) {
	if len(r.buf) < r.max {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % r.max
}

func (r *ring[T]) items() []T {
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:r.start]...)
}
