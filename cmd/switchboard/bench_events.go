package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// Event kinds the tool tells apart; the others only count for lag.
const (
	btEvOther uint8 = iota
	btEvQueued
	btEvAuto
	btEvOpConnected
	btEvOpDisconnected
	btEvClosedByOp
	btEvClosedOther // by client or timer
	btEvClosed
	btEvStatus
)

var btKinds = map[string]uint8{
	"chat_queued": btEvQueued, "auto_connected": btEvAuto, "operator_connected": btEvOpConnected,
	"operator_disconnected": btEvOpDisconnected, "chat_closed_by_operator": btEvClosedByOp,
	"chat_closed_by_client": btEvClosedOther, "chat_closed_by_timer": btEvClosedOther,
	"chat_closed": btEvClosed, "operator_status_changed": btEvStatus,
}

// btEv is one event read from the stream.
type btEv struct {
	seq      int64
	kind     uint8
	recv     int64 // receipt, Unix ns
	occurred int64 // occurred_at, Unix ns (0 if unreadable)
	chatSeq  int64 // top-level chat_id, when numeric
	// body is what the model reads of the event, decoded by the stream's
	// reader (from its buffer, so that the event's bytes are not copied);
	// bad: it did not decode.
	body btEventBody
	bad  bool
}

// btStream reads one SSE stream, resuming with Last-Event-ID when the server
// drops it, until ctx ends. Every event's lag (receipt − occurred_at) goes
// to lag; when sink is set the events are handed to it in batches.
type btStream struct {
	client     *http.Client
	url, token string
	lag        func(time.Duration)
	sink       func([]btEv) // nil: lag only
	last       atomic.Int64 // last event id seen
	events     atomic.Int64
	reconnects atomic.Int64
	readyOnce  sync.Once
	ready      chan error // the first subscription is open (nil) or failed
}

func newBtStream(client *http.Client, base, token string, lag func(time.Duration), sink func([]btEv)) *btStream {
	return &btStream{client: client, url: base + "/api/v1/events/stream", token: token, lag: lag, sink: sink, ready: make(chan error, 1)}
}

// run keeps the stream open until ctx ends.
func (s *btStream) run(ctx context.Context) {
	backoff := 10 * time.Millisecond
	for ctx.Err() == nil {
		err := s.once(ctx)
		s.readyOnce.Do(func() { s.ready <- err })
		if ctx.Err() != nil {
			return
		}
		s.reconnects.Add(1)
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, time.Second)
		} else {
			backoff = 10 * time.Millisecond
		}
	}
}

// once reads one subscription until it ends; a nil error means the server
// closed it (dropped as too slow, or shut down).
func (s *btStream) once(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, "GET", s.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if last := s.last.Load(); last > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("event stream: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	s.readyOnce.Do(func() { s.ready <- nil })
	err = s.read(resp.Body)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// read parses the SSE framing: "id:", "event:", "data:" lines and a blank
// line that ends each event.
func (s *btStream) read(body io.Reader) error {
	size := 16 << 10 // lag only: many streams, little reading each
	if s.sink != nil {
		size = 256 << 10
	}
	r := bufio.NewReaderSize(body, size)
	var (
		long  []byte // a line longer than the buffer
		ev    btEv
		name  []byte // copies: the reader's buffer moves on
		data  []byte
		batch []btEv
	)
	flush := func() {
		if len(batch) > 0 {
			s.sink(batch)
			batch = nil
		}
	}
	for {
		if s.sink != nil && r.Buffered() == 0 {
			flush() // about to block: hand over what was read
		}
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			flush()
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0: // end of an event
			if ev.seq == 0 || len(data) == 0 {
				ev, name, data = btEv{}, name[:0], data[:0]
				continue
			}
			now := time.Now().UnixNano()
			ev.recv = now
			ev.occurred = btOccurredAt(data)
			if ev.occurred > 0 {
				s.lag(time.Duration(now - ev.occurred))
			}
			s.last.Store(ev.seq)
			s.events.Add(1)
			if s.sink != nil {
				ev.kind = btKinds[string(name)]
				switch ev.kind {
				case btEvOther:
				case btEvClosedByOp, btEvClosedOther, btEvClosed:
					ev.chatSeq = btChatID(data)
				default:
					ev.bad = jsonv2.Unmarshal(data, &ev.body) != nil // half the CPU of encoding/json
				}
				batch = append(batch, ev)
				if len(batch) >= 1024 {
					flush()
				}
			}
			ev, name, data = btEv{}, name[:0], data[:0]
		case line[0] == ':': // comment (keep-alive)
		case bytes.HasPrefix(line, []byte("id:")):
			ev.seq, _ = strconv.ParseInt(string(bytes.TrimSpace(line[3:])), 10, 64)
		case bytes.HasPrefix(line, []byte("event:")):
			name = append(name[:0], bytes.TrimSpace(line[6:])...)
		case bytes.HasPrefix(line, []byte("data:")):
			// One data line per event (the JSON has no newlines).
			data = append(data[:0], bytes.TrimPrefix(line[5:], []byte(" "))...)
		}
	}
}

// btOccurredAt extracts the event's top-level occurred_at (the third field
// the server writes) without decoding the whole event.
func btOccurredAt(data []byte) int64 {
	v := btTopField(data, `"occurred_at":"`)
	if v == nil {
		return 0
	}
	t, ok := btParseUTC(v)
	if !ok {
		pt, err := time.Parse(time.RFC3339Nano, string(v))
		if err != nil {
			return 0
		}
		t = pt
	}
	return t.UnixNano()
}

// btChatID extracts the top-level chat_id as a number (0 when absent).
func btChatID(data []byte) int64 {
	v := btTopField(data, `"chat_id":"`)
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// btTopField finds a string field among the first bytes of an event (the
// top-level fields come before the chat snapshot).
func btTopField(data []byte, key string) []byte {
	head := data[:min(len(data), 200)]
	i := bytes.Index(head, []byte(key))
	if i < 0 {
		return nil
	}
	rest := data[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}

// btParseUTC parses "2006-01-02T15:04:05[.fraction]Z" quickly.
func btParseUTC(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	ns := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) > 10 {
			return time.Time{}, false
		}
		f, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			f *= 10
		}
		ns = f
	} else if len(b) != 20 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), true
}

// btEventBody is the part of an event the model reads.
type btEventBody struct {
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
	btUnknown uint8 = iota // not the tool's, or not seen yet
	btWaiting
	btActive
	btClosed
)

// btChat is the model's record of one of the tool's chats.
type btChat struct {
	qAt    int64 // queued_at, Unix ns
	weight int32
	op     int32 // operator index + 1 while active
	gen    uint32
	topic  uint16
	ch     uint8
	state  uint8
}

// btEntry is a queue entry; it is stale when the chat left the queue or
// entered it again since (gen).
type btEntry struct {
	seq int64
	gen uint32
}

// btQueue holds the waiting chats of one topic and channel in R3 order,
// with lazy deletion.
type btQueue struct {
	e    []btEntry
	head int
}

// btPending is a chat closed by an operator while a chat that operator
// could take was waiting: the next auto_connected to that operator ends it.
type btPending struct {
	sent     int64 // close request sent (Unix ns); 0 if not the tool's
	occurred int64 // the close event's occurred_at
	recv     int64
}

// btModel follows the tool's chats and operators from the event stream: it
// checks FIFO order (R3/R4) at every automatic assignment and measures the
// time from an operator's close to the next chat connected to them.
type btModel struct {
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
	pending [][]btPending

	base   int64 // seq of chats[0]
	chats  []btChat
	queues [][]btQueue // [topic][channel]

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
	freeToAssign *btHist      // close request sent → auto_connected received
	freeServer   *btHist      // close occurred_at → auto_connected occurred_at
	freeRecv     *btHist      // close received → auto_connected received
	examples     []string     // the first FIFO violations, for the report
	decodeErrors atomic.Int64
	statusSeen   atomic.Int64 // operator_status_changed of the tool's operators
	freeSec      atomic.Pointer[btHist]
}

func newBtModel(topics, channels, ops []string, opTopics [][]int, limits []int, maxChats int, canRecv map[string]bool) *btModel {
	m := &btModel{
		topics: map[string]int{}, channels: map[string]int{}, ops: map[string]int{},
		opTopics: opTopics, limits: limits, maxChats: maxChats, canRecv: canRecv,
		freeToAssign: &btHist{}, freeServer: &btHist{}, freeRecv: &btHist{},
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
	m.pending = make([][]btPending, len(ops))
	m.queues = make([][]btQueue, len(topics))
	for i := range m.queues {
		m.queues[i] = make([]btQueue, len(channels))
	}
	m.freeSec.Store(&btHist{})
	return m
}

// chat returns the record of seq, growing the table; nil for chats older
// than the first one the model saw.
func (m *btModel) chat(seq int64, create bool) *btChat {
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
		m.chats = append(m.chats, make([]btChat, i+1-int64(len(m.chats)))...)
	}
	return &m.chats[i]
}

// before reports whether chat a (seq sa) comes before chat b in R3 order:
// higher weight, earlier queue entry, lower id.
func btBefore(a *btChat, sa int64, b *btChat, sb int64) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	if a.qAt != b.qAt {
		return a.qAt < b.qAt
	}
	return sa < sb
}

// headOf returns the first waiting chat of a queue.
func (m *btModel) headOf(q *btQueue) (int64, *btChat) {
	for q.head < len(q.e) {
		en := q.e[q.head]
		if c := m.chat(en.seq, false); c != nil && c.state == btWaiting && c.gen == en.gen {
			return en.seq, c
		}
		q.head++
	}
	if q.head > 0 {
		q.e, q.head = q.e[:0], 0
	}
	return 0, nil
}

func (m *btModel) push(q *btQueue, seq int64, c *btChat) {
	if q.head > 4096 && q.head > len(q.e)/2 { // compact
		q.e = append(q.e[:0], q.e[q.head:]...)
		q.head = 0
	}
	en := btEntry{seq: seq, gen: c.gen}
	n := len(q.e)
	if n == q.head {
		q.e = append(q.e, en)
		return
	}
	last := q.e[n-1]
	if lc := m.chat(last.seq, false); lc == nil || !btBefore(c, seq, lc, last.seq) {
		q.e = append(q.e, en)
		return
	}
	// Out of order (a chat back in the queue keeps its place): insert.
	lo, hi := q.head, n
	for lo < hi {
		mid := (lo + hi) / 2
		mc := m.chat(q.e[mid].seq, false)
		if mc != nil && btBefore(mc, q.e[mid].seq, c, seq) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	q.e = append(q.e, btEntry{})
	copy(q.e[lo+1:], q.e[lo:])
	q.e[lo] = en
}

// firstFor returns the first waiting chat operator o could take now (R1:
// its topics, its channel limits; general limit and status are checked by
// the caller), or 0.
func (m *btModel) firstFor(o int) (int64, *btChat) {
	var (
		best  *btChat
		bestS int64
	)
	for _, t := range m.opTopics[o] {
		for ch := range m.queues[t] {
			if l := m.limits[ch]; l > 0 && m.load[o][ch] >= l {
				continue
			}
			if s, c := m.headOf(&m.queues[t][ch]); c != nil && (best == nil || btBefore(c, s, best, bestS)) {
				best, bestS = c, s
			}
		}
	}
	return bestS, best
}

func (m *btModel) release(c *btChat) {
	switch c.state {
	case btActive:
		if o := int(c.op) - 1; o >= 0 {
			m.load[o][c.ch]--
			m.total[o]--
		}
		c.op = 0
	case btWaiting:
		m.waiting.Add(-1)
	}
}

// apply processes a batch of events in stream order.
func (m *btModel) apply(evs []btEv) {
	for i := range evs {
		m.event(&evs[i])
	}
}

func (m *btModel) event(ev *btEv) {
	if ev.bad {
		m.decodeErrors.Add(1)
		return
	}
	body := &ev.body
	switch ev.kind {
	case btEvQueued:
		if body.Chat == nil {
			return
		}
		t, ok1 := m.topics[body.Chat.Topic]
		ch, ok2 := m.channels[body.Chat.Channel]
		seq, err := strconv.ParseInt(body.Chat.ID, 10, 64)
		if !ok1 || !ok2 || err != nil {
			return
		}
		c := m.chat(seq, true)
		if c == nil {
			return
		}
		m.release(c)
		c.state, c.gen = btWaiting, c.gen+1
		c.topic, c.ch, c.weight, c.qAt = uint16(t), uint8(ch), int32(body.Chat.Weight), body.Chat.QueuedAt.UnixNano()
		m.push(&m.queues[t][ch], seq, c)
		m.waiting.Add(1)
	case btEvAuto, btEvOpConnected:
		if body.Chat == nil {
			return
		}
		o, ok := m.ops[body.Chat.OperatorID]
		t, ok1 := m.topics[body.Chat.Topic]
		ch, ok2 := m.channels[body.Chat.Channel]
		seq, err := strconv.ParseInt(body.Chat.ID, 10, 64)
		if !ok || !ok1 || !ok2 || err != nil {
			return
		}
		c := m.chat(seq, true)
		if c == nil {
			return
		}
		fresh := c.state != btWaiting // never queued: routed at connect
		m.release(c)
		if fresh {
			c.topic, c.ch, c.weight = uint16(t), uint8(ch), int32(body.Chat.Weight)
		}
		c.state = btActive
		if ev.kind == btEvAuto {
			m.checkFIFO(o, seq, c, fresh)
			if p := m.pending[o]; len(p) > 0 {
				m.pending[o] = p[1:]
				if !m.recording.Load() {
					// before or after the measured window
				} else if p[0].sent > 0 {
					d := time.Duration(ev.recv - p[0].sent)
					m.freeToAssign.record(d)
					m.freeSec.Load().record(d)
				}
				if m.recording.Load() {
					m.freeRecv.record(time.Duration(ev.recv - p[0].recv))
				}
				if m.recording.Load() && ev.occurred > 0 && p[0].occurred > 0 {
					m.freeServer.record(time.Duration(ev.occurred - p[0].occurred))
				}
			}
		}
		c.op = int32(o + 1)
		m.load[o][ch]++
		m.total[o]++
		m.assigned.Add(1)
		m.onAssigned(seq)
		if !fresh {
			m.onDequeued()
		}
	case btEvOpDisconnected:
		if c := m.chat(btBodyChat(body), false); c != nil && c.state == btActive {
			m.release(c)
			c.state = btUnknown // chat_queued (or a close) follows
		}
	case btEvClosedByOp, btEvClosedOther, btEvClosed:
		c := m.chat(ev.chatSeq, false)
		if c == nil || c.state == btClosed || c.state == btUnknown {
			return
		}
		o := int(c.op) - 1
		m.release(c)
		c.state = btClosed
		if ev.kind == btEvClosedByOp && o >= 0 {
			m.expectAssignment(o, ev)
		}
	case btEvStatus:
		if body.Operator == nil {
			return
		}
		if o, ok := m.ops[body.Operator.ID]; ok {
			m.receive[o] = m.canRecv[body.Status]
			m.statusSeen.Add(1)
		}
	}
}

func btBodyChat(body *btEventBody) int64 {
	if body.Chat == nil {
		return 0
	}
	n, _ := strconv.ParseInt(body.Chat.ID, 10, 64)
	return n
}

// checkFIFO counts a violation when operator o got chat c while an earlier
// chat (R3) that o could take was waiting. fresh: c never waited.
func (m *btModel) checkFIFO(o int, seq int64, c *btChat, fresh bool) {
	if m.total[o] >= m.maxChats {
		return // the model is out of step (a limit changed); do not guess
	}
	s, first := m.firstFor(o)
	if first == nil || (!fresh && !btBefore(first, s, c, seq)) {
		return
	}
	m.violations.Add(1)
	if len(m.examples) < 10 {
		m.examples = append(m.examples, fmt.Sprintf("chat %d went to operator %s while chat %d (earlier in R3 order, topic %d, channel %d) waited",
			seq, m.opName(o), s, first.topic, first.ch))
	}
}

func (m *btModel) opName(o int) string {
	for id, i := range m.ops {
		if i == o {
			return id
		}
	}
	return strconv.Itoa(o)
}

// expectAssignment notes that operator o, just freed, should get the first
// waiting chat they can take (R4) in the same command.
func (m *btModel) expectAssignment(o int, ev *btEv) {
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
	m.pending[o] = append(m.pending[o], btPending{sent: m.closeSent(ev.chatSeq), occurred: ev.occurred, recv: ev.recv})
}

// finish counts the pending closes left at the end as missed.
func (m *btModel) finish() {
	for o := range m.pending {
		m.missed.Add(int64(len(m.pending[o])))
		m.pending[o] = nil
	}
}
