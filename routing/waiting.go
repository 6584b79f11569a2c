package routing

import (
	"math"
	"time"

	sb "github.com/switchboard/switchboard"
)

// What a waiting client is told: whether the queue takes it (admission),
// its estimated wait, and its position as it moves.

// handleStats sums the handling times (assignment to close, in
// milliseconds) of the closed chats the engine remembers.
type handleStats struct{ ms, n int64 }

// pushClosed remembers a closed chat, and its handling time in its
// topic's figures (the oldest one leaves both).
func (e *Engine) pushClosed(s sb.Chat) {
	if len(e.closed.buf) == e.closed.max {
		e.countHandled(e.closed.buf[e.closed.start], -1)
	}
	e.closed.push(s)
	e.countHandled(s, 1)
}

func (e *Engine) countHandled(s sb.Chat, sign int64) {
	if s.OperatorID == "" || s.AssignedAt.IsZero() { // closed while waiting
		return
	}
	ms := s.ClosedAt.Sub(s.AssignedAt).Milliseconds()
	for _, k := range []string{s.Topic, allTopics} {
		h := e.handled[k]
		h.ms, h.n = h.ms+sign*ms, h.n+sign
		e.handled[k] = h
	}
}

// allTopics keys the handling figures of all chats (no topic is "").
const allTopics = "\x00all"

// minHandled is how many handled chats of a topic make its own mean
// handling time; with fewer, all chats' mean is used.
const minHandled = 5

// meanHandle returns the mean handling time of a topic's recent chats in
// seconds (0: none handled yet).
func (e *Engine) meanHandle(topic string) float64 {
	h := e.handled[topic]
	if h.n < minHandled {
		h = e.handled[allTopics]
	}
	if h.n <= 0 {
		return 0
	}
	return float64(h.ms) / float64(h.n) / 1000
}

// slots is the general limits summed over the operators, with a status
// that can receive, of a skill group (nil: all operators, for chats
// without topic). It is memoised in memo for one pass.
func (e *Engine) slots(g *group, memo map[*group]int) int {
	if n, ok := memo[g]; ok {
		return n
	}
	n := 0
	add := func(o *operator) {
		if o != nil && o.receiving {
			n += e.maxChats(o)
		}
	}
	if g == nil {
		for _, o := range e.ops {
			add(o)
		}
	} else {
		for id := range g.opSet {
			add(e.ops[id])
		}
	}
	memo[g] = n
	return n
}

// estimateAt estimates the wait, in seconds, of a chat of a topic with
// queue key k: over the skill groups that serve the topic, the least of
// (chats ahead in the group's queue + 1) × mean handling time ÷ the
// group's slots. ok is false when nothing is known to estimate from (no
// chat handled yet, or no operator that can receive).
func (e *Engine) estimateAt(topic string, k chatKey, memo map[*group]int) (secs float64, ok bool) {
	h := e.meanHandle(topic)
	if h == 0 {
		return 0, false
	}
	best := math.Inf(1)
	try := func(g *group, q *tree[chatKey]) {
		if s := e.slots(g, memo); s > 0 {
			best = min(best, float64(q.rank(k)+1)*h/float64(s))
		}
	}
	if topic == "" {
		try(nil, e.idx.qnone)
	}
	for _, g := range e.idx.topicGroups[topic] {
		try(g, g.queue)
	}
	return best, !math.IsInf(best, 1)
}

// estimate is a queued chat's estimated wait in whole seconds (nil when
// unknown). A held chat waits at least until its topic opens.
func (e *Engine) estimate(c *chat, memo map[*group]int) *int {
	if c.Status != sb.ChatQueued {
		return nil
	}
	secs, ok := e.estimateAt(c.Topic, c.key(), memo)
	if c.HeldUntil != 0 {
		secs, ok = secs+time.Duration(int64(c.HeldUntil)-int64(e.instant())).Seconds(), true
	}
	if !ok {
		return nil
	}
	n := int(math.Ceil(max(secs, 0)))
	return &n
}

// withEstimate returns a snapshot of c with its estimated wait.
func (e *Engine) withEstimate(c *chat, memo map[*group]int) sb.Chat {
	s := e.snap(c)
	s.EstimatedWaitS = e.estimate(c, memo)
	return s
}

// topicLimit returns a queue bound of a topic: its own, else its nearest
// ancestor's, else the setting.
func (e *Engine) topicLimit(topic string, own func(sb.Topic) int, global int) int {
	for t, depth := topic, 0; t != "" && depth <= len(e.topics); t, depth = e.topics[t].Parent, depth+1 {
		if n := own(e.topics[t]); n > 0 {
			return n
		}
	}
	return global
}

// queueFull reports why the queue refuses a new chat c, if it does: its
// topic holds max_queue_length chats already, or its estimated wait as the
// last of its weight would pass max_estimated_wait_s (not checked for a
// chat held out of hours, whose wait is the time to the opening).
func (e *Engine) queueFull(c *chat, held bool) *sb.Reason {
	maxLen := e.topicLimit(c.Topic, func(t sb.Topic) int { return t.MaxQueueLength }, e.settings.MaxQueueLength)
	if maxLen > 0 && e.queuedBy[c.Topic] >= maxLen {
		return &sb.Reason{Code: ReasonQueueFull, Message: "the queue of this topic is full (max_queue_length)"}
	}
	maxWait := e.topicLimit(c.Topic, func(t sb.Topic) int { return t.MaxEstimatedWaitS }, e.settings.MaxEstimatedWaitS)
	if maxWait == 0 || held {
		return nil
	}
	k := chatKey{negWeight: -int64(c.Weight), queuedAt: int64(e.instant()), seq: e.cnt.Chat + 1}
	if secs, ok := e.estimateAt(c.Topic, k, map[*group]int{}); ok && secs > float64(maxWait) {
		return &sb.Reason{Code: ReasonQueueFull, Message: "the estimated wait is too long (max_estimated_wait_s)"}
	}
	return nil
}

// band is the band of a queue position the client is told of: 1, 2, 3,
// 4–5, 6–10, 11–20, 21–50, 51–100, then each further hundred.
func band(pos int) int8 {
	for i, top := range []int{1, 2, 3, 5, 10, 20, 50, 100} {
		if pos <= top {
			return int8(i + 1)
		}
	}
	return int8(min(9+(pos-101)/100, math.MaxInt8))
}

// position is a queued chat's place in R3 order among the chats routing
// may give out (held chats are not among them).
func (e *Engine) position(c *chat) int { return e.idx.qall.rank(c.key()) + 1 }

// watch starts telling a queued chat with an event_webhook_url of its
// position: it is told at each sweep whose band differs from the last.
func (e *Engine) watch(c *chat) {
	if c.WebhookURL == "" {
		return
	}
	c.band = band(e.position(c))
	if iv := e.settings.QueueUpdateIntervalS; iv > 0 && e.sweepAt == 0 {
		e.sweepAt = e.instant().after(iv)
	}
}

// rewatch schedules the sweep when chats with an event_webhook_url wait
// (on Import, and when the interval changes): each is told of its
// position at the next sweep.
func (e *Engine) rewatch() {
	e.sweepAt = 0
	iv := e.settings.QueueUpdateIntervalS
	for _, c := range e.chats {
		if iv > 0 && c.Status == sb.ChatQueued && c.WebhookURL != "" {
			e.sweepAt = e.instant().after(iv)
			return
		}
	}
}

// sweep tells the waiting chats with an event_webhook_url whose position
// band changed since they were last told (queue_position_changed, with
// the position and the estimated wait), at most once per
// queue_update_interval_s.
func (e *Engine) sweep() {
	if e.sweepAt == 0 || int64(e.instant()) < e.sweepAt {
		return
	}
	e.sweepAt = 0
	iv := e.settings.QueueUpdateIntervalS
	if iv == 0 {
		return
	}
	memo := map[*group]int{}
	for _, c := range e.openChats() {
		if c.Status != sb.ChatQueued || c.WebhookURL == "" {
			continue
		}
		e.sweepAt = e.instant().after(iv)
		if b := band(e.position(c)); b != c.band {
			c.band = b
			e.emit(sb.EventQueuePosition, c, nil, sb.Event{})
			ev := &e.res.Events[len(e.res.Events)-1]
			ev.Chat.EstimatedWaitS = e.estimate(c, memo)
		}
	}
}
