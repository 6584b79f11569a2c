// Package cluster runs one of several server instances that share a
// database (docs/HA.md). One instance at a time holds the leader lease in
// the database and runs the writer; the others follow: they keep their
// engines replicas of the leader's by replaying its command log, serve reads
// and event streams from them, and pass writes on to the leader. When the
// leader's lease lapses another instance takes it over.
package cluster

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

// Roles.
const (
	RoleStarting = "starting"
	RoleFollower = "follower"
	RoleLeader   = "leader"
)

// DefaultTTL is the leader lease's default time to live: the leader renews
// it every third of that, and a dead leader is replaced within about that.
const DefaultTTL = 5 * time.Second

// Node is this instance's part in the cluster.
type Node struct {
	Store sb.ClusterStore
	App   *server.Server
	Log   *slog.Logger
	// ID names this instance (the lease holder); unique per process.
	ID string
	// Addr is where the other instances reach this one (host:port).
	Addr string
	// TTL is the lease's time to live.
	TTL time.Duration
	// OnTokensDeleted, when set, is called when a token was deleted on any
	// instance (the API's token cache forgets).
	OnTokensDeleted func()

	mu      sync.Mutex
	st      status
	changed chan struct{} // closed and replaced on every change of st

	kickCommands chan struct{}
	kickSessions chan struct{}
	kickAnnounce chan struct{}
	smu          sync.Mutex
	sessions     map[string]int       // this instance's open panel sessions
	seen         map[string]time.Time // operators present by API request, until (Seen)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// status is what the node is doing.
type status struct {
	role    string
	ready   bool            // the engine holds committed state
	leader  sb.Lease        // the lease as last seen (this node's when leading)
	applied int64           // the last command the replica applied
	term    context.Context // while leading: ends with the term
}

// New returns a node for app over store, reached by the other instances at
// addr; Start runs it. It makes app journal its commands and hand panel
// sessions to the node.
func New(store sb.ClusterStore, app *server.Server, log *slog.Logger, addr string, ttl time.Duration) *Node {
	n := &Node{
		Store: store, App: app, Log: log, ID: "sb-" + rand.Text()[:12], Addr: addr, TTL: ttl,
		st: status{role: RoleStarting}, changed: make(chan struct{}),
		kickCommands: make(chan struct{}, 1), kickSessions: make(chan struct{}, 1), kickAnnounce: make(chan struct{}, 1),
		sessions: map[string]int{}, seen: map[string]time.Time{},
	}
	app.Journal, app.Sessions = true, n
	return n
}

// Start runs the node and returns once its engine holds the committed state
// and it knows the leader (itself or another), or when ctx ends.
func (n *Node) Start(ctx context.Context) error {
	if n.TTL < 100*time.Millisecond {
		return errors.New("cluster: the lease TTL must be at least 100ms")
	}
	run, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.cancel = cancel
	for _, fn := range []func(context.Context){n.listen, n.announce, n.run} {
		n.wg.Go(func() { fn(run) })
	}
	return n.wait(ctx, func(st status) bool { return st.ready && st.leader.Holder != "" })
}

// Close steps down (releasing the lease, so that another instance takes
// over at once), withdraws this instance's panel sessions and stops.
func (n *Node) Close() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	n.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Store.Announce(ctx, n.ID, nil); err != nil {
		n.Log.Warn("withdraw panel sessions", "err", err)
	}
}

// Status returns the role, whether the engine is ready, the lease as last
// seen and the last command applied.
func (n *Node) Status() (role string, ready bool, leader sb.Lease, applied int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.st.role, n.st.ready, n.st.leader, n.st.applied
}

// update changes the status and wakes every waiter.
func (n *Node) update(fn func(*status)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fn(&n.st)
	close(n.changed)
	n.changed = make(chan struct{})
}

// wait returns once cond holds for the status, or ctx's error.
func (n *Node) wait(ctx context.Context, cond func(status) bool) error {
	for {
		n.mu.Lock()
		st, ch := n.st, n.changed
		n.mu.Unlock()
		if cond(st) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run alternates between following and leading until ctx ends.
func (n *Node) run(ctx context.Context) {
	for ctx.Err() == nil {
		lease, renewed, ok := n.follow(ctx)
		if !ok {
			return
		}
		n.lead(ctx, lease, renewed)
	}
}

// listen passes the database's notifications on, reconnecting after a
// failure.
func (n *Node) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := n.Store.Listen(ctx, n.notice)
		if ctx.Err() != nil {
			return
		}
		n.Log.Warn("listening for notifications failed; retrying", "err", err)
		sleep(ctx, time.Second)
	}
}

func (n *Node) notice(kind string) {
	switch kind {
	case sb.NoticeCommands:
		kick(n.kickCommands)
	case sb.NoticeSessions:
		kick(n.kickSessions)
	case sb.NoticeTokens:
		if n.OnTokensDeleted != nil {
			n.OnTokensDeleted()
		}
	}
}

// kick wakes the loop waiting on ch, without blocking.
func kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
