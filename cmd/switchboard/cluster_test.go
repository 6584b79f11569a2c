package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/postgres"
	"github.com/switchboard/switchboard/postgres/pgtest"
)

// Several instances on one PostgreSQL database, in this process: the
// wiring of Main with --database-url, forwarding, replication, presence.
// The failover and split-brain tests, with child processes killed and
// stopped, are in failover_test.go.

// clusterTTL is the lease TTL of the test instances.
const clusterTTL = time.Second

// e2ePGStart runs a Main on a free port over the database at dbURL.
func e2ePGStart(t *testing.T, dbURL string) *e2eSrv {
	t.Helper()
	m := NewMain()
	m.Config.Addr, m.Config.DatabaseURL, m.Config.LeaseTTL = "127.0.0.1:0", dbURL, clusterTTL
	m.Config.Data = "" // the state is in PostgreSQL
	return e2eRun(t, m)
}

// readyz is an instance's /readyz answer.
type readyz struct {
	Status  string `json:"status"`
	Role    string `json:"role"`
	Leader  string `json:"leader"`
	Epoch   int64  `json:"epoch"`
	Applied int64  `json:"applied"`
}

func (s *e2eSrv) readyz() readyz {
	s.t.Helper()
	var r readyz
	s.must(200, "GET", "/readyz", "", nil).into(s.t, &r)
	return r
}

// e2ePGPair starts a leader and then a follower on a fresh database.
func e2ePGPair(t *testing.T) (leader, follower *e2eSrv) {
	dbURL := pgtest.NewDatabase(t)
	leader = e2ePGStart(t, dbURL)
	follower = e2ePGStart(t, dbURL)
	if r := leader.readyz(); r.Role != "leader" || r.Status != "ready" {
		t.Fatalf("the first instance: %+v, want the ready leader", r)
	}
	if r := follower.readyz(); r.Role != "follower" || r.Leader != leader.m.Addr {
		t.Fatalf("the second instance: %+v, want a follower of %s", r, leader.m.Addr)
	}
	return leader, follower
}

// TestClusterWritesThroughFollower: a client that talks only to the
// follower configures, connects and closes; every answer is the leader's,
// and the follower's own reads show each write at once (read-your-writes).
// The follower's event stream carries exactly the events of the log, and
// so does the leader's.
func TestClusterWritesThroughFollower(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	fromLeader := leader.openStream(leader.admin, 0)
	fromFollower := f.openStream(f.admin, 0)
	start := f.lastSeq()
	f.topic("support")
	f.operator("op-1", map[string]any{"max_chats": 1})
	f.group("g", []string{"support"}, []string{"op-1"})
	f.setStatus("op-1", sb.StatusOnline)
	if o := f.op("op-1"); o.Status != sb.StatusOnline {
		t.Fatalf("the follower reads %s after its own write", o.Status)
	}
	integ := f.token(sb.RoleIntegrator, "")
	c1 := f.connectChat(integ, "c1", "telegram", map[string]any{"subject_alias": "support", "auto_connect_operator": true})
	if c1.Status != sb.ChatActive || f.op("op-1").Active != 1 {
		t.Fatalf("chat %+v; op-1 has %d active, want the chat active on op-1", c1, f.op("op-1").Active)
	}
	c2 := f.connectChat(integ, "c2", "telegram", map[string]any{"subject_alias": "support", "auto_connect_operator": true, "status": "queue"})
	if q := f.queue(); c2.Status != sb.ChatQueued || len(q) != 1 {
		t.Fatalf("chat %+v, queue %+v; want c2 queued", c2, q)
	}
	f.must(200, "POST", "/api/v1/chats/"+c1.ID+"/close", f.admin, map[string]any{"comment": "done"})
	if got := f.chat(c2.ID); got.Status != sb.ChatActive || got.OperatorID != "op-1" {
		t.Fatalf("after the close the follower shows c2 %s with %q, want active on op-1", got.Status, got.OperatorID)
	}
	logged := f.events(start)
	last := logged[len(logged)-1].Seq
	for name, st := range map[string]*e2eStream{"leader": fromLeader, "follower": fromFollower} {
		got := st.until(func(e e2eSSE) bool { return e.ID == last })
		var streamed []sb.Event
		for _, e := range got {
			if e.ID > start {
				streamed = append(streamed, e.Ev)
			}
		}
		if a, b := e2eJSON(t, logged), e2eJSON(t, streamed); a != b {
			t.Errorf("the %s's stream differs from the log:\nlog    %s\nstream %s", name, a, b)
		}
	}
	if r := f.readyz(); r.Role != "follower" {
		t.Errorf("the follower became %s", r.Role)
	}
}

// TestClusterHandOver: a leader that shuts down releases the lease; the
// follower leads at once, with everything committed, and a new instance
// follows it.
func TestClusterHandOver(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	leader.topic("support")
	leader.operator("op-1", nil)
	leader.stop()
	e2eEventually(t, "the follower to lead", func() bool { return f.readyz().Role == "leader" })
	f.group("g", []string{"support"}, []string{"op-1"})
	if o := f.op("op-1"); o.ID != "op-1" {
		t.Fatalf("the new leader lost op-1: %+v", o)
	}
	third := e2ePGStart(t, f.m.Config.DatabaseURL)
	if r := third.readyz(); r.Role != "follower" || r.Leader != f.m.Addr {
		t.Errorf("a new instance: %+v, want a follower of %s", r, f.m.Addr)
	}
	if g := third.do("GET", "/api/v1/skill-groups/g", third.admin, nil); g.Status != 200 {
		t.Errorf("the new instance reads the group: %s", g)
	}
}

// TestClusterPresence: an operator's panel session on a follower keeps the
// operator connected on the leader; when it closes, the leader hears that.
func TestClusterPresence(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	leader.topic("support")
	leader.operator("op-1", nil)
	op := leader.token(sb.RoleOperator, "op-1")
	// The follower reads its writes, not the leader's: until it has
	// replicated op-1 it refuses op-1's token (401) and no session opens.
	e2eEventually(t, "op-1 on the follower", func() bool {
		return f.do("GET", "/api/v1/operators/op-1", f.admin, nil).Status == http.StatusOK
	})
	st := f.openStream(op, 0)
	if st.Status != http.StatusOK {
		t.Fatalf("op-1's stream on the follower: status %d", st.Status)
	}
	e2eEventually(t, "op-1 connected on the leader", func() bool { return leader.op("op-1").Connected })
	st.close()
	e2eEventually(t, "op-1 disconnected on the leader", func() bool { return !leader.op("op-1").Connected })
	f.openStream(op, 0)
	e2eEventually(t, "op-1 connected again", func() bool { return leader.op("op-1").Connected })
	f.stop() // the session's instance is gone
	e2eEventually(t, "op-1 disconnected with its instance", func() bool { return !leader.op("op-1").Connected })
}

// TestClusterPresenceByAPI: requests an operator makes through a follower,
// without an event stream, keep it present on the leader; once they stop,
// the presence ends (after the window of the last request).
func TestClusterPresenceByAPI(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	leader.operator("op-1", nil)
	leader.settings(map[string]any{"auto_offline_after_s": 10}) // a window of 1 s
	op := leader.token(sb.RoleOperator, "op-1")
	e2eEventually(t, "the follower at the leader's settings", func() bool {
		var s sb.Settings
		f.must(200, "GET", "/api/v1/settings", f.admin, nil).into(t, &s)
		return s.AutoOfflineAfterS == 10
	})
	f.must(204, "POST", "/api/v1/presence", op, nil) // a write: the leader answers it
	e2eEventually(t, "op-1 present on the leader", func() bool { return leader.op("op-1").Connected })
	e2eEventually(t, "op-1's presence over", func() bool { return !leader.op("op-1").Connected })
	f.must(200, "GET", "/api/v1/chats?folder=mine", op, nil) // a read: the follower answers it
	e2eEventually(t, "op-1 present again through a read on the follower", func() bool { return leader.op("op-1").Connected })
}

// TestClusterTokenDeleted: a token deleted through one instance stops
// working on the other, which had it cached.
func TestClusterTokenDeleted(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	r := f.must(201, "POST", "/api/v1/tokens", f.admin, map[string]any{"role": sb.RoleSupervisor})
	var tok struct{ ID, Token string }
	r.into(t, &tok)
	leader.must(200, "GET", "/api/v1/queue", tok.Token, nil) // cached there now
	f.must(204, "DELETE", "/api/v1/tokens/"+tok.ID, f.admin, nil)
	e2eEventually(t, "the deleted token refused by the leader", func() bool {
		return leader.do("GET", "/api/v1/queue", tok.Token, nil).Status == http.StatusUnauthorized
	})
	if got := f.do("GET", "/api/v1/queue", tok.Token, nil); got.Status != http.StatusUnauthorized {
		t.Errorf("the follower accepts the deleted token: %s", got)
	}
}

// TestClusterReadyz: /readyz names the role and the leader; the answers of
// writes carry the command seq.
func TestClusterReadyz(t *testing.T) {
	t.Parallel()
	leader, f := e2ePGPair(t)
	w := f.must(201, "POST", "/api/v1/topics", f.admin, map[string]any{"alias": "t", "name": "t"})
	if w.Header.Get("Switchboard-Command-Seq") == "" {
		t.Errorf("a write's answer has no command seq: %v", w.Header)
	}
	lr, fr := leader.readyz(), f.readyz()
	if lr.Epoch != fr.Epoch || fr.Applied < 1 || lr.Applied < fr.Applied {
		t.Errorf("leader %+v, follower %+v", lr, fr)
	}
	raw, _ := json.Marshal(fr)
	t.Logf("follower /readyz: %s", raw)
}

// TestClusterPresenceExpires: the panel sessions of an instance that stops
// announcing itself (it died) end after the lease TTL.
func TestClusterPresenceExpires(t *testing.T) {
	t.Parallel()
	leader, _ := e2ePGPair(t)
	leader.operator("op-1", nil)
	ghost, err := postgres.Open(context.Background(), leader.m.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ghost.Close()
	if err := ghost.Announce(context.Background(), "ghost", map[string]int{"op-1": 1}); err != nil {
		t.Fatal(err)
	}
	e2eEventually(t, "op-1 connected through the ghost's session", func() bool { return leader.op("op-1").Connected })
	e2eEventually(t, "op-1 disconnected once the ghost is silent", func() bool { return !leader.op("op-1").Connected })
}

// TestClusterLeaseTakenAway: when another holder takes the lease (here by
// force, as if the leader had paused past it and another had taken over),
// the leader's next write commits nothing and fails, and the leader steps
// down; once the lease is free again it leads a new epoch.
func TestClusterLeaseTakenAway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := e2ePGStart(t, pgtest.NewDatabase(t))
	a.topic("before")
	db := pgConn(t, a.m.Config.DatabaseURL)
	thief := sb.Lease{Holder: "thief"}
	err := db.QueryRow(ctx, `UPDATE leader SET holder = 'thief', addr = '127.0.0.1:1', epoch = epoch + 1,
		expires_at = clock_timestamp() + interval '1 hour' RETURNING epoch`).Scan(&thief.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	if w := a.do("POST", "/api/v1/topics", a.admin, map[string]any{"alias": "during", "name": "during"}); w.Status < 500 {
		t.Fatalf("a write to the old leader while the thief holds the lease: %s, want an error", w)
	}
	e2eEventually(t, "the old leader to step down", func() bool { return a.readyz().Role == "follower" })
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM commands WHERE epoch >= $1`, thief.Epoch).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d commands committed under the thief's epoch or later (%v)", n, err)
	}
	store, err := postgres.Open(ctx, a.m.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Release(ctx, thief); err != nil {
		t.Fatal(err)
	}
	e2eEventually(t, "the old leader to lead again", func() bool { return a.readyz().Role == "leader" })
	if r := a.readyz(); r.Epoch != thief.Epoch+1 {
		t.Errorf("epoch %d after the thief's %d", r.Epoch, thief.Epoch)
	}
	a.topic("after")
	var topics []sb.Topic
	a.must(200, "GET", "/api/v1/topics", a.admin, nil).into(t, &topics)
	var got []string
	for _, tp := range topics {
		got = append(got, tp.Alias)
	}
	if slices.Sort(got); !slices.Equal(got, []string{"after", "before"}) {
		t.Errorf("topics %v, want after and before, not during", got)
	}
}
