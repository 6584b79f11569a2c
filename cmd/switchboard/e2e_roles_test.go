package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	sbhttp "github.com/switchboard/switchboard/http"
	"github.com/switchboard/switchboard/server"
)

// Role letters: Admin, Supervisor, Operator, Integrator.
const (
	e2eRoleAll   = "ASOI"
	e2eRolePanel = "ASO"
	e2eRoleStaff = "AS"
)

// e2eRoleFixture is a server with one token per role, each acting for an
// operator (so that routes that act as the caller's operator pass the role
// check); the operator token is operator op-r's, who serves topic t.
type e2eRoleFixture struct {
	*e2eSrv
	tokens map[byte]string // by role letter
	n      atomic.Int64
}

func e2eRoleFixtureNew(t *testing.T) *e2eRoleFixture {
	s := e2eNew(t)
	s.topic("t")
	s.must(201, "POST", "/api/v1/calendars", s.admin, e2eAlwaysOpen("cal-r"))
	s.operator("op-r", map[string]any{"max_chats": 10000})
	s.group("g", []string{"t"}, []string{"op-r"})
	s.setStatus("op-r", sb.StatusOnline)
	s.settings(map[string]any{"webhook_allow_private_targets": true}) // the receivers are on 127.0.0.1
	s.operator("adm-r", map[string]any{"role": sb.RoleAdmin})
	s.operator("sup-r", map[string]any{"role": sb.RoleSupervisor})
	s.operator("int-r", nil)
	s.operator("op-s", map[string]any{"max_chats": 10000}) // a colleague to offer chats to
	s.setStatus("op-s", sb.StatusOnline)
	return &e2eRoleFixture{e2eSrv: s, tokens: map[byte]string{
		'A': s.token(sb.RoleAdmin, "adm-r"),
		'S': s.token(sb.RoleSupervisor, "sup-r"),
		'O': s.token(sb.RoleOperator, "op-r"),
		'I': s.token(sb.RoleIntegrator, "int-r"),
	}}
}

// uniq returns a fresh id with a prefix.
func (f *e2eRoleFixture) uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, f.n.Add(1)) }

// chatWith creates a chat in topic t: active with op-r when assigned, else
// new. It returns the chat id.
func (f *e2eRoleFixture) chatWith(assigned bool) string {
	cfg := map[string]any{"subject_alias": "t"}
	if assigned {
		cfg["assigned_operator"] = "op-r"
	}
	return f.connectChat(f.admin, f.uniq("client-"), "widget", cfg).ID
}

// offeredTo creates a chat in topic t held by one operator and offered by
// the admin to another. It returns the chat id.
func (f *e2eRoleFixture) offeredTo(holder, to string) string {
	id := f.connectChat(f.admin, f.uniq("client-"), "widget", map[string]any{"subject_alias": "t", "assigned_operator": holder}).ID
	f.must(200, "POST", "/api/v1/chats/"+id+"/transfer", f.admin, map[string]any{"operator_id": to})
	return id
}

func (f *e2eRoleFixture) created(path string, body any, idField string) string {
	r := f.must(201, "POST", path, f.admin, body)
	id, _ := r.obj()[idField].(string)
	if id == "" {
		f.t.Fatalf("POST %s answered no %s: %s", path, idField, r)
	}
	return id
}

func e2eFuture() string { return time.Now().Add(time.Hour).UTC().Format(time.RFC3339) }

// e2eRoleCase is one route: who may call it and how to build a call that is
// valid enough to pass the role check.
type e2eRoleCase struct {
	roles string
	prep  func(f *e2eRoleFixture) (path string, body any)
}

func e2eFixed(path string, body any) func(*e2eRoleFixture) (string, any) {
	return func(*e2eRoleFixture) (string, any) { return path, body }
}

// e2eRoleTable must list every route of http/handler.go's routesTable, with
// the role sets written there.
var e2eRoleTable = map[string]e2eRoleCase{
	"POST /api/v1/tokens":  {"A", e2eFixed("/api/v1/tokens", map[string]any{"role": "integrator"})},
	"GET /api/v1/tokens":   {"A", e2eFixed("/api/v1/tokens", nil)},
	"GET /api/v1/sessions": {"A", e2eFixed("/api/v1/sessions", nil)},
	"DELETE /api/v1/tokens/{id}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/tokens/" + f.created("/api/v1/tokens", map[string]any{"role": "integrator"}, "id"), nil
	}},

	"GET /api/v1/session":    {e2eRoleAll, e2eFixed("/api/v1/session", nil)},
	"DELETE /api/v1/session": {e2eRoleAll, e2eFixed("/api/v1/session", nil)},
	"POST /api/v1/presence":  {e2eRoleAll, e2eFixed("/api/v1/presence", nil)},

	"GET /api/v1/statuses": {e2eRoleAll, e2eFixed("/api/v1/statuses", nil)},
	"POST /api/v1/statuses": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/statuses", map[string]any{"id": f.uniq("st"), "name": "Lunch", "can_receive": false, "color": "#123456"}
	}},
	"PATCH /api/v1/statuses/{id}": {"A", e2eFixed("/api/v1/statuses/break", map[string]any{"color": "#eeeeee"})},
	"DELETE /api/v1/statuses/{id}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/statuses/" + f.created("/api/v1/statuses", map[string]any{"id": f.uniq("st"), "name": "X"}, "id"), nil
	}},

	"GET /api/v1/topics": {e2eRoleAll, e2eFixed("/api/v1/topics", nil)},
	"POST /api/v1/topics": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/topics", map[string]any{"alias": f.uniq("tp"), "name": "X"}
	}},
	"PATCH /api/v1/topics/{alias}": {"A", e2eFixed("/api/v1/topics/t", map[string]any{"name": "Topic T"})},
	"DELETE /api/v1/topics/{alias}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/topics/" + f.created("/api/v1/topics", map[string]any{"alias": f.uniq("tp"), "name": "X"}, "alias"), nil
	}},

	"GET /api/v1/calendars":      {e2eRoleAll, e2eFixed("/api/v1/calendars", nil)},
	"GET /api/v1/calendars/{id}": {e2eRoleAll, e2eFixed("/api/v1/calendars/cal-r", nil)},
	"POST /api/v1/calendars": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/calendars", e2eAlwaysOpen(f.uniq("cal"))
	}},
	"PATCH /api/v1/calendars/{id}": {"A", e2eFixed("/api/v1/calendars/cal-r", map[string]any{"name": "Office"})},
	"DELETE /api/v1/calendars/{id}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/calendars/" + f.created("/api/v1/calendars", e2eAlwaysOpen(f.uniq("cal")), "id"), nil
	}},

	"GET /api/v1/operators": {e2eRolePanel, e2eFixed("/api/v1/operators", nil)},
	"POST /api/v1/operators": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/operators", map[string]any{"id": f.uniq("op"), "name": "X"}
	}},
	"GET /api/v1/operators/{id}":   {e2eRolePanel, e2eFixed("/api/v1/operators/op-r", nil)},
	"PATCH /api/v1/operators/{id}": {"A", e2eFixed("/api/v1/operators/op-r", map[string]any{"email": "r@example.com"})},
	"DELETE /api/v1/operators/{id}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/operators/" + f.created("/api/v1/operators", map[string]any{"id": f.uniq("op"), "name": "X"}, "id"), nil
	}},
	"PUT /api/v1/operators/{id}/status": {e2eRolePanel, e2eFixed("/api/v1/operators/op-r/status", map[string]any{"status": "online"})},
	"POST /api/v1/operators/{id}/redistribute": {e2eRoleStaff, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/operators/" + f.created("/api/v1/operators", map[string]any{"id": f.uniq("op"), "name": "X"}, "id") + "/redistribute", map[string]any{}
	}},
	"GET /api/v1/operators/{id}/diagnostics": {e2eRolePanel, e2eFixed("/api/v1/operators/op-r/diagnostics", nil)},
	"POST /api/v1/operators/{id}/ready":      {e2eRolePanel, e2eFixed("/api/v1/operators/op-r/ready", nil)},

	"GET /api/v1/skill-groups": {e2eRolePanel, e2eFixed("/api/v1/skill-groups", nil)},
	"POST /api/v1/skill-groups": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/skill-groups", map[string]any{"id": f.uniq("g"), "name": "X"}
	}},
	"GET /api/v1/skill-groups/{id}":   {e2eRolePanel, e2eFixed("/api/v1/skill-groups/g", nil)},
	"PATCH /api/v1/skill-groups/{id}": {"A", e2eFixed("/api/v1/skill-groups/g", map[string]any{"name": "Group"})},
	"DELETE /api/v1/skill-groups/{id}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/skill-groups/" + f.created("/api/v1/skill-groups", map[string]any{"id": f.uniq("g"), "name": "X"}, "id"), nil
	}},

	"GET /api/v1/settings":   {e2eRolePanel, e2eFixed("/api/v1/settings", nil)},
	"PATCH /api/v1/settings": {"A", e2eFixed("/api/v1/settings", map[string]any{"max_missed_chats": 3})},

	"POST /api/v1/actions/operator_panel__connect_to_operator_with_msg": {"AI", func(f *e2eRoleFixture) (string, any) {
		return e2eConnectPath, e2eConnectBody(f.uniq("client-"), "widget", nil)
	}},
	"GET /api/v1/chats": {e2eRoleAll, e2eFixed("/api/v1/chats?folder=active", nil)},
	"GET /api/v1/chats/{id}": {e2eRoleAll, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true), nil
	}},
	"GET /api/v1/chats/{id}/messages": {e2eRoleAll, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/messages", nil
	}},
	"POST /api/v1/chats/{id}/messages": {e2eRoleAll, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/messages", map[string]any{"text": "hi"}
	}},
	"POST /api/v1/chats/{id}/accept": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/accept", nil
	}},
	"POST /api/v1/chats/{id}/take": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(false) + "/take", nil
	}},
	"PATCH /api/v1/chats/{id}": {e2eRoleAll, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true), map[string]any{"tag_ids": []string{"vip"}}
	}},
	"POST /api/v1/chats/{id}/return-to-bot": {e2eRoleAll, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/return-to-bot", nil
	}},
	"POST /api/v1/chats/{id}/assign": {e2eRoleStaff, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(false) + "/assign", map[string]any{"operator_id": "op-r"}
	}},
	"POST /api/v1/chats/{id}/transfer": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/transfer", map[string]any{"subject_alias": "t"}
	}},
	"POST /api/v1/chats/{id}/offer/accept": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.offeredTo("op-s", "op-r") + "/offer/accept", nil
	}},
	"POST /api/v1/chats/{id}/offer/decline": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.offeredTo("op-s", "op-r") + "/offer/decline", map[string]any{"reason": "busy"}
	}},
	"POST /api/v1/chats/{id}/offer/withdraw": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.offeredTo("op-r", "op-s") + "/offer/withdraw", nil
	}},
	"POST /api/v1/chats/{id}/notes": {e2eRolePanel, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/notes", map[string]any{"text": "order 1182"}
	}},
	"POST /api/v1/chats/{id}/close": {e2eRoleAll, func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/close", map[string]any{"comment": "bye"}
	}},
	"POST /api/v1/chats/{id}/rating": {"AI", func(f *e2eRoleFixture) (string, any) {
		id := f.chatWith(true)
		f.must(200, "POST", "/api/v1/chats/"+id+"/close", f.admin, nil)
		return "/api/v1/chats/" + id + "/rating", map[string]any{"score": 4, "comment": "thanks"}
	}},

	"GET /api/v1/queue":              {e2eRolePanel, e2eFixed("/api/v1/queue", nil)},
	"GET /api/v1/distribution/audit": {e2eRoleStaff, e2eFixed("/api/v1/distribution/audit", nil)},

	"GET /api/v1/bans": {"ASI", e2eFixed("/api/v1/bans", nil)},
	"POST /api/v1/bans": {"ASI", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/bans", map[string]any{"client_id": f.uniq("banned-"), "until": e2eFuture()}
	}},
	"DELETE /api/v1/bans/{id}": {"ASI", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/bans/" + f.created("/api/v1/bans", map[string]any{"client_id": f.uniq("banned-"), "until": e2eFuture()}, "id"), nil
	}},

	"GET /api/v1/stats": {e2eRoleStaff, e2eFixed("/api/v1/stats", nil)},

	"POST /api/v1/simulations": {e2eRoleStaff, e2eFixed("/api/v1/simulations", map[string]any{"days": 1})},

	"GET /api/v1/events":        {e2eRoleAll, e2eFixed("/api/v1/events?after=0", nil)},
	"GET /api/v1/events/stream": {e2eRoleAll, e2eFixed("/api/v1/events/stream", nil)},

	"GET /api/v1/webhooks": {"A", e2eFixed("/api/v1/webhooks", nil)},
	"POST /api/v1/webhooks": {"A", e2eFixed("/api/v1/webhooks", map[string]any{
		"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"},
	})},
	"DELETE /api/v1/webhooks/{id}": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/webhooks/" + f.created("/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}, "id"), nil
	}},
	"GET /api/v1/webhooks/{id}/deliveries": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/webhooks/" + f.created("/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}, "id") + "/deliveries", nil
	}},
	"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/webhooks/" + f.created("/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}, "id") + "/deliveries/1/resend", nil
	}},
	"POST /api/v1/webhooks/{id}/test": {"A", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/webhooks/" + f.created("/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}, "id") + "/test", nil
	}},
	"GET /api/v1/chats/{id}/deliveries": {"ASI", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/deliveries", nil
	}},
	"POST /api/v1/chats/{id}/deliveries/{delivery_id}/resend": {"ASI", func(f *e2eRoleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/deliveries/1/resend", nil
	}},
	"GET /api/v1/webhook-keys":  {"A", e2eFixed("/api/v1/webhook-keys", nil)},
	"POST /api/v1/webhook-keys": {"A", e2eFixed("/api/v1/webhook-keys", map[string]any{"overlap_s": 60})},
}

// e2eRoutes lists the routes of the real route table.
func e2eRoutes() []string {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return sbhttp.NewHandler(server.New(nil, log), log, nil, nil).Routes()
}

// e2eDeclaredRoles reads the role set of every route from http/handler.go, as
// role letters.
func e2eDeclaredRoles(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "http", "handler.go"))
	if err != nil {
		t.Fatalf("read handler.go: %v", err)
	}
	letters := map[string]string{
		"rAdmin": "A", "rSupervisor": "S", "rOperator": "O", "rIntegrator": "I",
		"rStaff": e2eRoleStaff, "rPanel": e2eRolePanel, "rAll": e2eRoleAll,
	}
	out := map[string]string{}
	re := regexp.MustCompile(`h\.handle\w*\("([^"]+)", ([A-Za-z|]+),`)
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		set := ""
		for _, r := range strings.Split(m[2], "|") {
			l, ok := letters[r]
			if !ok {
				t.Fatalf("route %q: unknown role set %q", m[1], r)
			}
			set += l
		}
		out[m[1]] = e2eSortedLetters(set)
	}
	if len(out) == 0 {
		t.Fatal("no routes found in handler.go")
	}
	return out
}

// e2eSortedLetters puts role letters in the order A, S, O, I without repeats.
func e2eSortedLetters(s string) string {
	out := ""
	for _, l := range e2eRoleAll {
		if strings.ContainsRune(s, l) {
			out += string(l)
		}
	}
	return out
}

// statusOnly sends a request and returns only the status; it does not wait
// for the body, so that it works for the event stream too.
func (s *e2eSrv) statusOnly(method, path, token string, body any) int {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(e2eJSON(s.t, body))
	}
	req, _ := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	return res.StatusCode
}

// TestRoleMatrix calls every route with no token, a bad token and each
// role's token, and checks 401, 403 or allowed as the route table says.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	routes := e2eRoutes()
	for _, rt := range routes {
		if _, ok := e2eRoleTable[rt]; !ok {
			t.Errorf("route %q is missing from the role table", rt)
		}
	}
	for rt := range e2eRoleTable {
		if !slices.Contains(routes, rt) {
			t.Errorf("role table route %q is not served", rt)
		}
	}
	declared := e2eDeclaredRoles(t)
	for rt, tc := range e2eRoleTable {
		if d, ok := declared[rt]; ok && d != e2eSortedLetters(tc.roles) {
			t.Errorf("route %q: handler.go allows %q, the role table says %q", rt, d, tc.roles)
		}
	}
	f := e2eRoleFixtureNew(t)
	parent := t
	for _, rt := range slices.Sorted(func(yield func(string) bool) {
		for k := range e2eRoleTable {
			if !yield(k) {
				return
			}
		}
	}) {
		tc := e2eRoleTable[rt]
		method, _, _ := strings.Cut(rt, " ")
		t.Run(rt, func(t *testing.T) {
			f.t = t
			defer func() { f.t = parent }()
			for _, who := range []string{"none", "bad"} {
				path, body := tc.prep(f)
				tok := map[string]string{"none": "", "bad": "sbt_not-a-token"}[who]
				if got := f.statusOnly(method, path, tok, body); got != 401 {
					t.Errorf("%s token: %d, want 401", who, got)
				}
			}
			for _, role := range []byte(e2eRoleAll) {
				path, body := tc.prep(f)
				got := f.statusOnly(method, path, f.tokens[role], body)
				allowed := strings.IndexByte(tc.roles, role) >= 0
				switch {
				case allowed && (got == 401 || got == 403):
					t.Errorf("role %c: %d, want allowed", role, got)
				case allowed && got >= 500:
					t.Errorf("role %c: %d", role, got)
				case !allowed && got != 403:
					t.Errorf("role %c: %d, want 403", role, got)
				}
			}
		})
	}
}

// TestTokenLifecycle: the secret is shown once; a deleted token stops
// working at once, even after it was used (and cached).
func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	r := s.must(201, "POST", "/api/v1/tokens", s.admin, map[string]any{"role": "supervisor"})
	id, _ := r.obj()["id"].(string)
	secret, _ := r.obj()["token"].(string)
	if _, ok := r.obj()["operator_id"]; !ok {
		t.Errorf("token answer lacks operator_id: %s", r)
	}
	s.must(200, "GET", "/api/v1/queue", secret, nil)
	list := s.must(200, "GET", "/api/v1/tokens", s.admin, nil)
	if strings.Contains(string(list.Raw), secret) || strings.Contains(string(list.Raw), "hash") {
		t.Errorf("the token list shows secrets: %s", list)
	}
	if !strings.Contains(string(list.Raw), id) {
		t.Errorf("the token list lacks %s: %s", id, list)
	}
	s.must(204, "DELETE", "/api/v1/tokens/"+id, s.admin, nil)
	if r := s.do("GET", "/api/v1/queue", secret, nil); r.Status != 401 {
		t.Errorf("a deleted token answers %s, want 401", r)
	}
	// Only the bearer scheme is accepted.
	if r := s.do("GET", "/api/v1/queue", "", nil); r.Status != 401 {
		t.Errorf("no token: %s", r)
	}
}
