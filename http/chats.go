package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
)

// connectBody is the connect action's body (PRODUCT.md §5).
type connectBody struct {
	Client *sb.Client `json:"client"`
	Text   string     `json:"text"`
	Config struct {
		SubjectAlias        string   `json:"subject_alias"`
		AutoConnectOperator bool     `json:"auto_connect_operator"`
		Status              string   `json:"status"`
		AssignedOperator    string   `json:"assigned_operator"`
		TagIDs              []string `json:"tag_ids"`
		Weight              int      `json:"weight"`
		EventWebhookURL     string   `json:"event_webhook_url"`
		// WebhookSecret signs the deliveries to event_webhook_url instead
		// of the server-wide keys.
		WebhookSecret string `json:"webhook_secret"`
		// ConnectiveOne's chat buttons: add_return_button makes the panel
		// offer "Return to bot"; add_button is accepted with a warning.
		AddButton       any `json:"add_button"`
		AddReturnButton any `json:"add_return_button"`
	} `json:"config"`
}

// truthy reports whether a JSON value turns a button on: true, a non-empty
// string, object or array, a number other than 0.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return false
}

// connectAnswer is the scenario event the connect action answers.
type connectAnswer struct {
	Event    string      `json:"event"`
	Chat     *sb.Chat    `json:"chat,omitempty"`
	Reason   *sb.Reason  `json:"reason,omitempty"`
	Warnings []sb.Reason `json:"warnings,omitempty"`
	Error    any         `json:"error,omitempty"`
}

// answers holds the buffers connect answers are written into.
var answers = sync.Pool{New: func() any { return new([]byte) }}

// appendJSON appends what json.Encoder writes for a (a newline included),
// with the chat written by its own appender: connects are the hot path.
func (a *connectAnswer) appendJSON(b []byte) ([]byte, error) {
	if a.Error != nil || !plainWord(a.Event) {
		p, err := json.Marshal(a)
		return append(append(b, p...), '\n'), err
	}
	b = append(append(append(b, `{"event":"`...), a.Event...), '"')
	var err error
	if a.Chat != nil {
		if b, err = a.Chat.AppendJSON(append(b, `,"chat":`...)); err != nil {
			return b, err
		}
	}
	if a.Reason != nil {
		b = appendMarshal(append(b, `,"reason":`...), a.Reason)
	}
	if len(a.Warnings) > 0 {
		b = appendMarshal(append(b, `,"warnings":`...), a.Warnings)
	}
	return append(b, "}\n"...), nil
}

// appendMarshal appends v as encoding/json writes it; v's types (reasons:
// two strings) always encode.
func appendMarshal(b []byte, v any) []byte {
	p, _ := json.Marshal(v)
	return append(b, p...)
}

// plainWord reports whether s is lower-case letters and underscores, which
// JSON writes as they are.
func plainWord(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// ParseConnect decodes and checks a connect body into a command, with the
// warnings about what it accepts but ignores.
func ParseConnect(r *http.Request) (routing.Connect, []sb.Reason, error) {
	cmd, warnings, _, err := parseConnect(r)
	return cmd, warnings, err
}

// parseConnect is ParseConnect, with the config's webhook_secret.
func parseConnect(r *http.Request) (routing.Connect, []sb.Reason, string, error) {
	var b connectBody
	if err := decodeFast(r, &b); err != nil {
		return routing.Connect{}, nil, "", err
	}
	if err := checkConnect(&b); err != nil {
		return routing.Connect{}, nil, "", err
	}
	c := b.Config
	var warnings []sb.Reason
	if c.AddButton != nil {
		warnings = append(warnings, sb.Reason{Code: WarnUnsupportedParameter, Field: "config.add_button",
			Message: "config.add_button is accepted and ignored: the panel shows no scenario buttons"})
	}
	return routing.Connect{
		Client: *b.Client, Text: b.Text, Topic: c.SubjectAlias, AutoConnect: c.AutoConnectOperator,
		Status: c.Status, Operator: c.AssignedOperator, Tags: c.TagIDs, Weight: c.Weight, WebhookURL: c.EventWebhookURL,
		ReturnButton: truthy(c.AddReturnButton),
	}, warnings, strings.Clone(c.WebhookSecret), nil
}

// checkConnect checks what the engine does not: the client object, the
// webhook URL and its secret.
func checkConnect(b *connectBody) error {
	c := &b.Config
	switch {
	case b.Client == nil:
		return sb.Errorf(sb.EINVALID, "client", "client is required")
	case c.EventWebhookURL != "" && !server.ValidURL(c.EventWebhookURL):
		return sb.Errorf(sb.EINVALID, "config.event_webhook_url", "must be an absolute http or https URL")
	case c.WebhookSecret != "" && c.EventWebhookURL == "":
		return sb.Errorf(sb.EINVALID, "config.webhook_secret", "webhook_secret signs deliveries to event_webhook_url, which is not given")
	case !server.ValidSecret(c.WebhookSecret):
		return sb.Errorf(sb.EINVALID, "config.webhook_secret", "a whsec_ secret must be base64 after the prefix")
	}
	return nil
}

// WarnUnsupportedParameter is the warning for a ConnectiveOne parameter
// that Switchboard accepts but does not act on.
const WarnUnsupportedParameter = "unsupported_parameter"

func (h *Handler) connect(w http.ResponseWriter, r *http.Request) error {
	cmd, warnings, secret, err := parseConnect(r)
	var res routing.Result
	if err == nil {
		res, err = h.App.Connect(r.Context(), cmd, secret)
	}
	if err != nil {
		var body ErrorBody
		body.Error.Code, body.Error.Message, body.Error.Field = sb.ErrorCode(err), sb.ErrorMessage(err), sb.ErrorField(err)
		status := statusOf[body.Error.Code]
		if status == 0 {
			status = 500
		}
		writeJSON(w, status, connectAnswer{Event: "error", Error: body.Error})
		return nil
	}
	a := connectAnswer{Event: res.Outcome, Chat: res.Chat, Reason: res.Reason, Warnings: append(res.Warnings, warnings...)}
	bp := answers.Get().(*[]byte)
	defer answers.Put(bp)
	body, err := a.appendJSON((*bp)[:0])
	*bp = body
	if err != nil {
		writeJSON(w, 200, a) // fails the same way: an empty body, as before
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body) // copied into the connection's buffer
	return nil
}

func (h *Handler) getChat(w http.ResponseWriter, r *http.Request) error {
	c, err := h.App.Chat(r.Context(), principalOf(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

func (h *Handler) listChats(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := principalOf(r.Context())
	folder := q.Get("folder")
	if folder == "" {
		folder = routing.FolderActive
	}
	switch folder {
	case routing.FolderInQueue, routing.FolderNew, routing.FolderMine, routing.FolderActive, routing.FolderOverdue, routing.FolderOffers:
	case routing.FolderClosed:
		return h.listClosed(w, r, q.Get("operator_id"))
	default:
		return sb.Errorf(sb.EINVALID, "folder", "folder must be in_queue, new, mine, active, overdue, offers or closed")
	}
	return writePage(w, r, h.App.Chats(p, folder, q.Get("topic"), q.Get("operator_id")))
}

// writePage answers one page of items: ?cursor= is the offset, ?limit= the
// size (default 100, at most 1000).
func writePage[T any](w http.ResponseWriter, r *http.Request, items []T) error {
	off, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	off = min(max(off, 0), len(items))
	end := min(off+limit, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	writeJSON(w, 200, map[string]any{"items": items[off:end], "total": len(items), "next_cursor": next})
	return nil
}

func (h *Handler) listClosed(w http.ResponseWriter, r *http.Request, opID string) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
	chats, err := h.App.ClosedChats(r.Context(), principalOf(r.Context()), opID, before, 100)
	if err != nil {
		return err
	}
	next := ""
	if len(chats) == 100 {
		next = chats[len(chats)-1].ID
	}
	writeJSON(w, 200, map[string]any{"items": nonNil(chats), "next_cursor": next})
	return nil
}

func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request) error {
	msgs, err := h.App.Messages(r.Context(), principalOf(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(msgs))
	return nil
}

// messageBody is the body of POST /chats/{id}/messages.
type messageBody struct {
	Text string `json:"text"`
}

func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request) error {
	var b messageBody
	if err := decode(r, &b); err != nil {
		return err
	}
	p, id := principalOf(r.Context()), r.PathValue("id")
	var cmd routing.Command
	if p.Role == sb.RoleIntegrator {
		if _, err := h.App.Chat(r.Context(), p, id); err != nil {
			return err
		}
		cmd = routing.ClientMessage{ChatID: id, Text: b.Text}
	} else {
		op, err := actingOperator(p)
		if err != nil {
			return err
		}
		cmd = routing.OperatorMessage{ChatID: id, OperatorID: op, Role: p.Role, Text: b.Text}
	}
	res, err := h.do(r, cmd)
	if err != nil {
		return err
	}
	writeJSON(w, 201, res.Changes.Messages[0])
	return nil
}

// chatAction answers the chat a command left.
func (h *Handler) chatAction(w http.ResponseWriter, r *http.Request, cmd routing.Command) error {
	res, err := h.do(r, cmd)
	if err != nil {
		return err
	}
	writeJSON(w, 200, res.Chat)
	return nil
}

// actingOperator returns the operator a staff or operator credential acts
// for: a panel session's, or an API token's operator_id.
func actingOperator(p server.Principal) (string, error) {
	if p.OperatorID == "" {
		return "", sb.Errorf(sb.EFORBIDDEN, "", "this credential acts for no operator: sign in to the panel, or use a token with an operator_id")
	}
	return p.OperatorID, nil
}

func (h *Handler) accept(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	op, err := actingOperator(p)
	if err != nil {
		return err
	}
	return h.chatAction(w, r, routing.Accept{ChatID: r.PathValue("id"), OperatorID: op, Role: p.Role})
}

func (h *Handler) take(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	op, err := actingOperator(p)
	if err != nil {
		return err
	}
	return h.chatAction(w, r, routing.Take{ChatID: r.PathValue("id"), OperatorID: op, Role: p.Role})
}

// returnBody is the body of POST /chats/{id}/return-to-bot.
type returnBody struct {
	Comment string `json:"comment"`
}

func (h *Handler) returnToBot(w http.ResponseWriter, r *http.Request) error {
	var b returnBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			return err
		}
	}
	p := principalOf(r.Context())
	return h.chatAction(w, r, routing.ReturnToBot{ChatID: r.PathValue("id"), OperatorID: p.OperatorID, Role: p.Role, Comment: b.Comment})
}

// chatPatch is the body of PATCH /chats/{id}.
type chatPatch struct {
	SubjectAlias *string   `json:"subject_alias"`
	TagIDs       *[]string `json:"tag_ids"`
}

func (h *Handler) patchChat(w http.ResponseWriter, r *http.Request) error {
	var b chatPatch
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.SubjectAlias == nil && b.TagIDs == nil {
		return sb.Errorf(sb.EINVALID, "subject_alias", "give subject_alias, tag_ids or both")
	}
	p := principalOf(r.Context())
	return h.chatAction(w, r, routing.UpdateChat{ChatID: r.PathValue("id"), OperatorID: p.OperatorID, Role: p.Role,
		Topic: b.SubjectAlias, Tags: b.TagIDs})
}

// assignBody is the body of POST /chats/{id}/assign.
type assignBody struct {
	OperatorID string `json:"operator_id"`
	Force      bool   `json:"force"`
}

func (h *Handler) assign(w http.ResponseWriter, r *http.Request) error {
	var b assignBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.OperatorID == "" {
		return sb.Errorf(sb.EINVALID, "operator_id", "operator_id is required")
	}
	// An unknown operator in the body is bad input (422), not a missing
	// resource (404): the path names the chat.
	if _, err := h.App.Operator(b.OperatorID); err != nil {
		return sb.Errorf(sb.EINVALID, "operator_id", "operator_id must name an operator")
	}
	return h.chatAction(w, r, routing.Assign{ChatID: r.PathValue("id"), OperatorID: b.OperatorID, Force: b.Force})
}

// transferBody is the body of POST /chats/{id}/transfer: a topic (the
// chat goes back through routing) or a colleague (an offer).
type transferBody struct {
	SubjectAlias *string `json:"subject_alias"`
	OperatorID   *string `json:"operator_id"`
	Note         string  `json:"note"`
	Force        bool    `json:"force"`
}

func (h *Handler) transfer(w http.ResponseWriter, r *http.Request) error {
	var b transferBody
	if err := decode(r, &b); err != nil {
		return err
	}
	p, id := principalOf(r.Context()), r.PathValue("id")
	switch {
	case b.SubjectAlias != nil && b.OperatorID != nil:
		return sb.Errorf(sb.EINVALID, "operator_id", "give subject_alias (a topic) or operator_id (a colleague), not both")
	case b.OperatorID != nil:
		return h.chatAction(w, r, routing.OfferTransfer{ChatID: id, OperatorID: p.OperatorID, Role: p.Role, To: *b.OperatorID, Note: b.Note, Force: b.Force})
	case b.SubjectAlias == nil:
		return sb.Errorf(sb.EINVALID, "subject_alias", "subject_alias (a topic) or operator_id (a colleague) is required")
	case b.Note != "" || b.Force:
		return sb.Errorf(sb.EINVALID, "note", "note and force go with operator_id: a transfer to a topic has neither")
	}
	return h.chatAction(w, r, routing.Transfer{ChatID: id, Topic: *b.SubjectAlias, OperatorID: p.OperatorID, Role: p.Role})
}

// closeBody is the body of POST /chats/{id}/close.
type closeBody struct {
	Comment string `json:"comment"`
}

func (h *Handler) closeChat(w http.ResponseWriter, r *http.Request) error {
	var b closeBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			return err
		}
	}
	p := principalOf(r.Context())
	by := sb.ByOperator
	if p.Role == sb.RoleIntegrator {
		by = sb.ByClient
	}
	return h.chatAction(w, r, routing.Close{ChatID: r.PathValue("id"), By: by, OperatorID: p.OperatorID, Role: p.Role, Comment: b.Comment})
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) error {
	return writePage(w, r, h.App.Queue(principalOf(r.Context())))
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) error {
	since := time.Now().Add(-24 * time.Hour)
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return sb.Errorf(sb.EINVALID, "since", "since must be an RFC 3339 time")
		}
		since = t
	}
	a, err := h.App.Audit(r.Context(), since)
	if err != nil {
		return err
	}
	writeJSON(w, 200, a)
	return nil
}
