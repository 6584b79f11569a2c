package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

// verifies reports whether the Standard Webhooks library verifies a
// request with secret.
func verifies(t *testing.T, secret string, h hit) bool {
	t.Helper()
	v, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return v.Verify(h.body, h.header) == nil
}

// chatConnect is a connect whose chat has an event_webhook_url (and a
// webhook_secret when secret is set).
func chatConnect(client, url, secret string) map[string]any {
	body := sbConnectBody(client, "queue")
	cfg := body["config"].(map[string]any)
	cfg["event_webhook_url"] = url
	if secret != "" {
		cfg["webhook_secret"] = secret
	}
	return body
}

// TestChatWebhookSigned: deliveries to a chat's event_webhook_url are
// signed with the server-wide key (verified by the Standard Webhooks
// library); after a rotation both the old and the new key sign during the
// overlap, then only the new one; a connect's webhook_secret signs its
// chat's instead. (Before, they carried no webhook-signature.)
func TestChatWebhookSigned(t *testing.T) {
	rc := &hookRecorder{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	m, admin := hookMain(t, 0, "")
	sbSetupTopic(t, admin)
	integ := m.sbToken(t, admin, sb.RoleIntegrator, "")

	first := admin.sbMust(t, "POST", "/api/v1/webhook-keys", nil, 201)
	k1 := first["secret"].(string)
	if !strings.HasPrefix(k1, "whsec_") || first["id"] == "" {
		t.Fatalf("POST /webhook-keys: %v; want an id and a whsec_ secret", first)
	}
	deliveredTo := func(client string) hit {
		t.Helper()
		var out hit
		sbWait(t, 20*time.Second, func() bool {
			for _, h := range rc.snapshot() {
				if h.ev.Chat != nil && h.ev.Chat.Client.ID == client && h.ev.Name == sb.EventChatCreated {
					out = h
					return true
				}
			}
			return false
		})
		return out
	}
	integ.sbMust(t, "POST", sbConnectPath, chatConnect("c-1", hs.URL, ""), 200)
	h := deliveredTo("c-1")
	if !verifies(t, k1, h) {
		t.Errorf("a chat delivery does not verify with the server-wide key: signature %q", h.header.Get("webhook-signature"))
	}

	second := admin.sbMust(t, "POST", "/api/v1/webhook-keys", map[string]any{"overlap_s": 3600}, 201)
	k2 := second["secret"].(string)
	integ.sbMust(t, "POST", sbConnectPath, chatConnect("c-2", hs.URL, ""), 200)
	h = deliveredTo("c-2")
	if !verifies(t, k1, h) || !verifies(t, k2, h) || len(strings.Fields(h.header.Get("webhook-signature"))) != 2 {
		t.Errorf("during the overlap a delivery must verify with both keys: signature %q", h.header.Get("webhook-signature"))
	}
	var keys []sb.WebhookKey
	admin.sbGet(t, "/api/v1/webhook-keys", &keys)
	if len(keys) != 2 || keys[0].ExpiresAt.IsZero() || !keys[1].ExpiresAt.IsZero() {
		t.Errorf("keys %+v; want the first expiring, the second not", keys)
	}

	admin.sbMust(t, "POST", "/api/v1/webhook-keys", map[string]any{"overlap_s": 0}, 201)
	integ.sbMust(t, "POST", sbConnectPath, chatConnect("c-3", hs.URL, ""), 200)
	if h = deliveredTo("c-3"); verifies(t, k1, h) || verifies(t, k2, h) {
		t.Errorf("keys rotated away with no overlap still sign: %q", h.header.Get("webhook-signature"))
	}

	const own = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	integ.sbMust(t, "POST", sbConnectPath, chatConnect("c-4", hs.URL, own), 200)
	if h = deliveredTo("c-4"); !verifies(t, own, h) {
		t.Errorf("a connect's webhook_secret does not sign its chat's deliveries: %q", h.header.Get("webhook-signature"))
	}
}

// TestWebhookSecretChecked: a whsec_ secret that does not base64-decode is
// refused with 422 naming the field, for a subscription and a connect.
// (Before, it was accepted and used raw.)
func TestWebhookSecretChecked(t *testing.T) {
	_, admin := hookMain(t, 0, "")
	sbSetupTopic(t, admin)
	for _, c := range []struct {
		path  string
		body  map[string]any
		field string
	}{
		{"/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/x", "secret": "whsec_not base64!"}, "secret"},
		{"/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/x", "secret": "whsec_"}, "secret"},
		{sbConnectPath, chatConnect("c-1", "http://127.0.0.1:9/x", "whsec_%%%"), "config.webhook_secret"},
		{sbConnectPath, chatConnect("c-2", "", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "config.webhook_secret"},
	} {
		var out map[string]any
		code, err := admin.call("POST", c.path, c.body, &out)
		e, _ := out["error"].(map[string]any)
		if err != nil || code != 422 || e["field"] != c.field {
			t.Errorf("POST %s %v: %d %v; want 422 naming %s", c.path, c.body, code, out, c.field)
		}
	}
	var hooks []sb.Webhook
	admin.sbGet(t, "/api/v1/webhooks", &hooks)
	if len(hooks) != 0 {
		t.Errorf("refused subscriptions were created: %v", hooks)
	}
}

// TestWebhookIDUniquePerInstallation: webhook-id is evt_<installation>_<seq>:
// the same event seq of two installations (a reset of the data) gets two
// different ids. (Before, it was the seq alone.)
func TestWebhookIDUniquePerInstallation(t *testing.T) {
	rc := &hookRecorder{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	var ids []string
	for range 2 {
		m, admin := hookMain(t, 0, "") // a fresh data folder: a reset
		admin.sbMust(t, "POST", "/api/v1/webhooks", map[string]any{"url": hs.URL}, 201)
		admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"max_missed_chats": 4}, 200)
		sbWait(t, 20*time.Second, func() bool { return len(rc.snapshot()) > len(ids) })
		h := rc.snapshot()[len(ids)]
		ids = append(ids, h.header.Get("webhook-id"))
		if want := fmt.Sprintf("_%d", h.ev.Seq); !strings.HasPrefix(ids[len(ids)-1], "evt_") || !strings.HasSuffix(ids[len(ids)-1], want) {
			t.Errorf("webhook-id %q for event %d; want evt_<installation>%s", ids[len(ids)-1], h.ev.Seq, want)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if ids[0] == ids[1] {
		t.Errorf("two installations sent the same webhook-id %q for their first config_changed", ids[0])
	}
}

// TestDeliveriesAPI: a subscription's deliveries page newest first with
// pending ones (attempts, next attempt) listed; an unknown subscription is
// 404; a chat's event_webhook_url deliveries are listed under the chat;
// resend and test enqueue new deliveries that arrive.
func TestDeliveriesAPI(t *testing.T) {
	server.MinBackoff = time.Hour // a failed delivery stays pending
	t.Cleanup(func() { server.MinBackoff = time.Second })
	rc := &hookRecorder{status: 500}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	m, admin := hookMain(t, 0, "")
	sbSetupTopic(t, admin)
	hook := admin.sbMust(t, "POST", "/api/v1/webhooks", map[string]any{"url": hs.URL, "events": []string{sb.EventChatCreated}}, 201)
	id := hook["id"].(string)
	integ := m.sbToken(t, admin, sb.RoleIntegrator, "")
	for i := range 3 {
		integ.sbMust(t, "POST", sbConnectPath, chatConnect(fmt.Sprintf("c-%d", i), hs.URL+"/chat", ""), 200)
	}
	page := func(path string) server.DeliveryPage {
		var p server.DeliveryPage
		admin.sbGet(t, path, &p)
		return p
	}
	sbWait(t, 20*time.Second, func() bool {
		p := page("/api/v1/webhooks/" + id + "/deliveries?status=pending")
		return len(p.Items) == 3 && len(p.Items[2].LastAttempts) == 1
	})
	p := page("/api/v1/webhooks/" + id + "/deliveries?limit=2")
	if len(p.Items) != 2 || p.NextCursor == "" || p.Items[0].Status != "pending" || p.Items[1].ID >= p.Items[0].ID {
		t.Fatalf("first page %+v; want 2 pending deliveries newest first and a next page", p)
	}
	rest := page("/api/v1/webhooks/" + id + "/deliveries?limit=2&cursor=" + p.NextCursor)
	if len(rest.Items) != 1 || rest.NextCursor != "" {
		t.Fatalf("second page %+v; want the last delivery and no next page", rest)
	}
	// The first delivery failed: the target is held, the others wait.
	d := rest.Items[0]
	if d.Status != "pending" || d.Attempts != 1 || !d.NextAt.After(time.Now()) || d.LastAttempts[0].StatusCode != 500 || d.LastAttempts[0].Error == "" {
		t.Errorf("the failed delivery %+v; want pending, its failed attempt and its next attempt ahead", d)
	}
	for _, path := range []string{"/api/v1/webhooks/wh_unknown/deliveries", "/api/v1/chats/999/deliveries"} {
		if code, _ := admin.call("GET", path, nil, nil); code != 404 {
			t.Errorf("GET %s: %d; want 404", path, code)
		}
	}
	if code, _ := admin.call("GET", "/api/v1/webhooks/"+id+"/deliveries?status=done", nil, nil); code != 422 {
		t.Errorf("GET deliveries?status=done: %d; want 422", code)
	}
	var chat server.DeliveryPage
	admin.sbGet(t, "/api/v1/chats/1/deliveries", &chat)
	if len(chat.Items) == 0 || chat.Items[0].WebhookID != "" || chat.Items[0].ChatID != "1" || chat.Items[0].URL != hs.URL+"/chat" {
		t.Errorf("chat 1's deliveries %+v; want its event_webhook_url deliveries", chat)
	}

	rc.mu.Lock()
	rc.status = 200
	rc.mu.Unlock()
	resent := admin.sbMust(t, "POST", fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d/resend", id, d.ID), nil, 202)
	test := admin.sbMust(t, "POST", "/api/v1/webhooks/"+id+"/test", nil, 202)
	chatResent := integ.sbMust(t, "POST", fmt.Sprintf("/api/v1/chats/1/deliveries/%d/resend", chat.Items[0].ID), nil, 202)
	if code, _ := admin.call("POST", fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d/resend", id, chat.Items[0].ID), nil, nil); code != 404 {
		t.Errorf("resending a chat's delivery through a subscription: %d; want 404", code)
	}
	inst := installationOf(t, m)
	testWant := fmt.Sprintf("evt_%s_test_%d", inst, int64(test["id"].(float64)))
	resentWant := fmt.Sprintf("evt_%s_%d", inst, d.EventSeq)
	sbWait(t, 20*time.Second, func() bool {
		var gotTest, gotResent bool
		for _, h := range rc.snapshot() {
			id := h.header.Get("webhook-id")
			gotTest = gotTest || id == testWant && strings.Contains(string(h.body), `"event_name":"`+server.EventWebhookTest+`"`)
			gotResent = gotResent || id == resentWant && h.at.After(time.Now().Add(-time.Minute)) && h.header.Get("webhook-signature") != ""
		}
		return gotTest && gotResent
	})
	for _, out := range []map[string]any{resent, chatResent} {
		if out["id"] == nil || out["event_id"] != float64(d.EventSeq) && out["chat_id"] != "1" {
			t.Errorf("resend answered %v", out)
		}
	}
	sbWait(t, 20*time.Second, func() bool {
		p := page("/api/v1/webhooks/" + id + "/deliveries?limit=1")
		return len(p.Items) == 1 && p.Items[0].Status == "delivered"
	})
}

// installationOf is the installation id of a server's store.
func installationOf(t *testing.T, m *Main) string {
	t.Helper()
	id, err := m.store.Installation(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestWebhookMetrics: /metrics has delivery attempts, failures and lag per
// subscription, the backlog from the delivery loop's count, HTTP request
// metrics by route and code, and the Go runtime and process collectors.
func TestWebhookMetrics(t *testing.T) {
	rc := &hookRecorder{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	m, admin := hookMain(t, 0, "")
	hook := admin.sbMust(t, "POST", "/api/v1/webhooks", map[string]any{"url": hs.URL}, 201)
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"max_missed_chats": 4}, 200)
	sbWait(t, 20*time.Second, func() bool { return len(rc.snapshot()) == 1 })
	var body string
	sbWait(t, 20*time.Second, func() bool {
		resp, err := http.Get("http://" + m.Addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		return strings.Contains(body, `switchboard_webhook_attempts_total{result="success",webhook="`+hook["id"].(string)+`"} 1`)
	})
	for _, want := range []string{
		`switchboard_webhook_lag_seconds_count{webhook="` + hook["id"].(string) + `"} 1`,
		`switchboard_webhook_backlog 0`,
		`switchboard_http_requests_total{code="201",route="POST /api/v1/webhooks"} 1`,
		`switchboard_http_request_duration_seconds_count{route="PATCH /api/v1/settings"} 2`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
