package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// End-to-end tests of the statistics and ratings (issue 23, docs/STATS.md):
// GET /api/v1/stats in JSON and CSV, POST /api/v1/chats/{id}/rating, over
// real HTTP, before and after a restart, and on two instances.

// e2eStatsDay is a small day: one chat connected, answered, closed and
// rated 5; one connect answered limit; the operator goes offline.
func e2eStatsDay(t *testing.T, s *e2eSrv) (integ string, rated sb.Chat) {
	t.Helper()
	s.topic("support")
	s.operator("op-a", map[string]any{"max_chats": 1})
	s.group("g-support", []string{"support"}, []string{"op-a"})
	s.setStatus("op-a", sb.StatusOnline)
	integ = s.token(sb.RoleIntegrator, "")
	op := s.token(sb.RoleOperator, "op-a")
	cfg := map[string]any{"auto_connect_operator": true, "subject_alias": "support"}
	c := s.connectChat(integ, "c1", "telegram", cfg)
	if c.Status != sb.ChatActive {
		t.Fatalf("chat %+v, want active", c)
	}
	if a := s.connect(integ, e2eConnectBody("c2", "widget", cfg)); a.Event != "limit" {
		t.Fatalf("second connect: %+v, want limit", a)
	}
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/messages", op, map[string]any{"text": "hello, how can I help?"})
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/close", integ, nil)
	s.must(200, "POST", "/api/v1/chats/"+c.ID+"/rating", integ, map[string]any{"score": 5, "comment": "great"}).into(t, &rated)
	// Offline, op-a's time is all in the log: the figures no longer change
	// with the clock.
	s.setStatus("op-a", sb.StatusOffline)
	return integ, rated
}

// statsJSON returns GET /stats as decoded JSON without "now" (the state
// at the time, not the log's figures).
func (s *e2eSrv) statsJSON(query string) map[string]any {
	s.t.Helper()
	m := s.must(200, "GET", "/api/v1/stats"+query, s.admin, nil).obj()
	delete(m, "now")
	return m
}

// TestStatsAndRatingE2E: a rating is given once, after the close, by the
// integrator; the figures count the chat, the limit answer and the rating,
// in JSON and in CSV, and are the same after a restart.
func TestStatsAndRatingE2E(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	integ, rated := e2eStatsDay(t, s)
	if r := rated.Rating; r == nil || r.Score != 5 || r.Comment != "great" || r.RatedAt.IsZero() {
		t.Fatalf("the rated chat: %+v", rated)
	}
	id := rated.ID
	if c := s.chat(id); c.Rating == nil || c.Rating.Score != 5 {
		t.Errorf("GET the chat: rating %+v", c.Rating)
	}
	if r := s.do("POST", "/api/v1/chats/"+id+"/rating", integ, map[string]any{"score": 1}); r.Status != 409 {
		t.Errorf("a second rating: %s, want 409", r)
	}
	open := s.connectChat(integ, "c3", "viber", nil)
	if r := s.do("POST", "/api/v1/chats/"+open.ID+"/rating", integ, map[string]any{"score": 4}); r.Status != 409 {
		t.Errorf("rating an open chat: %s, want 409", r)
	}
	s.must(200, "POST", "/api/v1/chats/"+open.ID+"/close", integ, nil)
	for _, bad := range []map[string]any{{"score": 0}, {"score": 6}, {}} {
		if r := s.do("POST", "/api/v1/chats/"+open.ID+"/rating", integ, bad); r.Status != 422 {
			t.Errorf("rating %v: %s, want 422", bad, r)
		} else if f, _ := r.errField(); f != "score" {
			t.Errorf("rating %v: field %q, want score", bad, f)
		}
	}
	if r := s.do("POST", "/api/v1/chats/999/rating", integ, map[string]any{"score": 3}); r.Status != 404 {
		t.Errorf("rating an unknown chat: %s, want 404", r)
	}

	st := s.statsJSON("?group_by=topic")
	total := st["total"].(map[string]any)
	for k, want := range map[string]float64{"arrivals": 2, "served": 1, "handled": 1, "limit_answers": 1,
		"abandoned": 1, "csat_count": 1, "csat_avg": 5, "sla_within": 1, "sla_counted": 1, "sla_share": 1} {
		if total[k] != want {
			t.Errorf("total %s = %v, want %v", k, total[k], want)
		}
	}
	rows := st["rows"].([]any)
	if len(rows) != 2 || rows[1].(map[string]any)["key"] != "support" || rows[1].(map[string]any)["csat_count"] != 1.0 {
		t.Errorf("rows %v; want the chats without topic, then support with the rating", rows)
	}
	now := s.must(200, "GET", "/api/v1/stats", s.admin, nil).obj()["now"].(map[string]any)
	if byStatus := now["operators_by_status"].(map[string]any); byStatus["offline"] != 1.0 || now["waiting"] != 0.0 {
		t.Errorf("now: %v", now)
	}

	// CSV: by format=csv, and by the Accept header.
	for _, r := range []*http.Request{
		s.statsRequest("?group_by=operator&format=csv", ""),
		s.statsRequest("?group_by=operator", "text/csv, application/json;q=0.5"),
	} {
		res, err := s.hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(res.Body).ReadAll()
		res.Body.Close()
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("CSV: %d %v %v", res.StatusCode, res.Header, err)
		}
		head := recs[0]
		col := func(name string) int { return slices.Index(head, name) }
		if len(recs) != 3 || recs[1][0] != "total" || recs[2][col("key")] != "op-a" || recs[2][col("csat_avg")] != "5" ||
			recs[2][col("handled")] != "1" || col("status_online_s") < 0 || recs[2][col("wait_p50_s")] != "" {
			t.Errorf("CSV %v", recs)
		}
	}

	want := e2eJSON(t, s.statsJSON("?group_by=hour&time_zone=Europe/Kyiv"))
	s2 := s.restart()
	if got := e2eJSON(t, s2.statsJSON("?group_by=hour&time_zone=Europe/Kyiv")); got != want {
		t.Errorf("after a restart:\n got %s\nwant %s", e2eTail(got), e2eTail(want))
	}
	if r := s2.do("POST", "/api/v1/chats/"+id+"/rating", integ, map[string]any{"score": 2}); r.Status != 409 {
		t.Errorf("a second rating after the restart: %s, want 409", r)
	}
}

func (s *e2eSrv) statsRequest(query, accept string) *http.Request {
	s.t.Helper()
	r, err := http.NewRequest("GET", s.base+"/api/v1/stats"+query, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+s.admin)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return r
}

// TestStatsAgreeAcrossInstances: a leader and a follower on one PostgreSQL
// database answer the same figures, the follower folding the events it
// replays.
func TestStatsAgreeAcrossInstances(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	e2eStatsDay(t, f)
	for _, q := range []string{"?group_by=operator", "?group_by=topic&format=json"} {
		want := e2eJSON(t, leader.statsJSON(q))
		got := e2eJSON(t, f.statsJSON(q))
		if got != want {
			t.Errorf("GET /stats%s:\nfollower %s\nleader   %s", q, e2eTail(got), e2eTail(want))
		}
	}
	res, err := f.hc.Do(f.statsRequest("?format=csv", ""))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "total,total") {
		t.Errorf("the follower's CSV: %s", body)
	}
}

// e2eTail is the end of a long answer, where the total is.
func e2eTail(s string) string { return s[max(len(s)-1500, 0):] }
