// Package statstest is a scripted day of a contact center with every figure
// of docs/STATS.md worked out by hand: the stats package folds the day's
// events from the routing engine, the server from its store (before and
// after a restart, on SQLite and PostgreSQL), and each compares its report
// with the figures here.
package statstest

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/stats"
)

// Step is one command of the day, applied at its time.
type Step struct {
	At  time.Time
	Cmd routing.Command
}

// Date is the day: Monday 2 March 2026, in UTC.
var Date = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// At is the time hh:mm:ss of the day.
func At(hh, mm, ss int) time.Time { return Date.Add(time.Duration(hh*3600+mm*60+ss) * time.Second) }

// From and To are the window the figures are worked out for.
var (
	From = At(8, 0, 0)
	To   = At(12, 0, 0)
)

func one(n int) *int { return &n }

// Day returns the day's commands in order. Two operators with one chat
// each at most: anna serves support; boris serves support and billing,
// whose subtopic refunds inherits billing's service level (60 s, 90 %);
// support has the settings' (20 s, 80 %). Accept timeout 30 s, queue
// timeout 300 s, auto-offline off.
func Day() []Step {
	set := sb.DefaultSettings()
	set.AcceptTimeoutS, set.QueueTimeoutS, set.AutoOfflineAfterS = 30, 300, 0
	ask := func(id, topic, channel string, queue bool) routing.Connect {
		c := routing.Connect{Client: sb.Client{ID: id, Channel: channel}, Text: "hello", Topic: topic, AutoConnect: true}
		if queue {
			c.Status = "queue"
		}
		return c
	}
	reply := func(chat, op string) routing.OperatorMessage {
		return routing.OperatorMessage{ChatID: chat, OperatorID: op, Text: "hi"}
	}
	closeBy := func(chat string, by sb.ClosedBy) routing.Close { return routing.Close{ChatID: chat, By: by} }
	return []Step{
		{At(7, 0, 0), routing.UpdateSettings{Settings: set}},
		{At(7, 0, 0), routing.CreateTopic{Topic: sb.Topic{Alias: "support", Name: "Support"}}},
		{At(7, 0, 0), routing.CreateTopic{Topic: sb.Topic{Alias: "billing", Name: "Billing", SLATargetS: 60, SLAGoal: 0.9}}},
		{At(7, 0, 0), routing.CreateTopic{Topic: sb.Topic{Alias: "refunds", Name: "Refunds", Parent: "billing"}}},
		{At(7, 0, 0), routing.CreateOperator{Operator: sb.Operator{ID: "anna", Name: "Anna", Role: sb.RoleOperator, MaxChats: one(1)}}},
		{At(7, 0, 0), routing.CreateOperator{Operator: sb.Operator{ID: "boris", Name: "Boris", Role: sb.RoleOperator, MaxChats: one(1)}}},
		{At(7, 0, 0), routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g-support", Name: "Support team",
			Topics: []string{"support"}, Operators: []string{"anna", "boris"}, Active: true}}},
		{At(7, 0, 0), routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g-billing", Name: "Billing team",
			Topics: []string{"billing"}, Operators: []string{"boris"}, Active: true}}},

		{At(8, 0, 0), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOnline}},
		{At(9, 0, 0), routing.SetOperatorStatus{OperatorID: "boris", Status: sb.StatusOnline}},
		{At(9, 10, 0), ask("c1", "support", "telegram", true)}, // chat 1 → anna, waited 0
		{At(9, 10, 5), reply("1", "anna")},                     // first response 5 s
		{At(9, 11, 0), ask("c2", "support", "widget", true)},   // chat 2 → boris, waited 0
		{At(9, 11, 30), routing.Tick{}},                        // boris missed it: it waits again
		{At(9, 14, 0), ask("c3", "billing", "telegram", true)}, // chat 3 → boris, waited 0
		{At(9, 14, 10), routing.Accept{ChatID: "3", OperatorID: "boris"}},
		{At(9, 15, 0), reply("3", "boris")},                    // first response 60 s
		{At(9, 15, 0), closeBy("1", sb.ByOperator)},            // anna handled 300 s; chat 2 → anna, waited 210 s
		{At(9, 15, 10), reply("2", "anna")},                    // first response 10 s
		{At(9, 22, 0), ask("c4", "support", "telegram", true)}, // chat 4 waits
		{At(9, 22, 15), closeBy("4", sb.ByClient)},             // abandoned after 15 s (within the target)
		{At(9, 23, 0), ask("c5", "support", "telegram", true)}, // chat 5 waits
		{At(9, 28, 0), routing.Tick{}},                         // queue timeout: abandoned after 300 s
		{At(9, 30, 0), closeBy("2", sb.ByClient)},              // anna handled 900 s
		{At(9, 37, 0), ask("c6", "refunds", "widget", true)},   // chat 6 waits for boris
		{At(9, 40, 0), closeBy("3", sb.ByOperator)},            // boris handled 1560 s; chat 6 → boris, waited 180 s
		{At(9, 40, 20), reply("6", "boris")},                   // first response 20 s
		{At(9, 45, 0), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusBreak}},
		{At(10, 5, 0), closeBy("6", sb.ByOperator)},             // boris handled 1500 s
		{At(10, 6, 0), ask("c7", "support", "telegram", false)}, // chat 7 → boris at once, waited 0
		{At(10, 6, 20), reply("7", "boris")},                    // first response 20 s
		{At(10, 10, 0), ask("c8", "support", "widget", false)},  // limit: nobody free
		{At(10, 15, 0), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOnline}},
		{At(10, 20, 0), routing.Transfer{ChatID: "7", Topic: "billing"}}, // back to boris (billing), waited 0
		{At(10, 20, 10), routing.Accept{ChatID: "7", OperatorID: "boris"}},
		{At(10, 25, 0), closeBy("7", sb.ByOperator)}, // boris handled 300 s
		{At(10, 30, 0), routing.Rate{ChatID: "1", Score: 5}},
		{At(10, 30, 0), routing.Rate{ChatID: "3", Score: 3, Comment: "slow"}},
		{At(10, 30, 0), routing.Rate{ChatID: "7", Score: 4}},
		{At(11, 0, 0), routing.SetOperatorStatus{OperatorID: "anna", Status: sb.StatusOffline}},
		{At(11, 0, 0), routing.SetOperatorStatus{OperatorID: "boris", Status: sb.StatusOffline}},
	}
}

// Run applies the day to e and returns its events.
func Run(t testing.TB, e *routing.Engine) []sb.Event {
	t.Helper()
	var events []sb.Event
	for i, s := range Day() {
		res, err := e.Apply(s.At, s.Cmd)
		if err != nil {
			t.Fatalf("step %d (%T at %s): %v", i, s.Cmd, s.At.Format(time.TimeOnly), err)
		}
		events = append(events, res.Events...)
	}
	return events
}

// Fig is a row's figures by their JSON names; nil is null.
type Fig map[string]any

// Want is the day's figures in [From, To): by grouping, by row key ("total"
// is the whole window), the figures worked out by hand.
func Want() map[string]map[string]Fig {
	hour := func(h int) string { return At(h, 0, 0).Format(time.RFC3339) }
	return map[string]map[string]Fig{
		stats.ByTopic: {
			// Served waits 0, 0, 210 (chat 2 waited again after boris
			// missed it), 0 (chat 7) of support, 0, 0 of billing, 180 of
			// refunds; abandoned after 15 and 300 s. Within the targets:
			// 3 + 2 + 0 of 7 served and 1 abandoned after the target.
			"total": {"arrivals": 7, "served": 7, "abandoned": 2, "queue_timeouts": 1, "limit_answers": 1,
				"returned": 2, "transfers": 1, "missed_accepts": 1, "handled": 5,
				"wait_avg_s": 390.0 / 7, "wait_p50_s": 0, "wait_p90_s": 210, "wait_p95_s": 210, "wait_max_s": 210,
				"abandon_wait_avg_s": 157.5, "sla_within": 5, "sla_counted": 8, "sla_share": 0.625,
				"sla_target_s": 20, "sla_goal": 0.8,
				"first_response_avg_s": 23, "first_response_p50_s": 20, "first_response_p90_s": 60,
				"handle_avg_s": 912, "handle_p50_s": 900, "handle_p90_s": 1560,
				"csat_count": 3, "csat_avg": 4, "csat_share": 2.0 / 3,
				"receiving_s": 16200, "busy_s": 5430, "occupancy": 5430.0 / 16200},
			"support": {"name": "Support", "arrivals": 5, "served": 4, "abandoned": 2, "queue_timeouts": 1,
				"limit_answers": 1, "returned": 2, "transfers": 0, "missed_accepts": 1, "handled": 2,
				"wait_avg_s": 52.5, "wait_p50_s": 0, "wait_p90_s": 210, "wait_max_s": 210,
				"sla_target_s": 20, "sla_goal": 0.8, "sla_within": 3, "sla_counted": 5, "sla_share": 0.6,
				"first_response_avg_s": 35.0 / 3, "first_response_p50_s": 10, "first_response_p90_s": 20,
				"handle_avg_s": 600, "csat_count": 1, "csat_avg": 5, "csat_share": 1},
			"billing": {"name": "Billing", "arrivals": 1, "served": 2, "abandoned": 0, "transfers": 1, "handled": 2,
				"wait_max_s": 0, "sla_target_s": 60, "sla_goal": 0.9, "sla_within": 2, "sla_counted": 2, "sla_share": 1,
				"first_response_avg_s": 60, "handle_avg_s": 930, "handle_p50_s": 300, "handle_p90_s": 1560,
				"csat_count": 2, "csat_avg": 3.5, "csat_share": 0.5},
			"refunds": {"name": "Refunds", "arrivals": 1, "served": 1, "wait_avg_s": 180, "sla_target_s": 60,
				"sla_goal": 0.9, "sla_within": 0, "sla_counted": 1, "sla_share": 0, "first_response_avg_s": 20,
				"handle_avg_s": 1500, "csat_count": 0, "csat_avg": nil},
		},
		stats.ByOperator: {
			// anna online 08:00–09:45 and 10:15–11:00, on break 09:45–10:15,
			// busy 09:10–09:30; boris online 09:00–11:00, busy 09:11:00–
			// 09:11:30, 09:14–10:05, 10:06–10:25.
			"anna": {"name": "Anna", "connections": 2, "handled": 2, "missed_accepts": 0,
				"handle_avg_s": 600, "first_response_avg_s": 7.5, "first_response_p50_s": 5, "first_response_p90_s": 10,
				"csat_count": 1, "csat_avg": 5, "status_s": map[string]any{"online": 9000, "break": 1800},
				"receiving_s": 9000, "busy_s": 1200, "occupancy": 1200.0 / 9000,
				"arrivals": 0, "served": 0, "wait_avg_s": nil},
			"boris": {"name": "Boris", "connections": 5, "handled": 3, "missed_accepts": 1, "transfers": 1,
				"handle_avg_s": 1120, "handle_p50_s": 1500, "first_response_avg_s": 100.0 / 3,
				"first_response_p50_s": 20, "first_response_p90_s": 60, "csat_count": 2, "csat_avg": 3.5,
				"status_s": map[string]any{"online": 7200}, "receiving_s": 7200, "busy_s": 4230, "occupancy": 4230.0 / 7200},
		},
		stats.ByHour: {
			hour(8): {"arrivals": 0, "status_s": map[string]any{"online": 3600}, "occupancy": 0},
			// served at 09: chats 1, 2, 3, 2 again, 6; abandoned after the
			// target: chat 5.
			hour(9): {"arrivals": 6, "served": 5, "abandoned": 2, "sla_within": 3, "sla_counted": 6, "sla_share": 0.5,
				"status_s": map[string]any{"online": 6300, "break": 900}, "receiving_s": 6300, "busy_s": 3990},
			hour(10): {"arrivals": 1, "served": 2, "limit_answers": 1, "transfers": 1, "sla_share": 1,
				"status_s": map[string]any{"online": 6300, "break": 900}, "busy_s": 1440, "csat_count": 3},
			hour(11): {"arrivals": 0, "served": 0, "sla_share": nil, "occupancy": nil, "status_s": map[string]any{}},
		},
		stats.BySkillGroup: {
			"g-support": {"name": "Support team", "arrivals": 5, "served": 4, "sla_share": 0.6,
				"receiving_s": 16200, "busy_s": 5430},
			"g-billing": {"name": "Billing team", "arrivals": 2, "served": 3, "sla_within": 2, "sla_counted": 3,
				"sla_share": 2.0 / 3, "receiving_s": 7200, "busy_s": 4230},
		},
		stats.ByChannel: {
			"telegram": {"arrivals": 5, "served": 4, "abandoned": 2, "limit_answers": 0},
			"widget":   {"arrivals": 2, "served": 3, "missed_accepts": 1, "limit_answers": 1},
		},
		stats.ByDay: {
			"2026-03-02": {"arrivals": 7, "served": 7, "sla_share": 0.625, "occupancy": 5430.0 / 16200},
		},
		stats.ByHourOfDay: {
			"9":  {"arrivals": 6, "served": 5, "sla_share": 0.5},
			"10": {"arrivals": 1, "limit_answers": 1},
			"3":  {"arrivals": 0, "status_s": map[string]any{}},
		},
	}
}

// Check compares a report's rows and total with the figures of Want for
// its grouping. Only the figures named are compared; floats to 1e-9.
func Check(t testing.TB, r stats.Report) {
	t.Helper()
	want := Want()[r.GroupBy]
	if want == nil {
		t.Fatalf("no figures for grouping %q", r.GroupBy)
	}
	rows := map[string]stats.Row{"total": r.Total}
	for _, row := range r.Rows {
		rows[row.Key] = row
	}
	for key, figs := range want {
		row, ok := rows[key]
		if !ok {
			t.Errorf("%s: no row %q (rows %v)", r.GroupBy, key, keys(r.Rows))
			continue
		}
		got := asMap(t, row)
		for name, w := range figs {
			if !same(got[name], w) {
				t.Errorf("%s %s: %s = %v, want %v", r.GroupBy, key, name, show(got[name]), show(w))
			}
		}
	}
}

func keys(rows []stats.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Key)
	}
	return out
}

func asMap(t testing.TB, row stats.Row) map[string]any {
	b, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// same compares a decoded JSON value with a wanted one: numbers to 1e-9,
// maps key by key (a status not named must be absent).
func same(got, want any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case int:
		return same(got, float64(w))
	case float64:
		g, ok := got.(float64)
		return ok && math.Abs(g-w) < 1e-9
	case string:
		return got == w
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if !same(g[k], v) {
				return false
			}
		}
		return true
	}
	return false
}

func show(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(v)
}
