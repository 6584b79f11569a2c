package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

// receiver is a webhook endpoint that fails, hangs and recovers on demand,
// and verifies every delivery with the Standard Webhooks reference library.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	mode   string // "ok", "fail" or "hang"
	verify *standardwebhooks.Webhook
	got    []sb.Event // every accepted delivery, in arrival order
	ids    []string   // their webhook-id
	bad    []string
}

func (rc *receiver) setMode(m string) { rc.mu.Lock(); rc.mode = m; rc.mu.Unlock() }

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	mode := rc.mode
	rc.mu.Unlock()
	switch mode {
	case "fail":
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	case "hang":
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return
	}
	var ev sb.Event
	err := json.Unmarshal(body, &ev)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if verr := rc.verify.Verify(body, r.Header); verr != nil || err != nil {
		rc.bad = append(rc.bad, fmt.Sprintf("event %s: verify %v, json %v", r.Header.Get("webhook-id"), verr, err))
	}
	if id := r.Header.Get("webhook-id"); !strings.HasPrefix(id, "evt_") || !strings.HasSuffix(id, fmt.Sprintf("_%d", ev.Seq)) {
		rc.bad = append(rc.bad, fmt.Sprintf("webhook-id %q for event %d", id, ev.Seq))
	}
	rc.ids = append(rc.ids, r.Header.Get("webhook-id"))
	rc.got = append(rc.got, ev)
}

// TestWebhookDelivery: a subscription receives every event at least once,
// in order per chat, signed so that the Standard Webhooks reference library
// verifies it, while the receiver fails, hangs and recovers, and across a
// server restart.
func TestWebhookDelivery(t *testing.T) {
	server.DeliveryTimeout, server.MinBackoff = 300*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { server.DeliveryTimeout, server.MinBackoff = 10*time.Second, time.Second })
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	v, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{t: t, mode: "fail", verify: v}
	hook := httptest.NewServer(rc)
	defer hook.Close()

	data := t.TempDir()
	app := sbStart(t, data)
	admin := app.sbClient(sbAdminSecret)
	sbAllowPrivateWebhooks(t, admin) // an event before the subscription: not delivered
	var before int64
	admin.sbGet(t, "/api/v1/events?after=0&limit=1000", &struct {
		NextAfter *int64 `json:"next_after"`
	}{&before})
	admin.sbMust(t, "POST", "/api/v1/webhooks", map[string]any{"url": hook.URL, "events": []string{"*"}, "secret": secret}, 201)
	integ := app.sbToken(t, admin, sb.RoleIntegrator, "")
	sbSetupTopic(t, admin)

	connects := func(from, n int) {
		for i := from; i < from+n; i++ {
			integ.sbMust(t, "POST", sbConnectPath, sbConnectBody(fmt.Sprintf("client-%d", i), "queue"), 200)
		}
	}
	connects(0, 10)
	time.Sleep(100 * time.Millisecond) // let failures happen
	rc.setMode("hang")
	connects(10, 5)
	time.Sleep(700 * time.Millisecond)
	rc.setMode("ok")
	connects(15, 5)

	// Restart before everything is delivered.
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	app = sbStart(t, data)
	admin = app.sbClient(sbAdminSecret)
	integ = app.sbToken(t, admin, sb.RoleIntegrator, "")
	connects(20, 5)

	var last int64
	admin.sbGet(t, "/api/v1/events?after=0&limit=1000", &struct {
		NextAfter *int64 `json:"next_after"`
	}{&last})
	sbWait(t, 20*time.Second, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		seen := map[int64]bool{}
		for _, ev := range rc.got {
			seen[ev.Seq] = true
		}
		return len(seen) == int(last-before)
	})
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bad) > 0 {
		t.Fatalf("bad deliveries: %v", rc.bad)
	}
	firstSeen := map[string][]int64{}
	seen := map[int64]bool{}
	for _, ev := range rc.got {
		if !seen[ev.Seq] {
			seen[ev.Seq] = true
			firstSeen[ev.ChatID] = append(firstSeen[ev.ChatID], ev.Seq)
		}
	}
	for chat, seqs := range firstSeen {
		if !slices.IsSorted(seqs) {
			t.Errorf("chat %q: events first arrived in order %v", chat, seqs)
		}
	}
	hooks := []sb.Webhook{}
	admin.sbGet(t, "/api/v1/webhooks", &hooks)
	var page server.DeliveryPage
	admin.sbGet(t, "/api/v1/webhooks/"+hooks[0].ID+"/deliveries?limit=1000", &page)
	failed := 0
	for _, d := range page.Items {
		for _, a := range d.LastAttempts {
			if a.Error != "" {
				failed++
			}
		}
	}
	if len(page.Items) != int(last-before) || failed == 0 {
		t.Errorf("deliveries API lists %d deliveries (want %d), %d failed attempts; want failures listed", len(page.Items), last-before, failed)
	}
}
