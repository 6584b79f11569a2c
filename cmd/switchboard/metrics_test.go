package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetrics: /metrics reports the queue length, assignments by topic and
// channel, limit events, and the decision and commit histograms.
func TestMetrics(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	integ := m.sbToken(t, admin, "integrator", "")
	integ.sbMust(t, "POST", sbConnectPath, sbConnectBody("c-limit", ""), 200) // nobody online: limit
	integ.sbMust(t, "POST", sbConnectPath, sbConnectBody("c-queued", "queue"), 200)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ.sbMust(t, "POST", sbConnectPath, sbConnectBody("c-queued-2", "queue"), 200)
	integ.sbMust(t, "POST", sbConnectPath, sbConnectBody("c-waits", "queue"), 200) // op-1 is full (2)

	resp, err := http.Get("http://" + m.Addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		`switchboard_assignments_total{channel="telegram",kind="auto_connected",topic="support"} 2`,
		`switchboard_limit_events_total{channel="telegram",topic="support"} 1`,
		`switchboard_queue_length 1`,
		`switchboard_decision_seconds_count 3`,
		`switchboard_commit_seconds_count`,
		`switchboard_webhook_backlog 0`,
		`switchboard_sse_batches_total 0`, // no stream is open
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
