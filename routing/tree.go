package routing

import "slices"

// treeKey is what a tree orders: operators by R2 (opKey) or queued chats by
// R3 (chatKey).
type treeKey[K any] interface {
	comparable
	less(K) bool
}

// opKey orders operators by R2: primary, then tie, then the operator id.
// The distribution method fills them (Engine.opKeyOf): active chats and
// close seq (default), active chats (by number), assign seq (by date).
type opKey struct {
	primary, tie int64
	id           string
}

func (k opKey) less(o opKey) bool {
	if k.primary != o.primary {
		return k.primary < o.primary
	}
	if k.tie != o.tie {
		return k.tie < o.tie
	}
	return k.id < o.id
}

// chatKey orders queued chats by R3: higher weight (stored negated), then
// earlier queue entry, then chat number. It holds no pointer, so the
// collector does not scan the queue trees' nodes, a few per queued chat.
type chatKey struct{ negWeight, queuedAt, seq int64 }

func (k chatKey) less(o chatKey) bool {
	if k.negWeight != o.negWeight {
		return k.negWeight < o.negWeight
	}
	if k.queuedAt != o.queuedAt {
		return k.queuedAt < o.queuedAt
	}
	return k.seq < o.seq
}

// cmp orders keys as less does: -1, 0 or +1.
func (k chatKey) cmp(o chatKey) int {
	switch {
	case k.less(o):
		return -1
	case o.less(k):
		return 1
	}
	return 0
}

// node is a treap node in a tree's pool; index 0 is the nil node.
type node[K treeKey[K]] struct {
	k           K
	mask, sub   uint64 // the item's mask and the OR over its subtree
	prio        uint32
	size        int32
	left, right int32
}

// tree is an ordered set of keys, each with a 64-bit mask, kept as a treap.
// Besides insert and delete by key it finds the first key whose mask meets a
// filter (one descent, using the subtree OR) and a key's rank.
type tree[K treeKey[K]] struct {
	nodes []node[K]
	free  []int32
	root  int32
	seed  uint32
}

func newTree[K treeKey[K]]() *tree[K] { return &tree[K]{nodes: make([]node[K], 1), seed: 2463534242} }

func (t *tree[K]) len() int { return int(t.nodes[t.root].size) }

func (t *tree[K]) rand() uint32 {
	t.seed ^= t.seed << 13
	t.seed ^= t.seed >> 17
	t.seed ^= t.seed << 5
	return t.seed
}

func (t *tree[K]) fix(n int32) {
	nd := &t.nodes[n]
	l, r := &t.nodes[nd.left], &t.nodes[nd.right]
	nd.size = 1 + l.size + r.size
	nd.sub = nd.mask | l.sub | r.sub
}

// split divides n into keys < k and keys >= k.
func (t *tree[K]) split(n int32, k K) (int32, int32) {
	if n == 0 {
		return 0, 0
	}
	if t.nodes[n].k.less(k) {
		l, r := t.split(t.nodes[n].right, k)
		t.nodes[n].right = l
		t.fix(n)
		return n, r
	}
	l, r := t.split(t.nodes[n].left, k)
	t.nodes[n].left = r
	t.fix(n)
	return l, n
}

func (t *tree[K]) merge(a, b int32) int32 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	case t.nodes[a].prio > t.nodes[b].prio:
		t.nodes[a].right = t.merge(t.nodes[a].right, b)
		t.fix(a)
		return a
	default:
		t.nodes[b].left = t.merge(a, t.nodes[b].left)
		t.fix(b)
		return b
	}
}

// insert adds k with mask; k must not be present.
func (t *tree[K]) insert(k K, mask uint64) {
	t.root = t.insertAt(t.root, t.alloc(k, mask))
}

// alloc returns a new node for k with a random priority.
func (t *tree[K]) alloc(k K, mask uint64) int32 {
	var n int32
	if len(t.free) > 0 {
		n = t.free[len(t.free)-1]
		t.free = t.free[:len(t.free)-1]
	} else {
		t.nodes = append(t.nodes, node[K]{})
		n = int32(len(t.nodes) - 1)
	}
	t.nodes[n] = node[K]{k: k, mask: mask, sub: mask, prio: t.rand(), size: 1}
	return n
}

// treeItem is a key with its mask.
type treeItem[K treeKey[K]] struct {
	k    K
	mask uint64
}

// fill builds an empty tree from items in ascending key order, in linear
// time: each new node goes on the right spine (a stack), taking as its left
// child the spine nodes of lower priority, which are final once taken.
func (t *tree[K]) fill(items []treeItem[K]) {
	t.nodes = slices.Grow(t.nodes, len(items))
	var spine []int32
	for _, it := range items {
		n, left := t.alloc(it.k, it.mask), int32(0)
		for len(spine) > 0 && t.nodes[spine[len(spine)-1]].prio < t.nodes[n].prio {
			left = spine[len(spine)-1]
			spine = spine[:len(spine)-1]
			t.fix(left)
		}
		t.nodes[n].left = left
		if len(spine) > 0 {
			t.nodes[spine[len(spine)-1]].right = n
		}
		spine = append(spine, n)
	}
	for i := len(spine) - 1; i >= 0; i-- {
		t.fix(spine[i])
	}
	if len(spine) > 0 {
		t.root = spine[0]
	}
}

func (t *tree[K]) insertAt(root, n int32) int32 {
	if root == 0 {
		return n
	}
	if t.nodes[n].prio > t.nodes[root].prio {
		l, r := t.split(root, t.nodes[n].k)
		t.nodes[n].left, t.nodes[n].right = l, r
		t.fix(n)
		return n
	}
	if t.nodes[n].k.less(t.nodes[root].k) {
		t.nodes[root].left = t.insertAt(t.nodes[root].left, n)
	} else {
		t.nodes[root].right = t.insertAt(t.nodes[root].right, n)
	}
	t.fix(root)
	return root
}

// delete removes k and reports whether it was present.
func (t *tree[K]) delete(k K) bool {
	var ok bool
	t.root = t.deleteAt(t.root, k, &ok)
	return ok
}

func (t *tree[K]) deleteAt(n int32, k K, ok *bool) int32 {
	if n == 0 {
		return 0
	}
	nd := &t.nodes[n]
	switch {
	case k.less(nd.k):
		nd.left = t.deleteAt(nd.left, k, ok)
	case nd.k.less(k):
		nd.right = t.deleteAt(nd.right, k, ok)
	default:
		*ok = true
		m := t.merge(nd.left, nd.right)
		t.nodes[n] = node[K]{}
		t.free = append(t.free, n)
		return m
	}
	t.fix(n)
	return n
}

// first returns the smallest key whose mask shares a bit with filter.
func (t *tree[K]) first(filter uint64) (K, bool) {
	n := t.root
	for n != 0 && t.nodes[n].sub&filter != 0 {
		nd := &t.nodes[n]
		switch {
		case t.nodes[nd.left].sub&filter != 0:
			n = nd.left
		case nd.mask&filter != 0:
			return nd.k, true
		default:
			n = nd.right
		}
	}
	var zero K
	return zero, false
}

// after returns the smallest key greater than k whose mask shares a bit with
// filter.
func (t *tree[K]) after(k K, filter uint64) (K, bool) {
	return t.afterAt(t.root, k, filter)
}

func (t *tree[K]) afterAt(n int32, k K, filter uint64) (K, bool) {
	if n == 0 || t.nodes[n].sub&filter == 0 {
		var zero K
		return zero, false
	}
	nd := &t.nodes[n]
	if !k.less(nd.k) { // nd.k <= k: the answer is on the right
		return t.afterAt(nd.right, k, filter)
	}
	if r, ok := t.afterAt(nd.left, k, filter); ok {
		return r, true
	}
	if nd.mask&filter != 0 {
		return nd.k, true
	}
	return t.afterAt(nd.right, k, filter)
}

// rank returns the number of keys less than k.
func (t *tree[K]) rank(k K) int {
	r, n := 0, t.root
	for n != 0 {
		nd := &t.nodes[n]
		if nd.k.less(k) {
			r += int(t.nodes[nd.left].size) + 1
			n = nd.right
		} else {
			n = nd.left
		}
	}
	return r
}

// ascend calls fn for each key in order until fn returns false.
func (t *tree[K]) ascend(fn func(k K, mask uint64) bool) {
	t.ascendAt(t.root, fn)
}

func (t *tree[K]) ascendAt(n int32, fn func(K, uint64) bool) bool {
	if n == 0 {
		return true
	}
	nd := t.nodes[n]
	return t.ascendAt(nd.left, fn) && fn(nd.k, nd.mask) && t.ascendAt(nd.right, fn)
}
