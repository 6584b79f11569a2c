package http

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

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
	st, err := h.App.Stats(r.Context(), from, to)
	if err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "text/csv") {
		return writeStatsCSV(w, st)
	}
	writeJSON(w, 200, st)
	return nil
}

func writeStatsCSV(w http.ResponseWriter, st server.Stats) error {
	w.Header().Set("Content-Type", "text/csv")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"scope", "key", "chats", "connected", "wait_p50_s", "wait_p90_s", "first_response_p50_s", "first_response_p90_s", "sla_share"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	put := func(scope string, s *server.StatsRow) {
		_ = cw.Write([]string{scope, s.Key, strconv.Itoa(s.Chats), strconv.Itoa(s.Connected), f(s.WaitP50S), f(s.WaitP90S), f(s.FirstResponseP50), f(s.FirstResponseP90), f(s.SLAShare)})
	}
	put("total", st.Total)
	for _, s := range st.Operators {
		put("operator", s)
	}
	for _, s := range st.Topics {
		put("topic", s)
	}
	cw.Flush()
	return cw.Error()
}
