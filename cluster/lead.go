package cluster

import (
	"context"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// keepCommands is how many logged commands the leader keeps for followers
// that fall behind; one further behind loads the whole state instead.
const keepCommands = 100000

// lead runs the writer for one term of the lease, from its acquisition
// (the Acquire sent at renewed) until the lease is lost, cannot be renewed
// in time, or ctx ends (the lease is then released).
func (n *Node) lead(ctx context.Context, lease sb.Lease, renewed time.Time) {
	lost := n.Store.Fence(lease)
	if err := n.App.Reload(ctx); err != nil { // Load, under the fence
		n.Log.Error("leader: load the state", "err", err)
		n.resign(lease)
		sleep(ctx, n.TTL/3)
		return
	}
	term, end := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { n.App.Run(term) })
	wg.Go(func() { n.presence(term) })
	n.update(func(st *status) {
		st.role, st.ready, st.leader, st.applied, st.term = RoleLeader, true, lease, n.Store.Head(), term
	})
	n.Log.Info("leading", "epoch", lease.Epoch)
	why := n.hold(ctx, lease, renewed, lost)
	n.update(func(st *status) { st.role, st.term = RoleFollower, nil })
	end()
	wg.Wait()
	n.Log.Info("stepped down", "epoch", lease.Epoch, "why", why)
	n.resign(lease)
}

// resign refuses every further commit and releases the lease (a no-op when
// it is already lost).
func (n *Node) resign(lease sb.Lease) {
	n.Store.Fence(sb.Lease{})
	ctx, cancel := context.WithTimeout(context.Background(), n.TTL)
	defer cancel()
	if err := n.Store.Release(ctx, lease); err != nil {
		n.Log.Warn("release the lease", "err", err)
	}
}

// hold renews the lease every third of its TTL and returns why the term
// ends: the lease was lost (a renewal or a commit found another holder),
// could not be renewed within its TTL, or ctx ended.
func (n *Node) hold(ctx context.Context, lease sb.Lease, renewed time.Time, lost <-chan struct{}) string {
	tick := time.NewTicker(n.TTL / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return "shutting down"
		case <-lost:
			return "a commit found the lease lost"
		case <-tick.C:
		}
		sent := time.Now()
		rctx, cancel := context.WithTimeout(ctx, n.TTL/3)
		l, ok, _, err := n.Store.Acquire(rctx, n.ID, n.Addr, lease.Epoch, n.TTL)
		cancel()
		switch {
		case err == nil && !ok:
			return "the lease was lost"
		case err == nil:
			renewed = sent
			n.update(func(st *status) { st.leader = l })
			n.prune(ctx)
		case time.Since(renewed) >= n.TTL:
			return "the lease could not be renewed in time: " + err.Error()
		default:
			n.Log.Warn("renew the lease", "err", err)
		}
	}
}

// prune trims the command log and forgets instances long gone.
func (n *Node) prune(ctx context.Context) {
	if err := n.Store.Prune(ctx, keepCommands, 100*n.TTL); err != nil {
		n.Log.Warn("prune", "err", err)
	}
}

// presence keeps the engine's presence equal to the panel sessions the
// instances announced, until ctx ends: on every announcement and every
// third of the TTL, since an instance that stops announcing loses its
// sessions after the TTL.
func (n *Node) presence(ctx context.Context) {
	tick := time.NewTicker(n.TTL / 3)
	defer tick.Stop()
	for {
		n.reconcile(ctx)
		select {
		case <-ctx.Done():
			return
		case <-n.kickSessions:
		case <-tick.C:
		}
	}
}

// reconcile sends PresenceRestored or PresenceLost for each operator whose
// presence in the engine differs from the announced sessions.
func (n *Node) reconcile(ctx context.Context) {
	present, err := n.Store.Present(ctx, n.TTL)
	if err != nil {
		if ctx.Err() == nil {
			n.Log.Warn("presence", "err", err)
		}
		return
	}
	var cmds []routing.Command
	n.App.View(func(e *routing.Engine) {
		for _, o := range e.Operators() {
			switch {
			case present[o.ID] && !o.Connected:
				cmds = append(cmds, routing.PresenceRestored{OperatorID: o.ID})
			case !present[o.ID] && o.Connected:
				cmds = append(cmds, routing.PresenceLost{OperatorID: o.ID})
			}
		}
	})
	for _, cmd := range cmds {
		if _, err := n.App.Do(ctx, cmd); err != nil && ctx.Err() == nil {
			n.Log.Warn("presence", "err", err)
		}
	}
}
