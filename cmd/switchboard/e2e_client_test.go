package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// This file holds the end-to-end harness: a real Main on a free port, a
// small HTTP client and fixture helpers. The tests are in e2e_test.go.

const adminSecret = "sbt_e2e-admin-secret"

// wait bounds every poll for something asynchronous (timers, presence).
const wait = 10 * time.Second

// srv is one running Main and its client.
type srv struct {
	t     *testing.T
	m     *Main
	data  string
	base  string
	admin string
	hc    *http.Client
}

// start runs a Main on a free port over data and stops it at cleanup.
func start(t *testing.T, data string) *srv {
	t.Helper()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.Data = data
	m.Config.AdminToken = adminSecret
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		m.Log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	s := &srv{t: t, m: m, data: data, base: "http://" + m.Addr, admin: adminSecret, hc: &http.Client{Timeout: 20 * time.Second}}
	t.Cleanup(s.stop)
	return s
}

// newSrv starts a Main on a fresh data folder.
func newSrv(t *testing.T) *srv { return start(t, t.TempDir()) }

// stop closes the Main; stopping twice is harmless.
func (s *srv) stop() {
	if s.m == nil {
		return
	}
	m := s.m
	s.m = nil
	if err := m.Close(); err != nil {
		s.t.Errorf("close: %v", err)
	}
	s.hc.CloseIdleConnections()
}

// restart stops this Main and starts a new one on the same data folder.
func (s *srv) restart() *srv {
	s.t.Helper()
	s.stop()
	return start(s.t, s.data)
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// resp is an answer: status, raw body and the body decoded as JSON.
type resp struct {
	Status int
	Raw    []byte
	JSON   any
	Header http.Header
}

// obj returns the body as an object (empty when it is not one).
func (r resp) obj() map[string]any {
	m, _ := r.JSON.(map[string]any)
	return m
}

// errField returns error.field, error.code of an error answer.
func (r resp) errField() (field, code string) {
	e, _ := r.obj()["error"].(map[string]any)
	field, _ = e["field"].(string)
	code, _ = e["code"].(string)
	return field, code
}

// into decodes the body into v.
func (r resp) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		t.Fatalf("decode %s: %v", r.Raw, err)
	}
}

func (r resp) String() string { return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Raw)) }

// rawBody is a body sent as it is (malformed JSON).
type rawBody string

// do sends one request. body is nil (none), a rawBody, or a value sent as
// JSON. token "" sends no Authorization header.
func (s *srv) do(method, path, token string, body any) resp {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd = strings.NewReader(string(b))
	default:
		js, err := json.Marshal(b)
		if err != nil {
			s.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	r := resp{Status: res.StatusCode, Raw: raw, Header: res.Header}
	if len(bytes.TrimSpace(raw)) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &r.JSON); err != nil {
			s.t.Fatalf("%s %s: answer is not JSON: %v: %s", method, path, err, raw)
		}
	}
	return r
}

// must sends a request and fails unless the status is want.
func (s *srv) must(want int, method, path, token string, body any) resp {
	s.t.Helper()
	r := s.do(method, path, token, body)
	if r.Status != want {
		s.t.Fatalf("%s %s: got %s, want %d", method, path, r, want)
	}
	return r
}

// token creates a token of a role (and operator) with the admin token.
func (s *srv) token(role, operatorID string) string {
	s.t.Helper()
	r := s.must(201, "POST", "/api/v1/tokens", s.admin, map[string]any{"role": role, "operator_id": operatorID})
	tok, _ := r.obj()["token"].(string)
	if tok == "" || r.obj()["role"] != role || r.obj()["id"] == "" {
		s.t.Fatalf("token answer: %s", r)
	}
	return tok
}

func (s *srv) topic(alias string) {
	s.t.Helper()
	s.must(201, "POST", "/api/v1/topics", s.admin, map[string]any{"alias": alias, "name": alias})
}

// operator creates an operator; extra adds fields such as max_chats.
func (s *srv) operator(id string, extra map[string]any) {
	s.t.Helper()
	body := map[string]any{"id": id, "name": "Operator " + id}
	for k, v := range extra {
		body[k] = v
	}
	s.must(201, "POST", "/api/v1/operators", s.admin, body)
}

func (s *srv) setStatus(opID, status string) {
	s.t.Helper()
	s.must(200, "PUT", "/api/v1/operators/"+opID+"/status", s.admin, map[string]any{"status": status})
}

func (s *srv) group(id string, topics, ops []string) {
	s.t.Helper()
	s.must(201, "POST", "/api/v1/skill-groups", s.admin, map[string]any{"id": id, "name": id, "topics": topics, "operators": ops})
}

func (s *srv) settings(patch map[string]any) {
	s.t.Helper()
	s.must(200, "PATCH", "/api/v1/settings", s.admin, patch)
}

// answer is the connect action's scenario event.
type answer struct {
	Event    string      `json:"event"`
	Chat     *sb.Chat    `json:"chat"`
	Reason   *sb.Reason  `json:"reason"`
	Warnings []sb.Reason `json:"warnings"`
	Error    *struct {
		Code, Message, Field string
	} `json:"error"`
}

const connectPath = "/api/v1/actions/operator_panel__connect_to_operator_with_msg"

// connectBody builds a connect body for client id on channel.
func connectBody(id, channel string, config map[string]any) map[string]any {
	if config == nil {
		config = map[string]any{}
	}
	return map[string]any{
		"client": map[string]any{"id": id, "name": "Client " + id, "channel": channel},
		"text":   "hello from " + id, "config": config,
	}
}

// connect calls the connect action and expects HTTP 200.
func (s *srv) connect(tok string, body any) answer {
	s.t.Helper()
	r := s.must(200, "POST", connectPath, tok, body)
	var a answer
	r.into(s.t, &a)
	return a
}

// connectChat connects and expects success; it returns the chat.
func (s *srv) connectChat(tok, client, channel string, config map[string]any) sb.Chat {
	s.t.Helper()
	a := s.connect(tok, connectBody(client, channel, config))
	if a.Event != "success" || a.Chat == nil {
		s.t.Fatalf("connect %s: %+v", client, a)
	}
	return *a.Chat
}

func (s *srv) chat(id string) sb.Chat {
	s.t.Helper()
	var c sb.Chat
	s.must(200, "GET", "/api/v1/chats/"+id, s.admin, nil).into(s.t, &c)
	return c
}

func (s *srv) op(id string) sb.Operator {
	s.t.Helper()
	var o sb.Operator
	s.must(200, "GET", "/api/v1/operators/"+id, s.admin, nil).into(s.t, &o)
	return o
}

// folder lists a chat folder as the admin sees it.
func (s *srv) folder(name string) []sb.Chat {
	s.t.Helper()
	var page struct {
		Items []sb.Chat `json:"items"`
	}
	s.must(200, "GET", "/api/v1/chats?folder="+name, s.admin, nil).into(s.t, &page)
	return page.Items
}

func (s *srv) queue() []routing.QueueEntry {
	s.t.Helper()
	var page struct {
		Items []routing.QueueEntry `json:"items"`
	}
	s.must(200, "GET", "/api/v1/queue", s.admin, nil).into(s.t, &page)
	return page.Items
}

// events returns every stored event after seq, paging through the API.
func (s *srv) events(after int64) []sb.Event {
	s.t.Helper()
	var out []sb.Event
	for {
		var page struct {
			Events    []sb.Event `json:"events"`
			NextAfter int64      `json:"next_after"`
		}
		s.must(200, "GET", "/api/v1/events?limit=1000&after="+strconv.FormatInt(after, 10), s.admin, nil).into(s.t, &page)
		out = append(out, page.Events...)
		if len(page.Events) == 0 || page.NextAfter == after {
			return out
		}
		after = page.NextAfter
	}
}

// lastSeq is the id of the newest stored event.
func (s *srv) lastSeq() int64 {
	s.t.Helper()
	evs := s.events(0)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

func ids(chats []sb.Chat) []string {
	out := []string{}
	for _, c := range chats {
		out = append(out, c.ID)
	}
	return out
}

func names(evs []sb.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Name)
	}
	return out
}

func codes(rs []sb.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sseEvent is one event read from the stream.
type sseEvent struct {
	ID   int64
	Name string
	Ev   sb.Event
}

// stream is an open SSE connection.
type stream struct {
	t      *testing.T
	C      chan sseEvent
	Status int
	cancel context.CancelFunc
	done   chan struct{}
}

// openStream opens /api/v1/events/stream; lastID > 0 sends Last-Event-ID.
func (s *srv) openStream(token string, lastID int64) *stream {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		s.t.Fatalf("stream: %v", err)
	}
	st := &stream{t: s.t, C: make(chan sseEvent, 1024), Status: res.StatusCode, cancel: cancel, done: make(chan struct{})}
	go st.read(res.Body)
	s.t.Cleanup(st.close)
	return st
}

func (st *stream) read(body io.ReadCloser) {
	defer close(st.done)
	defer close(st.C)
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.Name != "" {
				st.C <- cur
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			cur.Name = line[7:]
		case strings.HasPrefix(line, "data: "):
			_ = json.Unmarshal([]byte(line[6:]), &cur.Ev)
		}
	}
}

// next returns the next event or fails after the deadline.
func (st *stream) next() sseEvent {
	st.t.Helper()
	select {
	case ev, ok := <-st.C:
		if !ok {
			st.t.Fatal("stream ended")
		}
		return ev
	case <-time.After(wait):
		st.t.Fatal("timed out waiting for a stream event")
	}
	return sseEvent{}
}

// until reads events until one satisfies stop and returns all read.
func (st *stream) until(stop func(sseEvent) bool) []sseEvent {
	st.t.Helper()
	var out []sseEvent
	for {
		ev := st.next()
		out = append(out, ev)
		if stop(ev) {
			return out
		}
	}
}

func (st *stream) close() {
	st.cancel()
	<-st.done
}
