package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

// e2eSimChats is how many chats the what-if fixture's history holds.
const e2eSimChats = 60

// e2eSimFixture is a server with a day's history: topic t served by
// operators a1–a3 (2 chats each, online), 60 chats connected today and
// left open (so no handle time is observed and the simulator's default,
// 300 s, applies: 5 Erlangs of work in the hour they came).
func e2eSimFixture(t *testing.T) (s *e2eSrv, supervisor, operator string) {
	s = e2eNew(t)
	s.topic("t")
	for _, id := range []string{"a1", "a2", "a3"} {
		s.operator(id, map[string]any{"max_chats": 2})
		s.setStatus(id, sb.StatusOnline)
	}
	s.group("g", []string{"t"}, []string{"a1", "a2", "a3"})
	integrator := s.token(sb.RoleIntegrator, "")
	for i := range e2eSimChats {
		s.connectChat(integrator, fmt.Sprintf("sim-%d", i), "widget", e2eQueued("t", 0))
	}
	return s, s.token(sb.RoleSupervisor, ""), s.token(sb.RoleOperator, "a1")
}

// simulate asks a what-if question and decodes the answer.
func (s *e2eSrv) simulate(token string, q map[string]any) server.Simulation {
	s.t.Helper()
	var out server.Simulation
	s.must(200, "POST", "/api/v1/simulations", token, q).into(s.t, &out)
	return out
}

// TestSimulationEndpoint: a supervisor asks what tomorrow looks like with
// one operator and with twenty, on the last day's history. The answer
// counts every chat once, the history's chats all arrive in its actual
// hours, more operators never serve worse, the same question gets the same
// answer, and nothing of the live state changed.
func TestSimulationEndpoint(t *testing.T) {
	t.Parallel()
	s, sup, _ := e2eSimFixture(t)
	seq := s.lastSeq()
	one := s.simulate(sup, map[string]any{"days": 1, "operators": []int{1}, "svg": true})
	if one.History.Chats != e2eSimChats || one.History.Days != 1 || len(one.Hours) != 24 || len(one.Actual) != 24 {
		t.Fatalf("history %+v, %d hours, %d actual hours; want %d chats over 1 day, 24 hours", one.History, len(one.Hours), len(one.Actual), e2eSimChats)
	}
	actual := 0
	for _, b := range one.Actual {
		actual += b.Chats
	}
	if actual != e2eSimChats {
		t.Errorf("actual hours count %d chats, want %d", actual, e2eSimChats)
	}
	if len(one.Teams) != 1 || !reflect.DeepEqual(one.Teams[0].OperatorIDs, []string{"a1", "a2", "a3"}) || one.Teams[0].PerHour[0] != 1 {
		t.Errorf("teams %+v, want team g of a1–a3 with 1 on shift", one.Teams)
	}
	if !strings.HasPrefix(one.SVG, "<svg") {
		t.Errorf("svg %.40q", one.SVG)
	}
	twenty := s.simulate(sup, map[string]any{"days": 1, "operators": []int{20}})
	for name, r := range map[string]server.Simulation{"1 operator": one, "20 operators": twenty} {
		if r.Chats == 0 || r.Chats != r.Served+r.Abandoned+r.TimedOut+r.Unfinished || r.SLAShare < 0 || r.SLAShare > 1 {
			t.Errorf("%s: %d chats, %d served, %d abandoned, %d timed out, %d unfinished, SLA %v", name, r.Chats, r.Served, r.Abandoned, r.TimedOut, r.Unfinished, r.SLAShare)
		}
	}
	if twenty.Chats != one.Chats || twenty.SLAShare < one.SLAShare || twenty.WaitP90S > one.WaitP90S || twenty.SLAShare < 0.99 || one.SLAShare > 0.5 {
		t.Errorf("1 operator: %d chats, SLA %.3f, wait p90 %.0f s; 20 operators: %d chats, SLA %.3f, wait p90 %.0f s",
			one.Chats, one.SLAShare, one.WaitP90S, twenty.Chats, twenty.SLAShare, twenty.WaitP90S)
	}
	again := s.simulate(s.admin, map[string]any{"days": 1, "operators": []int{1}, "svg": true})
	again.WallS, again.History.From, again.History.To = one.WallS, one.History.From, one.History.To // the clock moved on
	if !reflect.DeepEqual(again, one) {
		t.Errorf("the same question got another answer: SLA %v then %v", one.SLAShare, again.SLAShare)
	}
	if got := s.lastSeq(); got != seq {
		t.Errorf("simulations changed the live state: event %d, then %d", seq, got)
	}
	t.Logf("1 operator: SLA %.3f, wait p90 %.0f s; 20: SLA %.3f, wait p90 %.0f s; %d chats; %.2f s", one.SLAShare, one.WaitP90S, twenty.SLAShare, twenty.WaitP90S, one.Chats, one.WallS)
}

// TestSimulationStaffing: the staffing search answers every hour, and the
// hour of the history needs more operators than the quiet ones.
func TestSimulationStaffing(t *testing.T) {
	t.Parallel()
	s, sup, _ := e2eSimFixture(t)
	r := s.simulate(sup, map[string]any{"days": 1, "staffing": true, "sla_target_s": 30, "sla_goal": 0.9})
	if len(r.Staffing) != 24 || r.SLATargetS != 30 || r.SLAGoal != 0.9 {
		t.Fatalf("%d staffing hours, target %v, goal %v", len(r.Staffing), r.SLATargetS, r.SLAGoal)
	}
	busiest := 0
	for h, b := range r.Actual {
		if b.Chats > r.Actual[busiest].Chats {
			busiest = h
		}
	}
	st := r.Staffing[busiest]
	if st.Operators < 2 || !st.Reached || st.SLAShare < 0.9 {
		t.Errorf("hour %d (%d chats in history): %+v", busiest, r.Actual[busiest].Chats, st)
	}
}

// TestSimulationRefusals: bad fields are named, an operator may not ask,
// and while one simulation runs another is answered 429.
func TestSimulationRefusals(t *testing.T) {
	t.Parallel()
	s, sup, op := e2eSimFixture(t)
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"sla_goal": 2}, "sla_goal"},
		{map[string]any{"days": 0.5}, "days"},
		{map[string]any{"operators": make([]int, 23)}, "operators"},
		{map[string]any{"staffing": true, "replications": 5}, "replications"},
	} {
		r := s.do("POST", "/api/v1/simulations", sup, c.body)
		if field, code := r.errField(); r.Status != 422 || code != sb.EINVALID || field != c.field {
			t.Errorf("%v: %s, want 422 naming %s", c.body, r, c.field)
		}
	}
	if r := s.do("POST", "/api/v1/simulations", sup, e2eRaw(`{"days": `)); r.Status != 400 {
		t.Errorf("malformed JSON: %s, want 400", r)
	}
	if r := s.do("POST", "/api/v1/simulations", op, map[string]any{}); r.Status != 403 {
		t.Errorf("operator: %s, want 403", r)
	}
	release, ok := s.m.app.HoldSimulation()
	if !ok {
		t.Fatal("the simulation slot is taken before any simulation")
	}
	r := s.do("POST", "/api/v1/simulations", sup, map[string]any{"days": 1})
	if _, code := r.errField(); r.Status != 429 || code != sb.ETOOMANY {
		t.Errorf("while a simulation runs: %s, want 429 %s", r, sb.ETOOMANY)
	}
	release()
	s.simulate(sup, map[string]any{"days": 1})
}
