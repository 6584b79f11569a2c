package server

import (
	"context"
	"fmt"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Several instances on one database (docs/HA.md): the leader runs the
// writer with Journal set, so that every commit logs the commands it
// applied; a follower does not Run, but keeps its engine equal to the
// leader's by applying the logged commands again (Replay) and serves reads
// and event streams from it.

// Sessions tracks panel sessions when several instances share presence:
// the leader derives presence from the sessions of all of them.
type Sessions interface {
	// Opened is called when an operator's panel session opens.
	Opened(ctx context.Context, operatorID string)
	// Closed is called when it closes.
	Closed(ctx context.Context, operatorID string)
	// Seen is called for an API request made with the operator's own
	// credential: it is present until the given time (Server.Seen).
	Seen(operatorID string, until time.Time)
}

// journal adds cmd, just applied, to the batch's command log with the
// engine's clock and event counter after it. A command that does not
// encode goes in without a name, which the store refuses: the group then
// fails as a whole rather than leave the followers a gap.
func (s *Server) journal(b *sb.Batch, cmd routing.Command) {
	name, body, err := routing.EncodeCommand(cmd)
	if err != nil {
		s.Log.Error("command not journaled", "command", name, "err", err)
		name, body = "", nil
	}
	b.Applied = append(b.Applied, sb.Applied{Name: name, Body: body, Now: s.eng.Now(), Events: s.eng.Counters().Event})
}

// Replay applies commands the leader committed, each at the time the leader
// applied it, and publishes their events: the engine is deterministic, so
// it makes the leader's decisions and events again. It stops at a command
// whose outcome differs from the leader's (its event counter) and fails;
// the caller then resets the engine from the store.
func (s *Server) Replay(cmds []sb.Applied) error {
	var events []sb.Event
	defer func() { s.Broker.Publish(events) }() // after the unlock
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range cmds {
		cmd, err := routing.DecodeCommand(a.Name, a.Body)
		if err != nil {
			return fmt.Errorf("command %d: %w", a.Seq, err)
		}
		res, _ := s.eng.Apply(a.Now, cmd) // an error is the leader's too
		if res.Changes.Config {
			s.keepSettings()
		}
		if got := s.eng.Counters().Event; got != a.Events {
			return fmt.Errorf("command %d (%s): the replica is at event %d, the leader was at %d", a.Seq, a.Name, got, a.Events)
		}
		events = append(events, res.Events...)
	}
	return nil
}

// Reset replaces the engine with st, a state read from the store, and
// publishes the committed events the old engine had not reached.
func (s *Server) Reset(ctx context.Context, st sb.State) error {
	eng, err := routing.Import(st)
	if err != nil {
		return err
	}
	start := time.Now()
	eng.Stopwatch = func() int64 { return int64(time.Since(start)) }
	s.mu.Lock()
	from := s.lastEvent()
	s.eng = eng
	s.mu.Unlock()
	return s.publishGap(ctx, from, st.Counters.Event)
}

// Reload replaces the engine with the store's state, as Open does, and
// publishes the committed events the old engine had not reached: a
// follower about to lead.
func (s *Server) Reload(ctx context.Context) error {
	s.mu.Lock()
	from := s.lastEvent()
	err := s.load(ctx)
	var to int64
	if err == nil {
		to = s.eng.Counters().Event
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.publishGap(ctx, from, to)
}

// lastEvent is the engine's last event, -1 without an engine; mu is held.
func (s *Server) lastEvent() int64 {
	if s.eng == nil {
		return -1
	}
	return s.eng.Counters().Event
}

// publishGap publishes the stored events after from up to to, unless there
// was no engine before (from -1: nobody can be streaming yet).
func (s *Server) publishGap(ctx context.Context, from, to int64) error {
	for from >= 0 && from < to {
		evs, err := s.Store.Events(ctx, from, min(1000, int(to-from)))
		if err != nil || len(evs) == 0 {
			return err
		}
		s.Broker.Publish(evs)
		from = evs[len(evs)-1].Seq
	}
	return nil
}
