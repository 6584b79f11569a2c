package server

import (
	"context"
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/stats"
)

// The statistics (docs/STATS.md): the server folds the committed events
// into hourly cells (package stats) as they are published, or from the
// store's event log when it is behind, and hands the sealed hours to the
// store with the fold's state, so that a restart folds only the events
// after the last save. Every instance folds the same log, so all answer
// the same figures.

// StatsQuery asks for the figures of [From, To), rounded out to whole
// hours, grouped by GroupBy (stats.Groupings, or "" for the total only),
// days and hours of day in Location (UTC when nil). A zero To is the end
// of the current hour; a zero From is 24 hours before To.
type StatsQuery struct {
	From, To time.Time
	GroupBy  string
	Location *time.Location
}

// MaxStatsWindow is the longest window a report covers.
const MaxStatsWindow = 366 * 24 * time.Hour

// statsSaveEvery is how often the fold's state is saved when no hour was
// sealed meanwhile.
const statsSaveEvery = 5 * time.Minute

// statsFold is the server's fold of the event log.
type statsFold struct {
	f        *stats.Fold // nil until loaded
	savedSeq int64
}

// normalize applies the defaults and checks the query (EINVALID naming the
// field).
func (q StatsQuery) normalize(now time.Time) (stats.Query, error) {
	to, from := q.To, q.From
	if to.IsZero() {
		to = now
	}
	if t := to.UTC().Truncate(time.Hour); t.Equal(to) {
		to = t
	} else {
		to = t.Add(time.Hour) // rounded up
	}
	if from.IsZero() {
		from = to.Add(-24 * time.Hour)
	}
	from = from.UTC().Truncate(time.Hour)
	switch {
	case !from.Before(to):
		return stats.Query{}, sb.Errorf(sb.EINVALID, "from", "from must be before to")
	case to.Sub(from) > MaxStatsWindow:
		return stats.Query{}, sb.Errorf(sb.EINVALID, "to", "the window must be at most 366 days")
	}
	if q.GroupBy != "" && !slices.Contains(stats.Groupings, q.GroupBy) {
		return stats.Query{}, sb.Errorf(sb.EINVALID, "group_by", "group_by must be one of hour, day, hour_of_day, operator, topic, channel, skill_group")
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	return stats.Query{From: from, To: to, GroupBy: q.GroupBy, Location: loc}, nil
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Stats returns the figures of a window, folded from the event log up to
// the last commit, with the state now (stats.Live).
func (s *Server) Stats(ctx context.Context, q StatsQuery) (stats.Report, error) {
	now := s.Now().UTC()
	sq, err := q.normalize(now)
	if err != nil {
		return stats.Report{}, err
	}
	var (
		cfg   sb.Config
		names = map[string]string{}
		live  = &stats.Live{At: now, OperatorsByStatus: map[string]int{}}
		head  int64
	)
	s.View(func(e *routing.Engine) {
		cfg, head = e.Config(), e.Counters().Event
		for _, o := range e.Operators() {
			names[o.ID] = o.Name
			live.OperatorsByStatus[o.Status]++
			live.ActiveChats += o.Active
		}
		var since time.Time
		live.Queued, live.New, since = e.Waiting()
		live.Waiting = live.Queued + live.New
		if !since.IsZero() {
			live.LongestWaitS = max(now.Sub(since).Seconds(), 0)
		}
	})
	if err := s.foldTo(ctx, head); err != nil {
		return stats.Report{}, err
	}
	b := stats.NewBuilder(sq, cfg, names)
	horizon := s.addFolded(b, sq, earliest(now, sq.To))
	if from, to := sq.From, earliest(sq.To, time.Unix(horizon, 0).UTC()); from.Before(to) {
		stored, err := s.Store.StatsHours(ctx, from, to)
		if err != nil {
			return stats.Report{}, err
		}
		for _, sh := range stored {
			if err := b.AddEncoded(sh.Data); err != nil {
				return stats.Report{}, &sb.Error{Code: sb.EINTERNAL, Message: "stats: stored hour " + sh.Hour.Format(time.RFC3339), Err: err}
			}
		}
	}
	r := b.Report()
	r.Now = live
	return r, nil
}

// addFolded adds the hours the fold holds (with the operators' open time up
// to until) and returns its horizon: the store has the hours before it.
func (s *Server) addFolded(b *stats.Builder, q stats.Query, until time.Time) int64 {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	f := s.stats.f
	for _, h := range f.Hours(q.From.Unix(), q.To.Unix(), until) {
		b.Add(h)
	}
	return f.Horizon
}

// loadStats loads the fold's saved state once; statsMu is held. A state
// that does not decode is folded again from the start of the log.
func (s *Server) loadStats(ctx context.Context) error {
	if s.stats.f != nil {
		return nil
	}
	state, seq, err := s.Store.StatsState(ctx)
	if err != nil {
		return err
	}
	f := stats.NewFold()
	if state != nil {
		if err := f.UnmarshalBinary(state); err != nil {
			s.Log.Error("stats: the saved state does not decode; folding the event log again", "err", err)
			f = stats.NewFold()
		}
	}
	s.stats = statsFold{f: f, savedSeq: seq}
	return nil
}

// foldTo folds the stored events up to seq head.
func (s *Server) foldTo(ctx context.Context, head int64) error {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	if err := s.loadStats(ctx); err != nil {
		return err
	}
	f := s.stats.f
	for f.Seq < head {
		evs, err := s.Store.Events(ctx, f.Seq, 1000)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			break
		}
		for i := range evs {
			f.Apply(&evs[i])
		}
	}
	return nil
}

// foldBatch folds a commit's events as published, reading the ones before
// them from the store when the fold is behind.
func (s *Server) foldBatch(ctx context.Context, evs []sb.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := s.foldTo(ctx, evs[0].Seq-1); err != nil {
		return err
	}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for i := range evs {
		s.stats.f.Apply(&evs[i])
	}
	return nil
}

// saveStats hands the sealed hours to the store with the fold's state; all
// is true to save the state even when no hour was sealed.
func (s *Server) saveStats(ctx context.Context, all bool) error {
	s.statsMu.Lock()
	f := s.stats.f
	if f == nil {
		s.statsMu.Unlock()
		return nil
	}
	sealed, cur, seq := f.Sealed(), f.Current(), f.Seq
	if len(sealed) == 0 && (!all || seq == s.stats.savedSeq) {
		s.statsMu.Unlock()
		return nil
	}
	hours := make([]sb.StatsHour, len(sealed))
	for i, h := range sealed {
		hours[i] = sb.StatsHour{Hour: time.Unix(h.Start, 0).UTC(), Data: stats.EncodeHour(h)}
	}
	state := f.StateAfterForget(cur)
	s.statsMu.Unlock()
	if err := s.Store.SaveStats(ctx, hours, state, seq); err != nil {
		return err
	}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	f.Forget(cur)
	s.stats.savedSeq = max(s.stats.savedSeq, seq)
	return nil
}

// RunStats folds the events as they are committed and saves the sealed
// hours (each hour, and the state every five minutes); it saves once more
// and returns when ctx ends. Every instance runs it, leader or not.
func (s *Server) RunStats(ctx context.Context) {
	sub := s.Broker.subscribeQuiet(1024)
	defer func() { sub.Close() }()
	tick := time.NewTicker(statsSaveEvery)
	defer tick.Stop()
	s.statsStep(ctx, func() error { return s.foldTo(ctx, s.head()) })
	for {
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			s.statsStep(stop, func() error { // all that was committed
				if err := s.foldTo(stop, s.head()); err != nil {
					return err
				}
				return s.saveStats(stop, true)
			})
			cancel()
			return
		case evs, ok := <-sub.C:
			if !ok { // dropped behind, or the broker closed: subscribe again, then catch up
				sub = s.Broker.subscribeQuiet(1024)
				evs = nil
			}
			s.statsStep(ctx, func() error {
				if err := s.foldBatch(ctx, evs); err != nil || ok {
					return err
				}
				return s.foldTo(ctx, s.head())
			})
			s.statsStep(ctx, func() error { return s.saveStats(ctx, false) })
		case <-tick.C:
			s.statsStep(ctx, func() error { return s.saveStats(ctx, true) })
		}
	}
}

// statsStep runs one step of RunStats and logs its error (the next step
// tries again).
func (s *Server) statsStep(ctx context.Context, fn func() error) {
	if err := fn(); err != nil && ctx.Err() == nil {
		s.Log.Warn("stats", "err", err)
	}
}

// head returns the seq of the last committed event.
func (s *Server) head() int64 {
	var h int64
	s.View(func(e *routing.Engine) { h = e.Counters().Event })
	return h
}
