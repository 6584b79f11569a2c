package http

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
)

// statsRow is one line of the statistics: all chats, or one operator's or
// topic's.
type statsRow struct {
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

func (s *statsRow) add(c sb.Chat) {
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

func (s *statsRow) finish() {
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

func timeParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, sb.Errorf(sb.EINVALID, name, "%s must be an RFC 3339 time", name)
	}
	return t, nil
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) error {
	to, err := timeParam(r, "to", time.Now().UTC())
	if err != nil {
		return err
	}
	from, err := timeParam(r, "from", to.Add(-24*time.Hour))
	if err != nil {
		return err
	}
	chats, err := h.Store.ChatsCreated(r.Context(), from, to)
	if err != nil {
		return err
	}
	limits, err := h.Store.CountEvents(r.Context(), sb.EventLimit, from, to)
	if err != nil {
		return err
	}
	total := &statsRow{Key: "all"}
	byOp, byTopic := map[string]*statsRow{}, map[string]*statsRow{}
	row := func(m map[string]*statsRow, k string) *statsRow {
		if m[k] == nil {
			m[k] = &statsRow{Key: k}
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
	list := func(m map[string]*statsRow) []*statsRow {
		out := []*statsRow{}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}) {
			m[k].finish()
			out = append(out, m[k])
		}
		return out
	}
	total.finish()
	ops, topics := list(byOp), list(byTopic)
	if strings.Contains(r.Header.Get("Accept"), "text/csv") {
		return writeStatsCSV(w, total, ops, topics)
	}
	writeJSON(w, 200, map[string]any{"from": from, "to": to, "limit_events": limits, "total": total, "operators": ops, "topics": topics})
	return nil
}

func writeStatsCSV(w http.ResponseWriter, total *statsRow, ops, topics []*statsRow) error {
	w.Header().Set("Content-Type", "text/csv")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"scope", "key", "chats", "connected", "wait_p50_s", "wait_p90_s", "first_response_p50_s", "first_response_p90_s", "sla_share"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	put := func(scope string, s *statsRow) {
		_ = cw.Write([]string{scope, s.Key, strconv.Itoa(s.Chats), strconv.Itoa(s.Connected), f(s.WaitP50S), f(s.WaitP90S), f(s.FirstResponseP50), f(s.FirstResponseP90), f(s.SLAShare)})
	}
	put("total", total)
	for _, s := range ops {
		put("operator", s)
	}
	for _, s := range topics {
		put("topic", s)
	}
	cw.Flush()
	return cw.Error()
}
