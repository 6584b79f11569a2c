package switchboard

import (
	"context"
	"encoding/json"
	"time"
)

// Applied is one command as the leader applied it: its name and JSON body
// (routing.EncodeCommand), the engine's clock after it and the engine's
// event counter after it. Another engine that applies the same commands at
// the same times makes the same decisions and events (the engine is
// deterministic), which is how followers keep their replicas.
type Applied struct {
	Seq    int64           `json:"seq"`   // set by the store: 1, 2, 3, …
	Epoch  int64           `json:"epoch"` // set by the store: the leader's term
	Name   string          `json:"name"`
	Body   json.RawMessage `json:"body"`
	Now    time.Time       `json:"now"`
	Events int64           `json:"events"`
}

// Lease is one term of leadership: Holder leads with Epoch until Expires,
// on the database's clock. Addr is where the other instances reach it.
type Lease struct {
	Holder  string    `json:"holder"`
	Addr    string    `json:"addr"`
	Epoch   int64     `json:"epoch"`
	Expires time.Time `json:"expires_at"`
}

// Notifications a ClusterStore's Listen passes on.
const (
	NoticeCommands = "commands" // the leader committed commands
	NoticeSessions = "sessions" // an instance announced its panel sessions
	NoticeTokens   = "tokens"   // a token was deleted
)

// ClusterStore is a Store that several server instances share (the postgres
// store; SQLite serves one instance). One instance at a time holds the
// leader lease, judged by the database's clock; once Fence is called, a
// Commit succeeds only while its lease is valid, checked inside the commit's
// own transaction, and logs the batch's Applied commands, which the other
// instances read with Commands and apply to their replicas. Errors are
// *Error, EINTERNAL for faults.
type ClusterStore interface {
	Store
	// Acquire takes the lease for holder when it has expired, as the next
	// epoch (epoch 0), or renews holder's unexpired lease of that epoch.
	// ok is false when neither applies; lease is then the current lease.
	// The lease ends ttl after the database's clock, returned as now.
	Acquire(ctx context.Context, holder, addr string, epoch int64, ttl time.Duration) (lease Lease, ok bool, now time.Time, err error)
	// Release ends l at once, so that another instance need not wait for it
	// to expire; it does nothing to a lease that is no longer l.
	Release(ctx context.Context, l Lease) error
	// Fence makes every later Commit check, in its transaction, that l is
	// the valid lease and log the batch's Applied commands under l.Epoch;
	// the zero Lease makes Commit refuse everything. The channel is closed
	// when a commit finds l lost; such a commit changed nothing.
	Fence(l Lease) <-chan struct{}
	// Head is the seq of the last command committed under the fence.
	Head() int64
	// Snapshot is Load together with the seq of the last command logged,
	// read from one snapshot.
	Snapshot(ctx context.Context) (st State, ok bool, head int64, err error)
	// Commands returns up to limit logged commands with Seq > after, in
	// order. The log is pruned: a gap means the caller must Snapshot again.
	Commands(ctx context.Context, after int64, limit int) ([]Applied, error)
	// Prune deletes all but the last keep logged commands and forgets the
	// instances not seen for forget (with their panel sessions).
	Prune(ctx context.Context, keep int64, forget time.Duration) error
	// Listen calls fn with NoticeCommands, NoticeSessions and NoticeTokens
	// as the database notifies them, until ctx ends or the connection fails
	// (its error). It calls fn with each of them once it listens, for what
	// happened before.
	Listen(ctx context.Context, fn func(notice string)) error
	// Announce records that instance is alive and has these panel sessions
	// open (operator id → count), replacing its previous announcement.
	Announce(ctx context.Context, instance string, sessions map[string]int) error
	// Present returns the operators with a panel session on an instance
	// that announced itself within the last within.
	Present(ctx context.Context, within time.Duration) (map[string]bool, error)
}
