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
	tr := newTree()
	type item struct {
		k    key
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
		k := key{a: rng.Int64N(5), b: rng.Int64N(50), s: string(rune('a' + rng.IntN(3)))}
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
		filter := uint64(1)<<rng.IntN(4) | uint64(1)<<rng.IntN(4)
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
	var all []key
	tr.ascend(func(k key, _ uint64) bool { all = append(all, k); return true })
	for i := range all {
		if all[i] != ref[i].k {
			t.Fatalf("ascend[%d] = %v, want %v", i, all[i], ref[i].k)
		}
	}
}
