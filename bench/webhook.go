package bench

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// receiver is the webhook receiver of --webhook-receiver-delay: it runs in
// this process on a loopback port, is subscribed to every event, and
// answers each delivery 204 after the delay. While the tool measures it
// counts deliveries and their lag: receipt − the event's occurred_at
// (taken before its commit, so the lag includes the commit).
type receiver struct {
	delay     time.Duration
	srv       *http.Server
	url       string
	measuring *atomic.Bool
	got       atomic.Int64
	lag       hist
}

// startReceiver listens on 127.0.0.1 and serves the deliveries.
func startReceiver(delay time.Duration, measuring *atomic.Bool) (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{delay: delay, measuring: measuring, url: "http://" + ln.Addr().String() + "/hook"}
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rc.srv.Serve(ln) }()
	return rc, nil
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	time.Sleep(rc.delay)
	type event struct {
		OccurredAt time.Time `json:"occurred_at"`
	}
	var evs []event
	if len(body) > 0 && body[0] == '[' { // a batch
		_ = json.Unmarshal(body, &evs)
	} else {
		var ev event
		if json.Unmarshal(body, &ev) == nil {
			evs = append(evs, ev)
		}
	}
	if rc.measuring.Load() {
		for _, ev := range evs {
			if !ev.OccurredAt.IsZero() {
				rc.got.Add(1)
				rc.lag.record(time.Since(ev.OccurredAt))
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) close() { _ = rc.srv.Close() }

// subscribeReceiver starts the receiver and subscribes it to every event;
// the server must let webhooks reach loopback (the setting
// webhook_allow_private_targets, which this turns on).
func (b *runner) subscribeReceiver(ctx context.Context) error {
	if b.cfg.WebhookReceiverDelay <= 0 {
		return nil
	}
	rc, err := startReceiver(b.cfg.WebhookReceiverDelay, &b.measuring)
	if err != nil {
		return err
	}
	b.hook = rc
	if err := b.call(ctx, b.admin, "PATCH", "/api/v1/settings", map[string]any{"webhook_allow_private_targets": true}, nil); err != nil {
		return err
	}
	return b.call(ctx, b.admin, "POST", "/api/v1/webhooks", map[string]any{"url": rc.url, "events": []string{"*"}, "max_batch_size": b.cfg.WebhookBatch}, nil)
}

// webhookReport fills the webhook figures: deliveries per second while
// measuring, their lag, and the backlog the server reports at the end.
func (b *runner) webhookReport(ctx context.Context, rep *report, elapsed time.Duration) {
	if b.hook == nil {
		return
	}
	rep.WebhookDelivered = b.hook.got.Load()
	rep.WebhookPerS = math.Round(float64(rep.WebhookDelivered)/elapsed.Seconds()*10) / 10
	rep.WebhookLagP50ms, rep.WebhookLagP99ms, rep.WebhookLagMaxms = b.hook.lag.ms(0.5), b.hook.lag.ms(0.99), b.hook.lag.maxMs()
	if m, err := b.scrape(ctx); err == nil {
		backlog := int64(m["switchboard_webhook_backlog"])
		rep.WebhookBacklog = &backlog
	}
}
