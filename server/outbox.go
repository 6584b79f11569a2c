package server

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboard/switchboard"
)

// The webhook outbox's scheduler. Every target (a subscription, or a chat's
// event_webhook_url) is scheduled on its own: it holds a window of its
// pending deliveries in memory, in id order, and has up to MaxInFlight
// requests in flight, each with one delivery (or, for a subscription with
// max_batch_size, up to that many in one JSON array), and at most one
// request per chat, so that each chat's deliveries go in order while
// different chats' go in parallel. A target whose receiver fails is held
// back as a whole, for longer after each failed probe (one request at a
// time while it fails), and costs nothing while it waits:
// nothing reads its rows, nothing wakes for it. New deliveries come from
// the writer's commits in memory; the store is read only to refill a
// window (deliveries_target, the index of pending deliveries by target)
// and when the loop starts.

// Delivery tuning; tests shorten them.
var (
	DeliveryTimeout = 10 * time.Second
	MinBackoff      = time.Second
	MaxBackoff      = time.Hour
)

// DefaultMaxInFlight is how many requests one target has in flight at
// most, unless Server.MaxInFlight says otherwise.
const DefaultMaxInFlight = 64

// targetWindow is how many of a target's pending deliveries are held in
// memory at least; the rest wait in the store until the window has room.
// A batched target holds enough to fill twice its requests in flight, up
// to maxWindow.
const (
	targetWindow = 1024
	maxWindow    = 1 << 16
)

// maxInbox is how many committed deliveries may wait for the loop; past it
// they are dropped from memory and the loop reads them back from the
// store.
const maxInbox = 100_000

// outbox is one run of the delivery loop (one leadership term).
type outbox struct {
	s      *Server
	client *http.Client
	limit  int

	mu       sync.Mutex
	inbox    []sb.Delivery
	overflow bool
	forget   []string            // webhook ids deleted
	poke     []sb.DeliveryTarget // targets to probe now (a resend, a test)
	kick     chan struct{}

	done    chan result    // attempts finished
	flying  sync.WaitGroup // the attempts' goroutines and the recorder's
	targets map[sb.DeliveryTarget]*target
	backlog atomic.Int64 // deliveries not done, over every target
	rec     *recorder
}

// target is one target's schedule; only the loop touches it.
type target struct {
	key    sb.DeliveryTarget
	window []sb.Delivery   // pending, by id: a prefix of the target's pending deliveries
	last   int64           // the highest id in the window or read past
	more   bool            // the store has pending deliveries past last
	loaded int64           // the highest id reload counted: a delivery up to it is counted
	flight map[int64]bool  // deliveries in flight
	chats  map[string]bool // chats with a delivery in flight
	batch  int             // deliveries one request may carry
	size   int             // the window's most
	sends  int             // requests in flight
	seen   map[string]bool // start's scratch: chats passed in the window
	streak int             // failed probes in a row; > 0: one delivery at a time
	held   time.Time       // nothing starts before
	count  int             // deliveries not done (metrics)
}

// result is a finished attempt of one request's deliveries.
type result struct {
	ds    []sb.Delivery // by id, with their new Attempts, NextAt, Done
	a     sb.Attempt    // the request's, for each delivery
	probe bool          // sent while the target was failing
}

func (o *outbox) newTarget(key sb.DeliveryTarget) *target {
	batch := o.s.maxBatch(key.WebhookID)
	return &target{key: key, flight: map[int64]bool{}, chats: map[string]bool{}, seen: map[string]bool{}, more: true,
		batch: batch, size: min(max(targetWindow, 2*o.limit*batch), maxWindow)}
}

// maxBatch is how many deliveries one request to a subscription may carry
// (1 for a chat's event_webhook_url).
func (s *Server) maxBatch(webhookID string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, w := range s.webhooks {
		if w.ID == webhookID {
			return max(w.MaxBatch, 1)
		}
	}
	return 1
}

// push hands committed deliveries to the running loop (none: dropped, the
// next loop reads them from the store).
func (s *Server) pushDeliveries(ds []sb.Delivery) {
	o := s.outbox.Load()
	if o == nil || len(ds) == 0 {
		return
	}
	o.mu.Lock()
	if len(o.inbox)+len(ds) > maxInbox {
		o.inbox, o.overflow = nil, true
	} else {
		o.inbox = append(o.inbox, ds...)
	}
	o.mu.Unlock()
	o.wake()
}

// forgetWebhook drops a deleted subscription's targets from the running
// loop (the commit deleted their pending deliveries).
func (s *Server) forgetWebhook(id string) {
	if o := s.outbox.Load(); o != nil {
		o.mu.Lock()
		o.forget = append(o.forget, id)
		o.mu.Unlock()
		o.wake()
	}
}

// probeNow lets a held target try again at once: a delivery sent by hand
// (resend, test) is not kept waiting for a backoff.
func (s *Server) probeNow(t sb.DeliveryTarget) {
	if o := s.outbox.Load(); o != nil {
		o.mu.Lock()
		o.poke = append(o.poke, t)
		o.mu.Unlock()
		o.wake()
	}
}

func (o *outbox) wake() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// deliverLoop runs the outbox until ctx ends, and returns once its
// attempts (canceled with ctx) and their records are over.
func (s *Server) deliverLoop(ctx context.Context) {
	o := &outbox{s: s, client: s.delivery, limit: positiveOr(s.MaxInFlight, DefaultMaxInFlight), kick: make(chan struct{}, 1),
		done: make(chan result, 4096), targets: map[sb.DeliveryTarget]*target{}}
	o.rec = newRecorder(s)
	s.outbox.Store(o)
	defer s.outbox.CompareAndSwap(o, nil)
	defer o.flying.Wait()
	o.flying.Go(func() { o.rec.run(ctx) })
	o.reload(ctx)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := o.schedule(ctx, time.Now())
		timer.Reset(max(time.Until(next), time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case r := <-o.done:
			o.finished(r)
			o.drainDone()
		case <-o.kick:
			o.takeInbox(ctx)
		case <-timer.C:
		}
	}
}

// positiveOr returns v when it is positive, else def.
func positiveOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// drainDone takes every finished attempt waiting.
func (o *outbox) drainDone() {
	for {
		select {
		case r := <-o.done:
			o.finished(r)
		default:
			return
		}
	}
}

// reload learns the targets with pending deliveries and their counts from
// the store; their windows refill from there.
func (o *outbox) reload(ctx context.Context) {
	tbs, err := o.s.Store.DeliveryTargets(ctx)
	if err != nil {
		if ctx.Err() == nil {
			o.s.Log.Error("webhook outbox", "err", err)
		}
		return
	}
	var total int64
	for _, tb := range tbs {
		t := o.targets[tb.DeliveryTarget]
		if t == nil {
			t = o.newTarget(tb.DeliveryTarget)
			o.targets[t.key] = t
		}
		t.more, t.count, t.loaded = true, tb.Pending, tb.LastID
		total += int64(tb.Pending)
	}
	for _, t := range o.targets { // targets reload did not see have nothing pending but what is in flight
		if !slices.ContainsFunc(tbs, func(tb sb.TargetBacklog) bool { return tb.DeliveryTarget == t.key }) {
			t.count = len(t.flight)
			total += int64(t.count)
		}
	}
	o.backlog.Store(total)
}

// takeInbox takes the committed deliveries and the deleted subscriptions.
func (o *outbox) takeInbox(ctx context.Context) {
	o.mu.Lock()
	in, overflow, forget, poke := o.inbox, o.overflow, o.forget, o.poke
	o.inbox, o.overflow, o.forget, o.poke = nil, false, nil, nil
	o.mu.Unlock()
	if overflow {
		o.reload(ctx)
	}
	for _, d := range in {
		if d.ID > 0 { // 0: for a subscription deleted meanwhile
			o.add(d)
		}
	}
	for _, key := range poke {
		if t := o.targets[key]; t != nil {
			t.held = time.Time{} // one probe now (streak stays)
		}
	}
	for _, id := range forget { // after the deliveries committed before the deletion
		for key, t := range o.targets {
			if key.WebhookID == id {
				o.backlog.Add(-int64(t.count))
				delete(o.targets, key)
			}
		}
	}
}

// add takes one committed delivery into its target's window, when the
// window holds every pending delivery before it and has room.
func (o *outbox) add(d sb.Delivery) {
	t := o.targets[d.Target()]
	if t == nil {
		t = o.newTarget(d.Target())
		t.more = false // a target not scheduled has nothing else pending
		o.targets[t.key] = t
	}
	if d.ID <= t.loaded {
		return // reload counted it, and the window reads it from the store
	}
	t.count++
	o.backlog.Add(1)
	if !t.more && d.ID > t.last {
		if len(t.window) < t.size {
			t.window, t.last = append(t.window, d), d.ID
		} else {
			t.more = true
		}
	}
}

// finished applies a finished attempt to its target and queues its
// record.
func (o *outbox) finished(r result) {
	o.rec.add(r.ds, r.a)
	o.s.metrics.attempt(r.ds, r.a)
	t := o.targets[r.ds[0].Target()]
	if t == nil {
		return // its subscription was deleted
	}
	t.sends--
	for _, d := range r.ds {
		delete(t.flight, d.ID)
		delete(t.chats, d.ChatID)
	}
	if r.ds[0].Done {
		t.window = slices.DeleteFunc(t.window, func(w sb.Delivery) bool {
			_, sent := slices.BinarySearchFunc(r.ds, w.ID, byID)
			return sent
		})
		t.count -= len(r.ds)
		o.backlog.Add(-int64(len(r.ds)))
		t.streak, t.held = 0, time.Time{}
		return
	}
	for _, d := range r.ds {
		if i, ok := slices.BinarySearchFunc(t.window, d.ID, byID); ok {
			t.window[i].Attempts, t.window[i].NextAt = d.Attempts, d.NextAt
		}
	}
	if t.streak == 0 || r.probe {
		t.streak++
	}
	t.held = time.Now().Add(backoff(t.streak))
}

// schedule starts what is due on every target and returns when to look
// again.
func (o *outbox) schedule(ctx context.Context, now time.Time) time.Time {
	next := now.Add(time.Hour)
	for key, t := range o.targets {
		if t.count <= 0 && len(t.flight) == 0 && !t.more {
			delete(o.targets, key) // nothing pending: forget it until its next delivery
			continue
		}
		if at := o.start(ctx, t, now); at.Before(next) {
			next = at
		}
	}
	return next
}

// start sends the due deliveries of one target, within its limits, and
// returns when it may have more to send.
func (o *outbox) start(ctx context.Context, t *target, now time.Time) time.Time {
	never := now.Add(time.Hour)
	if t.held.After(now) {
		return t.held
	}
	limit := o.limit
	if t.streak > 0 {
		limit = 1
	}
	if t.sends >= limit {
		return never // a finished attempt wakes the loop
	}
	if t.more && len(t.window) < t.size/2 {
		o.refill(ctx, t, now)
	}
	next := never
	seen := t.seen // chats whose later deliveries wait
	clear(seen)
	var batch []sb.Delivery
	for i := range t.window {
		if t.sends >= limit {
			break
		}
		d := &t.window[i]
		if seen[d.ChatID] || t.flight[d.ID] || t.chats[d.ChatID] {
			seen[d.ChatID] = true
			continue
		}
		if d.NextAt.After(now) {
			seen[d.ChatID] = true
			next = minTime(next, d.NextAt)
			continue
		}
		batch = append(batch, *d) // the chat's next due deliveries may follow it in the same request
		if len(batch) == t.batch {
			o.launch(ctx, t, batch)
			batch = nil
		}
	}
	if len(batch) > 0 {
		o.launch(ctx, t, batch)
	}
	return next
}

func byID(d sb.Delivery, id int64) int { return cmp.Compare(d.ID, id) }

// refill reads the next of a target's pending deliveries into its window.
// When the loop starts, a target whose deliveries failed before is held
// as if its last probe had just failed.
func (o *outbox) refill(ctx context.Context, t *target, now time.Time) {
	first := t.last == 0
	ds, err := o.s.Store.PendingDeliveries(ctx, t.key, t.last, t.size-len(t.window))
	if err != nil {
		if ctx.Err() == nil {
			o.s.Log.Error("webhook outbox", "target", t.key.URL, "err", err)
		}
		return
	}
	for _, d := range ds {
		if first && d.Attempts > 0 && d.NextAt.After(now) {
			t.streak = max(t.streak, d.Attempts)
			t.held = maxTime(t.held, d.NextAt)
		}
	}
	t.window = append(t.window, ds...)
	if len(ds) > 0 {
		t.last = ds[len(ds)-1].ID
	}
	t.more = len(t.window) >= t.size
}

// launch sends one request in a goroutine of its own.
func (o *outbox) launch(ctx context.Context, t *target, ds []sb.Delivery) {
	for _, d := range ds {
		t.flight[d.ID], t.chats[d.ChatID] = true, true
	}
	t.sends++
	probe, batched := t.streak > 0, t.batch > 1
	o.flying.Go(func() {
		r := o.s.attempt(ctx, o.client, ds, batched)
		r.probe = probe
		if ctx.Err() != nil {
			return // shutting down: the attempt is made again by the next loop
		}
		select {
		case o.done <- r:
		case <-ctx.Done():
		}
	})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// backoff is MinBackoff, doubling per failure, up to MaxBackoff.
func backoff(failures int) time.Duration {
	if failures > 20 {
		return MaxBackoff
	}
	return min(MinBackoff<<max(failures-1, 0), MaxBackoff)
}

// recorder writes finished attempts to the store beside the loop, every
// attempt that finished meanwhile in one transaction. It is the outbox's
// own bookkeeping, not the writer's: no engine state depends on it.
type recorder struct {
	s    *Server
	mu   sync.Mutex
	ds   []sb.Delivery
	as   []sb.Attempt
	kick chan struct{}
}

func newRecorder(s *Server) *recorder { return &recorder{s: s, kick: make(chan struct{}, 1)} }

func (r *recorder) add(ds []sb.Delivery, a sb.Attempt) {
	r.mu.Lock()
	for _, d := range ds {
		a.DeliveryID, a.EventSeq = d.ID, d.EventSeq
		r.ds, r.as = append(r.ds, d), append(r.as, a)
	}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// recordEvery is the least time between two of the recorder's
// transactions: each takes the store's writer (on SQLite, the one writer
// connection, with an fsync) from the commits of routing.
const recordEvery = 50 * time.Millisecond

func (r *recorder) run(ctx context.Context) {
	pace := time.NewTimer(0)
	defer pace.Stop()
	for {
		select {
		case <-ctx.Done():
			r.flush(context.WithoutCancel(ctx)) // what finished before the end
			return
		case <-r.kick:
		}
		select {
		case <-ctx.Done():
			r.flush(context.WithoutCancel(ctx))
			return
		case <-pace.C:
		}
		pace.Reset(recordEvery)
		r.flush(ctx)
	}
}

func (r *recorder) flush(ctx context.Context) {
	r.mu.Lock()
	ds, as := r.ds, r.as
	r.ds, r.as = nil, nil
	r.mu.Unlock()
	if len(ds) == 0 {
		return
	}
	if err := r.s.Store.RecordAttempts(ctx, ds, as); err != nil {
		r.s.Log.Error("webhook attempts not recorded", "attempts", len(ds), "err", err)
	}
}
