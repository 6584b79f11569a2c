package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard/switchboard/server"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"
)

// TestMain runs the server as a child process when the crash or the
// failover tests ask. Otherwise it runs the tests with cheap password
// hashes (a hash at bcrypt's default cost takes seconds under the race
// detector, and no test checks the cost) and then checks that they left no
// goroutine running.
func TestMain(m *testing.M) {
	if data := os.Getenv("SB_CRASH_CHILD"); data != "" {
		crashChild(data)
		return
	}
	if dbURL := os.Getenv("SB_HA_CHILD"); dbURL != "" {
		haChild(dbURL)
		return
	}
	server.PasswordCost = bcrypt.MinCost
	code := m.Run()
	if code == 0 {
		// The clients' idle keep-alive connections are not leaks: each
		// holds two goroutines until the transport closes it.
		http.DefaultClient.CloseIdleConnections() // DefaultTransport's, which all the tests' clients use
		// fasthttp's default dialer (the load tool's client) starts
		// one goroutine, cleaning its DNS cache, that lives as long as
		// the process.
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/valyala/fasthttp.(*TCPDialer).tcpAddrsClean")); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: goroutines left running after the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// crashChild serves until it is killed, printing its address first.
func crashChild(data string) {
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.AdminToken = "127.0.0.1:0", data, sbAdminSecret
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	runUntilKilled(m)
}

// runUntilKilled runs a child's server, prints its address for startChild
// once it listens, and serves until the process is killed.
func runUntilKilled(m *Main) {
	if err := m.Run(context.Background()); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Println("ADDR", m.Addr)
	select {}
}

// child is a server process.
type child struct {
	cmd  *exec.Cmd
	addr string
}

func startChild(t *testing.T, data string) *child {
	t.Helper()
	return startChildEnv(t, "SB_CRASH_CHILD="+data)
}

// startChildEnv runs this test binary again with env added, as a server
// child (TestMain), and waits for the address it prints.
func startChildEnv(t *testing.T, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ADDR ") {
		_ = cmd.Process.Kill()
		t.Fatalf("child did not start: %q %v", line, err)
	}
	return &child{cmd: cmd, addr: strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))}
}

func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

func (c *child) api(token string) *sbAPI { return &sbAPI{base: "http://" + c.addr, token: token} }

// ledger records what the server acknowledged.
type ledger struct {
	mu       sync.Mutex
	chats    map[string]bool   // acknowledged connects (chat ids)
	closed   map[string]bool   // acknowledged closes
	status   map[string]string // last acknowledged status per operator
	inflight map[string]string // a status change sent but not acknowledged
	open     []string          // chats that may be closed next
	clients  int
}

var crashOps = []string{"op-a", "op-b", "op-c"}

// TestCrashRecovery (R9.5): the server runs as a child process under a
// steady load of connects, closes and status changes and is killed with
// SIGKILL at random moments; after every restart each acknowledged change is
// there and the invariants R9.1–3 hold.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	rounds := 20
	if s := os.Getenv("SB_CRASH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	data := t.TempDir()
	c := startChild(t, data)
	defer func() { c.kill() }()
	admin := c.api(sbAdminSecret)
	integ := crashSetup(t, admin)
	lg := &ledger{chats: map[string]bool{}, closed: map[string]bool{}, status: map[string]string{}, inflight: map[string]string{}}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range rounds {
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); crashLoad(ctx, c.api(admin.token), c.api(integ), lg, w) }()
		}
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		c.kill()
		stop()
		wg.Wait()
		c = startChild(t, data)
		crashVerify(t, c.api(admin.token), lg, round)
	}
	t.Logf("%d kills; %d chats acknowledged, %d closes", rounds, len(lg.chats), len(lg.closed))
}

func crashSetup(t *testing.T, admin *sbAPI) string {
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "support"}, 201)
	for _, id := range crashOps {
		admin.sbMust(t, "POST", "/api/v1/operators", map[string]any{"id": id, "name": id, "max_chats": 2}, 201)
	}
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "g", "topics": []string{"support"}, "operators": crashOps}, 201)
	out := admin.sbMust(t, "POST", "/api/v1/tokens", map[string]any{"role": "integrator"}, 201)
	return out["token"].(string)
}

// crashLoad sends requests until ctx ends or the server dies; worker 0
// changes statuses, the others connect and close.
func crashLoad(ctx context.Context, admin, integ *sbAPI, lg *ledger, w int) {
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		switch {
		case w == 0:
			err = crashStatus(admin, lg, crashOps[i%len(crashOps)], []string{"online", "break"}[i/len(crashOps)%2])
		case i%3 == 2:
			_, err = crashClose(admin, lg)
		default:
			err = crashConnect(integ, lg, i%2 == 0)
		}
		if err != nil {
			return
		}
	}
}

func crashStatus(admin *sbAPI, lg *ledger, op, status string) error {
	lg.mu.Lock()
	lg.inflight[op] = status
	lg.mu.Unlock()
	code, err := admin.call("PUT", "/api/v1/operators/"+op+"/status", map[string]any{"status": status}, nil)
	if err != nil || code != 200 {
		return fmt.Errorf("status: %d %v", code, err)
	}
	lg.mu.Lock()
	lg.status[op] = status
	delete(lg.inflight, op)
	lg.mu.Unlock()
	return nil
}

func crashConnect(integ *sbAPI, lg *ledger, queue bool) error {
	lg.mu.Lock()
	lg.clients++
	client := "cl-" + strconv.Itoa(lg.clients) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	lg.mu.Unlock()
	status := ""
	if queue {
		status = "queue"
	}
	var out struct {
		Event string `json:"event"`
		Chat  *struct {
			ID string `json:"id"`
		} `json:"chat"`
	}
	code, err := integ.call("POST", sbConnectPath, sbConnectBody(client, status), &out)
	if err != nil || code != 200 {
		return fmt.Errorf("connect: %d %v", code, err)
	}
	if out.Chat != nil && out.Chat.ID != "" {
		lg.mu.Lock()
		lg.chats[out.Chat.ID] = true
		lg.open = append(lg.open, out.Chat.ID)
		lg.mu.Unlock()
	}
	return nil
}

// crashClose closes the oldest chat not yet closed; acked reports whether
// the server acknowledged the close.
func crashClose(admin *sbAPI, lg *ledger) (acked bool, err error) {
	lg.mu.Lock()
	if len(lg.open) == 0 {
		lg.mu.Unlock()
		return false, nil
	}
	id := lg.open[0]
	lg.open = lg.open[1:]
	lg.mu.Unlock()
	code, err := admin.call("POST", "/api/v1/chats/"+id+"/close", map[string]any{"comment": "done"}, nil)
	if err != nil || code != 200 {
		return false, err
	}
	lg.mu.Lock()
	lg.closed[id] = true
	lg.mu.Unlock()
	return true, nil
}

// crashVerify checks the acknowledged changes and the invariants.
func crashVerify(t *testing.T, admin *sbAPI, lg *ledger, round int) {
	t.Helper()
	lg.mu.Lock()
	defer lg.mu.Unlock()
	for id := range lg.chats {
		var ch struct {
			Status string `json:"status"`
		}
		code, err := admin.call("GET", "/api/v1/chats/"+id, nil, &ch)
		if err != nil || code != 200 {
			t.Fatalf("round %d: acknowledged chat %s lost: %d %v", round, id, code, err)
		}
		if lg.closed[id] && ch.Status != "closed" {
			t.Fatalf("round %d: acknowledged close of chat %s lost: %s", round, id, ch.Status)
		}
	}
	var ops []struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		Active     int    `json:"active_chats"`
		MaxChats   *int   `json:"max_chats"`
		CanReceive bool   `json:"can_receive"`
	}
	admin.sbGet(t, "/api/v1/operators", &ops)
	for _, o := range ops {
		if want, ok := lg.status[o.ID]; ok && o.Status != want && o.Status != lg.inflight[o.ID] {
			t.Fatalf("round %d: operator %s has status %s; acknowledged %s", round, o.ID, o.Status, want)
		}
		delete(lg.inflight, o.ID)
		lg.status[o.ID] = o.Status
		if o.Active > *o.MaxChats {
			t.Fatalf("round %d: operator %s over its limit: %d > %d (R9.2)", round, o.ID, o.Active, *o.MaxChats)
		}
	}
	var active struct {
		Items []struct {
			OperatorID string `json:"operator_id"`
		} `json:"items"`
	}
	admin.sbGet(t, "/api/v1/chats?folder=active&limit=1000", &active)
	load := map[string]int{}
	for _, c := range active.Items {
		load[c.OperatorID]++
	}
	for _, o := range ops {
		if load[o.ID] != o.Active {
			t.Fatalf("round %d: operator %s counts %d active chats, has %d (R9.1)", round, o.ID, o.Active, load[o.ID])
		}
	}
	var queue struct {
		Items []struct {
			Reasons []struct{ Code string } `json:"reasons"`
		} `json:"items"`
	}
	admin.sbGet(t, "/api/v1/queue?limit=1000", &queue)
	for _, q := range queue.Items {
		for _, r := range q.Reasons {
			if r.Code == "routing" {
				t.Fatalf("round %d: a queued chat has an eligible operator at rest (R9.3)", round)
			}
		}
	}
}
