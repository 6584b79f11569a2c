package cluster

import (
	"context"
	"maps"
	"time"
)

// Panel sessions are kept in the database per instance: each instance
// announces its open sessions (at once when they change, and every third
// of the TTL as a heartbeat), and the leader derives presence from the
// sessions of the instances that announced themselves within the TTL. So a
// new leader knows the sessions held on every instance, and the sessions of
// an instance that died end within about the TTL.

// Opened counts a panel session of an operator on this instance.
func (n *Node) Opened(_ context.Context, operatorID string) {
	n.smu.Lock()
	n.sessions[operatorID]++
	n.smu.Unlock()
	kick(n.kickAnnounce)
}

// Closed ends one.
func (n *Node) Closed(_ context.Context, operatorID string) {
	n.smu.Lock()
	if n.sessions[operatorID]--; n.sessions[operatorID] <= 0 {
		delete(n.sessions, operatorID)
	}
	n.smu.Unlock()
	kick(n.kickAnnounce)
}

// Seen counts an API request of an operator as a session on this instance
// until the given time (server.Server.Seen).
func (n *Node) Seen(operatorID string, until time.Time) {
	n.smu.Lock()
	_, present := n.seen[operatorID]
	n.seen[operatorID] = until
	n.smu.Unlock()
	if !present {
		kick(n.kickAnnounce)
	}
}

// present returns this instance's sessions: the open panel sessions, and
// one for each operator seen until a time after now (the others are
// forgotten).
func (n *Node) present(now time.Time) map[string]int {
	n.smu.Lock()
	defer n.smu.Unlock()
	sessions := maps.Clone(n.sessions)
	for op, until := range n.seen {
		if until.After(now) {
			sessions[op]++
		} else {
			delete(n.seen, op)
		}
	}
	return sessions
}

// announce writes this instance's sessions on every change and every third
// of the TTL, until ctx ends.
func (n *Node) announce(ctx context.Context) {
	tick := time.NewTicker(n.TTL / 3)
	defer tick.Stop()
	for {
		sessions := n.present(time.Now())
		if err := n.Store.Announce(ctx, n.ID, sessions); err != nil && ctx.Err() == nil {
			n.Log.Warn("announce panel sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-n.kickAnnounce:
		case <-tick.C:
		}
	}
}
