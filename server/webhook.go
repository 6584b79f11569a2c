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
	"hash/fnv"
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

// attempt makes one attempt of a request's deliveries (one, or with
// batched a JSON array of them) and returns it with their new state.
func (s *Server) attempt(ctx context.Context, c *http.Client, ds []sb.Delivery, batched bool) result {
	a := sb.Attempt{WebhookID: ds[0].WebhookID, At: time.Now().UTC()}
	code, err := s.post(ctx, c, ds, batched)
	a.StatusCode, a.DurationMs = code, time.Since(a.At).Milliseconds()
	if err != nil {
		a.Error = err.Error()
	}
	for i := range ds {
		d := &ds[i]
		d.Attempts++
		d.Body = nil
		if err != nil {
			d.NextAt = time.Now().UTC().Add(backoff(d.Attempts))
		} else {
			d.Done = true
		}
	}
	return result{ds: ds, a: a}
}

// WebhookID is the webhook-id of an event's deliveries: unique per
// installation, so that receivers that deduplicate by it never drop an
// event of a new installation (or of a reset one) that repeats an old seq.
// A test event's is its delivery's.
func WebhookID(installation string, d *sb.Delivery) string {
	if d.EventSeq == 0 {
		return "evt_" + installation + "_test_" + strconv.FormatInt(d.ID, 10)
	}
	return "evt_" + installation + "_" + strconv.FormatInt(d.EventSeq, 10)
}

// BatchID is the webhook-id of a batch: its first event's, then a hash of
// the webhook-ids it holds, so that a retry of the same events repeats it
// and a batch of other events never does.
func BatchID(installation string, ds []sb.Delivery) string {
	h := fnv.New64a()
	for i := range ds {
		_, _ = io.WriteString(h, WebhookID(installation, &ds[i])+"\x00")
	}
	return WebhookID(installation, &ds[0]) + "_b" + strconv.FormatUint(h.Sum64(), 36)
}

// body is what a delivery sends: its event's JSON (kept from the commit,
// or read from the store), or a test event.
func (s *Server) body(ctx context.Context, d *sb.Delivery) ([]byte, error) {
	if d.Body != nil {
		return d.Body, nil
	}
	if d.EventSeq == 0 {
		return json.Marshal(map[string]any{"event_name": EventWebhookTest, "occurred_at": d.CreatedAt, "webhook_id": d.WebhookID})
	}
	evs, err := s.Store.Events(ctx, d.EventSeq-1, 1)
	if err != nil || len(evs) == 0 || evs[0].Seq != d.EventSeq {
		return nil, fmt.Errorf("event %d not found: %v", d.EventSeq, err)
	}
	return evs[0].JSON()
}

// EventWebhookTest is the event_name of a test delivery
// (POST /webhooks/{id}/test).
const EventWebhookTest = "webhook_test"

// batchBody is a batch's body: a JSON array of its events.
func (s *Server) batchBody(ctx context.Context, ds []sb.Delivery) ([]byte, error) {
	body := []byte{'['}
	for i := range ds {
		ev, err := s.body(ctx, &ds[i])
		if err != nil {
			return nil, err
		}
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, ev...)
	}
	return append(body, ']'), nil
}

func (s *Server) post(ctx context.Context, c *http.Client, ds []sb.Delivery, batched bool) (int, error) {
	s.mu.RLock()
	installation := s.installation
	s.mu.RUnlock()
	d := &ds[0]
	var body []byte
	var err error
	var id string
	if batched {
		body, err = s.batchBody(ctx, ds)
		id = BatchID(installation, ds)
	} else {
		body, err = s.body(ctx, d)
		id = WebhookID(installation, d)
	}
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", ts)
	if sig := signatures(s.secretsOf(ctx, d), id, ts, body); sig != "" {
		req.Header.Set("webhook-signature", sig)
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

// secretsOf returns the secrets that sign a delivery: its subscription's;
// for a chat's event_webhook_url the connect's webhook_secret, else every
// server-wide key still in force (two while a rotation overlaps).
func (s *Server) secretsOf(ctx context.Context, d *sb.Delivery) []string {
	s.mu.RLock()
	hooks, keys := s.webhooks, s.webhookKeys
	s.mu.RUnlock()
	if d.WebhookID != "" {
		for _, w := range hooks {
			if w.ID == d.WebhookID {
				return []string{w.Secret}
			}
		}
		return nil
	}
	if d.ChatID != "" {
		if secret, err := s.Store.ChatSecret(ctx, d.ChatID); err == nil {
			return []string{secret}
		}
	}
	var out []string
	now := time.Now()
	for _, k := range keys {
		if k.ExpiresAt.IsZero() || k.ExpiresAt.After(now) {
			out = append(out, k.Secret)
		}
	}
	return out
}

// signatures is the webhook-signature header: one signature per secret,
// separated by spaces, as Standard Webhooks says for key rotation.
func signatures(secrets []string, id, ts string, body []byte) string {
	sigs := make([]string, len(secrets))
	for i, secret := range secrets {
		sigs[i] = Sign(secret, id, ts, body)
	}
	return strings.Join(sigs, " ")
}

// ValidSecret reports whether a webhook secret can sign: a whsec_ secret
// must be base64 after its prefix (a secret without the prefix is used as
// it is).
func ValidSecret(secret string) bool {
	rest, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return true
	}
	k, err := base64.StdEncoding.DecodeString(rest)
	return err == nil && len(k) > 0
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
		Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second},
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
