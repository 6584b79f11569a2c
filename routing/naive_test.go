package routing

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
)

// naive is a deliberately simple reference model of docs/ROUTING.md: plain
// maps, and every question answered by scanning everything. It shares no
// code with the engine; the differential test compares the two.
type naive struct {
	now      time.Time
	set      sb.Settings
	statuses map[string]sb.Status
	topics   map[string]sb.Topic
	groups   map[string]sb.SkillGroup
	ops      map[string]*nvOp
	chats    map[int64]*nvChat // open chats
	closed   []int64           // closed chat ids, oldest first
	gone     map[int64]*nvChat // the closed chats
	bans     map[string]sb.Ban

	chatSeq, assignSeq, closeSeq, banSeq int64

	loads   map[string]map[string]int // cached load: op -> channel ("" total) -> n
	res     *Result                   // the result being built by Apply
	resChat int64                     // the chat the command was about, 0 for none
	lastRes *nvChat                   // snapshot of resChat when it was closed
}

// nvChat is an open chat of the model.
type nvChat struct {
	id         int64
	status     sb.ChatStatus
	op         string
	client     string
	channel    string
	topic      string
	weight     int
	createdAt  time.Time
	queuedAt   time.Time
	waitStart  time.Time
	assignedAt time.Time
	acceptedAt time.Time
	overdue    bool
	auto       bool
	excluded   map[string]bool
	lastMsg    time.Time
	awaiting   time.Time
	requeues   int
	offer      *nvTransfer
}

// nvTransfer is a chat's open offer to a colleague.
type nvTransfer struct {
	from, to string
	force    bool
	expires  time.Time // zero: none
}

// nvWrap is a closed chat its operator still wraps up.
type nvWrap struct {
	chat    int64
	channel string
	until   time.Time
}

// nvOp is an operator of the model; its load is counted from the chats.
type nvOp struct {
	id          string
	maxChats    *int
	limits      map[string]int
	status      string
	statusSince time.Time
	connected   bool
	lostAt      time.Time
	missed      int
	createdAt   time.Time
	assignSeq   int64
	closeSeq    int64
	wrap        []nvWrap
}

// Timer kinds, in firing order.
const (
	nvAccept = iota
	nvResponse
	nvInactivity
	nvQueue
	nvOffer
	nvOffline
	nvWrapUp
)

// nvTimer is one due-able timer: (at, kind, chat or operator).
type nvTimer struct {
	at   time.Time
	kind int
	chat int64
	op   string
}

func (a nvTimer) less(b nvTimer) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if a.chat != b.chat {
		return a.chat < b.chat
	}
	return a.op < b.op
}

func newNaive(now time.Time) *naive {
	m := &naive{
		now:      now,
		set:      sb.DefaultSettings(),
		statuses: map[string]sb.Status{},
		topics:   map[string]sb.Topic{},
		groups:   map[string]sb.SkillGroup{},
		ops:      map[string]*nvOp{},
		chats:    map[int64]*nvChat{},
		bans:     map[string]sb.Ban{},
		gone:     map[int64]*nvChat{},
	}
	for _, s := range sb.DefaultStatuses() {
		m.statuses[s.ID] = s
	}
	return m
}

func nvErr(code, field string) error { return sb.Errorf(code, field, "naive: %s", code) }

func nvSecs(n int) time.Duration { return time.Duration(n) * time.Second }

func nvMaxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Apply fires the due timers, applies cmd and drains, as ROUTING.md says.
func (m *naive) Apply(now time.Time, cmd Command) (Result, error) {
	if now.After(m.now) {
		m.now = now
	}
	m.res = &Result{}
	m.resChat, m.lastRes = 0, nil
	m.fireTimers()
	err := m.do(cmd)
	if err != nil {
		m.resChat = 0
	}
	m.drain()
	res := *m.res
	m.res = nil
	if m.resChat != 0 {
		if c := m.chats[m.resChat]; c != nil {
			ch := m.chatState(c, slices.Index(m.queued(), c)+1)
			res.Chat = &ch
		} else if m.lastRes != nil {
			ch := m.chatState(m.lastRes, 0)
			res.Chat = &ch
		}
	}
	return res, err
}

func (m *naive) decide(kind string, chat int64, op, reason string, anomalies ...string) {
	id := ""
	if chat != 0 {
		id = strconv.FormatInt(chat, 10)
	}
	m.res.Decisions = append(m.res.Decisions, sb.Decision{
		At: m.now, Kind: kind, ChatID: id, OperatorID: op, Reason: reason, Anomalies: anomalies,
	})
}

// --- queries -------------------------------------------------------------

func (m *naive) sortedOps() []*nvOp {
	ids := slices.Sorted(maps.Keys(m.ops))
	out := make([]*nvOp, len(ids))
	for i, id := range ids {
		out[i] = m.ops[id]
	}
	return out
}

func (m *naive) sortedChats() []*nvChat {
	ids := slices.Sorted(maps.Keys(m.chats))
	out := make([]*nvChat, len(ids))
	for i, id := range ids {
		out[i] = m.chats[id]
	}
	return out
}

func (m *naive) canReceive(o *nvOp) bool { return m.statuses[o.status].CanReceive }

// inGroupWithTopic is R1.2 without the "no topic" case: an active group
// of o's has the topic or one of its ancestors.
func (m *naive) inGroupWithTopic(o *nvOp, topic string) bool {
	for _, g := range m.groups {
		if g.Active && m.groupServes(g, topic) && slices.Contains(g.Operators, o.id) {
			return true
		}
	}
	return false
}

// groupServes reports whether g has the topic or one of its ancestors.
func (m *naive) groupServes(g sb.SkillGroup, topic string) bool {
	for t := topic; t != ""; t = m.topics[t].Parent {
		if slices.Contains(g.Topics, t) {
			return true
		}
	}
	return false
}

func (m *naive) serves(o *nvOp, topic string) bool {
	return topic == "" || m.inGroupWithTopic(o, topic)
}

// load counts o's active chats, in total and on channel. The counts are
// cached until a chat changes operator or status.
func (m *naive) load(o *nvOp, channel string) (total, onChannel int) {
	if m.loads == nil {
		m.loads = map[string]map[string]int{}
		count := func(op, channel string) {
			if m.loads[op] == nil {
				m.loads[op] = map[string]int{}
			}
			m.loads[op][""]++
			m.loads[op][channel]++
		}
		for _, c := range m.chats {
			if c.status == sb.ChatActive {
				count(c.op, c.channel)
			}
		}
		for _, x := range m.ops { // a chat in wrap-up counts as active
			for _, w := range x.wrap {
				count(x.id, w.channel)
			}
		}
	}
	return m.loads[o.id][""], m.loads[o.id][channel]
}

func (m *naive) maxOf(o *nvOp) int {
	if o.maxChats != nil {
		return *o.maxChats
	}
	return m.set.DefaultMaxChats
}

func (m *naive) limitOf(o *nvOp, channel string) (int, bool) {
	limits := m.set.DefaultChannelLimits
	if o.limits != nil {
		limits = o.limits
	}
	n, ok := limits[channel]
	return n, ok
}

// underLimits is R1.3 and R1.4.
func (m *naive) underLimits(o *nvOp, channel string) bool {
	total, on := m.load(o, channel)
	if total >= m.maxOf(o) {
		return false
	}
	if lim, ok := m.limitOf(o, channel); ok && on >= lim {
		return false
	}
	return true
}

// eligible is R1.
func (m *naive) eligible(o *nvOp, c *nvChat) bool {
	return m.canReceive(o) && m.underLimits(o, c.channel) && !c.excluded[o.id] && m.serves(o, c.topic)
}

// betterR2 reports whether a's R2 key is smaller than b's.
func (m *naive) betterR2(a, b *nvOp) bool {
	aa, _ := m.load(a, "")
	ba, _ := m.load(b, "")
	switch m.set.DistributionMethod {
	case sb.MethodByNumber:
		if aa != ba {
			return aa < ba
		}
	case sb.MethodByLastDate:
		if a.assignSeq != b.assignSeq {
			return a.assignSeq < b.assignSeq
		}
	default:
		if aa != ba {
			return aa < ba
		}
		if a.closeSeq != b.closeSeq {
			return a.closeSeq < b.closeSeq
		}
	}
	return a.id < b.id
}

// best is R2 among the operators eligible for c, or nil.
func (m *naive) best(c *nvChat) *nvOp {
	var win *nvOp
	for _, o := range m.ops {
		if m.eligible(o, c) && (win == nil || m.betterR2(o, win)) {
			win = o
		}
	}
	return win
}

// nvR3Less is the queue order.
func nvR3Less(a, b *nvChat) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	if !a.queuedAt.Equal(b.queuedAt) {
		return a.queuedAt.Before(b.queuedAt)
	}
	return a.id < b.id
}

func (m *naive) queued() []*nvChat {
	var q []*nvChat
	for _, c := range m.chats {
		if c.status == sb.ChatQueued {
			q = append(q, c)
		}
	}
	slices.SortFunc(q, func(a, b *nvChat) int {
		switch {
		case nvR3Less(a, b):
			return -1
		case nvR3Less(b, a):
			return 1
		}
		return 0
	})
	return q
}

func (m *naive) lookupChat(id string) (*nvChat, bool, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return nil, false, nvErr(sb.ENOTFOUND, "")
	}
	if c := m.chats[n]; c != nil {
		return c, false, nil
	}
	if slices.Contains(m.closed, n) {
		return nil, true, nil
	}
	return nil, false, nvErr(sb.ENOTFOUND, "")
}

// openChat returns an open chat, not_found, or conflict when it is closed.
func (m *naive) openChat(id string) (*nvChat, error) {
	c, closed, err := m.lookupChat(id)
	if err != nil {
		return nil, err
	}
	if closed {
		return nil, nvErr(sb.ECONFLICT, "")
	}
	return c, nil
}

func (m *naive) op(id string) (*nvOp, error) {
	if o := m.ops[id]; o != nil {
		return o, nil
	}
	return nil, nvErr(sb.ENOTFOUND, "")
}

// --- state changes -------------------------------------------------------

func (m *naive) connectOp(c *nvChat, o *nvOp, auto bool) {
	m.loads = nil
	c.status = sb.ChatActive
	c.op = o.id
	c.auto = auto
	c.assignedAt = m.now
	c.acceptedAt = time.Time{}
	// ROUTING.md does not say whether an assignment of an Overdue active
	// chat keeps the flag; the engine clears it (the new operator's
	// response timer starts at assigned_at).
	c.overdue = false
	m.assignSeq++
	o.assignSeq = m.assignSeq
}

func (m *naive) closeChat(c *nvChat) {
	m.loads = nil
	c.offer = nil
	if c.status == sb.ChatActive {
		m.closeSeq++
		o := m.ops[c.op]
		o.closeSeq = m.closeSeq
		if d := m.chatTimeout(c, m.set.WrapUpS, func(g sb.SkillGroup) int { return g.WrapUpS }); d > 0 {
			o.wrap = append(o.wrap, nvWrap{chat: c.id, channel: c.channel, until: m.now.Add(d)})
		}
	}
	c.status = sb.ChatClosed
	delete(m.chats, c.id)
	m.closed = append(m.closed, c.id)
	m.gone[c.id] = c
	if c.id == m.resChat {
		m.lastRes = c
	}
}

// requeue returns an active chat to routing for a reason.
func (m *naive) requeue(c *nvChat, exclude bool, reason string, anomalies ...string) {
	m.loads = nil
	c.offer = nil
	op := c.op
	c.op = ""
	if exclude {
		c.excluded[op] = true
	}
	c.requeues++
	c.acceptedAt = time.Time{}
	c.overdue = false
	c.auto = false
	if c.queuedAt.IsZero() {
		c.queuedAt = c.createdAt
	}
	c.waitStart = m.now
	c.status = sb.ChatNew
	if m.set.AutoConnect {
		c.status = sb.ChatQueued
	}
	m.decide(sb.DecisionRequeue, c.id, op, reason, anomalies...)
}

func (m *naive) setStatus(o *nvOp, status string) {
	if o.status == status {
		return
	}
	o.status = status
	o.statusSince = m.now
	o.missed = 0
}

// endWraps ends o's wrap-ups due by upTo.
func (m *naive) endWraps(o *nvOp, upTo time.Time) {
	m.loads = nil
	o.wrap = slices.DeleteFunc(o.wrap, func(w nvWrap) bool { return !w.until.After(upTo) })
}

func (m *naive) accept(c *nvChat) {
	if c.acceptedAt.IsZero() {
		c.acceptedAt = m.now
		m.ops[c.op].missed = 0
	}
}

func (m *naive) activeChatsOf(o *nvOp) []*nvChat {
	var out []*nvChat
	for _, c := range m.sortedChats() {
		if c.status == sb.ChatActive && c.op == o.id {
			out = append(out, c)
		}
	}
	return out
}

// drain is R4: while a queued chat has an eligible operator, connect the
// first such chat in R3 order to the best operator by R2. First, R7's
// lapse: a queued chat whose every operator that could take it (receiving,
// serving its topic, limits not 0) is excluded loses its exclusions.
func (m *naive) drain() {
	if !m.set.AutoConnect {
		return
	}
	for _, c := range m.queued() {
		if len(c.excluded) > 0 && m.onlyExcluded(c) {
			c.excluded = map[string]bool{}
		}
	}
	for {
		done := true
		for _, c := range m.queued() {
			if o := m.best(c); o != nil {
				m.connectOp(c, o, true)
				// repeated_distribution: a chat returned to routing before.
				if c.requeues > 0 {
					m.decide(sb.DecisionAuto, c.id, o.id, "", sb.AnomalyRepeatedDistribution)
				} else {
					m.decide(sb.DecisionAuto, c.id, o.id, "")
				}
				done = false
				break
			}
		}
		if done {
			return
		}
	}
}

// onlyExcluded: some operator could take c but for its exclusions, and all
// such are excluded.
func (m *naive) onlyExcluded(c *nvChat) bool {
	some := false
	for _, o := range m.ops {
		lim, limited := m.limitOf(o, c.channel)
		if !m.canReceive(o) || !m.serves(o, c.topic) || m.maxOf(o) == 0 || limited && lim == 0 {
			continue
		}
		if !c.excluded[o.id] {
			return false
		}
		some = true
	}
	return some
}

// waitReason is why a queued chat waits, "" when an operator may take it.
func (m *naive) waitReason(c *nvChat) string {
	if m.best(c) != nil {
		return ""
	}
	excluded := 0
	for _, o := range m.ops {
		if m.canReceive(o) && m.serves(o, c.topic) && m.underLimits(o, c.channel) && c.excluded[o.id] {
			excluded++
		}
	}
	if r := m.limitReason(c.topic); r != ReasonAllOperatorsBusy || excluded == 0 {
		return r
	}
	return ReasonOperatorsExcluded
}

// --- timers --------------------------------------------------------------

// chatTimeout is the shortest non-zero override among the active groups with
// the chat's topic and operator, else the global value.
func (m *naive) chatTimeout(c *nvChat, global int, pick func(sb.SkillGroup) int) time.Duration {
	best := 0
	for _, g := range m.groups {
		if g.Active && m.groupServes(g, c.topic) && slices.Contains(g.Operators, c.op) {
			if v := pick(g); v > 0 && (best == 0 || v < best) {
				best = v
			}
		}
	}
	if best == 0 {
		best = global
	}
	return nvSecs(best)
}

func (m *naive) timers() []nvTimer {
	var ts []nvTimer
	for _, c := range m.chats {
		switch c.status {
		case sb.ChatActive:
			if c.auto && c.acceptedAt.IsZero() {
				if d := m.chatTimeout(c, m.set.AcceptTimeoutS, func(g sb.SkillGroup) int { return g.AcceptTimeoutS }); d > 0 {
					ts = append(ts, nvTimer{c.assignedAt.Add(d), nvAccept, c.id, ""})
				}
			}
			if !c.awaiting.IsZero() && !c.overdue {
				if d := m.chatTimeout(c, m.set.ResponseTimeoutS, func(g sb.SkillGroup) int { return g.ResponseTimeoutS }); d > 0 {
					ts = append(ts, nvTimer{nvMaxTime(c.awaiting, c.assignedAt).Add(d), nvResponse, c.id, ""})
				}
			}
			if m.set.ChatInactivityTimeoutS > 0 {
				ts = append(ts, nvTimer{nvMaxTime(c.lastMsg, c.assignedAt).Add(nvSecs(m.set.ChatInactivityTimeoutS)), nvInactivity, c.id, ""})
			}
		case sb.ChatQueued:
			if m.set.QueueTimeoutS > 0 {
				ts = append(ts, nvTimer{c.waitStart.Add(nvSecs(m.set.QueueTimeoutS)), nvQueue, c.id, ""})
			}
		}
		if c.offer != nil && !c.offer.expires.IsZero() {
			ts = append(ts, nvTimer{c.offer.expires, nvOffer, c.id, ""})
		}
	}
	for _, o := range m.ops {
		if m.canReceive(o) && !o.connected && m.set.AutoOfflineAfterS > 0 {
			ts = append(ts, nvTimer{nvMaxTime(o.lostAt, o.statusSince).Add(nvSecs(m.set.AutoOfflineAfterS)), nvOffline, 0, o.id})
		}
		if len(o.wrap) > 0 { // one timer: the first wrap-up to end
			first := o.wrap[0].until
			for _, w := range o.wrap {
				if w.until.Before(first) {
					first = w.until
				}
			}
			ts = append(ts, nvTimer{first, nvWrapUp, 0, o.id})
		}
	}
	return ts
}

// nextTimer is the earliest timer by (deadline, kind, id).
func (m *naive) nextTimer() (nvTimer, bool) {
	ts := m.timers()
	if len(ts) == 0 {
		return nvTimer{}, false
	}
	best := ts[0]
	for _, t := range ts[1:] {
		if t.less(best) {
			best = t
		}
	}
	return best, true
}

// nextDeadline is the earliest deadline, due or not.
func (m *naive) nextDeadline() (time.Time, bool) {
	t, ok := m.nextTimer()
	return t.at, ok
}

func (m *naive) fireTimers() {
	for n := 0; ; n++ {
		if n > 100000 {
			panic("naive: timers do not settle")
		}
		t, ok := m.nextTimer()
		if !ok || t.at.After(m.now) {
			return
		}
		m.fire(t)
		m.drain()
	}
}

func (m *naive) fire(t nvTimer) {
	c := m.chats[t.chat]
	switch t.kind {
	case nvAccept:
		o := m.ops[c.op]
		m.requeue(c, true, sb.ReasonMissedAccept, sb.AnomalyMissedAccept)
		o.missed++
		if m.set.MaxMissedChats > 0 && o.missed >= m.set.MaxMissedChats {
			m.setStatus(o, m.set.AutoOfflineStatus)
			o.missed = 0
		}
	case nvResponse:
		c.overdue = true
	case nvInactivity:
		if m.set.ChatInactivityAction == sb.InactivityRequeue {
			m.requeue(c, true, sb.ReasonInactivity)
		} else {
			m.closeChat(c)
		}
	case nvQueue:
		m.decide("queue_timeout", c.id, "", "", sb.AnomalyQueueTimeout)
		m.closeChat(c)
	case nvOffer:
		c.offer = nil
	case nvWrapUp:
		m.endWraps(m.ops[t.op], m.now)
	case nvOffline:
		o := m.ops[t.op]
		m.setStatus(o, m.set.AutoOfflineStatus)
		if m.set.AutoOfflineRedistribute {
			for _, c := range m.activeChatsOf(o) {
				m.requeue(c, true, sb.ReasonPresenceLost)
			}
		}
	}
}

// --- commands ------------------------------------------------------------

func (m *naive) do(cmd Command) error {
	switch c := cmd.(type) {
	case Tick:
		return nil
	case CreateStatus:
		if c.Status.ID == "" {
			return nvErr(sb.EINVALID, "id")
		}
		if _, ok := m.statuses[c.Status.ID]; ok {
			return nvErr(sb.ECONFLICT, "")
		}
		m.statuses[c.Status.ID] = c.Status
	case UpdateStatus:
		if _, ok := m.statuses[c.Status.ID]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		m.statuses[c.Status.ID] = c.Status
	case DeleteStatus:
		if _, ok := m.statuses[c.ID]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		if c.ID == sb.StatusOffline || c.ID == m.set.AutoOfflineStatus {
			return nvErr(sb.ECONFLICT, "")
		}
		for _, o := range m.ops {
			if o.status == c.ID {
				return nvErr(sb.ECONFLICT, "")
			}
		}
		delete(m.statuses, c.ID)
	case CreateTopic:
		if c.Topic.Alias == "" {
			return nvErr(sb.EINVALID, "alias")
		}
		if _, ok := m.topics[c.Topic.Alias]; ok {
			return nvErr(sb.ECONFLICT, "")
		}
		if _, ok := m.topics[c.Topic.Parent]; c.Topic.Parent != "" && !ok {
			return nvErr(sb.EINVALID, "parent")
		}
		m.topics[c.Topic.Alias] = c.Topic
	case UpdateTopic:
		if _, ok := m.topics[c.Topic.Alias]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		if _, ok := m.topics[c.Topic.Parent]; c.Topic.Parent != "" && !ok {
			return nvErr(sb.EINVALID, "parent")
		}
		m.topics[c.Topic.Alias] = c.Topic
	case DeleteTopic:
		if _, ok := m.topics[c.Alias]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		for _, ch := range m.chats {
			if ch.topic == c.Alias {
				return nvErr(sb.ECONFLICT, "")
			}
		}
		for _, g := range m.groups {
			if slices.Contains(g.Topics, c.Alias) {
				return nvErr(sb.ECONFLICT, "")
			}
		}
		for _, t := range m.topics {
			if t.Parent == c.Alias {
				return nvErr(sb.ECONFLICT, "")
			}
		}
		delete(m.topics, c.Alias)
	case CreateSkillGroup:
		if c.Group.ID == "" {
			return nvErr(sb.EINVALID, "id")
		}
		if err := m.validGroup(c.Group); err != nil {
			return err
		}
		if _, ok := m.groups[c.Group.ID]; ok {
			return nvErr(sb.ECONFLICT, "")
		}
		m.groups[c.Group.ID] = nvCloneGroup(c.Group)
	case UpdateSkillGroup:
		if err := m.validGroup(c.Group); err != nil {
			return err
		}
		if _, ok := m.groups[c.Group.ID]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		m.groups[c.Group.ID] = nvCloneGroup(c.Group)
	case DeleteSkillGroup:
		if _, ok := m.groups[c.ID]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		delete(m.groups, c.ID)
	case CreateOperator:
		if c.Operator.ID == "" {
			return nvErr(sb.EINVALID, "id")
		}
		if _, ok := m.ops[c.Operator.ID]; ok {
			return nvErr(sb.ECONFLICT, "")
		}
		if err := nvValidLimits(c.Operator); err != nil {
			return err
		}
		o := &nvOp{id: c.Operator.ID, status: sb.StatusOffline, statusSince: m.now, lostAt: m.now, createdAt: m.now}
		o.maxChats, o.limits = nvCloneLimits(c.Operator)
		m.ops[o.id] = o
	case UpdateOperator:
		o, err := m.op(c.Operator.ID)
		if err != nil {
			return err
		}
		if err := nvValidLimits(c.Operator); err != nil {
			return err
		}
		o.maxChats, o.limits = nvCloneLimits(c.Operator)
	case DeleteOperator:
		o, err := m.op(c.ID)
		if err != nil {
			return err
		}
		for _, ch := range m.activeChatsOf(o) {
			m.requeue(ch, false, sb.ReasonOperatorDeleted)
		}
		for _, ch := range m.chats {
			if ch.offer != nil && ch.offer.to == o.id {
				ch.offer = nil
			}
		}
		delete(m.ops, o.id)
		for id, g := range m.groups {
			g.Operators = slices.DeleteFunc(slices.Clone(g.Operators), func(s string) bool { return s == o.id })
			m.groups[id] = g
		}
	case SetOperatorStatus:
		o, err := m.op(c.OperatorID)
		if err != nil {
			return err
		}
		if _, ok := m.statuses[c.Status]; !ok {
			return nvErr(sb.EINVALID, "status")
		}
		m.setStatus(o, c.Status)
	case PresenceLost:
		o, err := m.op(c.OperatorID)
		if err != nil {
			return err
		}
		o.connected = false
		o.lostAt = m.now
	case PresenceRestored:
		o, err := m.op(c.OperatorID)
		if err != nil {
			return err
		}
		o.connected = true
	case UpdateSettings:
		if err := m.validSettings(c.Settings); err != nil {
			return err
		}
		s := c.Settings
		s.DefaultChannelLimits = maps.Clone(s.DefaultChannelLimits)
		m.set = s
	case CreateBan:
		if c.Ban.ClientID == "" {
			return nvErr(sb.EINVALID, "client_id")
		}
		b := c.Ban
		if b.ID == "" {
			m.banSeq++
			b.ID = strconv.FormatInt(m.banSeq, 10)
		}
		if _, ok := m.bans[b.ID]; ok {
			return nvErr(sb.ECONFLICT, "")
		}
		m.bans[b.ID] = b
	case DeleteBan:
		if _, ok := m.bans[c.ID]; !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		delete(m.bans, c.ID)
	case Connect:
		return m.connect(c)
	case Take:
		return m.take(c)
	case Assign:
		return m.assign(c)
	case Accept:
		ch, err := m.visibleChat(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		if _, err := m.op(c.OperatorID); err != nil {
			return err
		}
		if ch.status != sb.ChatActive || ch.op != c.OperatorID {
			return nvErr(sb.ECONFLICT, "")
		}
		m.accept(ch)
		m.resChat = ch.id
	case Transfer:
		// The precedence of errors is not in ROUTING.md; this is the
		// engine's (as for skill groups below).
		if _, ok := m.topics[c.Topic]; c.Topic != "" && !ok {
			return nvErr(sb.EINVALID, "subject_alias")
		}
		ch, err := m.workable(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		ch.excluded = map[string]bool{}
		ch.topic = c.Topic
		if ch.status == sb.ChatActive {
			m.requeue(ch, false, sb.ReasonTransfer)
		}
		m.resChat = ch.id
	case Close:
		ch, err := m.workable(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		m.resChat = ch.id
		m.closeChat(ch)
	case OperatorMessage:
		if c.Role == sb.RoleAdmin || c.Role == sb.RoleSupervisor { // a supervisor joins any active chat
			ch, err := m.openChat(c.ChatID)
			if err != nil {
				return err
			}
			if ch.status != sb.ChatActive {
				return nvErr(sb.ECONFLICT, "")
			}
			if ch.op == c.OperatorID {
				m.accept(ch)
			}
			ch.awaiting, ch.overdue, ch.lastMsg = time.Time{}, false, m.now
			m.resChat = ch.id
			return nil
		}
		ch, err := m.visibleChat(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		if ch.status != sb.ChatActive || ch.op != c.OperatorID {
			return nvErr(sb.ECONFLICT, "")
		}
		m.accept(ch)
		ch.awaiting = time.Time{}
		ch.overdue = false
		ch.lastMsg = m.now
		m.resChat = ch.id
	case ClientMessage:
		ch, err := m.openChat(c.ChatID)
		if err != nil {
			return err
		}
		ch.lastMsg = m.now
		ch.awaiting = m.now
		m.resChat = ch.id
	case Redistribute:
		o, err := m.op(c.OperatorID)
		if err != nil {
			return err
		}
		status := c.Status
		if status == "" {
			status = sb.StatusOffline
		}
		if _, ok := m.statuses[status]; !ok {
			return nvErr(sb.EINVALID, "status")
		}
		if c.Weight != nil && *c.Weight < 0 {
			return nvErr(sb.EINVALID, "weight")
		}
		m.setStatus(o, status)
		for _, ch := range m.activeChatsOf(o) {
			if c.Weight != nil {
				ch.weight = *c.Weight
			}
			m.requeue(ch, true, sb.ReasonRedistribution)
		}
	case PatchOperator, PatchSkillGroup, PatchTopic, PatchStatus, PatchSettings:
		return m.patch(cmd)
	case OfferTransfer, AcceptOffer, DeclineOffer, WithdrawOffer, AddNote, EndWrapUp:
		return m.together(cmd)
	case ReturnToBot:
		ch, err := m.workable(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		m.resChat = ch.id
		m.closeChat(ch)
	case UpdateChat:
		if t := c.Topic; t != nil && *t != "" {
			if _, ok := m.topics[*t]; !ok {
				return nvErr(sb.EINVALID, "subject_alias")
			}
		}
		ch, err := m.workable(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		if c.Topic != nil {
			ch.topic = *c.Topic
		}
		m.resChat = ch.id
	default:
		panic(fmt.Sprintf("naive: unknown command %T", cmd))
	}
	return nil
}

// together applies the commands of working together: offers, notes,
// wrap-up.
func (m *naive) together(cmd Command) error {
	switch c := cmd.(type) {
	case OfferTransfer:
		ch, err := m.openChat(c.ChatID)
		if err != nil {
			return err
		}
		if c.Role == sb.RoleIntegrator {
			return nvErr(sb.EFORBIDDEN, "")
		}
		if _, err := m.workable(c.ChatID, c.OperatorID, c.Role); err != nil {
			return err
		}
		to := m.ops[c.To]
		staff := c.Role == "" || c.Role == sb.RoleAdmin || c.Role == sb.RoleSupervisor
		switch {
		case ch.status != sb.ChatActive:
			return nvErr(sb.ECONFLICT, "")
		case to == nil:
			return nvErr(sb.EINVALID, "operator_id")
		case to.id == ch.op:
			return nvErr(sb.ECONFLICT, "")
		case c.Force && !staff:
			return nvErr(sb.EFORBIDDEN, "")
		case !m.canReceive(to):
			return nvErr(sb.ECONFLICT, "")
		}
		over := !m.underLimits(to, ch.channel)
		if over && !c.Force {
			return nvErr(sb.ECONFLICT, "")
		}
		ch.offer = &nvTransfer{from: ch.op, to: to.id, force: c.Force}
		if t := m.set.TransferOfferTimeoutS; t > 0 {
			ch.offer.expires = m.now.Add(nvSecs(t))
		}
		if over {
			m.decide(sb.DecisionOffer, ch.id, to.id, "", sb.AnomalyForcedOverLimit)
		} else {
			m.decide(sb.DecisionOffer, ch.id, to.id, "")
		}
		m.resChat = ch.id
	case AcceptOffer:
		ch, err := m.offered(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		to := m.ops[ch.offer.to]
		if !m.canReceive(to) {
			return nvErr(sb.ECONFLICT, "")
		}
		over := !m.underLimits(to, ch.channel)
		if over && !ch.offer.force {
			return nvErr(sb.ECONFLICT, "")
		}
		ch.offer = nil
		m.connectOp(ch, to, false)
		if over {
			m.decide(sb.DecisionTransfer, ch.id, to.id, "", sb.AnomalyForcedOverLimit)
		} else {
			m.decide(sb.DecisionTransfer, ch.id, to.id, "")
		}
		m.accept(ch)
		m.resChat = ch.id
	case DeclineOffer:
		ch, err := m.offered(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		ch.offer = nil
		m.resChat = ch.id
	case WithdrawOffer:
		ch, err := m.workable(c.ChatID, c.OperatorID, c.Role)
		if err != nil {
			return err
		}
		if ch.offer == nil {
			return nvErr(sb.ECONFLICT, "")
		}
		ch.offer = nil
		m.resChat = ch.id
	case AddNote:
		if c.Text == "" {
			return nvErr(sb.EINVALID, "text")
		}
		ch, closed, err := m.lookupChat(c.ChatID)
		if err != nil {
			return err
		}
		if closed {
			ch = m.gone[nvChatNum(c.ChatID)]
		}
		staff := c.Role == "" || c.Role == sb.RoleAdmin || c.Role == sb.RoleSupervisor
		switch {
		case c.Role == sb.RoleIntegrator:
			return nvErr(sb.EFORBIDDEN, "")
		case staff:
		case c.Role == sb.RoleOperator && ch.op == c.OperatorID && (closed || ch.status == sb.ChatActive):
		case closed && c.Role == sb.RoleOperator:
			return nvErr(sb.ENOTFOUND, "")
		case closed:
			return nvErr(sb.EFORBIDDEN, "")
		default:
			if _, err := m.workable(c.ChatID, c.OperatorID, c.Role); err != nil {
				return err
			}
		}
		m.resChat = ch.id
		m.lastRes = ch
	case EndWrapUp:
		o, err := m.op(c.OperatorID)
		if err != nil {
			return err
		}
		m.endWraps(o, time.Unix(1<<62, 0))
	}
	return nil
}

// offered returns a chat with an open offer to the caller (any for the
// system).
func (m *naive) offered(id, op, role string) (*nvChat, error) {
	ch, err := m.openChat(id)
	switch {
	case err != nil:
		return nil, err
	case ch.offer != nil && (role == "" || role == sb.RoleAdmin || role == sb.RoleSupervisor || ch.offer.to == op):
		return ch, nil
	case role == sb.RoleOperator && !m.sees(ch, op, role):
		return nil, nvErr(sb.ENOTFOUND, "")
	case ch.offer == nil:
		return nil, nvErr(sb.ECONFLICT, "")
	}
	return nil, nvErr(sb.EFORBIDDEN, "")
}

// patch applies a patch command as the update of the merged entity.
func (m *naive) patch(cmd Command) error {
	pick := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	switch c := cmd.(type) {
	case PatchOperator:
		o, err := m.op(c.ID)
		if err != nil {
			return err
		}
		op := sb.Operator{ID: o.id, Name: "kept"}
		op.MaxChats, op.ChannelLimits = nvCloneLimits(sb.Operator{MaxChats: o.maxChats, ChannelLimits: o.limits})
		if c.MaxChats.Set {
			op.MaxChats = c.MaxChats.V
		}
		if c.ChannelLimits.Set {
			op.ChannelLimits = nil
			if c.ChannelLimits.V != nil {
				op.ChannelLimits = *c.ChannelLimits.V
			}
		}
		return m.do(UpdateOperator{op})
	case PatchSkillGroup:
		g, ok := m.groups[c.ID]
		if !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		g = nvCloneGroup(g)
		if c.Operators.Set {
			g.Operators = nil
			if c.Operators.V != nil {
				g.Operators = *c.Operators.V
			}
		}
		if c.Active != nil {
			g.Active = *c.Active
		}
		return m.do(UpdateSkillGroup{g})
	case PatchTopic:
		t, ok := m.topics[c.Alias]
		if !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		pick(&t.Name, c.Name)
		pick(&t.Parent, c.Parent)
		return m.do(UpdateTopic{t})
	case PatchStatus:
		st, ok := m.statuses[c.ID]
		if !ok {
			return nvErr(sb.ENOTFOUND, "")
		}
		if c.CanReceive != nil {
			st.CanReceive = *c.CanReceive
		}
		return m.do(UpdateStatus{st})
	case PatchSettings:
		s := m.set
		if c.AcceptTimeoutS != nil {
			s.AcceptTimeoutS = *c.AcceptTimeoutS
		}
		if c.AutoConnect != nil {
			s.AutoConnect = *c.AutoConnect
		}
		if c.DefaultMaxChats != nil {
			s.DefaultMaxChats = *c.DefaultMaxChats
		}
		if c.DistributionMethod != nil {
			s.DistributionMethod = *c.DistributionMethod
		}
		return m.do(UpdateSettings{s})
	}
	panic(fmt.Sprintf("naive: no patch %T", cmd))
}

// workable returns an open chat a caller may change: the system (no role),
// staff and integrators any; an operator only its active chat (forbidden
// for another chat it may see, else not found).
func (m *naive) workable(id, op, role string) (*nvChat, error) {
	ch, err := m.openChat(id)
	if err != nil {
		return nil, err
	}
	switch role {
	case "", sb.RoleAdmin, sb.RoleSupervisor, sb.RoleIntegrator:
		return ch, nil
	case sb.RoleOperator:
		switch {
		case ch.status == sb.ChatActive && ch.op == op:
			return ch, nil
		case m.sees(ch, op, role):
			return nil, nvErr(sb.EFORBIDDEN, "")
		}
		return nil, nvErr(sb.ENOTFOUND, "")
	}
	return nil, nvErr(sb.EFORBIDDEN, "")
}

// sees is who may see an open chat: all but operators everything; an
// operator its own chats, and the New and queued chats of its topics.
func (m *naive) sees(ch *nvChat, op, role string) bool {
	if role != sb.RoleOperator || ch.op == op || ch.offer != nil && ch.offer.to == op {
		return true
	}
	o := m.ops[op]
	return o != nil && (ch.status == sb.ChatNew || ch.status == sb.ChatQueued) && m.serves(o, ch.topic)
}

// visibleChat is openChat, and not found for a caller that may not see it.
func (m *naive) visibleChat(id, op, role string) (*nvChat, error) {
	ch, err := m.openChat(id)
	if err == nil && !m.sees(ch, op, role) {
		return nil, nvErr(sb.ENOTFOUND, "")
	}
	return ch, err
}

func nvCloneGroup(g sb.SkillGroup) sb.SkillGroup {
	g.Topics = slices.Clone(g.Topics)
	g.Operators = slices.Clone(g.Operators)
	return g
}

func nvCloneLimits(o sb.Operator) (*int, map[string]int) {
	var mx *int
	if o.MaxChats != nil {
		n := *o.MaxChats
		mx = &n
	}
	return mx, maps.Clone(o.ChannelLimits)
}

func nvValidLimits(o sb.Operator) error {
	if o.MaxChats != nil && *o.MaxChats < 0 {
		return nvErr(sb.EINVALID, "max_chats")
	}
	for _, n := range o.ChannelLimits {
		if n < 0 {
			return nvErr(sb.EINVALID, "channel_limits")
		}
	}
	return nil
}

func (m *naive) validGroup(g sb.SkillGroup) error {
	for _, t := range g.Topics {
		if _, ok := m.topics[t]; !ok {
			return nvErr(sb.EINVALID, "topics")
		}
	}
	for _, o := range g.Operators {
		if _, ok := m.ops[o]; !ok {
			return nvErr(sb.EINVALID, "operators")
		}
	}
	if g.AcceptTimeoutS < 0 || g.AcceptTimeoutS > 365*24*3600 {
		return nvErr(sb.EINVALID, "accept_timeout_s")
	}
	if g.ResponseTimeoutS < 0 || g.ResponseTimeoutS > 365*24*3600 {
		return nvErr(sb.EINVALID, "response_timeout_s")
	}
	if g.WrapUpS < 0 || g.WrapUpS > 365*24*3600 {
		return nvErr(sb.EINVALID, "wrap_up_s")
	}
	return nil
}

func (m *naive) validSettings(s sb.Settings) error {
	switch s.DistributionMethod {
	case sb.MethodDefault, sb.MethodByNumber, sb.MethodByLastDate:
	default:
		return nvErr(sb.EINVALID, "distribution_method")
	}
	if s.DefaultMaxChats < 0 {
		return nvErr(sb.EINVALID, "default_max_chats")
	}
	for _, n := range s.DefaultChannelLimits {
		if n < 0 {
			return nvErr(sb.EINVALID, "default_channel_limits")
		}
	}
	for _, f := range []struct {
		v    int
		name string
	}{
		{s.AcceptTimeoutS, "accept_timeout_s"},
		{s.MaxMissedChats, "max_missed_chats"},
		{s.ResponseTimeoutS, "response_timeout_s"},
		{s.ChatInactivityTimeoutS, "chat_inactivity_timeout_s"},
		{s.QueueTimeoutS, "queue_timeout_s"},
		{s.AutoOfflineAfterS, "auto_offline_after_s"},
		{s.TransferOfferTimeoutS, "transfer_offer_timeout_s"},
		{s.WrapUpS, "wrap_up_s"},
	} {
		if f.v < 0 || f.name != "max_missed_chats" && f.v > 365*24*3600 { // a timer: at most a year
			return nvErr(sb.EINVALID, f.name)
		}
	}
	if s.ChatInactivityAction != sb.InactivityClose && s.ChatInactivityAction != sb.InactivityRequeue {
		return nvErr(sb.EINVALID, "chat_inactivity_action")
	}
	if _, ok := m.statuses[s.AutoOfflineStatus]; !ok {
		return nvErr(sb.EINVALID, "auto_offline_status")
	}
	return nil
}

// connect is R5.
func (m *naive) connect(c Connect) error {
	switch {
	case c.Client.ID == "":
		return nvErr(sb.EINVALID, "client.id")
	case c.Client.Channel == "":
		return nvErr(sb.EINVALID, "client.channel")
	}
	if _, ok := m.topics[c.Topic]; c.Topic != "" && !ok {
		return nvErr(sb.EINVALID, "config.subject_alias")
	}
	if c.Status != "" && c.Status != "queue" {
		return nvErr(sb.EINVALID, "config.status")
	}
	if _, ok := m.ops[c.Operator]; c.Operator != "" && !ok {
		return nvErr(sb.EINVALID, "config.assigned_operator")
	}
	if c.Weight < 0 {
		return nvErr(sb.EINVALID, "config.weight")
	}
	for _, b := range m.bans {
		if b.ClientID == c.Client.ID && (b.Channel == "" || b.Channel == c.Client.Channel) && b.Until.After(m.now) {
			m.res.Outcome = OutcomeBanned
			return nil
		}
	}
	for _, ch := range m.chats {
		if ch.client == c.Client.ID && ch.channel == c.Client.Channel {
			m.res.Outcome = OutcomeSuccess
			m.resChat = ch.id
			if c.Text != "" {
				ch.lastMsg, ch.awaiting = m.now, m.now
			}
			return nil
		}
	}
	m.res.Outcome = OutcomeSuccess
	ch := &nvChat{
		client: c.Client.ID, channel: c.Client.Channel, topic: c.Topic, weight: c.Weight,
		createdAt: m.now, lastMsg: m.now, awaiting: m.now, excluded: map[string]bool{},
	}
	create := func(status sb.ChatStatus) {
		m.chatSeq++
		ch.id = m.chatSeq
		ch.status = status
		m.chats[ch.id] = ch
		m.resChat = ch.id
	}
	warn := func(code string) { m.res.Warnings = append(m.res.Warnings, sb.Reason{Code: code}) }
	if c.AutoConnect {
		if c.Operator != "" {
			warn(WarnAssignedOpIgnored)
		}
		switch {
		case !m.set.AutoConnect:
			ch.waitStart = m.now
			create(sb.ChatNew)
			warn(WarnAutoConnectDisabled)
		case c.Status == "queue":
			if m.best(ch) == nil && m.queueFull(c.Topic) {
				m.res.Outcome = OutcomeLimit
				m.res.Reason = &sb.Reason{Code: ReasonQueueFull}
				m.decide(sb.DecisionLimit, 0, "", ReasonQueueFull)
				return nil
			}
			ch.queuedAt = m.now
			ch.waitStart = m.now
			create(sb.ChatQueued)
			m.decide(sb.DecisionQueue, ch.id, "", m.waitReason(ch))
		default:
			if o := m.best(ch); o != nil {
				create(sb.ChatActive)
				m.connectOp(ch, o, true)
				m.decide(sb.DecisionAuto, ch.id, o.id, "")
				return nil
			}
			reason := m.limitReason(c.Topic)
			m.res.Outcome = OutcomeLimit
			m.res.Reason = &sb.Reason{Code: reason}
			m.decide(sb.DecisionLimit, 0, "", reason)
		}
		return nil
	}
	if c.Operator == "" {
		ch.waitStart = m.now
		create(sb.ChatNew)
		return nil
	}
	o := m.ops[c.Operator]
	if !m.canReceive(o) {
		warn(WarnOperatorCannotReceive)
	}
	if !m.serves(o, c.Topic) {
		warn(WarnOperatorNotInTopic)
	}
	over := !m.underLimits(o, c.Client.Channel)
	if over {
		warn(WarnOperatorOverLimit)
	}
	create(sb.ChatActive)
	m.connectOp(ch, o, false)
	if over {
		m.decide(sb.DecisionAssign, ch.id, o.id, "", sb.AnomalyForcedOverLimit)
	} else {
		m.decide(sb.DecisionAssign, ch.id, o.id, "")
	}
	return nil
}

// queueFull: the topic's queue holds max_queue_length chats (the topic's,
// else its nearest ancestor's, else the setting; 0 is off).
func (m *naive) queueFull(topic string) bool {
	limit := m.set.MaxQueueLength
	for t := topic; t != ""; t = m.topics[t].Parent {
		if n := m.topics[t].MaxQueueLength; n > 0 {
			limit = n
			break
		}
	}
	n := 0
	for _, c := range m.chats {
		if c.status == sb.ChatQueued && c.topic == topic {
			n++
		}
	}
	return limit > 0 && n >= limit
}

func (m *naive) limitReason(topic string) string {
	serving, online := 0, 0
	for _, o := range m.ops {
		if m.serves(o, topic) {
			serving++
			if m.canReceive(o) {
				online++
			}
		}
	}
	switch {
	case serving == 0:
		return ReasonNoOperatorForTopic
	case online == 0:
		return ReasonNoOperatorOnline
	}
	return ReasonAllOperatorsBusy
}

func (m *naive) take(c Take) error {
	ch, err := m.visibleChat(c.ChatID, c.OperatorID, c.Role)
	if err != nil {
		return err
	}
	o, err := m.op(c.OperatorID)
	if err != nil {
		return err
	}
	if ch.status == sb.ChatActive {
		return nvErr(sb.ECONFLICT, "")
	}
	if !m.serves(o, ch.topic) || !m.underLimits(o, ch.channel) {
		return nvErr(sb.ECONFLICT, "")
	}
	m.connectOp(ch, o, false)
	ch.acceptedAt = m.now
	m.decide(sb.DecisionTake, ch.id, o.id, "")
	m.resChat = ch.id
	return nil
}

func (m *naive) assign(c Assign) error {
	ch, err := m.openChat(c.ChatID)
	if err != nil {
		return err
	}
	o, err := m.op(c.OperatorID)
	if err != nil {
		return err
	}
	if ch.op == o.id {
		return nvErr(sb.ECONFLICT, "")
	}
	over := !m.underLimits(o, ch.channel)
	if !c.Force && (over || !m.serves(o, ch.topic)) {
		return nvErr(sb.ECONFLICT, "")
	}
	ch.offer = nil
	m.connectOp(ch, o, false)
	if c.Force && over {
		m.decide(sb.DecisionAssign, ch.id, o.id, "", sb.AnomalyForcedOverLimit)
	} else {
		m.decide(sb.DecisionAssign, ch.id, o.id, "")
	}
	m.resChat = ch.id
	return nil
}

// --- state and digest ----------------------------------------------------

// chatState is c in the engine's shape; pos is its queue position.
func (m *naive) chatState(c *nvChat, pos int) sb.Chat {
	ch := sb.Chat{
		ID: strconv.FormatInt(c.id, 10), Status: c.status, OperatorID: c.op, Channel: c.channel,
		Client: sb.Client{ID: c.client, Channel: c.channel}, Topic: c.topic, Weight: c.weight,
		Overdue: c.overdue, CreatedAt: c.createdAt, QueuedAt: c.queuedAt, WaitStartedAt: c.waitStart,
		AssignedAt: c.assignedAt, AcceptedAt: c.acceptedAt, AutoAssigned: c.auto,
		Excluded: slices.Sorted(maps.Keys(c.excluded)), LastMessageAt: c.lastMsg,
		AwaitingSince: c.awaiting, Requeues: c.requeues,
	}
	if c.status == sb.ChatQueued {
		ch.QueuePosition = pos
	}
	if f := c.offer; f != nil {
		ch.Offer = &sb.TransferOffer{From: f.from, To: f.to, Force: f.force, ExpiresAt: f.expires}
	}
	return ch
}

// state is the model's state in the engine's export shape (the parts the
// digest and the invariant checks read).
func (m *naive) state() State {
	st := State{Now: m.now}
	st.Config.Settings = m.set
	for _, id := range slices.Sorted(maps.Keys(m.statuses)) {
		st.Config.Statuses = append(st.Config.Statuses, m.statuses[id])
	}
	for _, id := range slices.Sorted(maps.Keys(m.topics)) {
		st.Config.Topics = append(st.Config.Topics, m.topics[id])
	}
	for _, id := range slices.Sorted(maps.Keys(m.groups)) {
		st.Config.Groups = append(st.Config.Groups, m.groups[id])
	}
	for _, id := range slices.Sorted(maps.Keys(m.bans)) {
		st.Config.Bans = append(st.Config.Bans, m.bans[id])
	}
	pos := map[*nvChat]int{}
	for i, c := range m.queued() {
		pos[c] = i + 1
	}
	st.Chats = make([]sb.Chat, 0, len(m.chats))
	st.Operators = make([]sb.Operator, 0, len(m.ops))
	for _, c := range m.sortedChats() {
		st.Chats = append(st.Chats, m.chatState(c, pos[c]))
	}
	for _, o := range m.sortedOps() {
		op := sb.Operator{
			ID: o.id, MaxChats: o.maxChats, ChannelLimits: o.limits, Status: o.status,
			StatusSince: o.statusSince, Connected: o.connected, PresenceLostAt: o.lostAt,
			MissedInRow: o.missed, CreatedAt: o.createdAt, AssignSeq: o.assignSeq, CloseSeq: o.closeSeq,
		}
		for _, w := range o.wrap {
			op.WrapUp = append(op.WrapUp, sb.WrapUp{ChatID: strconv.FormatInt(w.chat, 10), Channel: w.channel, Until: w.until})
		}
		for _, c := range m.chats {
			if c.status == sb.ChatActive && c.op == o.id {
				op.Active++
				if op.ActiveByChannel == nil {
					op.ActiveByChannel = map[string]int{}
				}
				op.ActiveByChannel[c.channel]++
			}
		}
		st.Operators = append(st.Operators, op)
	}
	return st
}

// digest is the canonical text of the model's state.
func (m *naive) digest() string { return nvDigest(m.state()) }

// nvDigest renders the compared part of a state. Assign and close
// sequence numbers are printed as ranks (their order is what R2 uses).
// Exclusions of operators that no longer exist are left out.
func nvDigest(st State) string {
	var b strings.Builder
	b.Grow(1024 + 160*len(st.Chats) + 160*len(st.Operators))
	s := st.Config.Settings
	fmt.Fprintf(&b, "settings auto=%v method=%s max=%d chlim=%v accept=%d missed=%d resp=%d inact=%d/%s queue=%d off=%d/%s/%v offer=%d wrap=%d maxq=%d\n",
		s.AutoConnect, s.DistributionMethod, s.DefaultMaxChats, s.DefaultChannelLimits, s.AcceptTimeoutS,
		s.MaxMissedChats, s.ResponseTimeoutS, s.ChatInactivityTimeoutS, s.ChatInactivityAction,
		s.QueueTimeoutS, s.AutoOfflineAfterS, s.AutoOfflineStatus, s.AutoOfflineRedistribute,
		s.TransferOfferTimeoutS, s.WrapUpS, s.MaxQueueLength)
	statuses := slices.Clone(st.Config.Statuses)
	slices.SortFunc(statuses, func(a, b sb.Status) int { return cmp.Compare(a.ID, b.ID) })
	for _, x := range statuses {
		fmt.Fprintf(&b, "status %s recv=%v\n", x.ID, x.CanReceive)
	}
	topics := slices.Clone(st.Config.Topics)
	slices.SortFunc(topics, func(a, b sb.Topic) int { return cmp.Compare(a.Alias, b.Alias) })
	for _, x := range topics {
		fmt.Fprintf(&b, "topic %s parent=%s maxq=%d\n", x.Alias, x.Parent, x.MaxQueueLength)
	}
	groups := slices.Clone(st.Config.Groups)
	slices.SortFunc(groups, func(a, b sb.SkillGroup) int { return cmp.Compare(a.ID, b.ID) })
	for _, g := range groups {
		fmt.Fprintf(&b, "group %s active=%v topics=%v ops=%v accept=%d resp=%d wrap=%d\n", g.ID, g.Active,
			nvSorted(g.Topics), nvSorted(g.Operators), g.AcceptTimeoutS, g.ResponseTimeoutS, g.WrapUpS)
	}
	exists := map[string]bool{}
	for _, o := range st.Operators {
		exists[o.ID] = true
	}
	byID := func(a, b sb.Chat) int { return cmp.Compare(nvChatNum(a.ID), nvChatNum(b.ID)) }
	chats := st.Chats
	if !slices.IsSortedFunc(chats, byID) {
		chats = slices.Clone(chats)
		slices.SortFunc(chats, byID)
	}
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	itoa := strconv.Itoa
	btoa := strconv.FormatBool
	for _, c := range chats {
		var excl []string
		for _, id := range c.Excluded {
			if exists[id] {
				excl = append(excl, id)
			}
		}
		slices.Sort(excl)
		w("chat ", c.ID, " ", string(c.Status), " ch=", c.Channel, " op=", c.OperatorID, " topic=", c.Topic,
			" w=", itoa(c.Weight), " queued_at=", strconv.FormatInt(nvMs(c.QueuedAt), 10),
			" overdue=", btoa(c.Overdue), " accepted=", btoa(!c.AcceptedAt.IsZero()), " auto=", btoa(c.AutoAssigned),
			" requeues=", itoa(c.Requeues), " excl=[", strings.Join(excl, " "), "]")
		if f := c.Offer; f != nil {
			w(" offer=", f.From, ">", f.To, " force=", btoa(f.Force), " until=", strconv.FormatInt(nvMs(f.ExpiresAt), 10))
		}
		w("\n")
	}
	opByID := func(a, b sb.Operator) int { return cmp.Compare(a.ID, b.ID) }
	ops := st.Operators
	if !slices.IsSortedFunc(ops, opByID) {
		ops = slices.Clone(ops)
		slices.SortFunc(ops, opByID)
	}
	aRank := nvRanks(ops, func(o sb.Operator) int64 { return o.AssignSeq })
	cRank := nvRanks(ops, func(o sb.Operator) int64 { return o.CloseSeq })
	for i, o := range ops {
		w("op ", o.ID, " ", o.Status, " active=", itoa(o.Active), " by=[")
		for _, ch := range slices.Sorted(maps.Keys(o.ActiveByChannel)) {
			if n := o.ActiveByChannel[ch]; n != 0 {
				w(ch, ":", itoa(n), " ")
			}
		}
		mx := "nil"
		if o.MaxChats != nil {
			mx = itoa(*o.MaxChats)
		}
		w("] max=", mx, " chlim=")
		if o.ChannelLimits == nil {
			w("nil")
		} else {
			w("[")
			for _, ch := range slices.Sorted(maps.Keys(o.ChannelLimits)) {
				w(ch, ":", itoa(o.ChannelLimits[ch]), " ")
			}
			w("]")
		}
		w(" missed=", itoa(o.MissedInRow), " conn=", btoa(o.Connected), " aseq=", itoa(aRank[i]), " cseq=", itoa(cRank[i]), " wrap=[")
		for _, x := range o.WrapUp {
			w(x.ChatID, ":", x.Channel, "@", strconv.FormatInt(nvMs(x.Until), 10), " ")
		}
		w("]\n")
	}
	return b.String()
}

func nvSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func nvChatNum(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

func nvMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// nvRanks maps each operator's sequence number to its rank among the
// non-zero ones (0 stays 0).
func nvRanks(ops []sb.Operator, seq func(sb.Operator) int64) []int {
	var all []int64
	for _, o := range ops {
		if s := seq(o); s != 0 {
			all = append(all, s)
		}
	}
	slices.Sort(all)
	out := make([]int, len(ops))
	for i, o := range ops {
		if s := seq(o); s != 0 {
			out[i] = slices.Index(all, s) + 1
		}
	}
	return out
}
