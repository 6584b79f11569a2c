package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"
)

const (
	sbAdminSecret = "sbt_test_admin_secret"
	sbConnectPath = "/api/v1/actions/operator_panel__connect_to_operator_with_msg"
)

// sbStart runs the real Main on a free port over the data folder.
func sbStart(t *testing.T, data string) *Main {
	t.Helper()
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.AdminToken = "127.0.0.1:0", data, sbAdminSecret
	m.Log = quietLog()
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// sbAPI is a client with one token.
type sbAPI struct {
	base, token string
}

func (m *Main) sbClient(token string) *sbAPI { return &sbAPI{base: "http://" + m.Addr, token: token} }

// call sends a JSON request and decodes the answer into out (when not nil).
func (c *sbAPI) call(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil && err != io.EOF {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

// sbMust calls and fails the test unless the status is want; it returns the
// decoded answer.
func (c *sbAPI) sbMust(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	var out map[string]any
	code, err := c.call(method, path, body, &out)
	if err != nil || code != want {
		t.Fatalf("%s %s: status %d (want %d), err %v, body %v", method, path, code, want, err, out)
	}
	return out
}

func (c *sbAPI) sbGet(t *testing.T, path string, out any) {
	t.Helper()
	if code, err := c.call("GET", path, nil, out); err != nil || code != 200 {
		t.Fatalf("GET %s: status %d, err %v", path, code, err)
	}
}

// sbToken creates a token of a role and returns its client.
func (m *Main) sbToken(t *testing.T, admin *sbAPI, role, operatorID string) *sbAPI {
	out := admin.sbMust(t, "POST", "/api/v1/tokens", map[string]any{"role": role, "operator_id": operatorID}, 201)
	return m.sbClient(out["token"].(string))
}

// sbAllowPrivateWebhooks lets webhooks reach the tests' receivers on
// 127.0.0.1 (the setting webhook_allow_private_targets).
func sbAllowPrivateWebhooks(t *testing.T, admin *sbAPI) {
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"webhook_allow_private_targets": true}, 200)
}

// sbSetupTopic makes topic "support", operator "op-1" in group "g1".
func sbSetupTopic(t *testing.T, admin *sbAPI) {
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "support", "name": "Support"}, 201)
	admin.sbMust(t, "POST", "/api/v1/operators", map[string]any{"id": "op-1", "name": "One", "email": "one@example.com", "password": "secret-password", "max_chats": 2}, 201)
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "g1", "name": "Support", "topics": []string{"support"}, "operators": []string{"op-1"}}, 201)
}

func sbConnectBody(client, status string) map[string]any {
	return map[string]any{
		"client": map[string]any{"id": client, "name": "Client " + client, "channel": "telegram"},
		"text":   "Asks about a refund",
		"config": map[string]any{"subject_alias": "support", "auto_connect_operator": true, "status": status},
	}
}

// sbWait polls cond until it holds or the deadline passes.
func sbWait(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
