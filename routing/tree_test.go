package routing

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTree checks the treap against a sorted slice under random inserts and
// deletes: order, masked first/after searches and ranks.
func TestTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tr := newTree[opKey]()
	type item struct {
		k    opKey
		mask uint64
	}
	var ref []item
	cmp := func(a, b item) int {
		if a.k.less(b.k) {
			return -1
		}
		if b.k.less(a.k) {
			return 1
		}
		return 0
	}
	for step := range 20000 {
		k := opKey{primary: rng.Int64N(5), tie: rng.Int64N(50), id: string(rune('a' + rng.IntN(3)))}
		i, found := slices.BinarySearchFunc(ref, item{k: k}, cmp)
		if rng.IntN(3) > 0 && !found {
			m := uint64(1) << rng.IntN(4)
			tr.insert(k, m)
			ref = slices.Insert(ref, i, item{k, m})
		} else if found {
			if !tr.delete(k) {
				t.Fatalf("step %d: delete %v: not found", step, k)
			}
			ref = slices.Delete(ref, i, i+1)
		}
		if tr.len() != len(ref) {
			t.Fatalf("step %d: len %d, want %d", step, tr.len(), len(ref))
		}
		if got := tr.rank(k); got != i {
			t.Fatalf("step %d: rank %d, want %d", step, got, i)
		}
		filter := randomFilter(rng)
		want := slices.IndexFunc(ref, func(x item) bool { return x.mask&filter != 0 })
		got, ok := tr.first(filter)
		if ok != (want >= 0) || ok && got != ref[want].k {
			t.Fatalf("step %d: first(%b) = %v %v, want index %d", step, filter, got, ok, want)
		}
		want = slices.IndexFunc(ref, func(x item) bool { return k.less(x.k) && x.mask&filter != 0 })
		got, ok = tr.after(k, filter)
		if ok != (want >= 0) || ok && got != ref[want].k {
			t.Fatalf("step %d: after(%v, %b) = %v %v, want index %d", step, k, filter, got, ok, want)
		}
	}
	var all []opKey
	tr.ascend(func(k opKey, _ uint64) bool { all = append(all, k); return true })
	for i := range all {
		if all[i] != ref[i].k {
			t.Fatalf("ascend[%d] = %v, want %v", i, all[i], ref[i].k)
		}
	}
}

// TestTreeFill checks a tree built from sorted items against one built by
// inserts: the same keys in order, ranks and masked searches, and that it
// takes inserts and deletes afterwards.
func TestTreeFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 3, 10, 1000} {
		var items []treeItem[chatKey]
		for i := range n {
			items = append(items, treeItem[chatKey]{chatKey{negWeight: int64(i / 7), queuedAt: int64(i)}, uint64(1) << rng.IntN(4)})
		}
		filled, inserted := newTree[chatKey](), newTree[chatKey]()
		filled.fill(items)
		for _, it := range items {
			inserted.insert(it.k, it.mask)
		}
		for step := range 200 {
			if filled.len() != inserted.len() {
				t.Fatalf("n=%d step %d: len %d, want %d", n, step, filled.len(), inserted.len())
			}
			k := chatKey{negWeight: rng.Int64N(int64(n/7 + 2)), queuedAt: rng.Int64N(int64(n + 2))}
			filter := randomFilter(rng)
			if filled.rank(k) != inserted.rank(k) {
				t.Fatalf("n=%d step %d: rank(%v) differs", n, step, k)
			}
			g1, ok1 := filled.first(filter)
			g2, ok2 := inserted.first(filter)
			a1, ok3 := filled.after(k, filter)
			a2, ok4 := inserted.after(k, filter)
			if g1 != g2 || ok1 != ok2 || a1 != a2 || ok3 != ok4 {
				t.Fatalf("n=%d step %d: first/after differ", n, step)
			}
			if filled.delete(k) != inserted.delete(k) {
				t.Fatalf("n=%d step %d: delete(%v) differs", n, step, k)
			}
			if rng.IntN(2) == 0 && inserted.rank(k) == inserted.rank(chatKey{negWeight: k.negWeight, queuedAt: k.queuedAt + 1}) {
				m := uint64(1) << rng.IntN(4)
				filled.insert(k, m)
				inserted.insert(k, m)
			}
		}
	}
}

// randomFilter is a mask of one or two of four bits, each drawn at random.
func randomFilter(rng *rand.Rand) uint64 {
	a, b := rng.IntN(4), rng.IntN(4)
	return 1<<a | 1<<b
}
