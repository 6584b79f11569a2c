package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/sqlite"
)

// heldStore is the SQLite store with a latch: while held, the next Commit
// waits (with the writer holding the engine) until it is released.
type heldStore struct {
	sb.Store
	mu      sync.Mutex
	hold    chan struct{} // closed to release
	holding chan struct{} // closed when a commit waits
}

func (s *heldStore) Commit(ctx context.Context, b *sb.Batch) error {
	s.mu.Lock()
	hold, holding := s.hold, s.holding
	s.hold, s.holding = nil, nil
	s.mu.Unlock()
	if hold != nil {
		close(holding)
		<-hold
	}
	return s.Store.Commit(ctx, b)
}

// TestCloseAfterRedistribution: operator a closes its chat while a
// supervisor's redistribution of a is queued before the close. The close
// is applied after the redistribution gave the chat to b, so a no longer
// holds it: 404, and b's chat is untouched. (When the handler checked the
// holder before queueing the close, the check passed, and the close then
// closed b's chat.)
func TestCloseAfterRedistribution(t *testing.T) {
	ctx := t.Context()
	base, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	store := &heldStore{Store: base}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app := server.New(store, log)
	if err := app.Open(ctx); err != nil {
		t.Fatal(err)
	}
	run, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { app.Run(run); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	ts := httptest.NewServer(NewHandler(app, log, nil, nil))
	t.Cleanup(ts.Close)

	for _, cmd := range []routing.Command{
		routing.CreateTopic{Topic: sb.Topic{Alias: "t"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "a", Name: "A"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "b", Name: "B"}},
		routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g", Topics: []string{"t"}, Operators: []string{"a", "b"}, Active: true}},
		routing.SetOperatorStatus{OperatorID: "a", Status: sb.StatusOnline},
	} {
		if _, err := app.Do(ctx, cmd); err != nil {
			t.Fatal(err)
		}
	}
	res, err := app.Do(ctx, routing.Connect{Client: sb.Client{ID: "k", Channel: "telegram"}, Topic: "t", AutoConnect: true})
	if err != nil || res.Chat == nil || res.Chat.OperatorID != "a" {
		t.Fatalf("connect: %+v, %v", res.Chat, err)
	}
	id := res.Chat.ID
	if _, err := app.Do(ctx, routing.SetOperatorStatus{OperatorID: "b", Status: sb.StatusOnline}); err != nil {
		t.Fatal(err)
	}
	_, opA, err := app.CreateToken(ctx, sb.RoleOperator, "a")
	if err != nil {
		t.Fatal(err)
	}
	_, sup, err := app.CreateToken(ctx, sb.RoleSupervisor, "")
	if err != nil {
		t.Fatal(err)
	}

	// Hold a commit, so that the redistribution and then the close queue
	// up behind it.
	store.mu.Lock()
	store.hold, store.holding = make(chan struct{}), make(chan struct{})
	hold, holding := store.hold, store.holding
	store.mu.Unlock()
	go func() { _, _ = app.Do(ctx, routing.Tick{}) }()
	<-holding
	post := func(path, token, body string) chan int {
		code := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				code <- 0
				return
			}
			resp.Body.Close()
			code <- resp.StatusCode
		}()
		return code
	}
	redistributed := post("/api/v1/operators/a/redistribute", sup, `{"status": "offline"}`)
	time.Sleep(200 * time.Millisecond) // let it queue first (not a bound: only the order)
	closed := post("/api/v1/chats/"+id+"/close", opA, `{}`)
	time.Sleep(200 * time.Millisecond)
	close(hold)
	if got := <-redistributed; got != 200 {
		t.Fatalf("redistribute: %d", got)
	}
	if got := <-closed; got != http.StatusNotFound {
		t.Errorf("a's close after the redistribution answered %d, want 404", got)
	}
	c, err := app.Chat(ctx, server.Principal{Role: sb.RoleAdmin}, id)
	if err != nil || c.Status != sb.ChatActive || c.OperatorID != "b" {
		t.Errorf("the chat is %s with %q (%v), want active with b, untouched", c.Status, c.OperatorID, err)
	}
}
