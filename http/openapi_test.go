package http

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/stats"
)

// nonAPIRoutes are the routes registered outside Handler.Routes (no token).
var nonAPIRoutes = []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json", "GET /api/v1/openapi.yaml", "POST /api/v1/session"}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// testHandler builds a Handler for listing routes: NewHandler and
// server.New only keep the store, so a nil one is enough.
func testHandler(t *testing.T) *Handler {
	t.Helper()
	return NewHandler(server.New(nil, nil), nil, http.NotFoundHandler(), nil)
}

func loadDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", v)
	}
	return doc
}

// operations returns "METHOD /path" -> operation object.
func operations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("no paths")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		for _, m := range httpMethods {
			if op, ok := item.(map[string]any)[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+p] = op
			}
		}
	}
	return ops
}

// TestOpenAPIRoutes checks the document against the route table in both
// directions.
func TestOpenAPIRoutes(t *testing.T) {
	h := testHandler(t)
	ops := operations(t, loadDoc(t))
	routes := h.Routes()
	if len(routes) == 0 {
		t.Fatal("the handler lists no routes")
	}
	for _, r := range routes {
		if ops[r] == nil {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, r := range nonAPIRoutes {
		if ops[r] == nil {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for key := range ops {
		if !slices.Contains(routes, key) && !slices.Contains(nonAPIRoutes, key) {
			t.Errorf("openapi.json documents %s, which is not routed", key)
		}
	}
	// Every documented operation reaches the mux pattern of the same name
	// (this also covers the non-API routes).
	param := regexp.MustCompile(`\{[^}]+\}`)
	for key := range ops {
		method, path, _ := strings.Cut(key, " ")
		req := httptest.NewRequest(method, param.ReplaceAllString(path, "x1"), nil)
		if _, pattern := h.mux.Handler(req); pattern != key {
			t.Errorf("%s: the mux matches %q", key, pattern)
		}
	}
}

// TestOpenAPIWellFormed checks that every $ref resolves, every operation has
// responses and an operationId, and path parameters match the path.
func TestOpenAPIWellFormed(t *testing.T) {
	doc := loadDoc(t)
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"]; ok {
				s, _ := r.(string)
				if _, err := pointer(doc, s); err != "" {
					t.Errorf("%s: $ref %q: %s", where, s, err)
				}
			}
			for k, x := range v {
				walk(where+"/"+k, x)
			}
		case []any:
			for _, x := range v {
				walk(where+"[]", x)
			}
		}
	}
	walk("#", doc)

	ids := map[string]string{}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for key, op := range operations(t, doc) {
		rs, ok := op["responses"].(map[string]any)
		if !ok || len(rs) == 0 {
			t.Errorf("%s has no responses", key)
		}
		for code := range rs {
			if code != "default" && !regexp.MustCompile(`^[1-5][0-9][0-9]$`).MatchString(code) {
				t.Errorf("%s: response code %q", key, code)
			}
		}
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("operationId %q is used by %s and %s", id, key, other)
		}
		ids[id] = key

		var want, got []string
		for _, m := range param.FindAllStringSubmatch(key, -1) {
			want = append(want, m[1])
		}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p := resolve(t, doc, p)
			if p["in"] == "path" {
				got = append(got, p["name"].(string))
				if p["required"] != true {
					t.Errorf("%s: path parameter %v is not required", key, p["name"])
				}
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters %v, the path has %v", key, got, want)
		}
		_, public := op["security"]
		isAPI := !slices.Contains(nonAPIRoutes, key)
		if isAPI == public {
			t.Errorf("%s: security override is %v; want it only on the routes without a token", key, public)
		}
		if isAPI && rs["401"] == nil {
			t.Errorf("%s: no 401 answer", key)
		}
		if rb, ok := op["requestBody"].(map[string]any); ok && isAPI && rs["400"] == nil {
			t.Errorf("%s has a body but no 400 (bad_json) answer: %v", key, rb["description"])
		}
	}
}

// TestOpenAPIServed checks that the handler serves the document.
func TestOpenAPIServed(t *testing.T) {
	h := testHandler(t)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	body, _ := io.ReadAll(w.Result().Body)
	if w.Code != 200 || string(body) != string(openAPIDoc) || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %q, %d bytes", w.Code, w.Header().Get("Content-Type"), len(body))
	}
}

// pointer resolves a local JSON pointer ("#/components/schemas/Chat").
func pointer(doc map[string]any, ref string) (any, string) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, "not a local reference"
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, "does not resolve"
		}
		if cur, ok = m[part]; !ok {
			return nil, "does not resolve"
		}
	}
	return cur, ""
}

// resolve follows $refs to an object.
func resolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	for range 20 {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v is not an object", v)
		}
		r, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var err string
		if v, err = pointer(doc, r); err != "" {
			t.Fatalf("$ref %q %s", r, err)
		}
	}
	t.Fatal("$ref loop")
	return nil
}

// requestSchema returns the resolved JSON schema of an operation's body.
func requestSchema(t *testing.T, doc map[string]any, key string) map[string]any {
	t.Helper()
	op := operations(t, doc)[key]
	if op == nil {
		t.Fatalf("%s is not documented", key)
	}
	rb, ok := op["requestBody"]
	if !ok {
		t.Fatalf("%s has no requestBody", key)
	}
	content, _ := resolve(t, doc, rb)["content"].(map[string]any)
	media, ok := content["application/json"]
	if !ok {
		t.Fatalf("%s: no application/json body", key)
	}
	return resolve(t, doc, resolve(t, doc, media)["schema"])
}

// propertyNames returns a schema's property names, sorted, and checks that
// it rejects unknown properties as the decoder does.
func propertyNames(t *testing.T, doc map[string]any, where string, schema map[string]any) []string {
	t.Helper()
	if schema["additionalProperties"] != false {
		t.Errorf("%s: additionalProperties is not false, but the decoder disallows unknown fields", where)
	}
	props, _ := schema["properties"].(map[string]any)
	var names []string
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// jsonNames returns the JSON names of a struct type's fields, sorted.
func jsonNames(typ reflect.Type) []string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	var names []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported() || name == "-":
			continue
		case name == "":
			name = f.Name
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// TestOpenAPIRequestFields checks that the documented request fields are the
// json tags of the structs the handlers decode into.
func TestOpenAPIRequestFields(t *testing.T) {
	doc := loadDoc(t)
	connect := "POST /api/v1/actions/operator_panel__connect_to_operator_with_msg"
	cases := []struct {
		op  string
		typ reflect.Type
	}{
		{"POST /api/v1/operators", reflect.TypeFor[operatorPatch]()},
		{"PATCH /api/v1/operators/{id}", reflect.TypeFor[operatorPatch]()},
		{"POST /api/v1/skill-groups", reflect.TypeFor[groupPatch]()},
		{"PATCH /api/v1/skill-groups/{id}", reflect.TypeFor[groupPatch]()},
		// patchSettings decodes into an anonymous struct with a pointer
		// field per setting; the settings themselves carry the same names.
		{"PATCH /api/v1/settings", reflect.TypeFor[sb.Settings]()},
		{"POST /api/v1/statuses", reflect.TypeFor[sb.Status]()},
		{"POST /api/v1/topics", reflect.TypeFor[sb.Topic]()},
		{"POST /api/v1/bans", reflect.TypeFor[sb.Ban]()},
		{connect, reflect.TypeFor[connectBody]()},
	}
	for _, c := range cases {
		got := propertyNames(t, doc, c.op, requestSchema(t, doc, c.op))
		if want := jsonNames(c.typ); !slices.Equal(got, want) {
			t.Errorf("%s: documented fields %v, %s decodes %v", c.op, got, c.typ, want)
		}
	}

	// The connect body's nested objects.
	props := requestSchema(t, doc, connect)["properties"].(map[string]any)
	cfgField, _ := reflect.TypeFor[connectBody]().FieldByName("Config")
	for _, c := range []struct {
		name string
		typ  reflect.Type
	}{{"client", reflect.TypeFor[sb.Client]()}, {"config", cfgField.Type}} {
		where := connect + " " + c.name
		got := propertyNames(t, doc, where, resolve(t, doc, props[c.name]))
		if want := jsonNames(c.typ); !slices.Equal(got, want) {
			t.Errorf("%s: documented fields %v, the code decodes %v", where, got, want)
		}
	}
}

// TestOpenAPIResponseFields checks the main response schemas against the
// json tags of the types the handlers encode.
func TestOpenAPIResponseFields(t *testing.T) {
	doc := loadDoc(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	cases := []struct {
		schema string
		names  []string
	}{
		{"Chat", jsonNames(reflect.TypeFor[sb.Chat]())},
		{"ChatClient", jsonNames(reflect.TypeFor[sb.Client]())},
		{"Delivery", jsonNames(reflect.TypeFor[sb.Delivery]())},
		{"WebhookKey", jsonNames(reflect.TypeFor[sb.WebhookKey]())},
		{"Message", jsonNames(reflect.TypeFor[sb.Message]())},
		{"Operator", append(jsonNames(reflect.TypeFor[sb.Operator]()), "can_receive")},
		{"Status", jsonNames(reflect.TypeFor[sb.Status]())},
		{"Topic", jsonNames(reflect.TypeFor[sb.Topic]())},
		{"SkillGroup", jsonNames(reflect.TypeFor[sb.SkillGroup]())},
		{"Settings", jsonNames(reflect.TypeFor[sb.Settings]())},
		{"Ban", jsonNames(reflect.TypeFor[sb.Ban]())},
		{"Event", jsonNames(reflect.TypeFor[sb.Event]())},
		{"Decision", jsonNames(reflect.TypeFor[sb.Decision]())},
		{"Reason", jsonNames(reflect.TypeFor[sb.Reason]())},
		{"Token", jsonNames(reflect.TypeFor[sb.Token]())},
		{"Webhook", jsonNames(reflect.TypeFor[sb.Webhook]())},
		{"Attempt", jsonNames(reflect.TypeFor[sb.Attempt]())},
		{"QueueEntry", jsonNames(reflect.TypeFor[routing.QueueEntry]())},
		{"Diagnostics", jsonNames(reflect.TypeFor[routing.Diagnostics]())},
		{"Audit", jsonNames(reflect.TypeFor[server.AuditSummary]())},
		{"StatsRow", jsonNames(reflect.TypeFor[stats.Row]())},
		{"Stats", jsonNames(reflect.TypeFor[stats.Report]())},
		{"StatsLive", jsonNames(reflect.TypeFor[stats.Live]())},
		{"Rating", jsonNames(reflect.TypeFor[sb.Rating]())},
		{"ErrorDetail", jsonNames(reflect.TypeFor[ErrorBody]().Field(0).Type)},
		{"ConnectAnswer", jsonNames(reflect.TypeFor[connectAnswer]())},
	}
	for _, c := range cases {
		s, ok := schemas[c.schema].(map[string]any)
		if !ok {
			t.Errorf("no schema %s", c.schema)
			continue
		}
		props, _ := s["properties"].(map[string]any)
		var got []string
		for k := range props {
			got = append(got, k)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.names))
		if !slices.Equal(got, want) {
			t.Errorf("schema %s: documented %v, the code writes %v", c.schema, got, want)
		}
	}
}

// TestOpenAPIEventNames: the document's event names are every event the
// server knows (server.EventNames), no more, no fewer.
func TestOpenAPIEventNames(t *testing.T) {
	doc := loadDoc(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	names := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		slices.Sort(out)
		return out
	}
	prop := func(schema, field string) map[string]any {
		return schemas[schema].(map[string]any)["properties"].(map[string]any)[field].(map[string]any)
	}
	want := slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(server.EventNames), func(s string) bool { return s == "*" })))
	if got := names(prop("Event", "event_name")["enum"]); !slices.Equal(got, want) {
		t.Errorf("Event.event_name enum %v, server knows %v", got, want)
	}
	items := prop("WebhookBody", "events")["items"].(map[string]any)
	if got, all := names(items["enum"]), slices.Sorted(slices.Values(server.EventNames)); !slices.Equal(got, all) {
		t.Errorf("WebhookBody.events enum %v, server knows %v", got, all)
	}
}

// TestOpenAPIStatuses: no operation answers "default" (a status-code check
// must be able to fail); every API operation documents an error it can
// answer; one with a path parameter documents 404; the fallible ones 500.
func TestOpenAPIStatuses(t *testing.T) {
	doc := loadDoc(t)
	for key, op := range operations(t, doc) {
		rs := op["responses"].(map[string]any)
		if _, ok := rs["default"]; ok {
			t.Errorf("%s documents a default response", key)
		}
		if slices.Contains(nonAPIRoutes, key) && key != "POST /api/v1/session" {
			continue
		}
		if rs["500"] == nil {
			t.Errorf("%s: no 500", key)
		}
		if strings.Contains(key, "{") && rs["404"] == nil {
			t.Errorf("%s has a path parameter but no 404", key)
		}
	}
}

// TestOpenAPILinks: every link names an operation that exists and only
// parameters it has, and each create links to what reads or deletes what
// it made.
func TestOpenAPILinks(t *testing.T) {
	doc := loadDoc(t)
	ops := operations(t, doc)
	byID := map[string]map[string]any{}
	for _, op := range ops {
		byID[op["operationId"].(string)] = op
	}
	linked := map[string]bool{}
	for key, op := range ops {
		for _, r := range op["responses"].(map[string]any) {
			links, _ := resolve(t, doc, r)["links"].(map[string]any)
			for name, l := range links {
				l := l.(map[string]any)
				target := byID[l["operationId"].(string)]
				if target == nil {
					t.Errorf("%s: link %s names no operation", key, name)
					continue
				}
				var names []string
				for _, p := range target["parameters"].([]any) {
					names = append(names, resolve(t, doc, p)["name"].(string))
				}
				for p := range l["parameters"].(map[string]any) {
					if !slices.Contains(names, p) {
						t.Errorf("%s: link %s sets %q, which %s does not have", key, name, p, l["operationId"])
					}
				}
				linked[key] = true
			}
		}
	}
	for _, key := range []string{"POST /api/v1/operators", "POST /api/v1/skill-groups", "POST /api/v1/topics", "POST /api/v1/statuses",
		"POST /api/v1/tokens", "POST /api/v1/bans", "POST /api/v1/webhooks", "POST /api/v1/actions/operator_panel__connect_to_operator_with_msg"} {
		if !linked[key] {
			t.Errorf("%s has no links", key)
		}
	}
}

// TestOpenAPIYAML: /api/v1/openapi.yaml is the same document as the JSON
// one, read by a YAML parser.
func TestOpenAPIYAML(t *testing.T) {
	h := testHandler(t)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.yaml", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/yaml" {
		t.Fatalf("GET /api/v1/openapi.yaml: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var fromYAML any
	if err := yaml.Unmarshal(w.Body.Bytes(), &fromYAML); err != nil {
		t.Fatalf("the YAML does not parse: %v", err)
	}
	// Through JSON, so that numbers and maps compare alike.
	js, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	_ = json.Unmarshal(js, &got)
	_ = json.Unmarshal(openAPIDoc, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatal("openapi.yaml is not openapi.json")
	}
	if !strings.HasPrefix(w.Body.String(), `"openapi": "3.1.`) {
		t.Errorf("the YAML starts %q; want block style", w.Body.String()[:40])
	}
}
