package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReport runs the load tool briefly against a real in-process
// server, with a held queue so that every figure has samples, and checks
// that the report is sane. It checks figures, not speed. The handling
// time (0.5 s: 24 chats a second for 12 slots) stays below what four
// refillers reconnect on a loaded machine (about 33 a second at 120 ms a
// connect), so that the queue is still held when measured.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	jsonPath, chart := filepath.Join(dir, "bench.json"), filepath.Join(dir, "chart.svg")
	var stdout, stderr bytes.Buffer
	err := runTool(t.Context(), []string{
		"--duration", "1500ms", "--operators", "6", "--topics", "2", "--channels", "2", "--max-chats", "2",
		"--handle-time", "0.5", "--waiting", "40", "--concurrency", "4", "--status-changes", "2", "--break-time", "0.2",
		"--sse-clients", "2", "--json", jsonPath, "--chart", chart,
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	var rep report
	readJSON(t, jsonPath, &rep)
	checks := []struct {
		name string
		ok   bool
	}{
		{"connects were acknowledged", rep.Connects > 0 && rep.ConnectsPerS > 0 && rep.ConnectErrors == 0},
		{"connect p50 ≤ p99 ≤ max", rep.ConnectP50ms > 0 && rep.ConnectP50ms <= rep.ConnectP99ms && rep.ConnectP99ms <= rep.ConnectMaxms},
		{"free-to-assign has samples", rep.FreeToAssignN > 0 && rep.FreeToAssignP99 > 0},
		{"no FIFO violations", rep.FIFOViolations == 0 && rep.Assignments > 0},
		{"chats waited", rep.WaitingStart > 0 && rep.WaitingEnd > 0},
		{"events arrived with a lag", rep.Events > 0 && rep.EventsLagP99ms > 0 && rep.DecodeErrors == 0},
		{"operators closed chats", rep.Closes > 0 && rep.CloseErrors == 0},
		{"RSS and CPU were read", rep.RSSMiB != nil && *rep.RSSMiB > 0 && rep.CPUs != nil && *rep.CPUs > 0},
		{"commits were scraped", rep.Commits != nil && rep.Commits.Commits > 0},
		{"per-second figures", len(rep.PerSecond) >= 1},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not so in\n%s", c.name, stdout.String())
		}
	}
	if svg, err := os.ReadFile(chart); err != nil || !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("chart: %v %.40q", err, svg)
	}
}

// TestOperatorStreams: with --sse-role operator the extra streams are
// operators' panels, which see a part of the events the admin's stream does.
func TestOperatorStreams(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	err := runTool(t.Context(), []string{
		"--duration", "1500ms", "--operators", "4", "--topics", "4", "--max-chats", "2", "--handle-time", "0.05",
		"--rate", "100", "--status-changes", "4", "--break-time", "0.2",
		"--sse-clients", "4", "--sse-role", "operator", "--json", jsonPath,
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	var rep report
	readJSON(t, jsonPath, &rep)
	if rep.SSERole != "operator" || rep.SSEEventsPerS <= 0 || rep.SSEEventsPerS >= 0.9*rep.EventsPerS || rep.SSEReconnects != 0 {
		t.Errorf("operator streams: role %q, %.1f events/s each against %.1f on the admin's, %d reconnects\n%s",
			rep.SSERole, rep.SSEEventsPerS, rep.EventsPerS, rep.SSEReconnects, stdout.String())
	}
	err = runTool(t.Context(), []string{"--sse-role", "robot"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--sse-role") {
		t.Errorf("--sse-role robot: %v", err)
	}
}

// TestRestart fills a small store and restarts a real server process
// on it.
func TestRestart(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "restart.json")
	var stdout bytes.Buffer
	err := runTool(t.Context(), []string{"--restart", "3000", "--data", t.TempDir(), "--json", jsonPath}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var rep restartReport
	readJSON(t, jsonPath, &rep)
	// 100 operators × 5 chats are active (channel limits allowing); the rest wait.
	if rep.Queued < 2000 || rep.Queued >= 3000 || rep.RestartToReady <= 0 || rep.RSSMiB <= 0 {
		t.Errorf("report %+v\n%s", rep, stdout.String())
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestModelFIFO feeds the tool's stream reader SSE frames as the server
// writes them and checks its model: an automatic assignment that skips an
// earlier waiting chat the operator could take is a FIFO violation, one in
// order is not, and an event the reader cannot decode is counted.
func TestModelFIFO(t *testing.T) {
	chat := func(seq int, event, status, op string, weight int) string {
		id := strconv.Itoa(seq)
		return fmt.Sprintf("id: %d\nevent: %s\ndata: {\"id\":%d,\"event_name\":%q,\"occurred_at\":\"2026-12-06T03:00:00.%06dZ\",\"chat_id\":%q,"+
			"\"chat\":{\"id\":%q,\"status\":%q,\"operator_id\":%q,\"channel\":\"telegram\",\"client\":{\"id\":\"c%s\",\"channel\":\"telegram\"},"+
			"\"subject_alias\":\"support\",\"weight\":%d,\"queued_at\":\"2026-12-06T03:00:00.%06dZ\"}}\n\n",
			seq*10, event, seq*10, event, seq, id, id, status, op, id, weight, seq)
	}
	for _, c := range []struct {
		name           string
		frames         string
		violations     int64
		assigned, errs int64
	}{
		{"in order", chat(1, "chat_queued", "queued", "", 0) + chat(2, "chat_queued", "queued", "", 0) +
			chat(1, "auto_connected", "active", "op-a", 0), 0, 1, 0},
		{"an earlier chat skipped", chat(1, "chat_queued", "queued", "", 0) + chat(2, "chat_queued", "queued", "", 0) +
			chat(2, "auto_connected", "active", "op-a", 0), 1, 1, 0},
		{"a heavier chat first", chat(1, "chat_queued", "queued", "", 0) + chat(2, "chat_queued", "queued", "", 2) +
			chat(2, "auto_connected", "active", "op-a", 2), 0, 1, 0},
		{"undecodable", chat(1, "chat_queued", "queued", "", 0) + "id: 99\nevent: chat_queued\ndata: {\"chat\":{\"id\":7,}}\n\n", 0, 0, 1},
	} {
		m := newModel([]string{"support"}, []string{"telegram"}, []string{"op-a"}, [][]int{{0}}, []int{0}, 5, map[string]bool{"online": true})
		s := newStream(nil, "", "", func(time.Duration) {}, m.apply)
		if err := s.read(strings.NewReader(c.frames)); !errors.Is(err, io.EOF) {
			t.Fatalf("%s: read: %v", c.name, err)
		}
		if got := m.violations.Load(); got != c.violations {
			t.Errorf("%s: %d FIFO violations, want %d (%v)", c.name, got, c.violations, m.examples)
		}
		if got := m.assigned.Load(); got != c.assigned {
			t.Errorf("%s: %d assignments, want %d", c.name, got, c.assigned)
		}
		if got := m.decodeErrors.Load(); got != c.errs {
			t.Errorf("%s: %d decode errors, want %d", c.name, got, c.errs)
		}
	}
}

// TestWebhookReceiver: --webhook-receiver-delay subscribes a receiver in
// this process that counts the deliveries and their lag.
func TestWebhookReceiver(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	err := runTool(t.Context(), []string{
		"--duration", "3s", "--operators", "4", "--topics", "2", "--max-chats", "2", "--handle-time", "0.05",
		"--rate", "50", "--status-changes", "0", "--webhook-receiver-delay", "5ms", "--webhook-batch", "50", "--json", jsonPath,
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	var rep report
	readJSON(t, jsonPath, &rep)
	if rep.WebhookDelivered == 0 || rep.WebhookPerS <= 0 || rep.WebhookLagP99ms <= 0 || rep.WebhookBacklog == nil ||
		!strings.Contains(stdout.String(), "webhook_deliveries_per_s") {
		t.Errorf("webhook figures missing: %d delivered, %.1f/s, lag p99 %.1f ms, backlog %v\n%s",
			rep.WebhookDelivered, rep.WebhookPerS, rep.WebhookLagP99ms, rep.WebhookBacklog, stdout.String())
	}
	err = runTool(t.Context(), []string{"--webhook-receiver-delay", "-1s"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--webhook-receiver-delay") {
		t.Errorf("--webhook-receiver-delay -1s: %v", err)
	}
	err = runTool(t.Context(), []string{"--webhook-batch", "0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--webhook-batch") {
		t.Errorf("--webhook-batch 0: %v", err)
	}
}
