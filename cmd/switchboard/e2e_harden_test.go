package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	sbhttp "github.com/switchboard/switchboard/http"
	"github.com/switchboard/switchboard/sqlite"
)

// Hardening (issue 25): a hostile client, a careless admin and bad input
// change nothing and stop nobody. Each test here failed before its fix.

// TestStalledConnections: clients that hold connections without finishing
// their request (no end of headers, a body that never comes, an idle
// keep-alive) cannot lock others out: more of them than the server keeps
// connections, and /healthz and a connect are answered throughout and
// after. (Before, every such connection stayed open for ever, and enough
// of them used up the file descriptors.)
func TestStalledConnections(t *testing.T) {
	t.Parallel()
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.MaxConnections = "127.0.0.1:0", t.TempDir(), 30
	s := e2eRun(t, m)
	s.e2eTeam("t", true, map[string]map[string]any{"a": {"max_chats": 1000}})
	in := s.token(sb.RoleIntegrator, "")

	var stalled []net.Conn
	defer func() {
		for _, c := range stalled {
			c.Close()
		}
	}()
	open := func(first string) {
		c, err := net.Dial("tcp", s.m.Addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		if _, err := io.WriteString(c, first); err != nil {
			t.Fatalf("write: %v", err)
		}
		stalled = append(stalled, c)
	}
	fresh := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	check := func(when string) {
		t.Helper()
		resp, err := fresh.Get(s.base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: /healthz: %v %v", when, resp, err)
		}
		resp.Body.Close()
		body := strings.NewReader(e2eJSON(t, e2eConnectBody("k"+strconv.Itoa(len(stalled))+when, "telegram", e2eAuto("t"))))
		req, _ := http.NewRequest("POST", s.base+e2eConnectPath, body)
		req.Header.Set("Authorization", "Bearer "+in)
		if resp, err = fresh.Do(req); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: connect: %v %v", when, resp, err)
		}
		resp.Body.Close()
	}
	for i := range 90 {
		switch i % 3 {
		case 0: // the headers never end
			open("POST /api/v1/session HTTP/1.1\r\nHost: x\r\n")
		case 1: // the body never comes
			open("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n")
		default: // a request, then idle on keep-alive
			open("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		}
		if i%10 == 9 {
			check(fmt.Sprintf("with %d stalled connections", i+1))
		}
	}
	if shed := s.metric("switchboard_connections_shed_total"); shed == "" || shed == "0" {
		t.Errorf("no connection was shed for another (switchboard_connections_shed_total %q)", shed)
	}
	if open, _ := strconv.Atoi(s.metric("switchboard_connections_open")); open > 30 {
		t.Errorf("%d connections open, over the cap of 30", open)
	}
	closed := 0 // by the server, to make room
	for _, c := range stalled {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := io.ReadAll(c); err == nil { // EOF: closed (the idle ones read their answer first)
			closed++
		}
	}
	if closed < 60 {
		t.Errorf("the server closed %d of the %d stalled connections, want at least 60", closed, len(stalled))
	}
	for _, c := range stalled {
		c.Close()
	}
	stalled = nil
	check("after")
}

// TestSignInThrottled: past five failures, an account (and an address) is
// locked for a growing time: 429 with Retry-After, even with the right
// password; the failures are counted in the metrics.
func TestSignInThrottled(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.operator("op-1", map[string]any{"email": "one@example.com", "password": "the right password"})
	for i := range 5 {
		if r := s.do("POST", "/api/v1/session", "", map[string]any{"email": "one@example.com", "password": "wrong"}); r.Status != 401 {
			t.Fatalf("failure %d: %s, want 401", i+1, r)
		}
	}
	r := s.do("POST", "/api/v1/session", "", map[string]any{"email": "one@example.com", "password": "wrong"})
	if r.Status != 401 {
		t.Fatalf("the sixth failure: %s, want 401 (it starts the lock)", r)
	}
	r = s.do("POST", "/api/v1/session", "", map[string]any{"email": "ONE@example.com", "password": "the right password"})
	if _, code := r.errField(); r.Status != 429 || code != sb.ETOOMANY || r.Header.Get("Retry-After") == "" {
		t.Fatalf("while locked: %s (Retry-After %q), want 429 with Retry-After", r, r.Header.Get("Retry-After"))
	}
	if got := s.metric("switchboard_signin_failures_total"); got != "6" {
		t.Errorf("switchboard_signin_failures_total %q, want 6", got)
	}
	e2eEventually(t, "the lock to end", func() bool {
		return s.do("POST", "/api/v1/session", "", map[string]any{"email": "one@example.com", "password": "the right password"}).Status == 200
	})
}

// TestSignInCrossSite: a sign-in a cross-site page could send is refused:
// a body that is not JSON (a plain form), another Origin, a browser that
// says cross-site. The CSRF value is bound to the session: one planted in
// the cookie does not pass.
func TestSignInCrossSite(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.operator("op-1", map[string]any{"email": "one@example.com", "password": "the right password"})
	send := func(ctype string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest("POST", s.base+"/api/v1/session", strings.NewReader(`{"email":"one@example.com","password":"the right password"}`))
		req.Header.Set("Content-Type", ctype)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := s.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, c := range []struct {
		what  string
		ctype string
		hdr   map[string]string
		want  int
	}{
		{"text/plain", "text/plain", nil, 415},
		{"a form", "application/x-www-form-urlencoded", nil, 415},
		{"another origin", "application/json", map[string]string{"Origin": "https://evil.example"}, 403},
		{"cross-site", "application/json", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same origin", "application/json", map[string]string{"Origin": s.base, "Sec-Fetch-Site": "same-origin"}, 200},
	} {
		if got := send(c.ctype, c.hdr).StatusCode; got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	ok := send("application/json", nil)
	var session *http.Cookie
	for _, ck := range ok.Cookies() {
		if ck.Name == "sb_session" {
			session = ck
		}
	}
	write := func(csrf string) int {
		req, _ := http.NewRequest("PUT", s.base+"/api/v1/operators/op-1/status", strings.NewReader(`{"status":"online"}`))
		req.AddCookie(session)
		req.AddCookie(&http.Cookie{Name: "sb_csrf", Value: "planted"})
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err := s.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := write("planted"); got != 403 {
		t.Errorf("a CSRF value planted in the cookie: %d, want 403", got)
	}
	var csrf string
	for _, ck := range ok.Cookies() {
		if ck.Name == "sb_csrf" {
			csrf = ck.Value
		}
	}
	if got := write(csrf); got != 200 {
		t.Errorf("the session's CSRF value: %d, want 200", got)
	}
}

// TestPanelHeaders: the panel's responses carry a CSP without inline
// script, nosniff, a referrer policy and frame-ancestors ('none' unless
// --frame-ancestors says who may embed it); the sign-in form posts (a
// password never lands in a URL without the script).
func TestPanelHeaders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ flag, want string }{{"", "frame-ancestors 'none'"}, {"https://crm.example.com", "frame-ancestors https://crm.example.com"}} {
		m := NewMain()
		m.Config.Addr, m.Config.Data = "127.0.0.1:0", t.TempDir()
		if c.flag != "" {
			m.Config.FrameAncestors = c.flag
		}
		s := e2eRun(t, m)
		r := s.must(200, "GET", "/", "", nil)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, c.want) {
			t.Errorf("CSP %q, want script-src 'self' and %q", csp, c.want)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("headers %v", r.Header)
		}
		if !strings.Contains(string(r.Raw), `<form id="login" class="login-card" method="post"`) {
			t.Error("the sign-in form does not post")
		}
	}
}

// TestDuplicateEmails: emails are unique whatever their case: 409.
func TestDuplicateEmails(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.operator("op-1", map[string]any{"email": "one@example.com"})
	r := s.must(409, "POST", "/api/v1/operators", s.admin, map[string]any{"id": "op-2", "name": "Two", "email": "ONE@Example.com"})
	if f, _ := r.errField(); f != "email" {
		t.Errorf("field %q, want email", f)
	}
	s.operator("op-2", map[string]any{"email": "two@example.com"})
	s.must(409, "PATCH", "/api/v1/operators/op-2", s.admin, map[string]any{"email": "one@EXAMPLE.com"})
}

// TestSessionsApartAndPurged: panel sessions are listed apart from API
// tokens; expired ones are deleted (at start, and every 10 minutes).
func TestSessionsApartAndPurged(t *testing.T) {
	t.Parallel()
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.SessionTTL = "127.0.0.1:0", t.TempDir(), time.Second
	s := e2eRun(t, m)
	s.operator("op-1", map[string]any{"email": "one@example.com", "password": "the right password"})
	s.must(200, "POST", "/api/v1/session", "", map[string]any{"email": "one@example.com", "password": "the right password"})
	var tokens, sessions []sb.Token
	s.must(200, "GET", "/api/v1/tokens", s.admin, nil).into(t, &tokens)
	s.must(200, "GET", "/api/v1/sessions", s.admin, nil).into(t, &sessions)
	if len(sessions) != 1 || sessions[0].OperatorID != "op-1" {
		t.Fatalf("sessions %+v, want op-1's", sessions)
	}
	id := sessions[0].ID
	for _, tk := range tokens {
		if tk.OperatorID == "op-1" {
			t.Errorf("the token list shows the session %s", tk.ID)
		}
	}
	time.Sleep(1100 * time.Millisecond) // past the TTL; a restart purges
	s.stop()
	m = NewMain()
	m.Config.Addr, m.Config.Data, m.Config.SessionTTL = "127.0.0.1:0", s.data, time.Second
	s = e2eRun(t, m)
	s.settings(map[string]any{"max_missed_chats": 3}) // through the writer, which purged before its first group
	s.stop()
	store, err := sqlite.Open(t.Context(), filepath.Join(s.data, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	all, err := store.Tokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range all {
		if tk.ID == id {
			t.Errorf("the session expired before the restart is still stored")
		}
	}
}

// TestValuesThatBreakTheEngine: timers past a year, ids that are not ids,
// over-long names and messages are refused naming the field, and change
// nothing.
func TestValuesThatBreakTheEngine(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	before := s.must(200, "GET", "/api/v1/settings", s.admin, nil).Raw
	for _, f := range []string{"queue_timeout_s", "accept_timeout_s", "response_timeout_s", "chat_inactivity_timeout_s", "auto_offline_after_s"} {
		r := s.must(422, "PATCH", "/api/v1/settings", s.admin, map[string]any{f: int64(9223372036854775807)})
		if got, _ := r.errField(); got != f {
			t.Errorf("%s: field %q", f, got)
		}
		s.must(422, "PATCH", "/api/v1/settings", s.admin, map[string]any{f: 365*24*3600 + 1})
	}
	s.must(422, "PATCH", "/api/v1/skill-groups/g-t", s.admin, map[string]any{"accept_timeout_s": 365*24*3600 + 1})
	if after := s.must(200, "GET", "/api/v1/settings", s.admin, nil).Raw; string(after) != string(before) {
		t.Errorf("the settings changed:\n%s\n%s", before, after)
	}
	for _, id := range []string{strings.Repeat("x", 500_000), "   ", "..", "a/b", "nul\x00", strings.Repeat("y", 129)} {
		r := s.do("POST", "/api/v1/operators", s.admin, map[string]any{"id": id, "name": "X"})
		if f, _ := r.errField(); r.Status != 422 || f != "id" {
			t.Errorf("operator id %.20q: %s, want 422 naming id", id, r)
		}
	}
	s.must(422, "POST", "/api/v1/operators", s.admin, map[string]any{"id": "ok", "name": strings.Repeat("n", 257)})
	r := s.do("POST", e2eConnectPath, in, e2eConnectBody("a/b", "telegram", e2eAuto("t")))
	if f, _ := r.errField(); r.Status != 422 || f != "client.id" {
		t.Errorf("client id a/b: %s", r)
	}
	r = s.do("POST", e2eConnectPath, in, e2eConnectBody("k", strings.Repeat("c", 200), e2eAuto("t")))
	if f, _ := r.errField(); r.Status != 422 || f != "client.channel" {
		t.Errorf("a 200-byte channel: %s", r)
	}
	c := s.connectChat(in, "k1", "telegram", e2eAuto("t"))
	r = s.do("POST", "/api/v1/chats/"+c.ID+"/messages", in, map[string]any{"text": strings.Repeat("m", 900_000)})
	if f, _ := r.errField(); r.Status != 422 || f != "text" {
		t.Errorf("a 900 KB message: %s", r)
	}
	s.must(201, "POST", "/api/v1/chats/"+c.ID+"/messages", in, map[string]any{"text": strings.Repeat("m", 64<<10)})
	s.settings(map[string]any{"max_message_bytes": 100})
	s.must(422, "POST", "/api/v1/chats/"+c.ID+"/messages", in, map[string]any{"text": strings.Repeat("m", 101)})
}

// TestWebhookTargets: subscriptions are an admin's; link-local targets are
// refused always, loopback and private ones unless
// webhook_allow_private_targets is on — at creation, for a chat's
// event_webhook_url, and at delivery (the setting turned off afterwards
// stops deliveries to a subscription made while it was on).
func TestWebhookTargets(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": nil})
	in := s.token(sb.RoleIntegrator, "")
	var mu sync.Mutex
	got := 0
	hook := httptestServer(t, func() { mu.Lock(); got++; mu.Unlock() })
	s.must(403, "POST", "/api/v1/webhooks", in, map[string]any{"url": "https://example.com/hook"})
	for _, u := range []string{hook, "http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://localhost/x"} {
		r := s.must(422, "POST", "/api/v1/webhooks", s.admin, map[string]any{"url": u})
		if f, _ := r.errField(); f != "url" {
			t.Errorf("%s: field %q", u, f)
		}
	}
	cfg := e2eAuto("t")
	cfg["event_webhook_url"] = "http://169.254.169.254/latest"
	if r := s.do("POST", e2eConnectPath, in, e2eConnectBody("k1", "telegram", cfg)); r.Status != 422 {
		t.Errorf("a chat's link-local event_webhook_url: %s", r)
	}
	cfg["event_webhook_url"] = "http://127.0.0.1:9/x"
	if r := s.do("POST", e2eConnectPath, in, e2eConnectBody("k1", "telegram", cfg)); r.Status != 422 {
		t.Errorf("a chat's loopback event_webhook_url: %s", r)
	}
	s.settings(map[string]any{"webhook_allow_private_targets": true})
	s.must(201, "POST", "/api/v1/webhooks", s.admin, map[string]any{"url": hook, "events": []string{sb.EventChatCreated}})
	s.must(422, "POST", "/api/v1/webhooks", s.admin, map[string]any{"url": "http://[fe80::1]/x"})
	s.connectChat(in, "k2", "telegram", e2eAuto("t"))
	e2eEventually(t, "a delivery while private targets are allowed", func() bool { mu.Lock(); defer mu.Unlock(); return got == 1 })
	s.settings(map[string]any{"webhook_allow_private_targets": false})
	s.connectChat(in, "k3", "telegram", e2eAuto("t"))
	time.Sleep(1500 * time.Millisecond) // long enough for a delivery to have been tried (not a bound)
	mu.Lock()
	defer mu.Unlock()
	if got != 1 {
		t.Errorf("%d deliveries, want 1: the one made after the setting went off reached the receiver", got)
	}
}

// httptestServer is a receiver that answers 204 and calls fn per request.
func httptestServer(t *testing.T, fn func()) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn()
		w.WriteHeader(204)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/hook"
}

// TestSmallHardening: the JSON envelope for unknown routes and methods,
// over-long bodies (413), and the answers Go's server writes itself
// (headers over the limit, 431; a malformed request, 400); accept on another operator's chat is 404; the
// metrics' channel label is bounded; "bearer" in any case; the data folder
// and database are the owner's only.
func TestSmallHardening(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.e2eTeam("t", true, map[string]map[string]any{"a": {"max_chats": 1000}, "b": nil})
	for _, c := range []struct {
		method, path string
		want         int
		code         string
	}{
		{"GET", "/api/v1/nope", 404, sb.ENOTFOUND},
		{"POST", "/api/v1/nope", 404, sb.ENOTFOUND},
		{"POST", "/nope", 405, sb.EMETHOD}, // the panel serves every GET outside /api/
		{"DELETE", "/api/v1/queue", 405, sb.EMETHOD},
	} {
		r := s.do(c.method, c.path, s.admin, nil)
		if _, code := r.errField(); r.Status != c.want || code != c.code || !strings.Contains(r.Header.Get("Content-Type"), "json") {
			t.Errorf("%s %s: %s, want %d %s in JSON", c.method, c.path, r, c.want, c.code)
		}
	}
	for _, c := range []struct {
		request string
		want    int
		code    string
	}{
		{"GET /api/v1/queue HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("x", 100<<10) + "\r\n\r\n", 431, sb.ETOOLARGE},
		{"GET /api/v1/queue HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400, "bad_request"},
		{"GET /api/v1/queue HTTP/1.1\r\n\r\n", 400, "bad_request"}, // no Host
	} {
		status, ctype, body := rawRequest(t, s.base, c.request)
		var eb sbhttp.ErrorBody
		if err := json.Unmarshal(body, &eb); err != nil || status != c.want || eb.Error.Code != c.code || ctype != "application/json" {
			t.Errorf("%.40q: %d %s %s (%v), want %d %s in JSON", c.request, status, ctype, body, err, c.want, c.code)
		}
	}
	big := e2eRaw(`{"text":"` + strings.Repeat("x", 2<<20) + `"}`)
	if r := s.do("POST", "/api/v1/statuses", s.admin, big); r.Status != 413 {
		t.Errorf("a 2 MiB body: %s, want 413", r)
	}
	in, opB := s.token(sb.RoleIntegrator, ""), s.token(sb.RoleOperator, "b")
	c := s.connectChat(in, "k0", "telegram", e2eAuto("t"))
	if c.OperatorID != "a" {
		t.Fatalf("the chat went to %q", c.OperatorID)
	}
	if r := s.do("POST", "/api/v1/chats/"+c.ID+"/accept", opB, nil); r.Status != 404 {
		t.Errorf("b accepts a's chat: %s, want 404", r)
	}
	for i := range 100 {
		s.connectChat(in, "ch"+strconv.Itoa(i), "channel-"+strconv.Itoa(i), e2eAuto("t"))
	}
	metrics := string(s.must(200, "GET", "/metrics", "", nil).Raw)
	values := map[string]bool{}
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "switchboard_assignments_total{") {
			_, rest, _ := strings.Cut(line, `channel="`)
			v, _, _ := strings.Cut(rest, `"`)
			values[v] = true
		}
	}
	if len(values) > 65 || !values["other"] {
		t.Errorf("%d channel label values (other: %v), want at most 65 with other", len(values), values["other"])
	}
	req, _ := http.NewRequest("GET", s.base+"/api/v1/queue", nil)
	req.Header.Set("Authorization", "bEaReR "+s.admin)
	if resp, err := s.hc.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("a lower-case scheme: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	data := filepath.Join(t.TempDir(), "new-data")
	fresh := e2eStart(t, data) // a folder the server creates
	fresh.stop()
	for path, want := range map[string]os.FileMode{data: 0o700, filepath.Join(data, "switchboard.db"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", path, fi.Mode().Perm(), err, want)
		}
	}
}

// rawRequest sends request as it is on a new connection to base and
// returns the answer's status, Content-Type and body.
func rawRequest(t *testing.T, base, request string) (int, string, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}
