package cluster

import (
	"context"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Replication tuning.
const (
	pageSize  = 1000        // commands read at once
	pollEvery = time.Second // reading the log without a notification
)

// follow keeps the replica until this node takes the lease: it returns the
// lease and when the Acquire that got it was sent (the lease runs at least
// TTL from then), or ok false when ctx ended.
func (n *Node) follow(ctx context.Context) (lease sb.Lease, sent time.Time, ok bool) {
	fctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { n.replicate(fctx) })
	defer wg.Wait() // the replica is left alone before leading
	defer stop()
	for {
		sent = time.Now()
		l, got, now, err := n.Store.Acquire(ctx, n.ID, n.Addr, 0, n.TTL)
		wait := n.TTL / 3
		switch {
		case err != nil && ctx.Err() == nil:
			n.Log.Warn("lease", "err", err)
		case err != nil:
		case got:
			return l, sent, true
		default:
			n.update(func(st *status) { st.leader = l })
			// Try again when it expires, by the database's clock.
			wait = max(min(wait, l.Expires.Sub(now)+time.Millisecond), time.Millisecond)
		}
		sleep(ctx, wait)
		if ctx.Err() != nil {
			return sb.Lease{}, time.Time{}, false
		}
	}
}

// replicate loads the committed state and then applies the leader's
// commands as they are logged, until ctx ends.
func (n *Node) replicate(ctx context.Context) {
	applied := int64(-1) // not loaded
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	for ctx.Err() == nil {
		if applied < 0 {
			applied = n.resync(ctx)
			continue
		}
		next, more := n.catchUp(ctx, applied)
		applied = next
		if more || applied < 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-n.kickCommands:
		case <-poll.C:
		}
	}
}

// resync replaces the replica with the committed state and returns the
// last command it includes; -1 when it could not (ctx ended, or a fault
// logged). A database nobody committed to yet is waited for: the first
// leader writes the initial configuration.
func (n *Node) resync(ctx context.Context) int64 {
	for ctx.Err() == nil {
		st, ok, head, err := n.Store.Snapshot(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			n.Log.Warn("replica: load", "err", err)
		case err != nil:
		case ok:
			if err := n.App.Reset(ctx, st); err != nil {
				if ctx.Err() == nil {
					n.Log.Error("replica: reset", "err", err)
				}
				break
			}
			n.update(func(s *status) { s.role, s.ready, s.applied = RoleFollower, true, head })
			return head
		}
		sleep(ctx, 100*time.Millisecond)
	}
	return -1
}

// catchUp applies the logged commands after applied, one page, and returns
// the last one applied (-1: the replica must be loaded again) and whether
// more may be waiting.
func (n *Node) catchUp(ctx context.Context, applied int64) (int64, bool) {
	cmds, err := n.Store.Commands(ctx, applied, pageSize)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			n.Log.Warn("replica: read the command log", "err", err)
		}
		return applied, false
	case len(cmds) == 0:
		return applied, false
	case cmds[0].Seq != applied+1:
		n.Log.Info("replica: the log was pruned past it; loading", "applied", applied, "first", cmds[0].Seq)
		return -1, false
	}
	if err := n.App.Replay(cmds); err != nil {
		n.Log.Error("replica: diverged from the leader; loading", "err", err)
		return -1, false
	}
	last := cmds[len(cmds)-1].Seq
	n.update(func(s *status) { s.applied = last })
	return last, len(cmds) == pageSize
}
