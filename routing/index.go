package routing

import (
	"slices"

	sb "github.com/switchboard/switchboard"
)

// indexes are the trees that make a routing decision O(log n).
type indexes struct {
	all         *tree[opKey]        // eligible operators, R2 key
	qall        *tree[chatKey]      // queued chats, R3 key
	qnone       *tree[chatKey]      // queued chats without topic
	topicGroups map[string][]*group // active groups containing a topic
	chanBit     map[string]uint     // bit of each channel that carries a limit
	receiving   int                 // operators whose status can receive
}

// rebuild recomputes every index from the state: after configuration
// changes, and on Import. It marks every operator dirty for R4.
func (e *Engine) rebuild() {
	x := &e.idx
	x.all, x.qall, x.qnone = newTree[opKey](), newTree[chatKey](), newTree[chatKey]()
	x.topicGroups = map[string][]*group{}
	x.chanBit = map[string]uint{}
	x.receiving = 0
	e.allocBits(e.settings.DefaultChannelLimits)
	children := e.children()
	for _, g := range sortedGroups(e.groups) {
		g.ops, g.queue, g.receiving = newTree[opKey](), newTree[chatKey](), 0
		g.covers = subtopics(g.Topics, children)
		if !g.Active {
			continue
		}
		for t := range g.covers {
			x.topicGroups[t] = append(x.topicGroups[t], g)
		}
	}
	for _, o := range e.ops {
		e.allocBits(o.ChannelLimits)
	}
	for _, o := range e.ops {
		o.in, o.groups = false, o.groups[:0]
	}
	for _, g := range sortedGroups(e.groups) {
		for _, id := range g.Operators {
			if o := e.ops[id]; o != nil && g.Active {
				o.groups = append(o.groups, g)
			}
		}
	}
	for _, o := range e.ops {
		o.receiving = e.canReceive(o.Status)
		if o.receiving {
			x.receiving++
			for _, g := range o.groups {
				g.receiving++
			}
		}
		e.indexOp(o)
		e.markDirty(o)
	}
	e.indexQueue()
	e.exclDirty = true
	e.refreshAllTimers()
}

// children maps each topic to its subtopics.
func (e *Engine) children() map[string][]string {
	out := map[string][]string{}
	for _, t := range e.topics {
		if t.Parent != "" {
			out[t.Parent] = append(out[t.Parent], t.Alias)
		}
	}
	return out
}

// subtopics returns the topics and all their subtopics, at any depth: the
// topics a skill group with these topics serves (R1).
func subtopics(topics []string, children map[string][]string) map[string]bool {
	out := make(map[string]bool, len(topics))
	stack := slices.Clone(topics)
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !out[t] {
			out[t] = true
			stack = append(stack, children[t]...)
		}
	}
	return out
}

// indexQueue fills the empty queue trees with the queued chats, sorted
// once: building a tree from sorted keys is linear, where a million
// inserts in map order would each miss the cache on the way down. The sort
// works on the keys themselves, side by side, not through the chats.
func (e *Engine) indexQueue() {
	type entry struct {
		k chatKey
		c *chat
	}
	queued := make([]entry, 0, len(e.chats))
	clear(e.excl)
	clear(e.queuedBy)
	for _, c := range e.chats {
		c.bit = e.bitOf(c.Channel)
		if c.Status == sb.ChatQueued {
			e.queuedBy[c.Topic]++
		}
		if c.Status == sb.ChatQueued && c.HeldUntil == 0 {
			queued = append(queued, entry{c.key(), c})
			if len(c.Excluded) > 0 {
				e.excl[c.seq] = c
			}
		}
	}
	slices.SortFunc(queued, func(a, b entry) int { return a.k.cmp(b.k) })
	// lists[i] (sizes[i] items) fills trees[i]; byTopic gives the lists a
	// topic's chats go in.
	var trees []*tree[chatKey]
	var lists [][]treeItem[chatKey]
	var sizes []int
	listOf := map[*tree[chatKey]]int{}
	byTopic := map[string][]int{}
	targets := func(topic string) []int {
		if ix, ok := byTopic[topic]; ok {
			return ix
		}
		ts := []*tree[chatKey]{e.idx.qall, e.idx.qnone}
		if topic != "" {
			ts = ts[:1]
			for _, g := range e.idx.topicGroups[topic] {
				ts = append(ts, g.queue)
			}
		}
		var ix []int
		for _, t := range ts {
			i, ok := listOf[t]
			if !ok {
				i = len(trees)
				listOf[t] = i
				trees, lists, sizes = append(trees, t), append(lists, nil), append(sizes, 0)
			}
			ix = append(ix, i)
		}
		byTopic[topic] = ix
		return ix
	}
	for _, q := range queued { // size each list once: a million appends would copy them again and again
		for _, i := range targets(q.c.Topic) {
			sizes[i]++
		}
	}
	for i, n := range sizes {
		lists[i] = make([]treeItem[chatKey], 0, n)
	}
	for _, q := range queued {
		for _, i := range targets(q.c.Topic) {
			lists[i] = append(lists[i], treeItem[chatKey]{q.k, q.c.bit})
		}
	}
	for i, t := range trees {
		t.fill(lists[i])
	}
}

func sortedGroups(m map[string]*group) []*group {
	gs := make([]*group, 0, len(m))
	for _, g := range m {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *group) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return gs
}

// allocBits gives every channel named in limits a mask bit and reports
// whether it had to add one.
func (e *Engine) allocBits(limits map[string]int) bool {
	added := false
	for ch := range limits {
		if _, ok := e.idx.chanBit[ch]; !ok {
			e.idx.chanBit[ch] = uint(len(e.idx.chanBit) + 1)
			added = true
		}
	}
	return added
}

// bitsFit reports whether the channels of limits fit in the mask.
func (e *Engine) bitsFit(limits map[string]int) bool {
	n := len(e.idx.chanBit)
	for ch := range limits {
		if _, ok := e.idx.chanBit[ch]; !ok {
			n++
		}
	}
	return n <= 63
}

func (e *Engine) bitOf(channel string) uint64 {
	return 1 << e.idx.chanBit[channel] // bit 0 for channels nobody limits
}

func (e *Engine) canReceive(status string) bool {
	s, ok := e.status(status)
	return ok && s.CanReceive
}

func (e *Engine) maxChats(o *operator) int {
	if o.MaxChats != nil {
		return *o.MaxChats
	}
	return e.settings.DefaultMaxChats
}

func (e *Engine) limits(o *operator) map[string]int {
	if o.ChannelLimits != nil {
		return o.ChannelLimits
	}
	return e.settings.DefaultChannelLimits
}

// underLimits is R1.3–4 for a chat on channel.
func (e *Engine) underLimits(o *operator, channel string) bool {
	if o.load() >= e.maxChats(o) {
		return false
	}
	l, ok := e.limits(o)[channel]
	return !ok || o.loadOn(channel) < l
}

// load is the operator's active chats and the chats it is wrapping up:
// what its limits count.
func (o *operator) load() int { return o.Active + len(o.wrap) }

// loadOn is load on one channel.
func (o *operator) loadOn(channel string) int {
	n := o.ActiveByChannel[channel]
	for _, w := range o.wrap {
		if w.channel == channel {
			n++
		}
	}
	return n
}

// serves is R1.2.
func (e *Engine) serves(o *operator, topic string) bool {
	if topic == "" {
		return true
	}
	for _, g := range o.groups {
		if g.covers[topic] {
			return true
		}
	}
	return false
}

// couldTake reports whether o's limits let it take a chat on channel at
// all, however few chats it had.
func (e *Engine) couldTake(o *operator, channel string) bool {
	l, ok := e.limits(o)[channel]
	return e.maxChats(o) > 0 && (!ok || l > 0)
}

// opMask is the set of channel bits the operator may still take.
func (e *Engine) opMask(o *operator) uint64 {
	m := ^uint64(0)
	for ch, l := range e.limits(o) {
		if o.loadOn(ch) >= l {
			m &^= 1 << e.idx.chanBit[ch]
		}
	}
	return m
}

func (e *Engine) opKeyOf(o *operator) opKey {
	switch e.settings.DistributionMethod {
	case sb.MethodByNumber:
		return opKey{primary: int64(o.load()), id: o.ID}
	case sb.MethodByLastDate:
		return opKey{primary: o.AssignSeq, id: o.ID}
	}
	return opKey{primary: int64(o.load()), tie: o.CloseSeq, id: o.ID}
}

// indexOp puts the operator into the operator trees when it can receive and
// is under its general limit.
func (e *Engine) indexOp(o *operator) {
	if o.in || !o.receiving || o.load() >= e.maxChats(o) {
		return
	}
	o.in, o.okey, o.omask = true, e.opKeyOf(o), e.opMask(o)
	e.idx.all.insert(o.okey, o.omask)
	for _, g := range o.groups {
		g.ops.insert(o.okey, o.omask)
	}
}

func (e *Engine) unindexOp(o *operator) {
	if !o.in {
		return
	}
	o.in = false
	e.idx.all.delete(o.okey)
	for _, g := range o.groups {
		g.ops.delete(o.okey)
	}
}

// updateOp applies fn to the operator while it is out of the trees.
func (e *Engine) updateOp(o *operator, fn func()) {
	e.unindexOp(o)
	fn()
	e.indexOp(o)
	e.touchOp(o)
}

func (e *Engine) markDirty(o *operator) {
	if !o.dirty && o.in {
		o.dirty = true
		e.dirtyOps = append(e.dirtyOps, o)
	}
}

// key is the chat's R3 key in the queue trees. Weight, QueuedAt and seq do
// not change while the chat is queued, so the key is computed, not stored.
func (c *chat) key() chatKey {
	return chatKey{negWeight: -int64(c.Weight), queuedAt: int64(c.QueuedAt), seq: c.seq}
}

// indexChat puts a queued chat into the queue trees (a held one only into
// its topic's count).
func (e *Engine) indexChat(c *chat) {
	e.queuedBy[c.Topic]++
	if c.HeldUntil != 0 {
		return
	}
	k := c.key()
	if len(c.Excluded) > 0 {
		e.excl[c.seq] = c
	}
	e.idx.qall.insert(k, c.bit)
	if c.Topic == "" {
		e.idx.qnone.insert(k, c.bit)
		return
	}
	for _, g := range e.idx.topicGroups[c.Topic] {
		g.queue.insert(k, c.bit)
	}
}

func (e *Engine) unindexChat(c *chat) {
	if e.queuedBy[c.Topic]--; e.queuedBy[c.Topic] == 0 {
		delete(e.queuedBy, c.Topic)
	}
	if c.HeldUntil != 0 {
		return
	}
	k := c.key()
	delete(e.excl, c.seq)
	e.idx.qall.delete(k)
	if c.Topic == "" {
		e.idx.qnone.delete(k)
		return
	}
	for _, g := range e.idx.topicGroups[c.Topic] {
		g.queue.delete(k)
	}
}

func excludes(c *chat, opID string) bool { return slices.Contains(c.Excluded, opID) }

// bestOp returns the best eligible operator for c by R2, the number of
// candidates compared and the excluded operators passed over.
func (e *Engine) bestOp(c *chat) (*operator, int, []sb.Skip) {
	var (
		best    opKey
		found   bool
		n       int
		skipped []sb.Skip
	)
	try := func(t *tree[opKey]) {
		k, ok := t.first(c.bit)
		for ok && excludes(c, k.id) {
			skipped = append(skipped, sb.Skip{OperatorID: k.id, Reason: "excluded"})
			k, ok = t.after(k, c.bit)
		}
		if ok {
			n++
			if !found || k.less(best) {
				best, found = k, true
			}
		}
	}
	if c.Topic == "" {
		try(e.idx.all)
	} else {
		for _, g := range e.idx.topicGroups[c.Topic] {
			try(g.ops)
		}
	}
	if !found {
		return nil, n, skipped
	}
	return e.ops[best.id], n, skipped
}

// firstChat returns the first queued chat in R3 order that o may receive.
func (e *Engine) firstChat(o *operator) *chat {
	if !o.in {
		return nil
	}
	var (
		best  chatKey
		found bool
	)
	try := func(t *tree[chatKey]) {
		k, ok := t.first(o.omask)
		for ok && excludes(e.chats[k.seq], o.ID) {
			k, ok = t.after(k, o.omask)
		}
		if ok && (!found || k.less(best)) {
			best, found = k, true
		}
	}
	try(e.idx.qnone)
	for _, g := range o.groups {
		try(g.queue)
	}
	if !found {
		return nil
	}
	return e.chats[best.seq]
}

// limitReason says why nobody may receive a new chat on topic.
func (e *Engine) limitReason(topic string) sb.Reason {
	members, receiving := len(e.ops), e.idx.receiving
	if topic != "" {
		members, receiving = 0, 0
		for _, g := range e.idx.topicGroups[topic] {
			members += len(g.opSet)
			receiving += g.receiving
		}
	}
	switch {
	case members == 0:
		return sb.Reason{Code: ReasonNoOperatorForTopic, Message: "no operator serves this topic"}
	case receiving == 0:
		return sb.Reason{Code: ReasonNoOperatorOnline, Message: "no operator of this topic is online"}
	}
	return sb.Reason{Code: ReasonAllOperatorsBusy, Message: "every operator of this topic is at a limit"}
}
