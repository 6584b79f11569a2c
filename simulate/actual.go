package simulate

import (
	"time"

	sb "github.com/switchboard/switchboard"
)

// Actual is what happened to the chats created in [from, to), by hour of
// day on from's clock, in the simulator's terms (Bucket, docs/SIMULATION.md):
// Actual(...)[h] counts the chats that arrived in hour h of every day of
// the period, so that a simulated day can be set beside it; its Start is
// hour h of from's day. A chat's wait
// runs to its latest assignment (the one its stored state keeps); a chat
// closed unconnected by its client was abandoned, by anyone else (a timer,
// an operator, the bot) timed out; one still waiting is unfinished. The
// load figures (occupancy, operators) are not known from chats and stay 0.
func Actual(chats []sb.Chat, from, to time.Time, targetS float64) []Bucket {
	st := &stats{targetS: targetS, hours: make([]tally, 24)}
	for _, c := range chats {
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		h := c.CreatedAt.In(from.Location()).Hour()
		st.arrived(h)
		switch {
		case !c.AssignedAt.IsZero():
			st.connected(h, c.AssignedAt.Sub(c.CreatedAt).Seconds())
			if !c.ClosedAt.IsZero() && c.ClosedBy == sb.ByOperator && c.ClosedAt.After(c.AssignedAt) {
				st.handled(h, c.ClosedAt.Sub(c.AssignedAt).Seconds())
			}
		case c.ClosedAt.IsZero():
			st.unfinished(h)
		case c.ClosedBy == sb.ByClient:
			st.abandoned(h, c.ClosedAt.Sub(c.CreatedAt).Seconds())
		default:
			st.timedOut(h, c.ClosedAt.Sub(c.CreatedAt).Seconds())
		}
	}
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, from.Location())
	out := make([]Bucket, 24)
	for h := range st.hours {
		out[h] = st.hours[h].bucket()
		out[h].Start = day.Add(time.Duration(h) * time.Hour)
	}
	return out
}
