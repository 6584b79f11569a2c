package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// simulateRun runs `switchboard simulate args…` and returns its JSON report
// (decoded) and its table.
func simulateRun(t *testing.T, args ...string) (map[string]any, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	args = append(args, "--json", out)
	if err := simulateMain(context.Background(), args, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("simulate %v: %v (%s)", args, err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep, stdout.String()
}

// TestSimulateSingleQueueFlags: the flags of the simple case give a report
// with the documented keys, a table and a chart, and the same seed gives
// the same JSON (but for wall_s).
func TestSimulateSingleQueueFlags(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "chart.svg")
	args := []string{"--operators", "5", "--max-chats", "1", "--rate", "0.02", "--handle-time", "180",
		"--duration", "4h", "--sla-target-s", "20", "--patience-s", "60", "--seed", "3", "--svg", svg}
	rep, table := simulateRun(t, args...)
	for _, key := range []string{"chats", "served", "abandoned", "sla_share", "wait_p50_s", "wait_p90_s", "occupancy", "wall_s"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("the JSON has no %q", key)
		}
	}
	chats, served, abandoned := rep["chats"].(float64), rep["served"].(float64), rep["abandoned"].(float64)
	if chats < 200 || chats > 380 || served+abandoned != chats || abandoned == 0 {
		t.Errorf("4 h at 0.02/s: %v chats, %v served, %v abandoned", chats, served, abandoned)
	}
	if !strings.Contains(table, "total") || strings.Count(table, "\n") < 6 {
		t.Errorf("table:\n%s", table)
	}
	if b, err := os.ReadFile(svg); err != nil || !bytes.HasPrefix(b, []byte("<svg")) {
		t.Errorf("chart: %v %.40q", err, b)
	}
	again, _ := simulateRun(t, args...)
	delete(rep, "wall_s")
	delete(again, "wall_s")
	if fmt.Sprint(rep) != fmt.Sprint(again) {
		t.Error("the same flags and seed gave another report")
	}
}

// TestSimulateProfileStaffing: a profile cut to two hours by --duration,
// with --staffing, reports a count per hour beside Erlang C.
func TestSimulateProfileStaffing(t *testing.T) {
	rep, table := simulateRun(t, "--profile", "../../simulate/testdata/day.json", "--duration", "2h", "--staffing")
	hours, _ := rep["staffing"].([]any)
	if len(hours) != 2 || !strings.Contains(table, "Erlang C") {
		t.Fatalf("staffing %v\n%s", rep["staffing"], table)
	}
	for _, h := range hours {
		m := h.(map[string]any)
		if m["operators"].(float64) <= 0 || m["erlang_c"].(float64) <= 0 || m["reached"] != true {
			t.Errorf("hour %v", m)
		}
	}
}

// TestSimulateHistoryFromServer: a real server (the serve command's
// wiring) takes chats; simulate replays them from its data folder and
// from its URL, with its operators.
func TestSimulateHistoryFromServer(t *testing.T) {
	data := t.TempDir()
	m := sbStart(t, data)
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	for i := range 6 {
		out := admin.sbMust(t, "POST", sbConnectPath, sbConnectBody(fmt.Sprint("client-", i), "queue"), 200)
		if i%2 == 0 {
			id := out["chat"].(map[string]any)["id"].(string)
			admin.sbMust(t, "POST", "/api/v1/chats/"+id+"/close", map[string]any{}, 200)
		}
	}
	from := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	to := time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
	for _, src := range []string{data, "http://" + m.Addr} {
		rep, _ := simulateRun(t, "--history", src, "--admin-token", sbAdminSecret, "--from", from, "--to", to)
		if rep["chats"].(float64) != 6 || rep["served"].(float64) == 0 {
			t.Errorf("--history %s: %v chats, %v served", src, rep["chats"], rep["served"])
		}
	}
}

// TestSimulateBadFlags: mistakes are errors that say what is wrong.
func TestSimulateBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-chats", "0"}, "--max-chats"},
		{[]string{"--duration", "-1h"}, "--duration"},
		{[]string{"--history", filepath.Join(t.TempDir(), "none")}, "--history"},
		{[]string{"--history", t.TempDir(), "--from", "2026-03-09", "--to", "2026-03-02"}, "--from"},
		{[]string{"--profile", "nope.json"}, "nope.json"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var stderr bytes.Buffer
		err := simulateMain(context.Background(), c.args, func(string) string { return "" }, &bytes.Buffer{}, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("simulate %v: err %v, want one naming %s", c.args, err, c.want)
		}
	}
}
