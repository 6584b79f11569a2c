// Package server is the single writer of Switchboard: commands come in, the
// routing engine applies them, one store transaction commits a whole group
// of them, and only then are the callers answered and the events published.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// maxBatch caps how many commands share one commit.
const maxBatch = 512

// bigState is the number of open chats from which load returns the memory
// the loaded state took to the system at once, rather than over minutes.
const bigState = 100_000

// Server owns the engine. Reads take mu; writes go through Do.
type Server struct {
	Store  sb.Store
	Log    *slog.Logger
	Broker *Broker
	// Now is the clock; tests may replace it before Open.
	Now func() time.Time
	// OnCommit, when set, is called after each commit with the batch size
	// and the commit's duration (metrics).
	OnCommit func(commands int, d time.Duration)
	// Journal, when set, adds every command applied to its batch
	// (Batch.Applied), so that a ClusterStore logs it for the followers.
	Journal bool
	// SessionTTL is how long a panel sign-in lasts (DefaultSessionTTL when
	// 0).
	SessionTTL time.Duration
	// Sessions, when set, is told of panel sessions instead of the engine:
	// with several instances presence is derived from all of them (see
	// replica.go). The server then ends no sessions when Run starts.
	Sessions Sessions
	// MaxInFlight is how many webhook deliveries one target has in flight
	// at most, each to a different chat (DefaultMaxInFlight when 0).
	MaxInFlight int

	mu           sync.RWMutex
	eng          *routing.Engine
	webhooks     []sb.Webhook
	webhookKeys  []sb.WebhookKey        // signing keys of chats' event_webhook_url
	installation string                 // the store's: webhook-id is evt_<installation>_<seq>
	outbox       atomic.Pointer[outbox] // the delivery loop while it runs (outbox.go)
	reqs         chan *request
	sessions     map[string]int
	seen         map[string]time.Time // presence by API request: until when (see Seen)
	kickSeen     chan struct{}
	seenWindow   atomic.Int64 // nanoseconds; see keepSettings
	allowPrivate atomic.Bool  // webhook_allow_private_targets; see keepSettings
	delivery     *http.Client // of webhook deliveries (webhook.go)
	smu          sync.Mutex
	metrics      *Metrics
	bt           routing.Batcher // the group's batch; only the writer loop applies
	access       access
	signIn       signInGuard
	simulating   atomic.Bool // the one simulation slot (simulations.go)
	statsMu      sync.Mutex  // the statistics' fold (stats.go)
	stats        statsFold
	rateMu       sync.Mutex // one rating at a time (rating.go)
}

// request is one write for the writer: a command for the engine, and/or
// writes the engine does not hold (side).
type request struct {
	ctx context.Context // nil: never canceled
	cmd routing.Command // nil: only side
	// side, when set, adds writes besides the engine's to the batch, once
	// cmd (if any) succeeded; it runs with the engine write-locked and may
	// refuse (its error is the request's). after runs once they are
	// committed.
	side  func(e *routing.Engine, b *sb.Batch) error
	after func()
	res   routing.Result
	err   error
	done  chan struct{}
}

// New returns a server over store; Open loads its state.
func New(store sb.Store, log *slog.Logger) *Server {
	s := &Server{
		Store: store, Log: log,
		Now:      func() time.Time { return time.Now().UTC() },
		reqs:     make(chan *request, 4096),
		sessions: map[string]int{},
		seen:     map[string]time.Time{},
		kickSeen: make(chan struct{}, 1),
	}
	s.Broker = NewBroker(s.View)
	s.delivery = s.newDeliveryClient()
	return s
}

// Open loads the state from the store and rebuilds the engine.
func (s *Server) Open(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(ctx)
}

// load replaces the engine with the committed state; mu is held.
func (s *Server) load(ctx context.Context) error {
	st, ok, err := s.Store.Load(ctx)
	if err != nil {
		return err
	}
	eng := routing.New(s.now())
	if ok {
		big := len(st.Chats) >= bigState
		if eng, err = routing.Import(st); err != nil {
			return err
		}
		if big { // give back what decoding the state took
			st = sb.State{}
			debug.FreeOSMemory()
		}
	} else { // a fresh install: store the default configuration
		cfg := eng.Config()
		if err := s.Store.Commit(ctx, &sb.Batch{Config: &cfg, Counters: eng.Counters(), Now: eng.Now()}); err != nil {
			return err
		}
	}
	hooks, err := s.Store.Webhooks(ctx)
	if err != nil {
		return err
	}
	keys, err := s.Store.WebhookKeys(ctx)
	if err != nil {
		return err
	}
	if s.installation, err = s.Store.Installation(ctx); err != nil {
		return err
	}
	start := time.Now()
	eng.Stopwatch = func() int64 { return int64(time.Since(start)) }
	s.eng, s.webhooks, s.webhookKeys = eng, hooks, keys
	s.keepSettings()
	return nil
}

func (s *Server) now() time.Time { return s.Now().Truncate(time.Microsecond) }

// View runs fn with the engine for reading.
func (s *Server) View(fn func(e *routing.Engine)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(s.eng)
}

// Do applies cmd and returns once its result is durable.
func (s *Server) Do(ctx context.Context, cmd routing.Command) (routing.Result, error) {
	return s.submit(ctx, &request{cmd: cmd})
}

// DoWith applies cmd and, when it succeeds, side's writes besides the
// engine's, in one commit.
func (s *Server) DoWith(ctx context.Context, cmd routing.Command, side func(*routing.Engine, *sb.Batch) error) (routing.Result, error) {
	return s.submit(ctx, &request{cmd: cmd, side: side})
}

// write commits a request of side writes only.
func (s *Server) write(ctx context.Context, r *request) error {
	_, err := s.submit(ctx, r)
	return err
}

// submit hands r to the writer and waits until it is durable.
func (s *Server) submit(ctx context.Context, r *request) (routing.Result, error) {
	r.ctx, r.done = ctx, make(chan struct{})
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		return routing.Result{}, ctx.Err()
	}
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		// The command may still commit; the caller hears only that it gave up.
		return routing.Result{}, ctx.Err()
	}
}

// Run is the writer loop: it applies commands in groups, commits each group
// in one transaction, answers, publishes, and fires timers. It returns when
// ctx ends.
func (s *Server) Run(ctx context.Context) {
	timer, seen, purge := time.NewTimer(time.Hour), time.NewTimer(time.Hour), time.NewTicker(purgeEvery)
	defer timer.Stop()
	defer seen.Stop()
	defer purge.Stop()
	var delivering sync.WaitGroup // Run returns once no delivery is in flight
	defer delivering.Wait()
	delivering.Go(func() { s.deliverLoop(ctx) })
	if s.Sessions == nil {
		s.endStaleSessions(ctx)
	}
	s.purgeSessions(ctx)
	for {
		s.resetTimer(timer)
		var batch []*request
		select {
		case <-ctx.Done():
			return
		case r := <-s.reqs:
			batch = append(batch, r)
		case <-timer.C:
			batch = append(batch, &request{cmd: routing.Tick{}, done: make(chan struct{})})
		case <-seen.C:
			batch = s.endSeen(time.Now())
		case <-s.kickSeen:
		case <-purge.C:
			s.purgeSessions(ctx)
		}
		seen.Reset(s.nextSeen())
		if len(batch) == 0 {
			continue
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.apply(ctx, batch)
	}
}

func (s *Server) resetTimer(t *time.Timer) {
	s.mu.RLock()
	at, ok := s.eng.NextDeadline()
	s.mu.RUnlock()
	d := time.Hour
	if ok {
		d = max(at.Sub(s.Now()), 0)
	}
	t.Reset(d)
}

// apply runs one group: engine, commit, answers, events. Readers wait
// while the group is applied and committed, so they never see a change that
// a crash could still undo.
func (s *Server) apply(ctx context.Context, batch []*request) {
	s.bt.Reset(4 * maxBatch)
	b := s.bt.Batch()
	b.Events = make([]sb.Event, 0, 3*len(batch)+8) // a queued connect makes 3
	s.mu.Lock()
	for _, r := range batch {
		if r.ctx != nil && r.ctx.Err() != nil { // the caller gave up before it was applied
			r.err = r.ctx.Err()
			continue
		}
		if r.cmd != nil {
			r.res, r.err = s.bt.Apply(s.eng, s.now(), r.cmd)
			if s.Journal { // the engine's clock and counters right after this command
				s.journal(b, r.cmd)
			}
			for _, ev := range r.res.Events {
				b.Deliveries = append(b.Deliveries, s.deliveriesFor(ev)...)
			}
		}
		if r.side != nil && r.err == nil {
			r.err = r.side(s.eng, b)
		}
	}
	b = s.bt.Done(s.eng)
	encodeEvents(b.Events)
	withBodies(b)
	if b.Config != nil {
		s.keepSettings()
	}
	start := time.Now()
	err := s.Store.Commit(ctx, b)
	if s.OnCommit != nil {
		s.OnCommit(len(batch), time.Since(start))
	}
	if err != nil {
		s.Log.Error("commit failed; reloading state", "err", err, "commands", len(batch))
		if lerr := s.load(context.WithoutCancel(ctx)); lerr != nil {
			s.Log.Error("reload failed", "err", lerr)
		}
		for _, r := range batch {
			r.res, r.err = routing.Result{}, &sb.Error{Code: sb.EINTERNAL, Message: "not saved", Err: err}
		}
	}
	if err == nil {
		for _, r := range batch {
			if r.after != nil && r.err == nil {
				r.after()
			}
		}
		if gone := b.DeletedOperators; len(gone) > 0 { // the store deleted their tokens
			s.access.forget(func(t sb.Token) bool { return !slices.Contains(gone, t.OperatorID) })
		}
	}
	s.mu.Unlock()
	for _, r := range batch {
		close(r.done)
	}
	if err == nil {
		if s.metrics != nil {
			s.metrics.observe(b)
		}
		s.Broker.Publish(b.Events)
		s.pushDeliveries(b.Deliveries)
	}
}

// encodeEvents encodes each event once for the store, the event stream
// and webhooks, all of a commit's into one buffer. An event that does not
// encode keeps Encoded nil; the store then refuses the commit.
func encodeEvents(events []sb.Event) {
	sp := scratch.Get().(*[]byte)
	buf, ends := (*sp)[:0], make([]int, len(events))
	for i := range events {
		start := len(buf)
		var err error
		if buf, err = events[i].AppendJSON(buf); err != nil {
			buf = buf[:start]
		}
		ends[i] = len(buf)
	}
	out := append([]byte(nil), buf...) // exactly their size: the streams keep it
	*sp = buf
	scratch.Put(sp)
	start := 0
	for i, end := range ends {
		if end > start {
			events[i].Encoded = out[start:end:end]
		}
		start = end
	}
}

// withBodies gives each delivery of a batch its event's JSON, so that
// the delivery loop need not read it back.
func withBodies(b *sb.Batch) {
	if len(b.Deliveries) == 0 || len(b.Events) == 0 {
		return
	}
	first := b.Events[0].Seq
	for i := range b.Deliveries {
		d := &b.Deliveries[i]
		if k := d.EventSeq - first; k >= 0 && k < int64(len(b.Events)) && b.Events[k].Seq == d.EventSeq {
			d.Body = b.Events[k].Encoded
		}
	}
}

// scratch holds the buffers events are first encoded into.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// endStaleSessions ends the panel sessions that were open when the server
// stopped: their connections are gone.
func (s *Server) endStaleSessions(ctx context.Context) {
	var batch []*request
	s.View(func(e *routing.Engine) {
		for _, o := range e.Operators() {
			if o.Connected {
				batch = append(batch, &request{cmd: routing.PresenceLost{OperatorID: o.ID}, done: make(chan struct{})})
			}
		}
	})
	if len(batch) > 0 {
		s.apply(ctx, batch)
	}
}

// deliveriesFor lists the webhook deliveries of an event: the chat's
// event_webhook_url and every matching subscription.
func (s *Server) deliveriesFor(ev sb.Event) []sb.Delivery {
	var out []sb.Delivery
	now := s.now()
	// A chat's own URL relays to the client: notes never go there.
	if ev.Chat != nil && ev.Chat.WebhookURL != "" && (ev.Message == nil || ev.Message.Kind != sb.MessageNote) {
		out = append(out, sb.Delivery{URL: ev.Chat.WebhookURL, EventSeq: ev.Seq, ChatID: ev.ChatID, NextAt: now, CreatedAt: now})
	}
	for _, w := range s.webhooks {
		if subscribed(w, ev.Name) {
			out = append(out, sb.Delivery{WebhookID: w.ID, URL: w.URL, EventSeq: ev.Seq, ChatID: ev.ChatID, NextAt: now, CreatedAt: now})
		}
	}
	return out
}

func subscribed(w sb.Webhook, name string) bool {
	if len(w.Events) == 0 {
		return true
	}
	for _, e := range w.Events {
		if e == "*" || e == name {
			return true
		}
	}
	return false
}

// SessionOpened counts a panel session of an operator; the first one
// restores presence.
func (s *Server) SessionOpened(ctx context.Context, opID string) {
	if s.Sessions != nil {
		s.Sessions.Opened(ctx, opID)
		return
	}
	s.smu.Lock()
	s.sessions[opID]++
	first := s.sessions[opID] == 1
	s.smu.Unlock()
	if first {
		if _, err := s.Do(ctx, routing.PresenceRestored{OperatorID: opID}); err != nil {
			s.Log.Warn("presence", "operator", opID, "err", err)
		}
	}
}

// SessionClosed ends a panel session; the last one loses presence.
func (s *Server) SessionClosed(ctx context.Context, opID string) {
	if s.Sessions != nil {
		s.Sessions.Closed(ctx, opID)
		return
	}
	if s.closeSession(opID) {
		if _, err := s.Do(ctx, routing.PresenceLost{OperatorID: opID}); err != nil {
			s.Log.Warn("presence", "operator", opID, "err", err)
		}
	}
}

// closeSession takes one session of opID off the count and reports
// whether it was the last.
func (s *Server) closeSession(opID string) bool {
	s.smu.Lock()
	defer s.smu.Unlock()
	s.sessions[opID]--
	last := s.sessions[opID] == 0
	if last {
		delete(s.sessions, opID)
	}
	return last
}

// keepSettings keeps what other goroutines read of the settings without
// the engine: how long an API request keeps its operator present (Seen: a
// tenth of auto_offline_after_s, from one second to a minute) and whether
// webhooks may reach private addresses. mu is held.
func (s *Server) keepSettings() {
	set := s.eng.Config().Settings
	after := time.Duration(set.AutoOfflineAfterS) * time.Second
	s.seenWindow.Store(int64(min(max(after/10, time.Second), time.Minute)))
	if was := s.allowPrivate.Swap(set.WebhookAllowPrivateTargets); was && !set.WebhookAllowPrivateTargets {
		s.delivery.CloseIdleConnections() // kept-alive connections to private addresses were dialed when allowed
	}
}

// Seen counts an API request made with an operator's own credential as
// presence (PRODUCT.md, Presence): the operator is present, as with an
// open panel session, until a window after its latest request
// (keepSettings).
func (s *Server) Seen(ctx context.Context, opID string) {
	until := time.Now().Add(time.Duration(s.seenWindow.Load()))
	if s.Sessions != nil {
		s.Sessions.Seen(opID, until)
		return
	}
	s.smu.Lock()
	_, present := s.seen[opID]
	s.seen[opID] = until
	s.smu.Unlock()
	if !present {
		s.SessionOpened(ctx, opID)
		select {
		case s.kickSeen <- struct{}{}:
		default:
		}
	}
}

// nextSeen returns how long until the first presence by API request ends.
func (s *Server) nextSeen() time.Duration {
	s.smu.Lock()
	defer s.smu.Unlock()
	next := time.Hour
	for _, until := range s.seen {
		next = min(next, max(time.Until(until), 0))
	}
	return next
}

// endSeen ends the presences by API request that are over at now and
// returns the commands for the operators that lost presence with them.
func (s *Server) endSeen(now time.Time) []*request {
	s.smu.Lock()
	var over []string
	for op, until := range s.seen {
		if !until.After(now) {
			over = append(over, op)
			delete(s.seen, op)
		}
	}
	s.smu.Unlock()
	slices.Sort(over)
	var batch []*request
	for _, op := range over {
		if s.closeSession(op) {
			batch = append(batch, &request{cmd: routing.PresenceLost{OperatorID: op}, done: make(chan struct{})})
		}
	}
	return batch
}
