package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/postgres/pgtest"
)

// Several instances as child processes on one PostgreSQL database, killed
// with SIGKILL (TestFailover) and stopped with SIGSTOP (TestSplitBrain).
// The children are this test binary run again with SB_HA_CHILD set (see
// TestMain in crash_test.go).

// haTTL is the children's lease TTL.
const haTTL = 2 * time.Second

// haChild serves on the database at dbURL until it is killed, printing its
// address once it is ready; it logs to the file SB_HA_LOG.
func haChild(dbURL string) {
	m := NewMain()
	m.Config.Addr, m.Config.DatabaseURL, m.Config.AdminToken = "127.0.0.1:0", dbURL, sbAdminSecret
	m.Config.LeaseTTL = haTTL
	out := io.Discard
	if f, err := os.OpenFile(os.Getenv("SB_HA_LOG"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
		out = f
	}
	m.Log = slog.New(slog.NewTextHandler(out, nil))
	runUntilKilled(m)
}

// haCluster is the running children.
type haCluster struct {
	t     *testing.T
	db    string
	logs  string
	mu    sync.Mutex
	nodes []*haNode
	n     int // children started
}

// haNode is one child; dead once killed.
type haNode struct {
	*child
	name string
	log  string
	dead bool
}

func newHACluster(t *testing.T, size int) *haCluster {
	c := &haCluster{t: t, db: pgtest.NewDatabase(t), logs: t.TempDir()}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			if !n.dead {
				n.kill()
			}
		}
		if t.Failed() {
			c.dumpLogs()
		}
	})
	for range size {
		c.start()
	}
	return c
}

// start runs one more child and waits until it is ready.
func (c *haCluster) start() *haNode {
	c.t.Helper()
	c.n++
	name := "i" + strconv.Itoa(c.n)
	logf := filepath.Join(c.logs, name+".log")
	n := &haNode{child: startChildEnv(c.t, "SB_HA_CHILD="+c.db, "SB_HA_LOG="+logf), name: name, log: logf}
	c.mu.Lock()
	c.nodes = append(c.nodes, n)
	c.mu.Unlock()
	return n
}

// live returns the children not killed.
func (c *haCluster) live() []*haNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*haNode
	for _, n := range c.nodes {
		if !n.dead {
			out = append(out, n)
		}
	}
	return out
}

func (c *haCluster) kill(n *haNode) {
	c.mu.Lock()
	n.dead = true
	c.mu.Unlock()
	n.kill()
}

// readyz asks a child for its role; ok false when it does not answer in
// a few seconds.
func (n *haNode) readyz() (r readyz, ok bool) {
	resp, err := readyzClient.Get("http://" + n.addr + "/readyz")
	if err != nil {
		return r, false
	}
	defer resp.Body.Close()
	return r, resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(&r) == nil
}

var readyzClient = &http.Client{Timeout: 3 * time.Second}

// leader waits until exactly one live child leads, with an epoch above
// after, and the others follow it; it returns the leader.
func (c *haCluster) leader(after int64) (*haNode, readyz) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var lead *haNode
		var lr readyz
		leaders, followers := 0, 0
		for _, n := range c.live() {
			r, ok := n.readyz()
			switch {
			case ok && r.Role == "leader" && r.Epoch > after:
				lead, lr, leaders = n, r, leaders+1
			case ok && r.Role == "follower":
				followers++
			}
		}
		if leaders == 1 && followers == len(c.live())-1 {
			return lead, lr
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("no single leader with an epoch above %d", after)
	return nil, readyz{}
}

// settled waits until every live follower has applied all the leader has
// committed (the load being stopped) and returns the leader.
func (c *haCluster) settled() *haNode {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		lead, lr := c.leader(0)
		same := true
		for _, n := range c.live() {
			if r, ok := n.readyz(); !ok || r.Applied != lr.Applied || r.Epoch != lr.Epoch {
				same = false
			}
		}
		if same {
			return lead
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatal("the followers did not catch up with the leader")
	return nil
}

func (c *haCluster) dumpLogs() {
	for _, n := range c.nodes {
		b, _ := os.ReadFile(n.log)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		c.t.Logf("--- %s (%s) log, last lines:\n%s", n.name, n.addr, strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
}

// acks records when acknowledged writes were sent and answered, and by which
// child, to measure take-over times.
type acks struct {
	mu  sync.Mutex
	all []ack
}

type ack struct {
	sent, done time.Time
	via        string
}

func (a *acks) add(sent time.Time, via string) {
	a.mu.Lock()
	a.all = append(a.all, ack{sent: sent, done: time.Now(), via: via})
	a.mu.Unlock()
}

// firstAfter returns the first write sent after t and answered through
// another child than dead, if any.
func (a *acks) firstAfter(t time.Time, dead string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var first time.Time
	for _, k := range a.all {
		if k.sent.After(t) && k.via != dead && (first.IsZero() || k.done.Before(first)) {
			first = k.done
		}
	}
	return first, !first.IsZero()
}

// haLoad sends writes through random live children until ctx ends: worker
// 0 changes statuses, the others connect and close. Failures are expected
// while a leader is replaced; only acknowledged writes enter the ledger.
func haLoad(ctx context.Context, c *haCluster, integ string, lg *ledger, ak *acks, w int) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
	for i := 0; ctx.Err() == nil; i++ {
		nodes := c.live()
		n := nodes[rng.IntN(len(nodes))]
		admin, in := n.api(sbAdminSecret), n.api(integ)
		sent := time.Now()
		acked := false
		switch {
		case w == 0:
			acked = crashStatus(admin, lg, crashOps[i%len(crashOps)], []string{"online", "break"}[i/len(crashOps)%2]) == nil
		case i%3 == 2:
			acked, _ = crashClose(admin, lg)
		default:
			acked = crashConnect(in, lg, i%2 == 0) == nil
		}
		if acked {
			ak.add(sent, n.addr)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestFailover (R9.5 with several instances): three instances on one
// database under a steady load through all of them; the leader is killed
// with SIGKILL several times and started again. After each take-over every
// acknowledged change is on every instance, the instances agree, R9.1–3
// hold, the whole event log shows no chat ever connected to two operators
// and no operator over its limit, and the command log shows the leaders'
// terms one after the other. The take-over time is from the kill to the
// first acknowledged write sent after it through a surviving instance.
func TestFailover(t *testing.T) {
	t.Parallel()
	rounds := 10
	if testing.Short() {
		rounds = 5
	}
	if s := os.Getenv("SB_FAILOVER_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	c := newHACluster(t, 3)
	lead, lr := c.leader(0)
	integ := crashSetup(t, lead.api(sbAdminSecret))
	lg := &ledger{chats: map[string]bool{}, closed: map[string]bool{}, status: map[string]string{}, inflight: map[string]string{}}
	ak := &acks{}
	var times []time.Duration
	for round := range rounds {
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() { haLoad(ctx, c, integ, lg, ak, w) })
		}
		time.Sleep(time.Duration(300+rand.IntN(500)) * time.Millisecond)
		lead, lr = c.leader(lr.Epoch - 1)
		killed := time.Now()
		c.kill(lead)
		deadline := time.Now().Add(60 * time.Second)
		var first time.Time
		for ok := false; !ok; first, ok = ak.firstAfter(killed, lead.addr) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no write acknowledged within 60s of killing the leader %s", round, lead.name)
			}
			time.Sleep(5 * time.Millisecond)
		}
		times = append(times, first.Sub(killed))
		time.Sleep(200 * time.Millisecond) // some load on the new leader
		stop()
		wg.Wait()
		_, nr := c.leader(lr.Epoch)
		t.Logf("round %d: killed leader %s (epoch %d); epoch %d took over; first write acknowledged %v after the kill",
			round, lead.name, lr.Epoch, nr.Epoch, first.Sub(killed).Round(time.Millisecond))
		lr = nr
		c.start()
		haVerify(t, c, lg, round)
	}
	events, terms := haVerifyLog(t, c, rounds-1)
	t.Logf("event log: %d events checked; command log terms (epoch: seqs): %v", events, terms)
	slices.Sort(times)
	t.Logf("%d failovers; take-over min %v, median %v, max %v; %d chats acknowledged, %d closes",
		rounds, times[0].Round(time.Millisecond), times[len(times)/2].Round(time.Millisecond),
		times[len(times)-1].Round(time.Millisecond), len(lg.chats), len(lg.closed))
}

// haVerify waits for the followers to catch up and checks every instance:
// the acknowledged changes and R9.1–3 (crashVerify), each open chat in one
// folder, and the same operators and active chats everywhere; then the
// history in the event and command logs (haVerifyLog).
func haVerify(t *testing.T, c *haCluster, lg *ledger, round int) {
	t.Helper()
	c.settled()
	var want string
	for _, n := range c.live() {
		admin := n.api(sbAdminSecret)
		crashVerify(t, admin, lg, round)
		seen := map[string]string{}
		for _, folder := range []string{"new", "in_queue", "active"} {
			var page struct {
				Items []sb.Chat `json:"items"`
			}
			admin.sbGet(t, "/api/v1/chats?limit=1000&folder="+folder, &page)
			for _, ch := range page.Items {
				if seen[ch.ID] != "" {
					t.Fatalf("round %d, %s: chat %s is in %s and in %s (R9.1)", round, n.name, ch.ID, seen[ch.ID], folder)
				}
				seen[ch.ID] = folder
			}
		}
		var ops []sb.Operator
		var active struct {
			Items []sb.Chat `json:"items"`
		}
		admin.sbGet(t, "/api/v1/operators", &ops)
		admin.sbGet(t, "/api/v1/chats?limit=1000&folder=active", &active)
		got := e2eJSON(t, []any{ops, active.Items})
		if want == "" {
			want = got
		} else if got != want {
			t.Fatalf("round %d: instance %s differs from the others:\n%s\n%s", round, n.name, got, want)
		}
	}
	haVerifyLog(t, c, round)
}

// haVerifyLog reads the whole event log and checks its history: seqs 1…N
// without a gap; no chat connected to a second operator while connected to
// one; no operator over its limit of 2 (auto-distribution only); and the
// command log's epochs follow one another (haTerms). It returns the number
// of events and the terms.
func haVerifyLog(t *testing.T, c *haCluster, round int) (int, []term) {
	t.Helper()
	admin := c.settled().api(sbAdminSecret)
	var evs []sb.Event
	for after := int64(0); ; {
		var page struct {
			Events    []sb.Event `json:"events"`
			NextAfter int64      `json:"next_after"`
		}
		admin.sbGet(t, "/api/v1/events?limit=1000&after="+strconv.FormatInt(after, 10), &page)
		if len(page.Events) == 0 {
			break
		}
		evs, after = append(evs, page.Events...), page.NextAfter
	}
	onOp := map[string]string{}          // chat → operator it is connected to
	load := map[string]map[string]bool{} // operator → its active chats
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("round %d: event %d has seq %d: the log has a gap or a repeat", round, i+1, ev.Seq)
		}
		if ev.Chat == nil {
			continue
		}
		ch := ev.Chat
		// The engine disconnects (an event with the chat not active) before
		// it connects again: an active chat never changes operators.
		if prev := onOp[ch.ID]; prev != "" && ch.Status == sb.ChatActive && ch.OperatorID != prev {
			t.Fatalf("round %d: event %d (%s): chat %s connected to %s while connected to %s",
				round, ev.Seq, ev.Name, ch.ID, ch.OperatorID, prev)
		}
		if old := onOp[ch.ID]; old != "" {
			delete(load[old], ch.ID)
		}
		delete(onOp, ch.ID)
		if ch.Status == sb.ChatActive {
			onOp[ch.ID] = ch.OperatorID
			if load[ch.OperatorID] == nil {
				load[ch.OperatorID] = map[string]bool{}
			}
			if load[ch.OperatorID][ch.ID] = true; len(load[ch.OperatorID]) > 2 {
				t.Fatalf("round %d: event %d: operator %s has %d active chats, over its limit of 2", round, ev.Seq, ch.OperatorID, len(load[ch.OperatorID]))
			}
		}
	}
	return len(evs), haTerms(t, c.db)
}

// term is the commands one epoch logged.
type term struct {
	Epoch, First, Last, Count int64
}

func (tm term) String() string { return fmt.Sprintf("%d: %d-%d", tm.Epoch, tm.First, tm.Last) }

// haTerms reads the command log's epochs, in seq order, and checks that
// they follow one another: each term's commands come after the previous
// term's, none between, without gaps.
func haTerms(t *testing.T, dbURL string) []term {
	t.Helper()
	ctx := context.Background()
	conn := pgConn(t, dbURL)
	rows, err := conn.Query(ctx, `SELECT epoch, min(seq), max(seq), count(*) FROM commands GROUP BY epoch ORDER BY min(seq)`)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := pgx.CollectRows(rows, pgx.RowToStructByPos[term])
	if err != nil {
		t.Fatal(err)
	}
	for i, tm := range terms {
		if tm.Count != tm.Last-tm.First+1 {
			t.Errorf("epoch %d: %d commands in seqs %d-%d: another epoch's are among them", tm.Epoch, tm.Count, tm.First, tm.Last)
		}
		if i > 0 && (tm.Epoch <= terms[i-1].Epoch || tm.First != terms[i-1].Last+1) {
			t.Errorf("epoch %d (seqs %d-%d) follows epoch %d (seqs %d-%d)", tm.Epoch, tm.First, tm.Last,
				terms[i-1].Epoch, terms[i-1].First, terms[i-1].Last)
		}
	}
	return terms
}

// pgConn opens a connection to the database at url, closed when the test
// ends.
func pgConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// haClient bounds every request to a child, so that a stopped one cannot
// hang the test.
var haClient = &http.Client{Timeout: 90 * time.Second}

// haConnect sends a connect (queued, so that it always makes a chat) for
// client through the child at addr and returns the status code.
func haConnect(addr, integ, client string) (int, error) {
	body, _ := json.Marshal(sbConnectBody(client, "queue"))
	req, err := http.NewRequest("POST", "http://"+addr+sbConnectPath, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+integ)
	resp, err := haClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// TestSplitBrain: the leader is stopped with SIGSTOP past its lease while
// writes wait for it, sent to it directly and through the others (which
// pass them on to it). Another instance takes over, and the old leader
// resumes before the new one committed anything — nothing but the fence
// would stop its commits. It commits nothing: its epoch's commands are the
// same before and after, and end before the new epoch's; each write it
// received either failed and left no trace, or was passed on to the new
// leader and committed in the new epoch. The new leader then goes on.
func TestSplitBrain(t *testing.T) {
	t.Parallel()
	c := newHACluster(t, 3)
	old, or := c.leader(0)
	integ := crashSetup(t, old.api(sbAdminSecret))
	for i := range 5 {
		if code, err := haConnect(old.addr, integ, "before-"+strconv.Itoa(i)); err != nil || code != 200 {
			t.Fatalf("connect before the stop: %d %v", code, err)
		}
	}
	if err := old.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, old.cmd.Process.Pid)
	stopped := time.Now()
	t.Cleanup(func() { _ = old.cmd.Process.Signal(syscall.SIGCONT) })
	held := sendHeld(c, old, integ)
	newLead, nr := haTakeover(t, c.others(old), or.Epoch)
	took := time.Since(stopped)
	// The old leader resumes before the new one commits anything, so that
	// its commits would take the next seqs unhindered but for the fence.
	before := termOf(haTerms(t, c.db), or.Epoch)
	if err := old.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	ok, failed := collect(held)
	if after := termOf(haTerms(t, c.db), or.Epoch); after != before {
		t.Fatalf("the old leader (epoch %d) committed after it resumed: its commands were %v, are %v", or.Epoch, before, after)
	}
	for i := range 5 {
		if code, err := haConnect(newLead.addr, integ, "after-"+strconv.Itoa(i)); err != nil || code != 200 {
			t.Fatalf("connect through the new leader: %d %v", code, err)
		}
	}
	c.leader(or.Epoch) // the old leader follows now
	created := haCreated(t, c.db)
	for _, client := range ok {
		if ep, found := created[client]; !found || ep <= or.Epoch {
			t.Errorf("acknowledged connect of %s: created %v in epoch %d, want a later epoch than %d", client, found, ep, or.Epoch)
		}
	}
	for _, f := range failed {
		if client, _, _ := strings.Cut(f, " "); created[client] != 0 {
			t.Errorf("failed connect %s left a chat (epoch %d)", f, created[client])
		}
	}
	b, _ := os.ReadFile(old.log)
	t.Logf("stopped the leader (epoch %d); epoch %d took over %v later; terms %v",
		or.Epoch, nr.Epoch, took.Round(time.Millisecond), haTerms(t, c.db))
	t.Logf("writes held by the stopped leader: %d passed on to the new leader and acknowledged %v, %d failed %v; its group commits refused: %d",
		len(ok), ok, len(failed), failed, strings.Count(string(b), "commit failed"))
}

// heldWrite is the outcome of a connect the stopped leader held.
type heldWrite struct {
	client string
	code   int
	err    error
}

// sendHeld sends eight connects that the stopped leader old holds: four
// to it, four through the others, which pass them on to it.
func sendHeld(c *haCluster, old *haNode, integ string) <-chan heldWrite {
	others := c.others(old)
	out := make(chan heldWrite, 8)
	for i := range 8 {
		addr, client := old.addr, "direct-"+strconv.Itoa(i)
		if i%2 == 1 {
			addr, client = others[i/2%len(others)].addr, "passed-"+strconv.Itoa(i)
		}
		go func() {
			code, err := haConnect(addr, integ, client)
			out <- heldWrite{client, code, err}
		}()
	}
	return out
}

// collect waits for the eight held writes and sorts them into acknowledged
// clients and failures.
func collect(held <-chan heldWrite) (ok, failed []string) {
	for range 8 {
		r := <-held
		if r.err == nil && r.code == 200 {
			ok = append(ok, r.client)
		} else {
			failed = append(failed, fmt.Sprintf("%s (%d %v)", r.client, r.code, r.err))
		}
	}
	return ok, failed
}

// others returns the live children but n.
func (c *haCluster) others(n *haNode) []*haNode {
	var out []*haNode
	for _, m := range c.live() {
		if m != n {
			out = append(out, m)
		}
	}
	return out
}

// termOf returns the term of epoch among ts (zero when it logged nothing).
func termOf(ts []term, epoch int64) term {
	for _, tm := range ts {
		if tm.Epoch == epoch {
			return tm
		}
	}
	return term{}
}

// waitStopped waits until every thread of process pid is stopped: the
// kernel stops a process's threads one after the other, and on a busy
// machine some may run on for a while after kill returned.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		if err != nil || len(tasks) == 0 {
			t.Fatalf("the threads of process %d: %v", pid, err)
		}
		all := true
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			// The state follows the command name, which ends with ") ".
			if i := strings.LastIndexByte(string(b), ')'); err != nil || i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
				all = false
			}
		}
		if all {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d did not stop", pid)
}

// haTakeover waits until one of nodes leads with an epoch above after.
func haTakeover(t *testing.T, nodes []*haNode, after int64) (*haNode, readyz) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range nodes {
			if r, ok := n.readyz(); ok && r.Role == "leader" && r.Epoch > after {
				return n, r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no take-over from epoch %d", after)
	return nil, readyz{}
}

// haCreated maps each client with a chat to the epoch of the command that
// created it: the first command whose event counter reaches its
// chat_created event.
func haCreated(t *testing.T, dbURL string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	conn := pgConn(t, dbURL)
	rows, err := conn.Query(ctx, `SELECT e.json->'chat'->'client'->>'id',
		(SELECT c.epoch FROM commands c WHERE c.events >= e.seq ORDER BY c.seq LIMIT 1)
		FROM events e WHERE e.name = 'chat_created'`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	var client string
	var epoch int64
	_, err = pgx.ForEachRow(rows, []any{&client, &epoch}, func() error {
		out[client] = epoch
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
