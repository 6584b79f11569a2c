package postgres

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// acquireWhenFree retries Acquire for holder until it takes the lease (the
// current one expired) or a liveness timeout passes.
func acquireWhenFree(t *testing.T, s *Store, holder string, ttl time.Duration) sb.Lease {
	t.Helper()
	end := time.Now().Add(30 * time.Second)
	for time.Now().Before(end) {
		l, ok, _, err := s.Acquire(context.Background(), holder, holder+":80", 0, ttl)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return l
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never got the lease", holder)
	return sb.Lease{}
}

// TestLease: the lease goes to one holder at a time, by the database's
// clock; renewing keeps the epoch, a takeover after expiry or a release is
// the next epoch, and an expired or taken lease cannot be renewed.
func TestLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, newDatabase(t))
	a, ok, now, err := s.Acquire(ctx, "a", "a:80", 0, time.Hour)
	if err != nil || !ok || a.Holder != "a" || a.Epoch != 1 || !a.Expires.After(now) {
		t.Fatalf("first Acquire: %+v %v %v %v; want a's lease, epoch 1", a, ok, now, err)
	}
	if l, ok, _, err := s.Acquire(ctx, "b", "b:80", 0, time.Hour); err != nil || ok || l.Holder != "a" || l.Addr != "a:80" {
		t.Fatalf("b's Acquire of a held lease: %+v %v %v; want a's lease, not taken", l, ok, err)
	}
	if l, ok, _, err := s.Acquire(ctx, "a", "a:81", a.Epoch, 300*time.Millisecond); err != nil || !ok || l.Epoch != 1 || l.Addr != "a:81" {
		t.Fatalf("a's renewal: %+v %v %v; want epoch 1 at a:81", l, ok, err)
	}
	b := acquireWhenFree(t, s, "b", time.Hour)
	if b.Epoch != 2 {
		t.Errorf("takeover after expiry: epoch %d, want 2", b.Epoch)
	}
	if _, ok, _, err := s.Acquire(ctx, "a", "a:80", a.Epoch, time.Hour); err != nil || ok {
		t.Errorf("a renewed its lease after b took over: %v %v", ok, err)
	}
	if err := s.Release(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, ok, _, _ := s.Acquire(ctx, "c", "c:80", 0, time.Hour); ok {
		t.Fatal("a's stale Release ended b's lease")
	}
	if err := s.Release(ctx, b); err != nil {
		t.Fatal(err)
	}
	if c, ok, _, err := s.Acquire(ctx, "c", "c:80", 0, time.Hour); err != nil || !ok || c.Epoch != 3 {
		t.Errorf("Acquire after b's release: %+v %v %v; want c's lease, epoch 3", c, ok, err)
	}
	if _, _, _, err := s.Acquire(ctx, "", "x", 0, time.Hour); sb.ErrorCode(err) != sb.EINVALID || sb.ErrorField(err) != "holder" {
		t.Errorf("Acquire without a holder: %v, want EINVALID naming holder", err)
	}
}

// applied is a batch of n logged Tick commands ending at event counter ev.
func applied(n int, ev int64) *sb.Batch {
	b := &sb.Batch{Counters: sb.Counters{Event: ev}, Now: time.Unix(100, 0).UTC()}
	for i := range n {
		b.Applied = append(b.Applied, sb.Applied{Name: "tick", Body: json.RawMessage(`{}`),
			Now: time.Unix(100, int64(i)).UTC(), Events: ev})
	}
	return b
}

// TestFence: a fenced commit logs its commands after the head; once
// another instance took the lease over, the old leader's commit changes
// nothing, is refused from then on without a round trip, and Fence's
// channel is closed. Without a lease nothing commits.
func TestFence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := newDatabase(t)
	old, other := open(t, dbURL), open(t, dbURL)
	a, _, _, err := old.Acquire(ctx, "a", "a:80", 0, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	lost := old.Fence(a)
	if err := old.Commit(ctx, applied(2, 0)); err != nil {
		t.Fatal(err)
	}
	if err := old.Commit(ctx, applied(1, 0)); err != nil {
		t.Fatal(err)
	}
	cmds, err := other.Commands(ctx, 0, 10)
	if err != nil || len(cmds) != 3 || cmds[2].Seq != 3 || cmds[2].Epoch != a.Epoch || old.Head() != 3 {
		t.Fatalf("log after two commits: %+v %v, head %d; want seqs 1-3 of epoch %d", cmds, err, old.Head(), a.Epoch)
	}
	b := acquireWhenFree(t, other, "b", time.Hour)
	err = old.Commit(ctx, &sb.Batch{Events: []sb.Event{{Seq: 1, Name: "x"}}, Applied: applied(1, 1).Applied})
	if err == nil {
		t.Fatal("the old leader committed after the takeover")
	}
	select {
	case <-lost:
	default:
		t.Error("Fence's channel is open after a lost lease")
	}
	if evs, _ := other.Events(ctx, 0, 10); len(evs) != 0 {
		t.Errorf("the refused commit left events: %+v", evs)
	}
	if err := old.Commit(ctx, &sb.Batch{}); err != errNotLeader {
		t.Errorf("a commit after the loss: %v, want it refused at once", err)
	}
	other.Fence(b)
	if err := other.Commit(ctx, applied(1, 0)); err == nil {
		t.Error("a fenced commit without Load continued the log from 0")
	}
	if _, _, err := other.Load(ctx); err != nil || other.Head() != 3 {
		t.Fatalf("Head after Load: %d %v, want 3", other.Head(), err)
	}
	if err := other.Commit(ctx, applied(1, 0)); err != nil {
		t.Fatal(err)
	}
	if cmds, _ := other.Commands(ctx, 3, 10); len(cmds) != 1 || cmds[0].Seq != 4 || cmds[0].Epoch != b.Epoch {
		t.Errorf("the new leader's command: %+v; want seq 4 of epoch %d", cmds, b.Epoch)
	}
	other.Fence(sb.Lease{})
	if err := other.Commit(ctx, &sb.Batch{}); err != errNotLeader {
		t.Errorf("a commit with the zero lease: %v, want it refused", err)
	}
}

// TestTakeoverWaitsForCommit: a commit in flight when the lease expires
// holds the lease row; the takeover waits for it, so the old leader's last
// commit comes before the new leader's epoch, never after.
func TestTakeoverWaitsForCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := newDatabase(t)
	old, other := open(t, dbURL), open(t, dbURL)
	a, _, _, err := old.Acquire(ctx, "a", "a:80", 0, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := old.pool.Begin(ctx) // what Commit sends, left open
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT lease_fence($1, $2)`, a.Holder, a.Epoch); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO events (seq, name, chat_id, json) VALUES (1, 'last', '', '{}')`); err != nil {
		t.Fatal(err)
	}
	took := make(chan sb.Lease, 1)
	go func() { took <- acquireWhenFree(t, other, "b", time.Hour) }()
	select {
	case l := <-took:
		t.Fatalf("the lease was taken over (%+v) while the old leader's commit was in flight", l)
	case <-time.After(time.Second):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("the in-flight commit: %v", err)
	}
	if b := <-took; b.Epoch != a.Epoch+1 {
		t.Errorf("takeover epoch %d, want %d", b.Epoch, a.Epoch+1)
	}
}

// TestSnapshotHead: Snapshot reads the state and the head of the log from
// one snapshot.
func TestSnapshotHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, newDatabase(t))
	if _, ok, head, err := s.Snapshot(ctx); err != nil || ok || head != 0 {
		t.Fatalf("Snapshot of a fresh store: %v %d %v", ok, head, err)
	}
	a, _, _, err := s.Acquire(ctx, "a", "a:80", 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.Fence(a)
	if err := s.Commit(ctx, applied(3, 7)); err != nil {
		t.Fatal(err)
	}
	st, ok, head, err := s.Snapshot(ctx)
	if err != nil || !ok || head != 3 || st.Counters.Event != 7 {
		t.Errorf("Snapshot: ok %v, head %d, events %d, %v; want head 3 at event 7", ok, head, st.Counters.Event, err)
	}
	if err := s.Prune(ctx, 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	if cmds, err := s.Commands(ctx, 0, 10); err != nil || len(cmds) != 1 || cmds[0].Seq != 3 {
		t.Errorf("after Prune(keep 1): %+v %v; want command 3 only", cmds, err)
	}
}

// TestListen: commits of commands, announcements and token deletions reach
// a listener; it hears each kind once when it starts.
func TestListen(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := open(t, newDatabase(t))
	var mu sync.Mutex
	heard := map[string]int{}
	ch := make(chan string, 100)
	done := make(chan error, 1)
	go func() {
		done <- s.Listen(ctx, func(n string) {
			mu.Lock()
			heard[n]++
			mu.Unlock()
			ch <- n
		})
	}()
	wait := func(want string) {
		t.Helper()
		for {
			select {
			case n := <-ch:
				if n == want {
					return
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("no %s notification", want)
			}
		}
	}
	for range 3 { // the first of each kind
		<-ch
	}
	a, _, _, err := s.Acquire(ctx, "a", "a:80", 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.Fence(a)
	if err := s.Commit(ctx, applied(1, 0)); err != nil {
		t.Fatal(err)
	}
	wait(sb.NoticeCommands)
	if err := s.Announce(ctx, "i1", map[string]int{"op-1": 2, "op-2": 0}); err != nil {
		t.Fatal(err)
	}
	wait(sb.NoticeSessions)
	if err := s.Commit(ctx, &sb.Batch{Tokens: []sb.Token{{ID: "t", Hash: "h", Role: sb.RoleAdmin}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, &sb.Batch{DeletedTokens: []string{"t"}}); err != nil {
		t.Fatal(err)
	}
	wait(sb.NoticeTokens)
	cancel()
	if err := <-done; err == nil {
		t.Error("Listen returned no error when its context ended")
	}
}

// TestPresent: an operator is present while an instance that announced its
// session lately holds it; re-announcing replaces the sessions, and an
// instance not seen lately does not count.
func TestPresent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, newDatabase(t))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Announce(ctx, "i1", map[string]int{"op-1": 1, "op-2": 0}))
	must(s.Announce(ctx, "i2", map[string]int{"op-3": 2}))
	p, err := s.Present(ctx, time.Hour)
	if err != nil || len(p) != 2 || !p["op-1"] || !p["op-3"] {
		t.Fatalf("Present: %v %v; want op-1 and op-3", p, err)
	}
	must(s.Announce(ctx, "i1", nil))
	if p, _ := s.Present(ctx, time.Hour); len(p) != 1 || !p["op-3"] {
		t.Errorf("after i1 closed its sessions: %v; want op-3", p)
	}
	time.Sleep(10 * time.Millisecond)
	if p, _ := s.Present(ctx, time.Millisecond); len(p) != 0 {
		t.Errorf("sessions of instances not seen lately: %v; want none", p)
	}
	must(s.Prune(ctx, 100, time.Millisecond))
	var n int
	must(s.pool.QueryRow(ctx, `SELECT count(*) FROM panel_sessions`).Scan(&n))
	if n != 0 {
		t.Errorf("%d panel sessions of forgotten instances kept", n)
	}
	if err := s.Announce(ctx, "", nil); sb.ErrorField(err) != "instance" {
		t.Errorf("Announce without an instance: %v, want an error naming instance", err)
	}
}
