package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	sb "github.com/switchboard/switchboard"
)

var _ sb.ClusterStore = (*Store)(nil)

// leaseLost is the SQLSTATE lease_fence raises (migration 0002).
const leaseLost = "SBL01"

// sqlAcquire takes an expired lease as the next epoch ($4 = 0) or renews
// the holder's unexpired lease of epoch $4, by the database's clock, and
// returns the lease as it stands, whether this call got it, and the clock.
// Two instances taking an expired lease at once are serialised by the row
// lock; the second sees the first's lease and gets nothing.
const sqlAcquire = `WITH u AS (
		UPDATE leader SET holder = $1, addr = $2,
			epoch = CASE WHEN $4 = 0 THEN epoch + 1 ELSE epoch END,
			expires_at = clock_timestamp() + $3 * interval '1 microsecond'
		WHERE id = 1 AND ($4 = 0 AND expires_at <= clock_timestamp()
			OR $4 > 0 AND holder = $1 AND epoch = $4 AND expires_at > clock_timestamp())
		RETURNING holder, addr, epoch, expires_at)
	SELECT holder, addr, epoch, expires_at, true, clock_timestamp() FROM u
	UNION ALL
	SELECT holder, addr, epoch, expires_at, false, clock_timestamp() FROM leader
		WHERE id = 1 AND NOT EXISTS (SELECT FROM u)`

// Acquire takes the lease for holder when it has expired, as the next epoch
// (epoch 0), or renews holder's unexpired lease of that epoch. ok is false
// when neither applies; lease is then the current lease. The lease ends ttl
// after the database's clock, returned as now.
func (s *Store) Acquire(ctx context.Context, holder, addr string, epoch int64, ttl time.Duration) (sb.Lease, bool, time.Time, error) {
	if holder == "" || ttl <= 0 {
		return sb.Lease{}, false, time.Time{}, sb.Errorf(sb.EINVALID, "holder", "a lease needs a holder and a positive ttl")
	}
	var l sb.Lease
	var ok bool
	var now time.Time
	err := s.ctl.QueryRow(ctx, sqlAcquire, holder, addr, ttl.Microseconds(), epoch).
		Scan(&l.Holder, &l.Addr, &l.Epoch, &l.Expires, &ok, &now)
	if err != nil {
		return sb.Lease{}, false, time.Time{}, translate(err, "lease")
	}
	return l, ok, now, nil
}

// Release ends l at once; it does nothing to a lease that is no longer l.
func (s *Store) Release(ctx context.Context, l sb.Lease) error {
	_, err := s.ctl.Exec(ctx, `UPDATE leader SET expires_at = clock_timestamp()
		WHERE id = 1 AND holder = $1 AND epoch = $2 AND expires_at > clock_timestamp()`, l.Holder, l.Epoch)
	return translate(err, "lease")
}

// fence is the lease every commit checks once Fence was called, and the
// head of the command log those commits extend.
type fence struct {
	mu    sync.Mutex
	on    bool
	lease sb.Lease
	lost  chan struct{}
	head  int64
}

// Fence makes every later Commit check, in its transaction, that l is the
// valid lease and log the batch's Applied commands under l.Epoch; the zero
// Lease makes Commit refuse everything. The channel is closed when a commit
// finds l lost.
func (s *Store) Fence(l sb.Lease) <-chan struct{} {
	f := &s.fence
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on, f.lease, f.lost = true, l, make(chan struct{})
	return f.lost
}

// Head is the seq of the last command committed under the fence, or read
// by the last Load.
func (s *Store) Head() int64 {
	s.fence.mu.Lock()
	defer s.fence.mu.Unlock()
	return s.fence.head
}

// fenced returns the lease a commit must check and the head it extends;
// on is false when Fence was never called.
func (s *Store) fenced() (l sb.Lease, head int64, on bool) {
	f := &s.fence
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lease, f.head, f.on
}

// committedUnder records a fenced commit of n commands under l.
func (s *Store) committedUnder(l sb.Lease, n int) {
	f := &s.fence
	f.mu.Lock()
	defer f.mu.Unlock()
	if sameTerm(f.lease, l) {
		f.head += int64(n)
	}
}

// setHead records the head read by Load.
func (s *Store) setHead(head int64) {
	s.fence.mu.Lock()
	s.fence.head = head
	s.fence.mu.Unlock()
}

// lose marks l lost: later commits are refused without a round trip, and
// Fence's channel is closed.
func (s *Store) lose(l sb.Lease) {
	f := &s.fence
	f.mu.Lock()
	defer f.mu.Unlock()
	if sameTerm(f.lease, l) && l.Epoch != 0 {
		f.lease = sb.Lease{}
		close(f.lost)
	}
}

func sameTerm(a, b sb.Lease) bool { return a.Holder == b.Holder && a.Epoch == b.Epoch }

// errNotLeader answers a commit with no lease to check.
var errNotLeader = &sb.Error{Code: sb.EINTERNAL, Message: "postgres: this instance does not hold the leader lease; not saved"}

// isLeaseLost reports whether err is lease_fence's.
func isLeaseLost(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == leaseLost
}
