package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Delivery tuning.
var (
	DeliveryTimeout = 10 * time.Second
	MinBackoff      = time.Second
	MaxBackoff      = time.Hour
	pollEvery       = 5 * time.Second
)

func (s *Server) wakeDelivery() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// deliverLoop delivers pending webhook deliveries: per target URL strictly
// one at a time in id order (so per chat in order), targets in parallel, so
// a slow or dead receiver delays only itself.
func (s *Server) deliverLoop(ctx context.Context) {
	busy := map[string]bool{}
	done := make(chan string, 64)
	client := s.delivery
	for {
		next := s.startDue(ctx, busy, done, client)
		wait := time.NewTimer(min(max(time.Until(next), 10*time.Millisecond), pollEvery))
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case t := <-done:
			delete(busy, t)
		case <-s.kick:
		case <-wait.C:
		}
		wait.Stop()
	}
}

func target(d sb.Delivery) string { return d.WebhookID + " " + d.URL }

// startDue starts the head delivery of every idle target that is due and
// returns when the next one falls due.
func (s *Server) startDue(ctx context.Context, busy map[string]bool, done chan string, c *http.Client) time.Time {
	next := time.Now().Add(pollEvery)
	pending, err := s.Store.PendingDeliveries(ctx, 10000)
	if err != nil {
		s.Log.Error("webhook outbox", "err", err)
		return next
	}
	seen := map[string]bool{}
	for _, d := range pending {
		t := target(d)
		if seen[t] {
			continue
		}
		seen[t] = true
		if busy[t] {
			continue
		}
		if d.NextAt.After(time.Now()) {
			next = minTime(next, d.NextAt)
			continue
		}
		busy[t] = true
		go func() {
			s.deliver(ctx, c, d)
			select {
			case done <- t:
			case <-ctx.Done():
			}
		}()
	}
	return next
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// deliver makes one attempt and records it.
func (s *Server) deliver(ctx context.Context, c *http.Client, d sb.Delivery) {
	a := sb.Attempt{DeliveryID: d.ID, WebhookID: d.WebhookID, EventSeq: d.EventSeq, At: time.Now().UTC()}
	code, err := s.post(ctx, c, d)
	a.StatusCode, a.DurationMs = code, time.Since(a.At).Milliseconds()
	d.Attempts++
	if err != nil {
		a.Error = err.Error()
		d.NextAt = time.Now().UTC().Add(backoff(d.Attempts))
	} else {
		d.Done = true
	}
	if ctx.Err() != nil {
		return // shutting down: the attempt will be made again after restart
	}
	if err := s.Store.RecordAttempt(context.WithoutCancel(ctx), d, a); err != nil {
		s.Log.Error("webhook attempt not recorded", "delivery", d.ID, "err", err)
	}
}

// backoff is MinBackoff, doubling per attempt, up to MaxBackoff.
func backoff(attempts int) time.Duration {
	if attempts > 20 {
		return MaxBackoff
	}
	return min(MinBackoff<<(attempts-1), MaxBackoff)
}

func (s *Server) post(ctx context.Context, c *http.Client, d sb.Delivery) (int, error) {
	evs, err := s.Store.Events(ctx, d.EventSeq-1, 1)
	if err != nil || len(evs) == 0 || evs[0].Seq != d.EventSeq {
		return 0, fmt.Errorf("event %d not found: %v", d.EventSeq, err)
	}
	body, err := json.Marshal(evs[0])
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	id := strconv.FormatInt(d.EventSeq, 10)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", ts)
	if secret := s.secretOf(d.WebhookID); secret != "" {
		req.Header.Set("webhook-signature", Sign(secret, id, ts, body))
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

func (s *Server) secretOf(webhookID string) string {
	if webhookID == "" {
		return ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, w := range s.webhooks {
		if w.ID == webhookID {
			return w.Secret
		}
	}
	return ""
}

// Sign is the Standard Webhooks signature: "v1," + base64 of HMAC-SHA256 over
// "id.timestamp.body"; a "whsec_" secret is base64-decoded after the prefix.
func Sign(secret, id, timestamp string, body []byte) string {
	key := []byte(secret)
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if k, err := base64.StdEncoding.DecodeString(rest); err == nil {
			key = k
		}
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%s.", id, timestamp)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// errTargetRefused is a delivery to an address webhooks may not reach.
var errTargetRefused = errors.New("the target's address is not allowed (link-local, or loopback or private without webhook_allow_private_targets)")

// newDeliveryClient is the HTTP client of deliveries. It follows no
// redirect (a 3xx is not a success), and its dialer refuses the addresses
// sb.TargetAllowed refuses, checked on the address the name resolved to
// at this delivery (a name that resolves elsewhere later is caught too).
func (s *Server) newDeliveryClient() *http.Client {
	dialer := &net.Dialer{Timeout: DeliveryTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip, err := netip.ParseAddr(host); err != nil || !sb.TargetAllowed(ip, s.allowPrivate.Load()) {
			return errTargetRefused
		}
		return nil
	}}
	return &http.Client{
		Timeout:       DeliveryTimeout,
		Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkTarget refuses a subscription URL whose host is, or resolves to, an
// address webhooks may not reach. A name that does not resolve now is
// accepted: deliveries check again.
func (s *Server) checkTarget(ctx context.Context, target string) error {
	refused := sb.Errorf(sb.EINVALID, "url", "url may not reach a link-local address, nor a loopback or private one unless webhook_allow_private_targets is on")
	allow := s.allowPrivate.Load()
	if !sb.TargetURLAllowed(target, allow) {
		return refused
	}
	u, _ := url.Parse(target)
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if !sb.TargetAllowed(ip, allow) {
			return refused
		}
	}
	return nil
}
