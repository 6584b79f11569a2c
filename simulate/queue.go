package simulate

// evKind is what a simulator event does when its time comes.
type evKind uint8

const (
	evArrival    evKind = iota // the next client of stream a
	evReplay                   // replayed client a
	evShift                    // team a's staffing changes (breakpoint b)
	evClose                    // the operator closes chat a (generation b)
	evAbandon                  // the client of chat a leaves if still waiting
	evBreakStart               // operator a goes on break (generation b)
	evBreakEnd                 // operator a comes back (generation b)
	evReturn                   // operator a, auto-offline after missed accepts, comes back (generation b)
)

// event is one thing due at a virtual time (nanoseconds after the start).
// seq orders events due at the same time as they were scheduled.
type event struct {
	at   int64
	seq  uint64
	a    int64
	b    uint32
	kind evKind
}

func (e *event) less(f *event) bool {
	if e.at != f.at {
		return e.at < f.at
	}
	return e.seq < f.seq
}

// eventHeap is a binary min-heap of events (typed, so that pushing does
// not box each event as container/heap would).
type eventHeap []event

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q[i].less(&q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	q := *h
	top, last := q[0], len(q)-1
	q[0] = q[last]
	q = q[:last]
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(q) && q[l].less(&q[m]) {
			m = l
		}
		if r < len(q) && q[r].less(&q[m]) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

// schedule adds an event.
func (s *sim) schedule(at int64, kind evKind, a int64, b uint32) {
	s.seq++
	s.events.push(event{at: at, seq: s.seq, a: a, b: b, kind: kind})
}
