package bench

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// eventBody is the part of an event the model reads.
type eventBody struct {
	Chat *struct {
		ID         string    `json:"id"`
		OperatorID string    `json:"operator_id"`
		Channel    string    `json:"channel"`
		Topic      string    `json:"subject_alias"`
		Weight     int       `json:"weight"`
		QueuedAt   time.Time `json:"queued_at"`
	} `json:"chat"`
	Operator *struct {
		ID string `json:"id"`
	} `json:"operator"`
	Status string `json:"status"`
}

// Chat states in the model.
const (
	chatUnknown uint8 = iota // not the tool's, or not seen yet
	chatWaiting
	chatActive
	chatClosed
)

// chatRec is the model's record of one of the tool's chats.
type chatRec struct {
	qAt    int64 // queued_at, Unix ns
	weight int32
	op     int32 // operator index + 1 while active
	gen    uint32
	topic  uint16
	ch     uint8
	state  uint8
}

// queueEntry is a queue entry; it is stale when the chat left the queue or
// entered it again since (gen).
type queueEntry struct {
	seq int64
	gen uint32
}

// chatQueue holds the waiting chats of one topic and channel in R3 order,
// with lazy deletion.
type chatQueue struct {
	e    []queueEntry
	head int
}

// pendingClose is a chat closed by an operator while a chat that operator
// could take was waiting: the next auto_connected to that operator ends it.
type pendingClose struct {
	sent     int64 // close request sent (Unix ns); 0 if not the tool's
	occurred int64 // the close event's occurred_at
	recv     int64
}

// model follows the tool's chats and operators from the event stream: it
// checks FIFO order (R3/R4) at every automatic assignment and measures the
// time from an operator's close to the next chat connected to them.
type model struct {
	topics   map[string]int
	channels map[string]int
	ops      map[string]int
	opTopics [][]int
	limits   []int // per channel, 0 = none
	maxChats int
	canRecv  map[string]bool

	load    [][]int // per operator, per channel
	total   []int
	receive []bool
	pending [][]pendingClose

	base   int64 // seq of chats[0]
	chats  []chatRec
	queues [][]chatQueue // [topic][channel]

	// Set by the bench: a chat got an operator (schedule its close), the
	// close request's send time of a chat.
	onAssigned func(seq int64)
	onDequeued func() // a waiting chat got an operator
	closeSent  func(seq int64) int64

	recording    atomic.Bool // the measured window: free-to-assign is recorded
	waiting      atomic.Int64
	assigned     atomic.Int64
	violations   atomic.Int64
	missed       atomic.Int64 // pending closes never followed by an assignment
	freeToAssign *hist        // close request sent → auto_connected received
	freeServer   *hist        // close occurred_at → auto_connected occurred_at
	freeRecv     *hist        // close received → auto_connected received
	examples     []string     // the first FIFO violations, for the report
	decodeErrors atomic.Int64
	statusSeen   atomic.Int64 // operator_status_changed of the tool's operators
	freeSec      atomic.Pointer[hist]
}

func newModel(topics, channels, ops []string, opTopics [][]int, limits []int, maxChats int, canRecv map[string]bool) *model {
	m := &model{
		topics: map[string]int{}, channels: map[string]int{}, ops: map[string]int{},
		opTopics: opTopics, limits: limits, maxChats: maxChats, canRecv: canRecv,
		freeToAssign: &hist{}, freeServer: &hist{}, freeRecv: &hist{},
		onAssigned: func(int64) {}, onDequeued: func() {}, closeSent: func(int64) int64 { return 0 },
	}
	for i, t := range topics {
		m.topics[t] = i
	}
	for i, c := range channels {
		m.channels[c] = i
	}
	for i, o := range ops {
		m.ops[o] = i
	}
	m.load = make([][]int, len(ops))
	for i := range m.load {
		m.load[i] = make([]int, len(channels))
	}
	m.total = make([]int, len(ops))
	m.receive = make([]bool, len(ops))
	m.pending = make([][]pendingClose, len(ops))
	m.queues = make([][]chatQueue, len(topics))
	for i := range m.queues {
		m.queues[i] = make([]chatQueue, len(channels))
	}
	m.freeSec.Store(&hist{})
	return m
}

// chat returns the record of seq, growing the table; nil for chats older
// than the first one the model saw.
func (m *model) chat(seq int64, create bool) *chatRec {
	if m.chats == nil {
		if !create {
			return nil
		}
		m.base = seq
	}
	i := seq - m.base
	if i < 0 {
		return nil
	}
	if i >= int64(len(m.chats)) {
		if !create {
			return nil
		}
		m.chats = append(m.chats, make([]chatRec, i+1-int64(len(m.chats)))...)
	}
	return &m.chats[i]
}

// before reports whether chat a (seq sa) comes before chat b in R3 order:
// higher weight, earlier queue entry, lower id.
func before(a *chatRec, sa int64, b *chatRec, sb int64) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	if a.qAt != b.qAt {
		return a.qAt < b.qAt
	}
	return sa < sb
}

// headOf returns the first waiting chat of a queue.
func (m *model) headOf(q *chatQueue) (int64, *chatRec) {
	for q.head < len(q.e) {
		en := q.e[q.head]
		if c := m.chat(en.seq, false); c != nil && c.state == chatWaiting && c.gen == en.gen {
			return en.seq, c
		}
		q.head++
	}
	if q.head > 0 {
		q.e, q.head = q.e[:0], 0
	}
	return 0, nil
}

func (m *model) push(q *chatQueue, seq int64, c *chatRec) {
	if q.head > 4096 && q.head > len(q.e)/2 { // compact
		q.e = append(q.e[:0], q.e[q.head:]...)
		q.head = 0
	}
	en := queueEntry{seq: seq, gen: c.gen}
	n := len(q.e)
	if n == q.head {
		q.e = append(q.e, en)
		return
	}
	last := q.e[n-1]
	if lc := m.chat(last.seq, false); lc == nil || !before(c, seq, lc, last.seq) {
		q.e = append(q.e, en)
		return
	}
	// Out of order (a chat back in the queue keeps its place): insert.
	lo, hi := q.head, n
	for lo < hi {
		mid := (lo + hi) / 2
		mc := m.chat(q.e[mid].seq, false)
		if mc != nil && before(mc, q.e[mid].seq, c, seq) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	q.e = append(q.e, queueEntry{})
	copy(q.e[lo+1:], q.e[lo:])
	q.e[lo] = en
}

// firstFor returns the first waiting chat operator o could take now (R1:
// its topics, its channel limits; general limit and status are checked by
// the caller), or 0.
func (m *model) firstFor(o int) (int64, *chatRec) {
	var (
		best  *chatRec
		bestS int64
	)
	for _, t := range m.opTopics[o] {
		for ch := range m.queues[t] {
			if l := m.limits[ch]; l > 0 && m.load[o][ch] >= l {
				continue
			}
			if s, c := m.headOf(&m.queues[t][ch]); c != nil && (best == nil || before(c, s, best, bestS)) {
				best, bestS = c, s
			}
		}
	}
	return bestS, best
}

func (m *model) release(c *chatRec) {
	switch c.state {
	case chatActive:
		if o := int(c.op) - 1; o >= 0 {
			m.load[o][c.ch]--
			m.total[o]--
		}
		c.op = 0
	case chatWaiting:
		m.waiting.Add(-1)
	}
}

// apply processes a batch of events in stream order.
func (m *model) apply(evs []event) {
	for i := range evs {
		m.applyOne(&evs[i])
	}
}

// applyOne processes one event.
func (m *model) applyOne(ev *event) {
	if ev.bad {
		m.decodeErrors.Add(1)
		return
	}
	switch ev.kind {
	case evQueued:
		m.queued(ev)
	case evAuto, evOpConnected:
		m.connected(ev)
	case evOpDisconnected:
		if c := m.chat(bodyChatSeq(&ev.body), false); c != nil && c.state == chatActive {
			m.release(c)
			c.state = chatUnknown // chat_queued (or a close) follows
		}
	case evClosedByOp, evClosedOther, evClosed:
		m.closed(ev)
	case evStatus:
		if ev.body.Operator == nil {
			return
		}
		if o, ok := m.ops[ev.body.Operator.ID]; ok {
			m.receive[o] = m.canRecv[ev.body.Status]
			m.statusSeen.Add(1)
		}
	}
}

// queued puts a chat of chat_queued in its queue.
func (m *model) queued(ev *event) {
	chat := ev.body.Chat
	if chat == nil {
		return
	}
	t, ok1 := m.topics[chat.Topic]
	ch, ok2 := m.channels[chat.Channel]
	seq, err := strconv.ParseInt(chat.ID, 10, 64)
	if !ok1 || !ok2 || err != nil {
		return
	}
	c := m.chat(seq, true)
	if c == nil {
		return
	}
	m.release(c)
	c.state, c.gen = chatWaiting, c.gen+1
	c.topic, c.ch, c.weight, c.qAt = uint16(t), uint8(ch), int32(chat.Weight), chat.QueuedAt.UnixNano()
	m.push(&m.queues[t][ch], seq, c)
	m.waiting.Add(1)
}

// connected gives a chat to its operator (auto_connected or
// operator_connected); an automatic one is checked for FIFO and ends the
// operator's pending close.
func (m *model) connected(ev *event) {
	chat := ev.body.Chat
	if chat == nil {
		return
	}
	o, ok := m.ops[chat.OperatorID]
	t, ok1 := m.topics[chat.Topic]
	ch, ok2 := m.channels[chat.Channel]
	seq, err := strconv.ParseInt(chat.ID, 10, 64)
	if !ok || !ok1 || !ok2 || err != nil {
		return
	}
	c := m.chat(seq, true)
	if c == nil {
		return
	}
	fresh := c.state != chatWaiting // never queued: routed at connect
	m.release(c)
	if fresh {
		c.topic, c.ch, c.weight = uint16(t), uint8(ch), int32(chat.Weight)
	}
	c.state = chatActive
	if ev.kind == evAuto {
		m.checkFIFO(o, seq, c, fresh)
		m.endPending(o, ev)
	}
	c.op = int32(o + 1)
	m.load[o][ch]++
	m.total[o]++
	m.assigned.Add(1)
	m.onAssigned(seq)
	if !fresh {
		m.onDequeued()
	}
}

// endPending records free-to-assign for operator o's oldest pending close,
// ended by the automatic assignment ev (in the measured window only).
func (m *model) endPending(o int, ev *event) {
	p := m.pending[o]
	if len(p) == 0 {
		return
	}
	m.pending[o] = p[1:]
	if !m.recording.Load() {
		return // before or after the measured window
	}
	if p[0].sent > 0 {
		d := time.Duration(ev.recv - p[0].sent)
		m.freeToAssign.record(d)
		m.freeSec.Load().record(d)
	}
	m.freeRecv.record(time.Duration(ev.recv - p[0].recv))
	if ev.occurred > 0 && p[0].occurred > 0 {
		m.freeServer.record(time.Duration(ev.occurred - p[0].occurred))
	}
}

// closed frees the operator of a closed chat; a close by the operator
// starts a pending close.
func (m *model) closed(ev *event) {
	c := m.chat(ev.chatSeq, false)
	if c == nil || c.state == chatClosed || c.state == chatUnknown {
		return
	}
	o := int(c.op) - 1
	m.release(c)
	c.state = chatClosed
	if ev.kind == evClosedByOp && o >= 0 {
		m.expectAssignment(o, ev)
	}
}

func bodyChatSeq(body *eventBody) int64 {
	if body.Chat == nil {
		return 0
	}
	n, _ := strconv.ParseInt(body.Chat.ID, 10, 64)
	return n
}

// checkFIFO counts a violation when operator o got chat c while an earlier
// chat (R3) that o could take was waiting. fresh: c never waited.
func (m *model) checkFIFO(o int, seq int64, c *chatRec, fresh bool) {
	if m.total[o] >= m.maxChats {
		return // the model is out of step (a limit changed); do not guess
	}
	s, first := m.firstFor(o)
	if first == nil || (!fresh && !before(first, s, c, seq)) {
		return
	}
	m.violations.Add(1)
	if len(m.examples) < 10 {
		m.examples = append(m.examples, fmt.Sprintf("chat %d went to operator %s while chat %d (earlier in R3 order, topic %d, channel %d) waited",
			seq, m.opName(o), s, first.topic, first.ch))
	}
}

func (m *model) opName(o int) string {
	for id, i := range m.ops {
		if i == o {
			return id
		}
	}
	return strconv.Itoa(o)
}

// expectAssignment notes that operator o, just freed, should get the first
// waiting chat they can take (R4) in the same command.
func (m *model) expectAssignment(o int, ev *event) {
	// A pending close not followed by an assignment within a second was
	// missed (R4 says it is immediate).
	p := m.pending[o]
	for len(p) > 0 && ev.recv-p[0].recv > int64(time.Second) {
		p = p[1:]
		m.missed.Add(1)
	}
	m.pending[o] = p
	if !m.receive[o] || m.total[o] >= m.maxChats {
		return
	}
	if _, c := m.firstFor(o); c == nil {
		return
	}
	m.pending[o] = append(m.pending[o], pendingClose{sent: m.closeSent(ev.chatSeq), occurred: ev.occurred, recv: ev.recv})
}

// finish counts the pending closes left at the end as missed.
func (m *model) finish() {
	for o := range m.pending {
		m.missed.Add(int64(len(m.pending[o])))
		m.pending[o] = nil
	}
}
