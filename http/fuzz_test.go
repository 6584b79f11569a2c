package http

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
)

// checkDecodeError checks an error of decode (or ParseConnect) against the
// body it came from: it is bad_json (400) exactly when the body is not a
// JSON object that parses, and otherwise invalid (422) naming a field.
func checkDecodeError(t *testing.T, body []byte, err error) {
	t.Helper()
	code, field, msg := sb.ErrorCode(err), sb.ErrorField(err), sb.ErrorMessage(err)
	if code != "bad_json" && code != sb.EINVALID {
		t.Fatalf("code %q (%v), want bad_json or invalid", code, err)
	}
	if want := map[string]int{"bad_json": 400, sb.EINVALID: 422}[code]; statusOf[code] != want {
		t.Fatalf("code %q answers %d, want %d", code, statusOf[code], want)
	}
	if msg == "" {
		t.Fatalf("%v: empty message", err)
	}
	object := isObject(body)
	switch {
	case code == "bad_json" && object:
		t.Fatalf("a JSON object that parses got bad_json: %v", err)
	case code == sb.EINVALID && !json.Valid(body):
		t.Fatalf("a body that does not parse got %v, want bad_json", err)
	case code == sb.EINVALID && field == "" && msg != `unknown field ""`: // {"": 1} names the field ""
		t.Fatalf("%v: invalid without a field", err)
	}
	if rest, ok := strings.CutPrefix(msg, field+" must be "); ok && code == sb.EINVALID {
		// Type errors speak JSON, not Go.
		if !slices.Contains([]string{"a string", "true or false", "an integer", "a number", "an array", "an object", "an RFC 3339 time"}, rest) {
			t.Fatalf("type error message %q", msg)
		}
	}
	if strings.HasPrefix(msg, "unknown field ") && !slices.Contains(jsonKeys(body), field) {
		t.Fatalf("unknown field %q is not a key of the body (%s)", field, msg)
	}
}

// isObject reports whether body is one JSON object that parses.
func isObject(body []byte) bool {
	return json.Valid(body) && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{"))
}

// jsonKeys returns every object key in a JSON document, at any depth.
func jsonKeys(body []byte) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // 1e700 is a key's value too
	if dec.Decode(&v) != nil {
		return nil
	}
	var keys []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys = append(keys, k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return keys
}

// checkDecoded checks a value decode accepted: the body was a JSON object
// (or null), each of its keys names a field of v, and the value survives a
// round trip through JSON and decode.
func checkDecoded(t *testing.T, body []byte, v any) {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("decode accepted a body that does not parse: %q", body)
	}
	var top any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	_ = dec.Decode(&top)
	m, isMap := top.(map[string]any)
	if !isMap && top != nil {
		t.Fatalf("decode accepted a body that is not an object: %q", body)
	}
	names := jsonNames(reflect.TypeOf(v))
	for k := range m {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, k) }) {
			t.Fatalf("decode accepted unknown field %q", k)
		}
	}
	b1, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	v2 := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := decode(httptest.NewRequest("POST", "/", bytes.NewReader(b1)), v2); err != nil {
		t.Fatalf("decode rejects its own output %s: %v", b1, err)
	}
	if b2, _ := json.Marshal(v2); !bytes.Equal(b1, b2) {
		t.Fatalf("round trip changed the value:\n%s\n%s", b1, b2)
	}
}

// fuzzEngine is a small routing state for connect commands: topics support
// and sales, op-7 online serving support, op-8 offline, and a ban.
func fuzzEngine(t *testing.T, now time.Time) *routing.Engine {
	e := routing.New(now)
	for _, cmd := range []routing.Command{
		routing.CreateTopic{Topic: sb.Topic{Alias: "support", Name: "Support"}},
		routing.CreateTopic{Topic: sb.Topic{Alias: "sales", Name: "Sales"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "op-7", Name: "Taras"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "op-8", Name: "Iryna"}},
		routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "first-line", Topics: []string{"support"}, Operators: []string{"op-7", "op-8"}, Active: true}},
		routing.SetOperatorStatus{OperatorID: "op-7", Status: sb.StatusOnline},
		routing.CreateBan{Ban: sb.Ban{ClientID: "banned-1", Channel: "telegram", Until: now.Add(time.Hour)}},
	} {
		if _, err := e.Apply(now, cmd); err != nil {
			t.Fatalf("fixture %T: %v", cmd, err)
		}
	}
	return e
}

var connectSeeds = []string{
	`{"client": {"id": "380501234567", "name": "Olena", "channel": "telegram"},
	  "text": "Asks about a refund for order 1182",
	  "config": {"subject_alias": "support", "auto_connect_operator": true, "status": "queue",
	    "assigned_operator": "op-7", "tag_ids": ["vip"], "weight": 10,
	    "event_webhook_url": "https://crm.example.com/hooks/switchboard"}}`,
	`{"client": {"id": "1", "channel": "viber"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"auto_connect_operator": true, "subject_alias": "support"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"auto_connect_operator": true, "subject_alias": "sales"}}`,
	`{"client": {"id": "2", "channel": "web"}, "config": {"assigned_operator": "op-8"}}`,
	`{"client": {"id": "banned-1", "channel": "telegram"}, "text": "hi"}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": null, "text": ""}`,
	`{"client": {"id": "", "channel": "viber"}}`,
	`{"client": {"id": "1"}}`,
	`{"client": null}`,
	`{"text": "no client"}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"status": "active"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"weight": -1}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"weight": 1.5}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"weight": "10"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"weight": 1e400}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"subject_alias": "nope"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"assigned_operator": "nobody"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"event_webhook_url": "ftp://x"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"event_webhook_url": "/relative"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"tag_ids": "vip"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"add_button": {"text": "Close"}, "add_return_button": true}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"add_button": null, "add_return_button": "Back"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "config": {"add_return_button": [1e400]}}`,
	`{"client": {"id": 380501234567, "channel": "viber"}}`,
	`{"client": {"id": "1", "channel": "viber", "phone": "1"}}`,
	`{"client": {"id": "1", "channel": "viber"}, "extra": true}`,
	`{"client": "380501234567"}`,
	`{"client": {"id": "1", "channel": "viber"}}}`,
	`{"client": {"id": "1", "channel": "viber"}} {}`,
	`{"client": {"id": "1", "channel": "viber"}`,
	`{"client": {"id": "1", "channel": "viber"},}`,
	`[{"client": {"id": "1", "channel": "viber"}}]`,
	`"client"`,
	`42`,
	`null`,
	`{}`,
	``,
	"  \n",
	"{\"client\": {\"id\": \"\xff\", \"channel\": \"viber\"}}",
}

// FuzzConnect feeds ParseConnect any body, then applies the command it
// returns to a small engine. ParseConnect guarantees a client object and a
// valid event_webhook_url; the engine checks the rest. Either may refuse,
// but only with bad_json (400) or invalid (422) naming a field. What
// ParseConnect accepts (through json v2, or encoding/json for what v2
// refuses) must be what encoding/json decodes from the body.
func FuzzConnect(f *testing.F) {
	for _, s := range connectSeeds {
		f.Add([]byte(s))
	}
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/actions/operator_panel__connect_to_operator_with_msg", bytes.NewReader(body))
		cmd, warnings, err := ParseConnect(r)
		if err != nil {
			checkDecodeError(t, body, err)
			return
		}
		if !isObject(body) {
			t.Fatalf("ParseConnect accepted %q", body)
		}
		// The command carries what the body says.
		var b connectBody
		if err := json.Unmarshal(body, &b); err != nil || b.Client == nil {
			t.Fatalf("ParseConnect accepted a body without a client: %v", err)
		}
		c := b.Config
		want := routing.Connect{
			Client: *b.Client, Text: b.Text, Topic: c.SubjectAlias, AutoConnect: c.AutoConnectOperator,
			Status: c.Status, Operator: c.AssignedOperator, Tags: c.TagIDs, Weight: c.Weight, WebhookURL: c.EventWebhookURL,
			ReturnButton: truthy(c.AddReturnButton),
		}
		if !reflect.DeepEqual(cmd, want) {
			t.Fatalf("command %+v, the body says %+v", cmd, want)
		}
		if (c.AddButton != nil) != (len(warnings) == 1) {
			t.Fatalf("add_button %v, warnings %+v", c.AddButton, warnings)
		}
		if cmd.WebhookURL != "" && !server.ValidURL(cmd.WebhookURL) {
			t.Fatalf("ParseConnect accepted event_webhook_url %q", cmd.WebhookURL)
		}

		e := fuzzEngine(t, now)
		res, err := e.Apply(now, cmd)
		if err != nil {
			code, field := sb.ErrorCode(err), sb.ErrorField(err)
			if code != sb.EINVALID || !strings.HasPrefix(field, "client.") && !strings.HasPrefix(field, "config.") {
				t.Fatalf("the engine refused a parsed connect with %v (field %q)", err, field)
			}
			if n := len(e.Export().Chats); n != 0 {
				t.Fatalf("a refused connect left a chat behind")
			}
			return
		}
		if cmd.Client.ID == "" || cmd.Client.Channel == "" {
			t.Fatalf("the engine accepted client %+v", cmd.Client)
		}
		switch res.Outcome {
		case routing.OutcomeSuccess:
			if res.Chat == nil || res.Chat.Client != cmd.Client || res.Chat.Channel != cmd.Client.Channel || res.Chat.Weight != cmd.Weight {
				t.Fatalf("success with chat %+v for %+v", res.Chat, cmd)
			}
		case routing.OutcomeBanned:
			if res.Chat != nil {
				t.Fatalf("banned with a chat")
			}
		case routing.OutcomeLimit:
			if res.Chat != nil && res.Chat.Open() || res.Reason == nil || res.Reason.Code == "" {
				t.Fatalf("limit with chat %+v, reason %+v", res.Chat, res.Reason)
			}
			if n := len(e.Export().Chats); n != 0 {
				t.Fatalf("limit left %d open chats", n)
			}
		default:
			t.Fatalf("outcome %q", res.Outcome)
		}
	})
}

// decodeTargets are the bodies FuzzDecode feeds; the first byte of the
// input picks one.
var decodeTargets = []struct {
	name  string
	new   func() any
	seeds []string
}{
	{"operator", func() any { return new(operatorPatch) }, []string{
		`{"id": "op-7", "name": "Taras", "email": "taras@example.com", "role": "operator", "password": "correct horse", "max_chats": 3, "channel_limits": {"telegram": 2}}`,
		`{"max_chats": null, "channel_limits": null}`, `{"max_chats": -1}`, `{"max_chats": "3"}`, `{"channel_limits": {"telegram": "2"}}`,
		`{"channel_limits": [1]}`, `{"nickname": "t"}`, `{"ID": "op-7"}`,
	}},
	{"skill group", func() any { return new(groupPatch) }, []string{
		`{"id": "first-line", "name": "First line", "topics": ["support"], "operators": ["op-7"], "active": true, "accept_timeout_s": 30, "response_timeout_s": 120}`,
		`{"topics": []}`, `{"topics": "support"}`, `{"active": "yes"}`, `{"accept_timeout_s": 1.5}`, `{"topics": [1, 2]}`,
	}},
	{"settings", func() any { return new(settingsBody) }, []string{
		`{"auto_connect": false, "distribution_method": "by_number_of_dialogs", "default_max_chats": 5, "default_channel_limits": {"telegram": 1},
		  "accept_timeout_s": 30, "max_missed_chats": 3, "response_timeout_s": 0, "chat_inactivity_timeout_s": 0, "chat_inactivity_action": "requeue",
		  "queue_timeout_s": 600, "auto_offline_after_s": 600, "auto_offline_status": "offline", "auto_offline_redistribute": true}`,
		`{"auto_connect": 1}`, `{"default_max_chats": 99999999999999999999}`, `{"distribution_method": null}`, `{"sla": 60}`,
	}},
	{"status", func() any { return new(sb.Status) }, []string{
		`{"id": "lunch", "name": "Lunch", "can_receive": false, "color": "#e0a526"}`, `{"can_receive": "no"}`, `{"id": 1}`,
	}},
	{"status patch", func() any { return new(statusPatchBody) }, []string{`{"name": "Away", "can_receive": true}`, `{"id": "x"}`}},
	{"topic", func() any { return new(sb.Topic) }, []string{`{"alias": "refunds", "name": "Refunds", "parent": "support"}`, `{"alias": ["x"]}`}},
	{"topic patch", func() any { return new(topicPatchBody) }, []string{`{"name": "Refunds", "parent": ""}`, `{"alias": "x"}`}},
	{"ban", func() any { return new(sb.Ban) }, []string{
		`{"client_id": "380501234567", "channel": "telegram", "until": "2030-01-01T00:00:00Z", "reason": "spam"}`,
		`{"client_id": "1", "until": "2030-01-01T00:00:00.123+02:00"}`, `{"client_id": "1", "until": "tomorrow"}`,
		`{"client_id": "1", "until": 1893456000}`, `{"client_id": "1", "until": null}`,
	}},
	{"token", func() any { return new(tokenBody) }, []string{`{"role": "operator", "operator_id": "op-7"}`, `{"role": "root"}`, `{"secret": "x"}`}},
	{"webhook", func() any { return new(webhookBody) }, []string{
		`{"url": "https://crm.example.com/hooks", "events": ["chat_created", "chat_closed"], "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}`,
		`{"url": "https://x", "events": "*"}`, `{"url": "https://x", "events": ["*"]}`,
	}},
	{"operator status", func() any { return new(operatorStatusBody) }, []string{`{"status": "online"}`, `{"status": true}`}},
	{"redistribute", func() any { return new(redistributeBody) }, []string{`{"status": "break", "weight": 5}`, `{}`, `{"weight": "5"}`}},
	{"message", func() any { return new(messageBody) }, []string{`{"text": "Hello! How can I help?"}`, `{"text": "\ud83d\ude00 \u0000"}`, `{"text": 5}`}},
	{"assign", func() any { return new(assignBody) }, []string{`{"operator_id": "op-7", "force": true}`, `{"operator_id": "op-7", "force": "true"}`}},
	{"transfer", func() any { return new(transferBody) }, []string{`{"subject_alias": "sales"}`, `{"subject_alias": ""}`, `{"subject_alias": null}`}},
	{"close", func() any { return new(closeBody) }, []string{`{"comment": "Resolved"}`, `{}`, `{"comment": "a"} trailing`}},
	{"sign-in", func() any { return new(signInBody) }, []string{`{"email": "olena@example.com", "password": "correct horse"}`, `{"email": 1}`}},
	{"simulation", func() any { return new(server.WhatIf) }, []string{
		`{"days": 7, "operators": [2, 2, 2, 2, 2, 2, 4, 8, 12, 12, 12, 12, 12, 12, 12, 12, 10, 8, 6, 4, 2, 2, 2, 2], "sla_target_s": 30, "sla_goal": 0.9, "svg": true}`,
		`{"teams": [{"name": "billing-team", "shifts": [{"name": "day", "start": "08:00", "end": "16:00", "count": 5}]}], "staffing": true, "replications": 2}`,
		`{"operators": "5"}`, `{"teams": [{"per_hour": [1], "bogus": 1}]}`,
	}},
}

// FuzzDecode feeds decode every request body type the handlers use.
func FuzzDecode(f *testing.F) {
	common := []string{``, `null`, `[]`, `"x"`, `{`, `{}}`, `{} {}`, `{"a": 1}`, `{"":0}`, "{\"\\\"\": 1}"}
	for i, tg := range decodeTargets {
		for _, s := range append(slices.Clone(tg.seeds), common...) {
			f.Add(append([]byte{byte(i)}, s...))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		tg := decodeTargets[int(in[0])%len(decodeTargets)]
		body := in[1:]
		v := tg.new()
		err := decode(httptest.NewRequest("POST", "/", bytes.NewReader(body)), v)
		if err != nil {
			checkDecodeError(t, body, err)
			return
		}
		checkDecoded(t, body, v)
	})
}

// TestRequestBodiesDocumented checks that the body types the handlers
// decode (and FuzzDecode feeds) have the field names the OpenAPI document
// gives.
func TestRequestBodiesDocumented(t *testing.T) {
	doc := loadDoc(t)
	for op, v := range map[string]any{
		"PATCH /api/v1/settings":                                            settingsBody{},
		"PATCH /api/v1/statuses/{id}":                                       statusPatchBody{},
		"PATCH /api/v1/topics/{alias}":                                      topicPatchBody{},
		"POST /api/v1/tokens":                                               tokenBody{},
		"POST /api/v1/webhooks":                                             webhookBody{},
		"PUT /api/v1/operators/{id}/status":                                 operatorStatusBody{},
		"POST /api/v1/operators/{id}/redistribute":                          redistributeBody{},
		"POST /api/v1/chats/{id}/messages":                                  messageBody{},
		"POST /api/v1/chats/{id}/assign":                                    assignBody{},
		"POST /api/v1/chats/{id}/transfer":                                  transferBody{},
		"POST /api/v1/chats/{id}/close":                                     closeBody{},
		"POST /api/v1/chats/{id}/rating":                                    ratingBody{},
		"POST /api/v1/operators":                                            operatorPatch{},
		"POST /api/v1/skill-groups":                                         groupPatch{},
		"POST /api/v1/bans":                                                 sb.Ban{},
		"POST /api/v1/statuses":                                             sb.Status{},
		"POST /api/v1/topics":                                               sb.Topic{},
		"POST /api/v1/actions/operator_panel__connect_to_operator_with_msg": connectBody{},
		"POST /api/v1/session":                                              signInBody{},
	} {
		got := propertyNames(t, doc, op, requestSchema(t, doc, op))
		if want := jsonNames(reflect.TypeOf(v)); !slices.Equal(got, want) {
			t.Errorf("%s: documented %v, fuzzed %v", op, got, want)
		}
	}
}

// TestParseConnectKeepsNoBody: the bodies are read into reused buffers, so
// nothing ParseConnect returns may share one: a command parsed earlier stays
// as it was while later bodies of the same length are read, through json v2
// and through the fallback decoder (a duplicate member sends it there).
func TestParseConnectKeepsNoBody(t *testing.T) {
	body := func(c byte, dup bool) string {
		s := strings.Repeat(string(c), 8)
		b := `{"client":{"id":"` + s + `","name":"` + s + `","channel":"` + s + `"},"text":"` + s + `",` +
			`"config":{"subject_alias":"` + s + `","status":"queue","tag_ids":["` + s + `"],"event_webhook_url":"https://x/` + s + `"}`
		if dup {
			b += `,"text":"` + s + `"`
		}
		return b + "}"
	}
	for _, dup := range []bool{false, true} {
		parse := func(c byte) routing.Connect {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body(c, dup)))
			cmd, _, err := ParseConnect(r)
			if err != nil {
				t.Fatalf("%s: %v", body(c, dup), err)
			}
			return cmd
		}
		first := parse('a')
		for c := byte('b'); c <= 'z'; c++ {
			parse(c)
		}
		a := "aaaaaaaa"
		want := routing.Connect{Client: sb.Client{ID: a, Name: a, Channel: a}, Text: a, Topic: a, Status: "queue",
			Tags: []string{a}, WebhookURL: "https://x/" + a}
		if !reflect.DeepEqual(first, want) {
			t.Fatalf("duplicate member %v: the first command changed to %+v", dup, first)
		}
	}
}
