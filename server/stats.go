package server

import (
	"context"
	"maps"
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
)

// StatsRow is one line of the statistics: all chats, or one operator's or
// topic's.
type StatsRow struct {
	Key              string  `json:"key"`
	Chats            int     `json:"chats"`
	Connected        int     `json:"connected"`
	WaitP50S         float64 `json:"wait_p50_s"`
	WaitP90S         float64 `json:"wait_p90_s"`
	FirstResponseP50 float64 `json:"first_response_p50_s"`
	FirstResponseP90 float64 `json:"first_response_p90_s"`
	SLAShare         float64 `json:"sla_share"` // connected within 60 s
	waits, firsts    []float64
}

func (s *StatsRow) add(c sb.Chat) {
	s.Chats++
	if !c.AssignedAt.IsZero() {
		s.Connected++
		s.waits = append(s.waits, c.AssignedAt.Sub(c.CreatedAt).Seconds())
	}
	if !c.FirstResponseAt.IsZero() {
		s.firsts = append(s.firsts, c.FirstResponseAt.Sub(c.CreatedAt).Seconds())
	}
}

func pct(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[(len(v)-1)*p/100]
}

func (s *StatsRow) finish() {
	s.WaitP50S, s.WaitP90S = pct(s.waits, 50), pct(s.waits, 90)
	s.FirstResponseP50, s.FirstResponseP90 = pct(s.firsts, 50), pct(s.firsts, 90)
	in := 0
	for _, w := range s.waits {
		if w <= 60 {
			in++
		}
	}
	if s.Chats > 0 {
		s.SLAShare = float64(in) / float64(s.Chats)
	}
}

// Stats are the figures of the chats created in a window.
type Stats struct {
	From        time.Time   `json:"from"`
	To          time.Time   `json:"to"`
	LimitEvents int         `json:"limit_events"`
	Total       *StatsRow   `json:"total"`
	Operators   []*StatsRow `json:"operators"`
	Topics      []*StatsRow `json:"topics"`
}

// Stats computes the figures of the chats created in [from, to).
func (s *Server) Stats(ctx context.Context, from, to time.Time) (Stats, error) {
	chats, err := s.Store.ChatsCreated(ctx, from, to)
	if err != nil {
		return Stats{}, err
	}
	limits, err := s.Store.CountEvents(ctx, sb.EventLimit, from, to)
	if err != nil {
		return Stats{}, err
	}
	total := &StatsRow{Key: "all"}
	byOp, byTopic := map[string]*StatsRow{}, map[string]*StatsRow{}
	row := func(m map[string]*StatsRow, k string) *StatsRow {
		if m[k] == nil {
			m[k] = &StatsRow{Key: k}
		}
		return m[k]
	}
	for _, c := range chats {
		total.add(c)
		row(byTopic, c.Topic).add(c)
		if c.OperatorID != "" {
			row(byOp, c.OperatorID).add(c)
		}
	}
	list := func(m map[string]*StatsRow) []*StatsRow {
		out := []*StatsRow{}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			m[k].finish()
			out = append(out, m[k])
		}
		return out
	}
	total.finish()
	return Stats{From: from, To: to, LimitEvents: limits, Total: total, Operators: list(byOp), Topics: list(byTopic)}, nil
}
