package main

import (
	"bytes"
	"strings"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// e2eInputFixture is a server with one of everything, for the bad-input
// table: topic t, operator op-a (online, in group g, with active chat
// activeID), operator op-b, new chat newID, a closed chat closedID, a
// token, a ban and a webhook.
type e2eInputFixture struct {
	*e2eSrv
	tokens                    map[byte]string
	activeID, newID, closedID string
	tokenID, banID, webhookID string
	snapshotPaths             []string
}

func e2eInputFixtureNew(t *testing.T) *e2eInputFixture {
	s := e2eNew(t)
	s.topic("t")
	s.must(201, "POST", "/api/v1/calendars", s.admin, e2eAlwaysOpen("always"))
	s.must(200, "PATCH", "/api/v1/topics/t", s.admin, map[string]any{"calendar_id": "always"})
	s.operator("op-a", nil)
	s.operator("op-b", nil)
	s.group("g", []string{"t"}, []string{"op-a"})
	s.setStatus("op-a", sb.StatusOnline)
	s.settings(map[string]any{"webhook_allow_private_targets": true}) // the receiver is on 127.0.0.1
	f := &e2eInputFixture{e2eSrv: s, tokens: map[byte]string{
		'A': s.admin,
		'S': s.token(sb.RoleSupervisor, ""),
		'O': s.token(sb.RoleOperator, "op-a"),
		'I': s.token(sb.RoleIntegrator, ""),
	}}
	f.activeID = s.connectChat(f.tokens['I'], "c-active", "widget", e2eAuto("t")).ID
	f.newID = s.connectChat(f.tokens['I'], "c-new", "widget", map[string]any{"subject_alias": "t"}).ID
	f.closedID = s.connectChat(f.tokens['I'], "c-closed", "widget", nil).ID
	s.must(200, "POST", "/api/v1/chats/"+f.closedID+"/close", s.admin, nil)
	f.tokenID, _ = s.must(201, "POST", "/api/v1/tokens", s.admin, map[string]any{"role": "integrator"}).obj()["id"].(string)
	f.banID, _ = s.must(201, "POST", "/api/v1/bans", s.admin, map[string]any{"client_id": "spammer", "until": e2eFuture()}).obj()["id"].(string)
	f.webhookID, _ = s.must(201, "POST", "/api/v1/webhooks", s.admin, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"queue_timeout"}}).obj()["id"].(string)
	f.snapshotPaths = []string{
		"/api/v1/tokens", "/api/v1/statuses", "/api/v1/topics", "/api/v1/operators", "/api/v1/skill-groups",
		"/api/v1/settings", "/api/v1/bans", "/api/v1/webhooks", "/api/v1/calendars",
		"/api/v1/chats?folder=new", "/api/v1/chats?folder=in_queue", "/api/v1/chats?folder=active", "/api/v1/chats?folder=closed",
		"/api/v1/chats/" + f.activeID + "/messages", "/api/v1/events?after=0&limit=1000",
	}
	return f
}

// snapshot is every readable piece of state, as the API answers it.
func (f *e2eInputFixture) snapshot() []byte {
	f.t.Helper()
	var b bytes.Buffer
	for _, p := range f.snapshotPaths {
		r := f.must(200, "GET", p, f.admin, nil)
		b.WriteString(p + "\n")
		b.Write(r.Raw)
	}
	return b.Bytes()
}

// e2eBadCall is one bad request and the answer it must get.
type e2eBadCall struct {
	name   string
	body   any
	status int
	field  string // for 422: the field the error names
}

// e2eBadCase is a write route with its bad requests. body marks a route that
// reads a JSON body: it gets malformed JSON and an unknown field for free.
type e2eBadCase struct {
	route string // as in the route table
	role  byte
	path  func(f *e2eInputFixture) string
	body  bool
	calls func(f *e2eInputFixture) []e2eBadCall
}

func e2eAt(p string) func(*e2eInputFixture) string { return func(*e2eInputFixture) string { return p } }

func e2eCalls(cs ...e2eBadCall) func(*e2eInputFixture) []e2eBadCall {
	return func(*e2eInputFixture) []e2eBadCall { return cs }
}

func e2eBad(name string, body any, field string) e2eBadCall {
	return e2eBadCall{name, body, 422, field}
}

func e2eChatPath(which, action string) func(f *e2eInputFixture) string {
	return func(f *e2eInputFixture) string {
		id := map[string]string{"active": f.activeID, "new": f.newID, "closed": f.closedID, "ghost": "999"}[which]
		return "/api/v1/chats/" + id + action
	}
}

var e2eBadTable = []e2eBadCase{
	{"POST /api/v1/tokens", 'A', e2eAt("/api/v1/tokens"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"role": 5}, "role"),
		e2eBad("unknown role", map[string]any{"role": "boss"}, "role"),
		e2eBad("unknown operator", map[string]any{"role": "operator", "operator_id": "ghost"}, "operator_id"),
		e2eBad("operator without operator_id", map[string]any{"role": "operator"}, "operator_id"),
	)},
	{"DELETE /api/v1/tokens/{id}", 'A', e2eAt("/api/v1/tokens/ghost"), false, e2eCalls(
		e2eBadCall{"unknown token", nil, 404, ""},
	)},

	{"DELETE /api/v1/session", 'I', e2eAt("/api/v1/session"), false, e2eCalls()},
	{"POST /api/v1/presence", 'A', e2eAt("/api/v1/presence"), false, e2eCalls(
		e2eBadCall{"a credential of no operator", nil, 403, ""},
	)},

	{"POST /api/v1/statuses", 'A', e2eAt("/api/v1/statuses"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"id": "lunch", "name": "Lunch", "can_receive": "yes"}, "can_receive"),
		e2eBad("no id", map[string]any{"name": "Lunch"}, "id"),
		e2eBad("no name", map[string]any{"id": "lunch"}, "name"),
		e2eBadCall{"existing id", map[string]any{"id": "online", "name": "Online"}, 409, "id"},
	)},
	{"PATCH /api/v1/statuses/{id}", 'A', e2eAt("/api/v1/statuses/offline"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"color": 5}, "color"),
		e2eBad("auto-offline status made receiving", map[string]any{"can_receive": true}, "can_receive"),
		e2eBad("empty name", map[string]any{"name": ""}, "name"),
	)},
	{"DELETE /api/v1/statuses/{id}", 'A', e2eAt("/api/v1/statuses/online"), false, e2eCalls(
		e2eBadCall{"status in use", nil, 409, "id"},
	)},

	{"POST /api/v1/topics", 'A', e2eAt("/api/v1/topics"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"alias": 1, "name": "X"}, "alias"),
		e2eBad("no alias", map[string]any{"name": "X"}, "alias"),
		e2eBad("unknown parent", map[string]any{"alias": "x", "name": "X", "parent": "ghost"}, "parent"),
		e2eBadCall{"existing alias", map[string]any{"alias": "t", "name": "T"}, 409, "alias"},
	)},
	{"PATCH /api/v1/topics/{alias}", 'A', e2eAt("/api/v1/topics/t"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"name": 1}, "name"),
		e2eBad("unknown parent", map[string]any{"parent": "ghost"}, "parent"),
		e2eBad("own parent", map[string]any{"parent": "t"}, "parent"),
		e2eBad("unknown calendar", map[string]any{"calendar_id": "ghost"}, "calendar_id"),
		e2eBad("negative queue length", map[string]any{"max_queue_length": -1}, "max_queue_length"),
		e2eBad("negative sla_target_s", map[string]any{"sla_target_s": -1}, "sla_target_s"),
		e2eBad("sla_goal above 1", map[string]any{"sla_goal": 1.5}, "sla_goal"),
	)},
	{"POST /api/v1/calendars", 'A', e2eAt("/api/v1/calendars"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"id": "c", "time_zone": "UTC", "hours": []string{"mon"}}, "hours"),
		e2eBad("no time zone", map[string]any{"id": "c"}, "time_zone"),
		e2eBad("unknown time zone", map[string]any{"id": "c", "time_zone": "Mars/Olympus"}, "time_zone"),
		e2eBad("unknown day", map[string]any{"id": "c", "time_zone": "UTC", "hours": map[string]any{"funday": []any{}}}, "hours.funday"),
		e2eBad("overnight range", map[string]any{"id": "c", "time_zone": "UTC", "hours": map[string]any{"mon": [][]string{{"22:00", "02:00"}}}}, "hours.mon[0]"),
		e2eBad("bad exception date", map[string]any{"id": "c", "time_zone": "UTC", "exceptions": []any{map[string]any{"date": "2026-02-30"}}}, "exceptions[0].date"),
		e2eBadCall{"existing id", e2eAlwaysOpen("always"), 409, "id"},
	)},
	{"PATCH /api/v1/calendars/{id}", 'A', e2eAt("/api/v1/calendars/always"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"time_zone": 5}, "time_zone"),
		e2eBad("id change", map[string]any{"id": "other"}, "id"),
		e2eBad("overlapping ranges", map[string]any{"hours": map[string]any{"tue": [][]string{{"09:00", "12:00"}, {"11:00", "13:00"}}}}, "hours.tue[1]"),
	)},
	{"DELETE /api/v1/calendars/{id}", 'A', e2eAt("/api/v1/calendars/always"), false, e2eCalls(
		e2eBadCall{"calendar in use", nil, 409, "id"},
	)},
	{"DELETE /api/v1/topics/{alias}", 'A', e2eAt("/api/v1/topics/t"), false, e2eCalls(
		e2eBadCall{"topic in use", nil, 409, "alias"},
	)},

	{"POST /api/v1/operators", 'A', e2eAt("/api/v1/operators"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"id": "x", "name": "X", "max_chats": "many"}, "max_chats"),
		e2eBad("no id", map[string]any{"name": "X"}, "id"),
		e2eBad("negative max_chats", map[string]any{"id": "x", "name": "X", "max_chats": -1}, "max_chats"),
		e2eBad("negative channel limit", map[string]any{"id": "x", "name": "X", "channel_limits": map[string]int{"telegram": -1}}, "channel_limits"),
		e2eBad("short password", map[string]any{"id": "x", "name": "X", "password": "short"}, "password"),
		e2eBad("unknown role", map[string]any{"id": "x", "name": "X", "role": "boss"}, "role"),
		e2eBadCall{"existing id", map[string]any{"id": "op-a", "name": "A"}, 409, "id"},
	)},
	{"PATCH /api/v1/operators/{id}", 'A', e2eAt("/api/v1/operators/op-a"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"channel_limits": map[string]any{"telegram": "two"}}, "channel_limits"),
		e2eBad("negative max_chats", map[string]any{"max_chats": -1}, "max_chats"),
		e2eBad("empty channel", map[string]any{"channel_limits": map[string]int{"": 1}}, "channel_limits"),
		e2eBad("id change", map[string]any{"id": "op-z"}, "id"),
		e2eBad("empty name", map[string]any{"name": ""}, "name"),
		e2eBad("short password", map[string]any{"password": "short"}, "password"),
	)},
	{"DELETE /api/v1/operators/{id}", 'A', e2eAt("/api/v1/operators/ghost"), false, e2eCalls(
		e2eBadCall{"unknown operator", nil, 404, "id"},
	)},
	{"PUT /api/v1/operators/{id}/status", 'A', e2eAt("/api/v1/operators/op-a/status"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"status": true}, "status"),
		e2eBad("unknown status", map[string]any{"status": "nope"}, "status"),
	)},
	{"POST /api/v1/operators/{id}/redistribute", 'S', e2eAt("/api/v1/operators/op-a/redistribute"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"weight": "x"}, "weight"),
		e2eBad("unknown status", map[string]any{"status": "nope"}, "status"),
		e2eBad("negative weight", map[string]any{"weight": -1}, "weight"),
	)},

	{"POST /api/v1/operators/{id}/ready", 'A', e2eAt("/api/v1/operators/ghost/ready"), false, e2eCalls(
		e2eBadCall{"unknown operator", nil, 404, "operator_id"},
	)},

	{"POST /api/v1/skill-groups", 'A', e2eAt("/api/v1/skill-groups"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"id": "x", "topics": "t"}, "topics"),
		e2eBad("unknown topic", map[string]any{"id": "x", "topics": []string{"ghost"}}, "topics"),
		e2eBad("unknown operator", map[string]any{"id": "x", "operators": []string{"ghost"}}, "operators"),
		e2eBad("negative accept timeout", map[string]any{"id": "x", "accept_timeout_s": -1}, "accept_timeout_s"),
		e2eBadCall{"existing id", map[string]any{"id": "g"}, 409, "id"},
	)},
	{"PATCH /api/v1/skill-groups/{id}", 'A', e2eAt("/api/v1/skill-groups/g"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"active": "yes"}, "active"),
		e2eBad("unknown operator", map[string]any{"operators": []string{"ghost"}}, "operators"),
		e2eBad("negative response timeout", map[string]any{"response_timeout_s": -5}, "response_timeout_s"),
		e2eBad("negative wrap-up", map[string]any{"wrap_up_s": -1}, "wrap_up_s"),
		e2eBad("id change", map[string]any{"id": "h"}, "id"),
	)},
	{"DELETE /api/v1/skill-groups/{id}", 'A', e2eAt("/api/v1/skill-groups/ghost"), false, e2eCalls(
		e2eBadCall{"unknown group", nil, 404, "id"},
	)},

	{"PATCH /api/v1/settings", 'A', e2eAt("/api/v1/settings"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"auto_connect": "yes"}, "auto_connect"),
		e2eBad("unknown method", map[string]any{"distribution_method": "random"}, "distribution_method"),
		e2eBad("negative default_max_chats", map[string]any{"default_max_chats": -1}, "default_max_chats"),
		e2eBad("negative timer", map[string]any{"accept_timeout_s": -1}, "accept_timeout_s"),
		e2eBad("negative offer timeout", map[string]any{"transfer_offer_timeout_s": -1}, "transfer_offer_timeout_s"),
		e2eBad("wrap-up past a year", map[string]any{"wrap_up_s": 31536001}, "wrap_up_s"),
		e2eBad("unknown default calendar", map[string]any{"default_calendar_id": "ghost"}, "default_calendar_id"),
		e2eBad("negative estimated wait bound", map[string]any{"max_estimated_wait_s": -1}, "max_estimated_wait_s"),
		e2eBad("unknown inactivity action", map[string]any{"chat_inactivity_action": "explode"}, "chat_inactivity_action"),
		e2eBad("receiving auto-offline status", map[string]any{"auto_offline_status": "online"}, "auto_offline_status"),
		e2eBad("negative channel limit", map[string]any{"default_channel_limits": map[string]int{"sms": -1}}, "default_channel_limits"),
		e2eBad("negative sla_target_s", map[string]any{"sla_target_s": -5}, "sla_target_s"),
		e2eBad("sla_goal above 1", map[string]any{"sla_goal": 2}, "sla_goal"),
	)},

	{"POST /api/v1/actions/operator_panel__connect_to_operator_with_msg", 'I', e2eAt(e2eConnectPath), true, e2eCalls(
		e2eBad("wrong type", e2eConnectBody("k", "widget", map[string]any{"weight": "high"}), "config.weight"),
		e2eBad("negative weight", e2eConnectBody("k", "widget", map[string]any{"weight": -1}), "config.weight"),
		e2eBad("unknown status", e2eConnectBody("k", "widget", map[string]any{"status": "later"}), "config.status"),
	)},
	{"POST /api/v1/chats/{id}/messages", 'I', e2eChatPath("active", "/messages"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"text": 5}, "text"),
		e2eBad("empty text", map[string]any{"text": ""}, "text"),
	)},
	{"POST /api/v1/chats/{id}/accept", 'O', e2eChatPath("new", "/accept"), false, e2eCalls(
		e2eBadCall{"not the operator's chat", nil, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/take", 'O', e2eChatPath("active", "/take"), false, e2eCalls(
		e2eBadCall{"an active chat", nil, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/assign", 'S', e2eChatPath("new", "/assign"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"operator_id": "op-a", "force": "yes"}, "force"),
		e2eBad("no operator", map[string]any{}, "operator_id"),
		e2eBad("unknown operator", map[string]any{"operator_id": "ghost"}, "operator_id"),
		e2eBadCall{"operator outside the topic", map[string]any{"operator_id": "op-b"}, 409, "operator_id"},
	)},
	{"POST /api/v1/chats/{id}/transfer", 'A', e2eChatPath("active", "/transfer"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"subject_alias": 5}, "subject_alias"),
		e2eBad("no topic", map[string]any{}, "subject_alias"),
		e2eBad("unknown topic", map[string]any{"subject_alias": "ghost"}, "subject_alias"),
		e2eBad("a topic and a colleague", map[string]any{"subject_alias": "t", "operator_id": "op-b"}, "operator_id"),
		e2eBad("a note with a topic", map[string]any{"subject_alias": "t", "note": "x"}, "note"),
		e2eBad("note of the wrong type", map[string]any{"operator_id": "op-b", "note": 5}, "note"),
		e2eBad("unknown colleague", map[string]any{"operator_id": "ghost"}, "operator_id"),
		e2eBadCall{"a colleague who cannot receive", map[string]any{"operator_id": "op-b"}, 409, "operator_id"},
		e2eBadCall{"the chat's own operator", map[string]any{"operator_id": "op-a"}, 409, "operator_id"},
	)},
	{"POST /api/v1/chats/{id}/offer/accept", 'O', e2eChatPath("active", "/offer/accept"), false, e2eCalls(
		e2eBadCall{"no open offer", nil, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/offer/decline", 'A', e2eChatPath("active", "/offer/decline"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"reason": 5}, "reason"),
		e2eBadCall{"no open offer", map[string]any{}, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/offer/withdraw", 'A', e2eChatPath("active", "/offer/withdraw"), false, e2eCalls(
		e2eBadCall{"no open offer", nil, 409, "chat_id"},
	)},
	{"POST /api/v1/chats/{id}/notes", 'A', e2eChatPath("active", "/notes"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"text": 5}, "text"),
		e2eBad("empty text", map[string]any{"text": ""}, "text"),
	)},
	{"POST /api/v1/chats/{id}/close", 'A', e2eChatPath("active", "/close"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"comment": 5}, "comment"),
	)},
	{"POST /api/v1/chats/{id}/rating", 'I', e2eChatPath("closed", "/rating"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"score": "five"}, "score"),
		e2eBad("no score", map[string]any{"comment": "ok"}, "score"),
		e2eBad("score above 5", map[string]any{"score": 9}, "score"),
		e2eBad("comment of the wrong type", map[string]any{"score": 4, "comment": 4}, "comment"),
	)},
	{"POST /api/v1/chats/{id}/return-to-bot", 'A', e2eChatPath("closed", "/return-to-bot"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"comment": 5}, "comment"),
		e2eBadCall{"a closed chat", map[string]any{}, 409, "chat_id"},
	)},
	{"PATCH /api/v1/chats/{id}", 'A', e2eChatPath("active", ""), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"tag_ids": "vip"}, "tag_ids"),
		e2eBad("nothing to change", map[string]any{}, "subject_alias"),
		e2eBad("unknown topic", map[string]any{"subject_alias": "ghost"}, "subject_alias"),
	)},

	{"POST /api/v1/bans", 'S', e2eAt("/api/v1/bans"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"client_id": 5, "until": e2eFuture()}, "client_id"),
		e2eBad("no client", map[string]any{"until": e2eFuture()}, "client_id"),
		e2eBad("no until", map[string]any{"client_id": "x"}, "until"),
		e2eBad("until not a time", map[string]any{"client_id": "x", "until": "tomorrow"}, "until"),
	)},
	{"DELETE /api/v1/bans/{id}", 'S', e2eAt("/api/v1/bans/ghost"), false, e2eCalls(
		e2eBadCall{"unknown ban", nil, 404, "id"},
	)},

	{"POST /api/v1/simulations", 'S', e2eAt("/api/v1/simulations"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"operators": "many"}, "operators"),
		e2eBad("too many days", map[string]any{"days": 29}, "days"),
		e2eBad("neither 24 hours nor one", map[string]any{"operators": []int{1, 2, 3}}, "operators"),
		e2eBad("negative operators", map[string]any{"operators": []int{-1}}, "operators"),
		e2eBad("goal over 1", map[string]any{"sla_goal": 1.5}, "sla_goal"),
		e2eBad("arrivals times 100", map[string]any{"arrival_factor": 100}, "arrival_factor"),
		e2eBad("replications without staffing", map[string]any{"replications": 2}, "replications"),
		e2eBad("operators and teams", map[string]any{"operators": []int{1}, "teams": []any{map[string]any{"name": "g", "per_hour": []int{1}}}}, "teams"),
		e2eBad("unknown team", map[string]any{"teams": []any{map[string]any{"name": "ghost", "per_hour": []int{1}}}}, "teams[0].name"),
		e2eBad("bad shift", map[string]any{"teams": []any{map[string]any{"name": "g", "shifts": []any{map[string]any{"start": "25:00", "end": "10:00", "count": 1}}}}}, "teams[0].shifts"),
	)},

	{"POST /api/v1/webhooks", 'A', e2eAt("/api/v1/webhooks"), true, e2eCalls(
		e2eBad("a link-local target (cloud metadata)", map[string]any{"url": "http://169.254.169.254/latest/meta-data"}, "url"),
		e2eBad("a link-local IPv6 target", map[string]any{"url": "http://[fe80::1]/hook"}, "url"),
		e2eBad("wrong type", map[string]any{"url": "http://example.com/", "events": "*"}, "events"),
		e2eBad("bad url", map[string]any{"url": "ftp://example.com/"}, "url"),
		e2eBad("unknown event", map[string]any{"url": "http://example.com/", "events": []string{"nope"}}, "events"),
	)},
	{"DELETE /api/v1/webhooks/{id}", 'A', e2eAt("/api/v1/webhooks/ghost"), false, e2eCalls(
		e2eBadCall{"unknown webhook", nil, 404, ""},
	)},
	{"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", 'A', func(f *e2eInputFixture) string {
		return "/api/v1/webhooks/" + f.webhookID + "/deliveries/999/resend"
	}, false, e2eCalls(
		e2eBadCall{"unknown delivery", nil, 404, ""},
	)},
	{"POST /api/v1/webhooks/{id}/test", 'A', e2eAt("/api/v1/webhooks/ghost/test"), false, e2eCalls(
		e2eBadCall{"unknown webhook", nil, 404, "id"},
	)},
	{"POST /api/v1/chats/{id}/deliveries/{delivery_id}/resend", 'I', e2eChatPath("active", "/deliveries/999/resend"), false, e2eCalls(
		e2eBadCall{"unknown delivery", nil, 404, ""},
	)},
	{"POST /api/v1/webhook-keys", 'A', e2eAt("/api/v1/webhook-keys"), true, e2eCalls(
		e2eBad("wrong type", map[string]any{"overlap_s": "a day"}, "overlap_s"),
		e2eBad("negative overlap", map[string]any{"overlap_s": -1}, "overlap_s"),
		e2eBad("overlap over 30 days", map[string]any{"overlap_s": 2592001}, "overlap_s"),
	)},
}

// TestBadInputOnEveryWrite sends malformed JSON, an unknown field, a wrong
// type and semantically bad values to every write route, and checks the
// status, the field named and that nothing changed anywhere.
func TestBadInputOnEveryWrite(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, c := range e2eBadTable {
		covered[c.route] = true
	}
	for _, rt := range e2eRoutes() {
		if !strings.HasPrefix(rt, "GET ") && !covered[rt] {
			t.Errorf("write route %q is missing from the bad-input table", rt)
		}
	}
	f := e2eInputFixtureNew(t)
	parent := t
	for _, tc := range e2eBadTable {
		t.Run(tc.route, func(t *testing.T) {
			f.t = t
			defer func() { f.t = parent }()
			method, _, _ := strings.Cut(tc.route, " ")
			path := tc.path(f)
			cs := tc.calls(f)
			if tc.body {
				cs = append([]e2eBadCall{
					{"malformed JSON", e2eRaw(`{"a": `), 400, ""},
					{"stray closing brace", e2eRaw(`{}}`), 400, ""},
					{"not an object", e2eRaw(`[1]`), 400, ""},
					e2eBad("unknown field", map[string]any{"bogus_field": 1}, "bogus_field"),
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
				t.Errorf("bad input changed the state:\n%s", e2eFirstDiff(before, after))
			}
		})
	}
}

// firstDiff shows the first differing line of two snapshots.
func e2eFirstDiff(a, b []byte) string {
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
		{"/api/v1/stats?group_by=week", "group_by"},
		{"/api/v1/stats?time_zone=Nowhere/City", "time_zone"},
		{"/api/v1/stats?format=pdf", "format"},
		{"/api/v1/stats?from=2026-03-02T10:00:00Z&to=2026-03-02T09:00:00Z", "from"},
		{"/api/v1/stats?from=2026-03-02T00:00:00Z&to=2027-06-01T00:00:00Z", "to"},
	} {
		r := s.do("GET", c.path, s.admin, nil)
		if field, _ := r.errField(); r.Status != 422 || field != c.field {
			t.Errorf("%s: got %s, want 422 naming %q", c.path, r, c.field)
		}
	}
}

// TestPatchNullRestoresDefaults: PATCH with null for max_chats and
// channel_limits returns the operator to the settings' defaults; an absent
// field changes nothing.
func TestPatchNullRestoresDefaults(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.operator("a", map[string]any{"max_chats": 1, "channel_limits": map[string]int{"sms": 0}})
	s.settings(map[string]any{"default_max_chats": 7, "default_channel_limits": map[string]int{"telegram": 2}})
	s.must(200, "PATCH", "/api/v1/operators/a", s.admin, map[string]any{"name": "Renamed"})
	if o := s.op("a"); o.MaxChats == nil || *o.MaxChats != 1 || o.ChannelLimits["sms"] != 0 || len(o.ChannelLimits) != 1 {
		t.Fatalf("a PATCH without the limits changed them: %+v", o)
	}
	s.must(200, "PATCH", "/api/v1/operators/a", s.admin, map[string]any{"max_chats": nil, "channel_limits": nil})
	if o := s.op("a"); o.MaxChats != nil || o.ChannelLimits != nil {
		t.Fatalf("after PATCH null: max_chats %v, channel_limits %v; want null (defaults)", o.MaxChats, o.ChannelLimits)
	}
	var d struct {
		MaxChats int                       `json:"max_chats"`
		Channels map[string]map[string]int `json:"channels"`
	}
	s.must(200, "GET", "/api/v1/operators/a/diagnostics", s.admin, nil).into(t, &d)
	if d.MaxChats != 7 || d.Channels["telegram"]["limit"] != 2 || d.Channels["sms"] != nil {
		t.Errorf("diagnostics %+v, want the defaults: 7 chats, telegram 2", d)
	}
}

// e2eAlwaysOpen is the body of a calendar open all week.
func e2eAlwaysOpen(id string) map[string]any {
	day := [][]string{{"00:00", "24:00"}}
	return map[string]any{"id": id, "name": id, "time_zone": "UTC", "hours": map[string]any{
		"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}}
}
