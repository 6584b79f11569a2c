package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	roleAll   = "ASOI"
	rolePanel = "ASO"
	roleStaff = "AS"
)

// roleFixture is a server with one token per role; the operator token is
// operator op-r's, who serves topic t.
type roleFixture struct {
	*e2eSrv
	tokens map[byte]string // by role letter
	n      atomic.Int64
}

func newRoleFixture(t *testing.T) *roleFixture {
	s := e2eNew(t)
	s.topic("t")
	s.operator("op-r", map[string]any{"max_chats": 10000})
	s.group("g", []string{"t"}, []string{"op-r"})
	s.setStatus("op-r", sb.StatusOnline)
	return &roleFixture{e2eSrv: s, tokens: map[byte]string{
		'A': s.admin,
		'S': s.token(sb.RoleSupervisor, ""),
		'O': s.token(sb.RoleOperator, "op-r"),
		'I': s.token(sb.RoleIntegrator, ""),
	}}
}

// uniq returns a fresh id with a prefix.
func (f *roleFixture) uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, f.n.Add(1)) }

// chatWith creates a chat in topic t: active with op-r when assigned, else
// new. It returns the chat id.
func (f *roleFixture) chatWith(assigned bool) string {
	cfg := map[string]any{"subject_alias": "t"}
	if assigned {
		cfg["assigned_operator"] = "op-r"
	}
	return f.connectChat(f.admin, f.uniq("client-"), "widget", cfg).ID
}

func (f *roleFixture) created(path string, body any, idField string) string {
	r := f.must(201, "POST", path, f.admin, body)
	id, _ := r.obj()[idField].(string)
	if id == "" {
		f.t.Fatalf("POST %s answered no %s: %s", path, idField, r)
	}
	return id
}

func future() string { return time.Now().Add(time.Hour).UTC().Format(time.RFC3339) }

// roleCase is one route: who may call it and how to build a call that is
// valid enough to pass the role check.
type roleCase struct {
	roles string
	prep  func(f *roleFixture) (path string, body any)
}

func fixed(path string, body any) func(*roleFixture) (string, any) {
	return func(*roleFixture) (string, any) { return path, body }
}

// roleTable must list every route of http/handler.go's routesTable, with
// the role sets written there.
var roleTable = map[string]roleCase{
	"POST /api/v1/tokens": {"A", fixed("/api/v1/tokens", map[string]any{"role": "integrator"})},
	"GET /api/v1/tokens":  {"A", fixed("/api/v1/tokens", nil)},
	"DELETE /api/v1/tokens/{id}": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/tokens/" + f.created("/api/v1/tokens", map[string]any{"role": "integrator"}, "id"), nil
	}},

	"GET /api/v1/statuses": {roleAll, fixed("/api/v1/statuses", nil)},
	"POST /api/v1/statuses": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/statuses", map[string]any{"id": f.uniq("st"), "name": "Lunch", "can_receive": false, "color": "#123456"}
	}},
	"PATCH /api/v1/statuses/{id}": {"A", fixed("/api/v1/statuses/break", map[string]any{"color": "#eeeeee"})},
	"DELETE /api/v1/statuses/{id}": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/statuses/" + f.created("/api/v1/statuses", map[string]any{"id": f.uniq("st"), "name": "X"}, "id"), nil
	}},

	"GET /api/v1/topics": {roleAll, fixed("/api/v1/topics", nil)},
	"POST /api/v1/topics": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/topics", map[string]any{"alias": f.uniq("tp"), "name": "X"}
	}},
	"PATCH /api/v1/topics/{alias}": {"A", fixed("/api/v1/topics/t", map[string]any{"name": "Topic T"})},
	"DELETE /api/v1/topics/{alias}": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/topics/" + f.created("/api/v1/topics", map[string]any{"alias": f.uniq("tp"), "name": "X"}, "alias"), nil
	}},

	"GET /api/v1/operators": {rolePanel, fixed("/api/v1/operators", nil)},
	"POST /api/v1/operators": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/operators", map[string]any{"id": f.uniq("op"), "name": "X"}
	}},
	"GET /api/v1/operators/{id}":   {rolePanel, fixed("/api/v1/operators/op-r", nil)},
	"PATCH /api/v1/operators/{id}": {"A", fixed("/api/v1/operators/op-r", map[string]any{"email": "r@example.com"})},
	"DELETE /api/v1/operators/{id}": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/operators/" + f.created("/api/v1/operators", map[string]any{"id": f.uniq("op"), "name": "X"}, "id"), nil
	}},
	"PUT /api/v1/operators/{id}/status": {rolePanel, fixed("/api/v1/operators/op-r/status", map[string]any{"status": "online"})},
	"POST /api/v1/operators/{id}/redistribute": {roleStaff, func(f *roleFixture) (string, any) {
		return "/api/v1/operators/" + f.created("/api/v1/operators", map[string]any{"id": f.uniq("op"), "name": "X"}, "id") + "/redistribute", map[string]any{}
	}},
	"GET /api/v1/operators/{id}/diagnostics": {rolePanel, fixed("/api/v1/operators/op-r/diagnostics", nil)},

	"GET /api/v1/skill-groups": {rolePanel, fixed("/api/v1/skill-groups", nil)},
	"POST /api/v1/skill-groups": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/skill-groups", map[string]any{"id": f.uniq("g"), "name": "X"}
	}},
	"GET /api/v1/skill-groups/{id}":   {rolePanel, fixed("/api/v1/skill-groups/g", nil)},
	"PATCH /api/v1/skill-groups/{id}": {"A", fixed("/api/v1/skill-groups/g", map[string]any{"name": "Group"})},
	"DELETE /api/v1/skill-groups/{id}": {"A", func(f *roleFixture) (string, any) {
		return "/api/v1/skill-groups/" + f.created("/api/v1/skill-groups", map[string]any{"id": f.uniq("g"), "name": "X"}, "id"), nil
	}},

	"GET /api/v1/settings":   {rolePanel, fixed("/api/v1/settings", nil)},
	"PATCH /api/v1/settings": {"A", fixed("/api/v1/settings", map[string]any{"max_missed_chats": 3})},

	"POST /api/v1/actions/operator_panel__connect_to_operator_with_msg": {"AI", func(f *roleFixture) (string, any) {
		return e2eConnectPath, e2eConnectBody(f.uniq("client-"), "widget", nil)
	}},
	"GET /api/v1/chats": {roleAll, fixed("/api/v1/chats?folder=active", nil)},
	"GET /api/v1/chats/{id}": {roleAll, func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true), nil
	}},
	"GET /api/v1/chats/{id}/messages": {roleAll, func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/messages", nil
	}},
	"POST /api/v1/chats/{id}/messages": {"OI", func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/messages", map[string]any{"text": "hi"}
	}},
	"POST /api/v1/chats/{id}/accept": {"O", func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/accept", nil
	}},
	"POST /api/v1/chats/{id}/take": {"O", func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(false) + "/take", nil
	}},
	"POST /api/v1/chats/{id}/assign": {roleStaff, func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(false) + "/assign", map[string]any{"operator_id": "op-r"}
	}},
	"POST /api/v1/chats/{id}/transfer": {rolePanel, func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/transfer", map[string]any{"subject_alias": "t"}
	}},
	"POST /api/v1/chats/{id}/close": {roleAll, func(f *roleFixture) (string, any) {
		return "/api/v1/chats/" + f.chatWith(true) + "/close", map[string]any{"comment": "bye"}
	}},

	"GET /api/v1/queue":              {rolePanel, fixed("/api/v1/queue", nil)},
	"GET /api/v1/distribution/audit": {roleStaff, fixed("/api/v1/distribution/audit", nil)},

	"GET /api/v1/bans": {"ASI", fixed("/api/v1/bans", nil)},
	"POST /api/v1/bans": {"ASI", func(f *roleFixture) (string, any) {
		return "/api/v1/bans", map[string]any{"client_id": f.uniq("banned-"), "until": future()}
	}},
	"DELETE /api/v1/bans/{id}": {"ASI", func(f *roleFixture) (string, any) {
		return "/api/v1/bans/" + f.created("/api/v1/bans", map[string]any{"client_id": f.uniq("banned-"), "until": future()}, "id"), nil
	}},

	"GET /api/v1/stats": {roleStaff, fixed("/api/v1/stats", nil)},

	"GET /api/v1/events":        {roleAll, fixed("/api/v1/events?after=0", nil)},
	"GET /api/v1/events/stream": {roleAll, fixed("/api/v1/events/stream", nil)},

	"GET /api/v1/webhooks": {"AI", fixed("/api/v1/webhooks", nil)},
	"POST /api/v1/webhooks": {"AI", fixed("/api/v1/webhooks", map[string]any{
		"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"},
	})},
	"DELETE /api/v1/webhooks/{id}": {"AI", func(f *roleFixture) (string, any) {
		return "/api/v1/webhooks/" + f.created("/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}, "id"), nil
	}},
	"GET /api/v1/webhooks/{id}/deliveries": {"AI", func(f *roleFixture) (string, any) {
		return "/api/v1/webhooks/" + f.created("/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}, "id") + "/deliveries", nil
	}},
}

// handlerRoutes lists the routes of the real route table.
func handlerRoutes() []string {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return sbhttp.NewHandler(server.New(nil, log), log, nil).Routes()
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
	routes := handlerRoutes()
	for _, rt := range routes {
		if _, ok := roleTable[rt]; !ok {
			t.Errorf("route %q is missing from the role table", rt)
		}
	}
	for rt := range roleTable {
		if !slices.Contains(routes, rt) {
			t.Errorf("role table route %q is not served", rt)
		}
	}
	f := newRoleFixture(t)
	parent := t
	for _, rt := range slices.Sorted(func(yield func(string) bool) {
		for k := range roleTable {
			if !yield(k) {
				return
			}
		}
	}) {
		tc := roleTable[rt]
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
			for _, role := range []byte(roleAll) {
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
