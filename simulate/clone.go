package simulate

import (
	"slices"

	"github.com/switchboard/switchboard/routing"
)

// clone returns an independent copy of the run: the engine through its
// Export and Import (which rebuild an engine that makes the same
// decisions), the generators with their state, every record. The copy
// plays on exactly as the original would.
func (s *sim) clone() (*sim, error) {
	st := s.eng.Export()
	// The recent closed chats and decisions serve queries only; the
	// simulator makes none, and the engine decides without them.
	st.Closed, st.Audit = nil, nil
	eng, err := routing.Import(st)
	if err != nil {
		return nil, err
	}
	c := *s
	c.eng = eng
	c.events = slices.Clone(s.events)
	c.pending, c.evbuf, c.arrival = nil, nil, nil
	c.streams = make([]*stream, len(s.streams))
	for i, x := range s.streams {
		y := *x
		y.r, y.p = cloneRand(x.p)
		c.streams[i] = &y
	}
	c.replayR, c.replayP = cloneRand(s.replayP)
	cloneOperators(&c, s)
	c.chats = make(map[int64]*chatRec, len(s.chats))
	for k, r := range s.chats {
		cr := *r
		if r.op != nil {
			cr.op = c.opList[r.op.index]
		}
		c.chats[k] = &cr
	}
	c.st = s.st.clone()
	return &c, nil
}

// cloneOperators gives c copies of s's teams and operators.
func cloneOperators(c, s *sim) {
	c.teams = make([]*team, len(s.teams))
	for i, t := range s.teams {
		u := *t
		u.changes = slices.Clone(t.changes)
		u.members = make([]*op, 0, len(t.members))
		c.teams[i] = &u
	}
	c.opList = make([]*op, len(s.opList))
	c.ops = make(map[string]*op, len(s.ops))
	teamOf := make(map[*team]*team, len(s.teams))
	for i, t := range s.teams {
		teamOf[t] = c.teams[i]
	}
	for i, o := range s.opList {
		p := *o
		p.team = teamOf[o.team]
		p.team.members = append(p.team.members, &p)
		c.opList[i], c.ops[p.id] = &p, &p
	}
}

func (st *stats) clone() *stats {
	c := *st
	c.hours = slices.Clone(st.hours)
	for i := range c.hours {
		c.hours[i].waits = slices.Clone(st.hours[i].waits)
	}
	c.total.waits = slices.Clone(st.total.waits)
	return &c
}
