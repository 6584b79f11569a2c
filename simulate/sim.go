package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Run plays cfg through the routing engine on a virtual clock and reports
// what happened, per hour and for the whole run. The same Config gives the
// same Report, except WallS.
func Run(cfg Config) (Report, error) { return RunContext(context.Background(), cfg) }

// RunContext is Run that stops with ctx's error when ctx is done.
func RunContext(ctx context.Context, cfg Config) (Report, error) {
	t0 := time.Now()
	c, err := cfg.Normalize()
	if err != nil {
		return Report{}, err
	}
	s, err := newSim(ctx, &c, nil)
	if err != nil {
		return Report{}, err
	}
	if err := s.runUntil(s.stopAt); err != nil {
		return Report{}, err
	}
	rep := s.report()
	rep.WallS = time.Since(t0).Seconds()
	return rep, nil
}

const hourNs = int64(time.Hour)

func nsOf(sec float64) int64      { return int64(math.Round(sec * 1e9)) }
func secOf(ns int64) float64      { return float64(ns) / 1e9 }
func never() int64                { return math.MaxInt64 }
func (s *sim) at() time.Time      { return s.start.Add(time.Duration(s.now)) }
func (s *sim) hourOf(t int64) int { return int(t / hourNs) }

// sim is one run in progress. Everything it holds is copied by clone, so
// that the staffing search can try several staffings from one state.
type sim struct {
	ctx    context.Context // checked every checkEvery steps
	steps  int
	cfg    *Config
	eng    *routing.Engine
	start  time.Time
	sodS   float64 // Start's seconds after midnight, on its clock
	now    int64   // nanoseconds after start
	end    int64   // arrivals stop here
	stopAt int64   // the run stops here at the latest
	warmup int64
	err    error

	events   eventHeap
	seq      uint64
	arriving int // arrival events still in the heap

	streams []*stream
	replayR *rand.Rand
	replayP *rand.PCG
	arrival *chatRec // the chat being connected, until chat_created names it
	clients int64
	chats   map[int64]*chatRec
	pending []routing.Command // follow-up commands of the current step
	evbuf   []sb.Event        // the events list, reused by every command

	teams  []*team
	ops    map[string]*op
	opList []*op
	load   load
	st     *stats
}

// newSim builds the contact center in a fresh engine and schedules the
// first events. capacity, when set, is the number of operators to create
// per team (the staffing search needs more than the schedule's maximum).
func newSim(ctx context.Context, c *Config, capacity []int) (*sim, error) {
	s := &sim{
		ctx: ctx, cfg: c, start: c.Start.UTC(), end: nsOf(c.DurationS), warmup: nsOf(c.WarmupS),
		chats: map[int64]*chatRec{}, ops: map[string]*op{},
	}
	s.stopAt = s.end + nsOf(c.DrainS)
	s.sodS = float64(c.Start.Hour()*3600 + c.Start.Minute()*60 + c.Start.Second())
	s.eng = routing.New(s.start)
	s.st = newStats(c, int((s.end+hourNs-1)/hourNs))
	s.replayR, s.replayP = newRand(c.Seed, 1<<32)
	if err := s.build(capacity); err != nil {
		return nil, err
	}
	s.startArrivals()
	for i := range s.teams {
		s.schedule(0, evShift, int64(i), 0)
	}
	return s, s.err
}

// apply runs one command at the current virtual time and everything it
// leads to (accepts). An error ends the run: the simulator sends only
// commands the engine should take.
func (s *sim) apply(cmd routing.Command) {
	s.pending = append(s.pending[:0], cmd)
	for i := 0; i < len(s.pending) && s.err == nil; i++ {
		res, evs, err := s.eng.ApplyAppend(s.at(), s.pending[i], s.evbuf[:0])
		if err != nil {
			s.err = fmt.Errorf("simulate: %T at %s: %w", s.pending[i], s.at().Format(time.RFC3339), err)
		}
		s.observe(res.Events)
		clear(evs) // drop the chat snapshots before reusing the list
		s.evbuf = evs[:0]
	}
}

// nextAt is when the next thing happens: a simulator event or an engine
// timer.
func (s *sim) nextAt() (int64, bool) {
	at, ok := never(), false
	if len(s.events) > 0 {
		at, ok = s.events[0].at, true
	}
	if d, has := s.eng.NextDeadline(); has {
		if t := d.Sub(s.start).Nanoseconds(); t < at {
			at, ok = max(t, s.now), true
		}
	}
	return at, ok
}

// runUntil plays everything due before limit (or until nothing is left to
// happen), then moves the clock to limit.
func (s *sim) runUntil(limit int64) error {
	for s.err == nil && !s.finished() {
		at, ok := s.nextAt()
		if !ok || at >= limit {
			break
		}
		s.step(at)
		if s.steps++; s.steps%checkEvery == 0 && s.ctx.Err() != nil {
			s.err = s.ctx.Err()
		}
	}
	if s.err == nil && limit > s.now && !s.finished() {
		s.advance(limit)
	}
	return s.err
}

// checkEvery is how many steps runUntil plays between looks at its
// context (a few milliseconds of work).
const checkEvery = 4096

// finished: no more clients will come and every chat is closed.
func (s *sim) finished() bool { return s.arriving == 0 && len(s.chats) == 0 }

// step plays what is due at at: the engine's timers first.
func (s *sim) step(at int64) {
	s.advance(at)
	if len(s.events) == 0 || s.events[0].at > at {
		s.apply(routing.Tick{})
		return
	}
	s.handle(s.events.pop())
}

func (s *sim) handle(ev event) {
	switch ev.kind {
	case evArrival:
		s.arrive(int(ev.a))
	case evReplay:
		s.replay(int(ev.a))
	case evShift:
		s.shift(int(ev.a), int(ev.b))
	case evClose:
		s.closeChat(ev.a, ev.b)
	case evAbandon:
		s.abandon(ev.a)
	case evBreakStart, evBreakEnd, evReturn:
		s.operatorEvent(ev)
	}
}

// closeChat is the operator closing a chat it handled to the end.
func (s *sim) closeChat(key int64, gen uint32) {
	c := s.chats[key]
	if c == nil || c.gen != gen || c.op == nil {
		return
	}
	s.apply(routing.Close{ChatID: c.id, By: sb.ByOperator, OperatorID: c.op.id})
}

// abandon is the client leaving, if its chat still waits in the queue.
func (s *sim) abandon(key int64) {
	if c := s.chats[key]; c != nil && c.op == nil {
		s.apply(routing.Close{ChatID: c.id, By: sb.ByClient})
	}
}

// advance moves the clock to t, adding the operators' load meanwhile to
// the hours it falls in.
func (s *sim) advance(t int64) {
	if t <= s.now {
		return
	}
	s.st.addLoad(s.now, t, s.end, s.warmup, &s.load)
	s.now = t
}
