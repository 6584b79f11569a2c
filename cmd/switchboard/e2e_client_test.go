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

const e2eAdminSecret = "sbt_e2e-admin-secret"

// e2eWait bounds every poll for something asynchronous (timers, presence):
// only a failing test waits that long, so it is generous for a loaded
// machine under the race detector.
const e2eWait = 30 * time.Second

// e2eSrv is one running Main and its client.
type e2eSrv struct {
	t     *testing.T
	m     *Main
	data  string
	base  string
	admin string
	hc    *http.Client
}

// e2eStart runs a Main on a free port over data and stops it at cleanup.
func e2eStart(t *testing.T, data string) *e2eSrv {
	t.Helper()
	m := NewMain()
	m.Config.Addr, m.Config.Data = "127.0.0.1:0", data
	return e2eRun(t, m)
}

// e2eRun runs m, configured but for its admin token and log, and stops it
// at cleanup.
func e2eRun(t *testing.T, m *Main) *e2eSrv {
	t.Helper()
	m.Config.AdminToken = e2eAdminSecret
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		m.Log = slog.New(slog.NewTextHandler(&e2eLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	s := &e2eSrv{t: t, m: m, data: m.Config.Data, base: "http://" + m.Addr, admin: e2eAdminSecret, hc: &http.Client{Timeout: 30 * time.Second}}
	t.Cleanup(s.stop)
	return s
}

// e2eNew starts a Main on a fresh data folder.
func e2eNew(t *testing.T) *e2eSrv { return e2eStart(t, t.TempDir()) }

// stop closes the Main; stopping twice is harmless.
func (s *e2eSrv) stop() {
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
func (s *e2eSrv) restart() *e2eSrv {
	s.t.Helper()
	s.stop()
	return e2eStart(s.t, s.data)
}

type e2eLogWriter struct{ t *testing.T }

func (w *e2eLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// e2eResp is an answer: status, raw body and the body decoded as JSON.
type e2eResp struct {
	Status int
	Raw    []byte
	JSON   any
	Header http.Header
}

// obj returns the body as an object (empty when it is not one).
func (r e2eResp) obj() map[string]any {
	m, _ := r.JSON.(map[string]any)
	return m
}

// errField returns error.field, error.code of an error answer.
func (r e2eResp) errField() (field, code string) {
	e, _ := r.obj()["error"].(map[string]any)
	field, _ = e["field"].(string)
	code, _ = e["code"].(string)
	return field, code
}

// into decodes the body into v.
func (r e2eResp) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		t.Fatalf("decode %s: %v", r.Raw, err)
	}
}

func (r e2eResp) String() string { return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Raw)) }

// e2eRaw is a body sent as it is (malformed JSON).
type e2eRaw string

// do sends one request. body is nil (none), an e2eRaw, or a value sent as
// JSON. token "" sends no Authorization header.
func (s *e2eSrv) do(method, path, token string, body any) e2eResp {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case e2eRaw:
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
	r := e2eResp{Status: res.StatusCode, Raw: raw, Header: res.Header}
	if len(bytes.TrimSpace(raw)) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &r.JSON); err != nil {
			s.t.Fatalf("%s %s: answer is not JSON: %v: %s", method, path, err, raw)
		}
	}
	return r
}

func e2eJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// must sends a request and fails unless the status is want.
func (s *e2eSrv) must(want int, method, path, token string, body any) e2eResp {
	s.t.Helper()
	r := s.do(method, path, token, body)
	if r.Status != want {
		s.t.Fatalf("%s %s: got %s, want %d", method, path, r, want)
	}
	return r
}

// token creates a token of a role (and operator) with the admin token.
func (s *e2eSrv) token(role, operatorID string) string {
	s.t.Helper()
	r := s.must(201, "POST", "/api/v1/tokens", s.admin, map[string]any{"role": role, "operator_id": operatorID})
	tok, _ := r.obj()["token"].(string)
	if tok == "" || r.obj()["role"] != role || r.obj()["id"] == "" {
		s.t.Fatalf("token answer: %s", r)
	}
	return tok
}

func (s *e2eSrv) topic(alias string) {
	s.t.Helper()
	s.must(201, "POST", "/api/v1/topics", s.admin, map[string]any{"alias": alias, "name": alias})
}

// operator creates an operator; extra adds fields such as max_chats.
func (s *e2eSrv) operator(id string, extra map[string]any) {
	s.t.Helper()
	body := map[string]any{"id": id, "name": "Operator " + id}
	for k, v := range extra {
		body[k] = v
	}
	s.must(201, "POST", "/api/v1/operators", s.admin, body)
}

func (s *e2eSrv) setStatus(opID, status string) {
	s.t.Helper()
	s.must(200, "PUT", "/api/v1/operators/"+opID+"/status", s.admin, map[string]any{"status": status})
}

func (s *e2eSrv) group(id string, topics, ops []string) {
	s.t.Helper()
	s.must(201, "POST", "/api/v1/skill-groups", s.admin, map[string]any{"id": id, "name": id, "topics": topics, "operators": ops})
}

func (s *e2eSrv) settings(patch map[string]any) {
	s.t.Helper()
	s.must(200, "PATCH", "/api/v1/settings", s.admin, patch)
}

// e2eAnswer is the connect action's scenario event.
type e2eAnswer struct {
	Event    string      `json:"event"`
	Chat     *sb.Chat    `json:"chat"`
	Reason   *sb.Reason  `json:"reason"`
	Warnings []sb.Reason `json:"warnings"`
	Error    *struct {
		Code, Message, Field string
	} `json:"error"`
}

const e2eConnectPath = "/api/v1/actions/operator_panel__connect_to_operator_with_msg"

// e2eConnectBody builds a connect body for client id on channel.
func e2eConnectBody(id, channel string, config map[string]any) map[string]any {
	if config == nil {
		config = map[string]any{}
	}
	return map[string]any{
		"client": map[string]any{"id": id, "name": "Client " + id, "channel": channel},
		"text":   "hello from " + id, "config": config,
	}
}

// connect calls the connect action and expects HTTP 200.
func (s *e2eSrv) connect(tok string, body any) e2eAnswer {
	s.t.Helper()
	r := s.must(200, "POST", e2eConnectPath, tok, body)
	var a e2eAnswer
	r.into(s.t, &a)
	return a
}

// connectChat connects and expects success; it returns the chat.
func (s *e2eSrv) connectChat(tok, client, channel string, config map[string]any) sb.Chat {
	s.t.Helper()
	a := s.connect(tok, e2eConnectBody(client, channel, config))
	if a.Event != "success" || a.Chat == nil {
		s.t.Fatalf("connect %s: %+v", client, a)
	}
	return *a.Chat
}

func (s *e2eSrv) chat(id string) sb.Chat {
	s.t.Helper()
	var c sb.Chat
	s.must(200, "GET", "/api/v1/chats/"+id, s.admin, nil).into(s.t, &c)
	return c
}

func (s *e2eSrv) op(id string) sb.Operator {
	s.t.Helper()
	var o sb.Operator
	s.must(200, "GET", "/api/v1/operators/"+id, s.admin, nil).into(s.t, &o)
	return o
}

// folder lists a chat folder as the admin sees it.
func (s *e2eSrv) folder(name string) []sb.Chat {
	s.t.Helper()
	var page struct {
		Items []sb.Chat `json:"items"`
	}
	s.must(200, "GET", "/api/v1/chats?folder="+name, s.admin, nil).into(s.t, &page)
	return page.Items
}

func (s *e2eSrv) queue() []routing.QueueEntry {
	s.t.Helper()
	var page struct {
		Items []routing.QueueEntry `json:"items"`
	}
	s.must(200, "GET", "/api/v1/queue", s.admin, nil).into(s.t, &page)
	return page.Items
}

// events returns every stored event after seq, paging through the API.
func (s *e2eSrv) events(after int64) []sb.Event {
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
func (s *e2eSrv) lastSeq() int64 {
	s.t.Helper()
	evs := s.events(0)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

func e2eIDs(chats []sb.Chat) []string {
	out := []string{}
	for _, c := range chats {
		out = append(out, c.ID)
	}
	return out
}

func e2eNames(evs []sb.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Name)
	}
	return out
}

func e2eCodes(rs []sb.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// e2eEventually polls cond until it holds or the deadline passes.
func e2eEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(e2eWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// e2eSSE is one event read from the stream.
type e2eSSE struct {
	ID   int64
	Name string
	Ev   sb.Event
}

// e2eStream is an open SSE connection.
type e2eStream struct {
	t      *testing.T
	C      chan e2eSSE
	Status int
	cancel context.CancelFunc
	done   chan struct{}
}

// openStream opens /api/v1/events/stream; lastID > 0 sends Last-Event-ID.
func (s *e2eSrv) openStream(token string, lastID int64) *e2eStream {
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
	st := &e2eStream{t: s.t, C: make(chan e2eSSE, 1024), Status: res.StatusCode, cancel: cancel, done: make(chan struct{})}
	go st.read(res.Body)
	s.t.Cleanup(st.close)
	return st
}

func (st *e2eStream) read(body io.ReadCloser) {
	defer close(st.done)
	defer close(st.C)
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur e2eSSE
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.Name != "" {
				st.C <- cur
			}
			cur = e2eSSE{}
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
func (st *e2eStream) next() e2eSSE {
	st.t.Helper()
	select {
	case ev, ok := <-st.C:
		if !ok {
			st.t.Fatal("stream ended")
		}
		return ev
	case <-time.After(e2eWait):
		st.t.Fatal("timed out waiting for a stream event")
	}
	return e2eSSE{}
}

// until reads events until one satisfies stop and returns all read.
func (st *e2eStream) until(stop func(e2eSSE) bool) []e2eSSE {
	st.t.Helper()
	var out []e2eSSE
	for {
		ev := st.next()
		out = append(out, ev)
		if stop(ev) {
			return out
		}
	}
}

func (st *e2eStream) close() {
	st.cancel()
	<-st.done
}
