package routing

import (
	"cmp"
	"container/heap"
	"iter"
	"maps"
	"slices"

	sb "github.com/switchboard/switchboard"
)

// candidate is a queued chat that may have an eligible operator: the first
// chat a dirty operator may take (op set), or a newly queued chat.
type candidate struct {
	k  chatKey
	op *operator
	c  *chat
}

type candidates []candidate

func (h candidates) Len() int           { return len(h) }
func (h candidates) Less(i, j int) bool { return h[i].k.less(h[j].k) }
func (h candidates) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candidates) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *candidates) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// drain is R4: while some queued chat has an eligible operator, connect the
// first such chat in R3 order to its best operator by R2.
//
// Before the command the state was at rest: no queued chat had an eligible
// operator. So a chat that has one now is either newly queued (dirtyChats)
// or eligible for an operator whose eligibility grew (dirtyOps), and the
// first of them is the least candidate. During the drain chats only leave
// the queue and operators only lose eligibility, so a candidate's key can
// only grow: candidates are re-validated when they reach the top.
func (e *Engine) drain() {
	ops, chats := e.dirtyOps, e.dirtyChats
	e.dirtyOps, e.dirtyChats = nil, nil
	for _, o := range ops {
		o.dirty = false
	}
	if !e.settings.AutoConnect {
		return
	}
	if chats = e.lapse(chats); len(ops) == 0 && len(chats) == 0 {
		return
	}
	var h candidates
	for _, o := range ops {
		if c := e.firstChat(o); c != nil {
			h = append(h, candidate{k: c.key(), op: o, c: c})
		}
	}
	for _, c := range chats {
		if c.Status == sb.ChatQueued {
			h = append(h, candidate{k: c.key(), c: c})
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		top := heap.Pop(&h).(candidate)
		c := top.c
		if top.op != nil {
			c = e.firstChat(top.op)
			if c == nil {
				continue
			}
			if c.key() != top.k {
				heap.Push(&h, candidate{k: c.key(), op: top.op, c: c})
				continue
			}
		} else if c.Status != sb.ChatQueued {
			continue
		}
		t0 := e.stopwatch()
		o, n, skipped := e.bestOp(c)
		took := e.stopwatch() - t0
		if o == nil {
			continue
		}
		e.autoConnect(c, o, n, skipped, took)
		if top.op != nil {
			heap.Push(&h, top)
		}
	}
}

// autoConnect connects c to o by auto-distribution; took is the time the
// choice took.
func (e *Engine) autoConnect(c *chat, o *operator, considered int, skipped []sb.Skip, took int64) {
	d := sb.Decision{Kind: sb.DecisionAuto, ChatID: c.ID, OperatorID: o.ID, Considered: considered, Skipped: skipped, DurationNs: took}
	if c.Requeues > 0 {
		d.Anomalies = []string{sb.AnomalyRepeatedDistribution}
	}
	e.connectOp(c, o, true)
	e.decide(d)
	e.emit(sb.EventAutoConnected, c, o, sb.Event{})
}

// lapse is R7's clause that exclusions never strand a chat: a queued chat
// whose every operator that could take it is excluded from it loses its
// exclusions, and becomes a candidate of the drain. It checks the newly
// queued chats, or every queued chat with exclusions after a change of who
// could take them (exclDirty); it returns dirty with the chats it cleared.
func (e *Engine) lapse(dirty []*chat) []*chat {
	check, all := dirty, e.exclDirty
	if all {
		e.exclDirty = false
		check = slices.Collect(maps.Values(e.excl))
		slices.SortFunc(check, func(a, b *chat) int { return cmp.Compare(a.seq, b.seq) })
	}
	for _, c := range check {
		if c.Status == sb.ChatQueued && len(c.Excluded) > 0 && e.onlyExcluded(c) {
			c.Excluded = nil
			delete(e.excl, c.seq)
			e.touchChat(c)
			if all { // a dirty chat is a candidate already
				dirty = append(dirty, c)
			}
		}
	}
	return dirty
}

// onlyExcluded reports whether some operator with a receiving status
// serves c's topic and could take a chat on its channel, and every such
// operator is excluded from c.
func (e *Engine) onlyExcluded(c *chat) bool {
	some := false
	for o := range e.eachServer(c.Topic) {
		if !o.receiving || !e.couldTake(o, c.Channel) {
			continue
		}
		if !excludes(c, o.ID) {
			return false
		}
		some = true
	}
	return some
}

// eachServer yields the operators that serve topic, some of them more than
// once.
func (e *Engine) eachServer(topic string) iter.Seq[*operator] {
	return func(yield func(*operator) bool) {
		if topic == "" {
			for _, o := range e.ops {
				if !yield(o) {
					return
				}
			}
			return
		}
		for _, g := range e.idx.topicGroups[topic] {
			for id := range g.opSet {
				if !yield(e.ops[id]) {
					return
				}
			}
		}
	}
}
