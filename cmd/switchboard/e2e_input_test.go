package main

import (
	"bytes"
	"strings"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// inputFixture is a server with one of everything, for the bad-input
// table: topic t, operator op-a (online, in group g, with active chat
// activeID), operator op-b, new chat newID, a closed chat closedID, a
// token, a ban and a webhook.
type inputFixture struct {
	*e2eSrv
	tokens                      map[byte]string
	activeID, newID, closedID   string
	tokenID, banID, webhookID   string
	snapshotPaths               []string
	lastSnapshot, lastSnapshotT []byte
}

func newInputFixture(t *testing.T) *inputFixture {
	s := e2eNew(t)
	s.topic("t")
	s.operator("op-a", nil)
	s.operator("op-b", nil)
	s.group("g", []string{"t"}, []string{"op-a"})
	s.setStatus("op-a", sb.StatusOnline)
	f := &inputFixture{e2eSrv: s, tokens: map[byte]string{
		'A': s.admin,
		'S': s.token(sb.RoleSupervisor, ""),
		'O': s.token(sb.RoleOperator, "op-a"),
		'I': s.token(sb.RoleIntegrator, ""),
	}}
	f.activeID = s.connectChat(f.tokens['I'], "c-active", "widget", autoCfg("t")).ID
	f.newID = s.connectChat(f.tokens['I'], "c-new", "widget", map[string]any{"subject_alias": "t"}).ID
	f.closedID = s.connectChat(f.tokens['I'], "c-closed", "widget", nil).ID
	s.must(200, "POST", "/api/v1/chats/"+f.closedID+"/close", s.admin, nil)
	f.tokenID, _ = s.must(201, "POST", "/api/v1/tokens", s.admin, map[string]any{"role": "integrator"}).obj()["id"].(string)
	f.banID, _ = s.must(201, "POST", "/api/v1/bans", s.admin, map[string]any{"client_id": "spammer", "until": future()}).obj()["id"].(string)
	f.webhookID, _ = s.must(201, "POST", "/api/v1/webhooks", s.admin, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}).obj()["id"].(string)
	f.snapshotPaths = []string{
		"/api/v1/tokens", "/api/v1/statuses", "/api/v1/topics", "/api/v1/operators", "/api/v1/skill-groups",
		"/api/v1/settings", "/api/v1/bans", "/api/v1/webhooks",
		"/api/v1/chats?folder=new", "/api/v1/chats?folder=in_queue", "/api/v1/chats?folder=active", "/api/v1/chats?folder=closed",
		"/api/v1/chats/" + f.activeID + "/messages", "/api/v1/events?after=0&limit=1000",
	}
	return f
}

// snapshot is every readable piece of state, as the API answers it.
func (f *inputFixture) snapshot() []byte {
	f.t.Helper()
	var b bytes.Buffer
	for _, p := range f.snapshotPaths {
		r := f.must(200, "GET", p, f.admin, nil)
		b.WriteString(p + "\n")
		b.Write(r.Raw)
	}
	return b.Bytes()
}

// badCall is one bad request and the answer it must get.
type badCall struct {
	name   string
	body   any
	status int
	field  string // for 422: the field the error names
}

// badCase is a write route with its bad requests. body marks a route that
// reads a JSON body: it gets malformed JSON and an unknown field for free.
type badCase struct {
	route string // as in the route table
	role  byte
	path  func(f *inputFixture) string
	body  bool
	calls func(f *inputFixture) []badCall
}

func at(p string) func(*inputFixture) string { return func(*inputFixture) string { return p } }

func calls(cs ...badCall) func(*inputFixture) []badCall {
	return func(*inputFixture) []badCall { return cs }
}

func bad(name string, body any, field string) badCall { return badCall{name, body, 422, field} }

func chatPath(which, action string) func(f *inputFixture) string {
	return func(f *inputFixture) string {
		id := map[string]string{"active": f.activeID, "new": f.newID, "closed": f.closedID, "ghost": "999"}[which]
		return "/api/v1/chats/" + id + action
	}
}

var badTable = []badCase{
	{"POST /api/v1/tokens", 'A', at("/api/v1/tokens"), true, calls(
		bad("wrong type", map[string]any{"role": 5}, "role"),
		bad("unknown role", map[string]any{"role": "boss"}, "role"),
		bad("unknown operator", map[string]any{"role": "operator", "operator_id": "ghost"}, "operator_id"),
		bad("operator without operator_id", map[string]any{"role": "operator"}, "operator_id"),
	)},
	{"DELETE /api/v1/tokens/{id}", 'A', at("/api/v1/tokens/ghost"), false, calls(
		badCall{"unknown token", nil, 404, ""},
	)},

	{"POST /api/v1/statuses", 'A', at("/api/v1/statuses"), true, calls(
		bad("wrong type", map[string]any{"id": "lunch", "name": "Lunch", "can_receive": "yes"}, "can_receive"),
		bad("no id", map[string]any{"name": "Lunch"}, "id"),
		bad("no name", map[string]any{"id": "lunch"}, "name"),
		badCall{"existing id", map[string]any{"id": "online", "name": "Online"}, 409, "id"},
	)},
	{"PATCH /api/v1/statuses/{id}", 'A', at("/api/v1/statuses/offline"), true, calls(
		bad("wrong type", map[string]any{"color": 5}, "color"),
		bad("auto-offline status made receiving", map[string]any{"can_receive": true}, "can_receive"),
		bad("empty name", map[string]any{"name": ""}, "name"),
	)},
	{"DELETE /api/v1/statuses/{id}", 'A', at("/api/v1/statuses/online"), false, calls(
		badCall{"status in use", nil, 409, "id"},
	)},

	{"POST /api/v1/topics", 'A', at("/api/v1/topics"), true, calls(
		bad("wrong type", map[string]any{"alias": 1, "name": "X"}, "alias"),
		bad("no alias", map[string]any{"name": "X"}, "alias"),
		bad("unknown parent", map[string]any{"alias": "x", "name": "X", "parent": "ghost"}, "parent"),
		badCall{"existing alias", map[string]any{"alias": "t", "name": "T"}, 409, "alias"},
	)},
	{"PATCH /api/v1/topics/{alias}", 'A', at("/api/v1/topics/t"), true, calls(
		bad("wrong type", map[string]any{"name": 1}, "name"),
		bad("unknown parent", map[string]any{"parent": "ghost"}, "parent"),
		bad("own parent", map[string]any{"parent": "t"}, "parent"),
	)},
	{"DELETE /api/v1/topics/{alias}", 'A', at("/api/v1/topics/t"), false, calls(
		badCall{"topic in use", nil, 409, "alias"},
	)},

	{"POST /api/v1/operators", 'A', at("/api/v1/operators"), true, calls(
		bad("wrong type", map[string]any{"id": "x", "name": "X", "max_chats": "many"}, "max_chats"),
		bad("no id", map[string]any{"name": "X"}, "id"),
		bad("negative max_chats", map[string]any{"id": "x", "name": "X", "max_chats": -1}, "max_chats"),
		bad("negative channel limit", map[string]any{"id": "x", "name": "X", "channel_limits": map[string]int{"telegram": -1}}, "channel_limits"),
		bad("short password", map[string]any{"id": "x", "name": "X", "password": "short"}, "password"),
		bad("unknown role", map[string]any{"id": "x", "name": "X", "role": "boss"}, "role"),
		badCall{"existing id", map[string]any{"id": "op-a", "name": "A"}, 409, "id"},
	)},
	{"PATCH /api/v1/operators/{id}", 'A', at("/api/v1/operators/op-a"), true, calls(
		bad("wrong type", map[string]any{"channel_limits": map[string]any{"telegram": "two"}}, "channel_limits"),
		bad("negative max_chats", map[string]any{"max_chats": -1}, "max_chats"),
		bad("empty channel", map[string]any{"channel_limits": map[string]int{"": 1}}, "channel_limits"),
		bad("id change", map[string]any{"id": "op-z"}, "id"),
		bad("empty name", map[string]any{"name": ""}, "name"),
		bad("short password", map[string]any{"password": "short"}, "password"),
	)},
	{"DELETE /api/v1/operators/{id}", 'A', at("/api/v1/operators/op-a"), false, calls(
		badCall{"operator with active chats", nil, 409, "id"},
	)},
	{"PUT /api/v1/operators/{id}/status", 'A', at("/api/v1/operators/op-a/status"), true, calls(
		bad("wrong type", map[string]any{"status": true}, "status"),
		bad("unknown status", map[string]any{"status": "nope"}, "status"),
	)},
	{"POST /api/v1/operators/{id}/redistribute", 'S', at("/api/v1/operators/op-a/redistribute"), true, calls(
		bad("wrong type", map[string]any{"weight": "x"}, "weight"),
		bad("unknown status", map[string]any{"status": "nope"}, "status"),
		bad("negative weight", map[string]any{"weight": -1}, "weight"),
	)},

	{"POST /api/v1/skill-groups", 'A', at("/api/v1/skill-groups"), true, calls(
		bad("wrong type", map[string]any{"id": "x", "topics": "t"}, "topics"),
		bad("unknown topic", map[string]any{"id": "x", "topics": []string{"ghost"}}, "topics"),
		bad("unknown operator", map[string]any{"id": "x", "operators": []string{"ghost"}}, "operators"),
		bad("negative accept timeout", map[string]any{"id": "x", "accept_timeout_s": -1}, "accept_timeout_s"),
		badCall{"existing id", map[string]any{"id": "g"}, 409, "id"},
	)},
	{"PATCH /api/v1/skill-groups/{id}", 'A', at("/api/v1/skill-groups/g"), true, calls(
		bad("wrong type", map[string]any{"active": "yes"}, "active"),
		bad("unknown operator", map[string]any{"operators": []string{"ghost"}}, "operators"),
		bad("negative response timeout", map[string]any{"response_timeout_s": -5}, "response_timeout_s"),
		bad("id change", map[string]any{"id": "h"}, "id"),
	)},
	{"DELETE /api/v1/skill-groups/{id}", 'A', at("/api/v1/skill-groups/ghost"), false, calls(
		badCall{"unknown group", nil, 404, "id"},
	)},

	{"PATCH /api/v1/settings", 'A', at("/api/v1/settings"), true, calls(
		bad("wrong type", map[string]any{"auto_connect": "yes"}, "auto_connect"),
		bad("unknown method", map[string]any{"distribution_method": "random"}, "distribution_method"),
		bad("negative default_max_chats", map[string]any{"default_max_chats": -1}, "default_max_chats"),
		bad("negative timer", map[string]any{"accept_timeout_s": -1}, "accept_timeout_s"),
		bad("unknown inactivity action", map[string]any{"chat_inactivity_action": "explode"}, "chat_inactivity_action"),
		bad("receiving auto-offline status", map[string]any{"auto_offline_status": "online"}, "auto_offline_status"),
		bad("negative channel limit", map[string]any{"default_channel_limits": map[string]int{"sms": -1}}, "default_channel_limits"),
	)},

	{"POST /api/v1/actions/operator_panel__connect_to_operator_with_msg", 'I', at(e2eConnectPath), true, calls(
		bad("wrong type", e2eConnectBody("k", "widget", map[string]any{"weight": "high"}), "config.weight"),
		bad("negative weight", e2eConnectBody("k", "widget", map[string]any{"weight": -1}), "config.weight"),
		bad("unknown status", e2eConnectBody("k", "widget", map[string]any{"status": "later"}), "config.status"),
	)},
	{"POST /api/v1/chats/{id}/messages", 'I', chatPath("active", "/messages"), true, calls(
		bad("wrong type", map[string]any{"text": 5}, "text"),
		bad("empty text", map[string]any{"text": ""}, "text"),
	)},
	{"POST /api/v1/chats/{id}/accept", 'O', chatPath("new", "/accept"), false, calls(
		badCall{"not the operator's chat", nil, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/take", 'O', chatPath("active", "/take"), false, calls(
		badCall{"an active chat", nil, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/assign", 'S', chatPath("new", "/assign"), true, calls(
		bad("wrong type", map[string]any{"operator_id": "op-a", "force": "yes"}, "force"),
		bad("no operator", map[string]any{}, "operator_id"),
		bad("unknown operator", map[string]any{"operator_id": "ghost"}, "operator_id"),
		badCall{"operator outside the topic", map[string]any{"operator_id": "op-b"}, 409, "operator_id"},
	)},
	{"POST /api/v1/chats/{id}/transfer", 'A', chatPath("active", "/transfer"), true, calls(
		bad("wrong type", map[string]any{"subject_alias": 5}, "subject_alias"),
		bad("no topic", map[string]any{}, "subject_alias"),
		bad("unknown topic", map[string]any{"subject_alias": "ghost"}, "subject_alias"),
	)},
	{"POST /api/v1/chats/{id}/close", 'A', chatPath("active", "/close"), true, calls(
		bad("wrong type", map[string]any{"comment": 5}, "comment"),
	)},

	{"POST /api/v1/bans", 'S', at("/api/v1/bans"), true, calls(
		bad("wrong type", map[string]any{"client_id": 5, "until": future()}, "client_id"),
		bad("no client", map[string]any{"until": future()}, "client_id"),
		bad("no until", map[string]any{"client_id": "x"}, "until"),
		bad("until not a time", map[string]any{"client_id": "x", "until": "tomorrow"}, "until"),
	)},
	{"DELETE /api/v1/bans/{id}", 'S', at("/api/v1/bans/ghost"), false, calls(
		badCall{"unknown ban", nil, 404, "id"},
	)},

	{"POST /api/v1/webhooks", 'I', at("/api/v1/webhooks"), true, calls(
		bad("wrong type", map[string]any{"url": "http://example.com/", "events": "*"}, "events"),
		bad("bad url", map[string]any{"url": "ftp://example.com/"}, "url"),
		bad("unknown event", map[string]any{"url": "http://example.com/", "events": []string{"nope"}}, "events"),
	)},
	{"DELETE /api/v1/webhooks/{id}", 'I', at("/api/v1/webhooks/ghost"), false, calls(
		badCall{"unknown webhook", nil, 404, ""},
	)},
}

// TestBadInputOnEveryWrite sends malformed JSON, an unknown field, a wrong
// type and semantically bad values to every write route, and checks the
// status, the field named and that nothing changed anywhere.
func TestBadInputOnEveryWrite(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, c := range badTable {
		covered[c.route] = true
	}
	for _, rt := range handlerRoutes() {
		if !strings.HasPrefix(rt, "GET ") && !covered[rt] {
			t.Errorf("write route %q is missing from the bad-input table", rt)
		}
	}
	f := newInputFixture(t)
	parent := t
	for _, tc := range badTable {
		t.Run(tc.route, func(t *testing.T) {
			f.t = t
			defer func() { f.t = parent }()
			method, _, _ := strings.Cut(tc.route, " ")
			path := tc.path(f)
			cs := tc.calls(f)
			if tc.body {
				cs = append([]badCall{
					{"malformed JSON", e2eRaw(`{"a": `), 400, ""},
					{"stray closing brace", e2eRaw(`{}}`), 400, ""},
					{"not an object", e2eRaw(`[1]`), 400, ""},
					bad("unknown field", map[string]any{"bogus_field": 1}, "bogus_field"),
				}, cs...)
			}
			before := f.snapshot()
			for _, c := range cs {
				r := f.do(method, path, f.tokens[tc.role], c.body)
				field, code := r.errField()
				if r.Status != c.status || code == "" || (c.field != "" && field != c.field) {
					t.Errorf("%s: got %s, want %d naming %q", c.name, r, c.status, c.field)
				}
			}
			if after := f.snapshot(); !bytes.Equal(before, after) {
				t.Errorf("bad input changed the state:\n%s", firstDiff(before, after))
			}
		})
	}
}

// firstDiff shows the first differing line of two snapshots.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "before: " + la[i] + "\nafter:  " + lb[i]
		}
	}
	return "lengths differ"
}

// TestBadQueryParameters: read routes reject bad query values naming them.
func TestBadQueryParameters(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	for _, c := range []struct{ path, field string }{
		{"/api/v1/chats?folder=trash", "folder"},
		{"/api/v1/events?after=-1", "after"},
		{"/api/v1/events?after=x", "after"},
		{"/api/v1/distribution/audit?since=yesterday", "since"},
		{"/api/v1/stats?from=monday", "from"},
		{"/api/v1/stats?to=friday", "to"},
	} {
		r := s.do("GET", c.path, s.admin, nil)
		if field, _ := r.errField(); r.Status != 422 || field != c.field {
			t.Errorf("%s: got %s, want 422 naming %q", c.path, r, c.field)
		}
	}
}
