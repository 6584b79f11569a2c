package main

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/postgres/pgtest"
	"github.com/switchboard/switchboard/server"
)

// TestWebhookBatches: a subscription with max_batch_size gets its events as
// signed JSON arrays of at most that many, each event exactly once, each
// chat's in order; its first requests fail and are retried. A bad
// max_batch_size is refused naming the field. On both stores.
func TestWebhookBatches(t *testing.T) {
	server.MinBackoff = 20 * time.Millisecond
	t.Cleanup(func() { server.MinBackoff = time.Second })
	t.Run("sqlite", func(t *testing.T) { testWebhookBatches(t, "") })
	t.Run("postgres", func(t *testing.T) { testWebhookBatches(t, pgtest.NewDatabase(t)) })
}

func testWebhookBatches(t *testing.T, dbURL string) {
	rc := &hookRecorder{delay: 40 * time.Millisecond, fail: 2}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	m, admin := hookMain(t, 2, dbURL)
	for _, bad := range []int{-1, 1001} {
		var out struct{ Error sb.Error }
		code, err := admin.call("POST", "/api/v1/webhooks", map[string]any{"url": hs.URL, "max_batch_size": bad}, &out)
		if err != nil || code != 422 || out.Error.Field != "max_batch_size" {
			t.Errorf("max_batch_size %d: status %d, error %+v, %v; want 422 naming max_batch_size", bad, code, out.Error, err)
		}
	}
	const maxBatch = 8
	hook := admin.sbMust(t, "POST", "/api/v1/webhooks", map[string]any{"url": hs.URL, "events": []string{"*"}, "max_batch_size": maxBatch}, 201)
	if hook["max_batch_size"] != float64(maxBatch) {
		t.Errorf("the created subscription says max_batch_size %v; want %d", hook["max_batch_size"], maxBatch)
	}
	first, last := chatTraffic(t, m, admin, 20)
	got := map[int64]int{}
	sbWait(t, 30*time.Second, func() bool {
		clear(got)
		for _, h := range rc.snapshot() {
			for _, ev := range h.batch {
				if h.status == 200 {
					got[ev.Seq]++
				}
			}
		}
		for seq := first + 1; seq <= last; seq++ {
			if got[seq] == 0 {
				return false
			}
		}
		return true
	})
	hits := slices.DeleteFunc(rc.snapshot(), func(h hit) bool { return h.status != 200 })
	byChat := map[string][]int64{}
	largest := 0
	for i, h := range hits {
		evs := h.batch
		largest = max(largest, len(evs))
		if len(evs) == 0 || len(evs) > maxBatch {
			t.Errorf("a request carried %d events; want 1 to %d", len(evs), maxBatch)
		}
		if !verifies(t, hook["secret"].(string), hits[i]) {
			t.Errorf("a batch's signature does not verify with the Standard Webhooks library")
		}
		if id := hits[i].header.Get("webhook-id"); !strings.Contains(id, "_b") {
			t.Errorf("a batch's webhook-id is %q; want the first event's with a _b hash", id)
		}
		for _, ev := range evs {
			byChat[ev.ChatID] = append(byChat[ev.ChatID], ev.Seq)
		}
	}
	for seq := first + 1; seq <= last; seq++ {
		if got[seq] != 1 {
			t.Errorf("event %d was received %d times; want once", seq, got[seq])
		}
	}
	for chat, seqs := range byChat {
		if !slices.IsSorted(seqs) {
			t.Errorf("chat %q: events arrived in order %v", chat, seqs)
		}
	}
	if largest < 2 {
		t.Errorf("no request carried more than one event (%d requests for %d events)", len(hits), last-first)
	}
	rc.mu.Lock()
	peak := rc.peak
	rc.mu.Unlock()
	if peak > 2 {
		t.Errorf("%d requests were in flight at once; want at most 2", peak)
	}
	t.Logf("%d events in %d requests (largest %d), at most %d in flight", last-first, len(hits), largest, peak)
	var page server.DeliveryPage
	sbWait(t, 10*time.Second, func() bool { // the attempts are recorded beside the deliveries
		admin.sbGet(t, "/api/v1/webhooks/"+hook["id"].(string)+"/deliveries?limit=1000", &page)
		return !slices.ContainsFunc(page.Items, func(d server.DeliveryView) bool { return d.Status != "delivered" })
	})
	failed := 0
	for _, d := range page.Items {
		for _, a := range d.LastAttempts {
			if a.DeliveryID != d.ID || a.EventSeq != d.EventSeq {
				t.Errorf("delivery %d (event %d) lists an attempt of delivery %d (event %d)", d.ID, d.EventSeq, a.DeliveryID, a.EventSeq)
			}
			if a.StatusCode == 500 {
				failed++
			}
		}
	}
	if failed == 0 {
		t.Errorf("no delivery lists the failed attempts of the first requests")
	}
}
