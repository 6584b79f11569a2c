package http

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// tokenBody is the body of POST /tokens.
type tokenBody struct {
	Role       string `json:"role"`
	OperatorID string `json:"operator_id"`
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	var b tokenBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if roleBit[b.Role] == 0 {
		return sb.Errorf(sb.EINVALID, "role", "role must be admin, supervisor, operator or integrator")
	}
	if b.Role == sb.RoleOperator || b.OperatorID != "" {
		var ok bool
		h.App.View(func(e *routing.Engine) { _, ok = e.Operator(b.OperatorID) })
		if !ok {
			return sb.Errorf(sb.EINVALID, "operator_id", "operator_id must name an operator")
		}
	}
	secret := NewSecret("sbt_")
	t := sb.Token{ID: NewSecret("tok_")[:16], Hash: HashToken(secret), Role: b.Role, OperatorID: b.OperatorID, CreatedAt: time.Now().UTC()}
	if err := h.Store.CreateToken(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, 201, map[string]string{"id": t.ID, "token": secret, "role": t.Role, "operator_id": t.OperatorID})
	return nil
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Store.Tokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(ts))
	return nil
}

func (h *Handler) deleteToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.Store.DeleteToken(r.Context(), id); err != nil {
		return err
	}
	h.forgetToken(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// knownEvents are the names a subscription may list.
var knownEvents = map[string]bool{
	"*": true, sb.EventChatCreated: true, sb.EventChatQueued: true, sb.EventAutoConnected: true,
	sb.EventOperatorConnected: true, sb.EventOperatorDisconnected: true, sb.EventChatAccepted: true,
	sb.EventChatTransferred: true, sb.EventChatUpdated: true, sb.EventChatReturnedToBot: true, sb.EventClosedByOperator: true, sb.EventClosedByClient: true,
	sb.EventClosedByTimer: true, sb.EventChatClosed: true, sb.EventLimit: true, sb.EventQueueTimeout: true,
	sb.EventResponseOverdue: true, sb.EventMessageCreated: true, sb.EventOperatorStatus: true,
	sb.EventConfigChanged: true,
}

// webhookBody is the body of POST /webhooks.
type webhookBody struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var b webhookBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if !validURL(b.URL) {
		return sb.Errorf(sb.EINVALID, "url", "url must be an absolute http or https URL")
	}
	for _, e := range b.Events {
		if !knownEvents[e] {
			return sb.Errorf(sb.EINVALID, "events", "unknown event %q", e)
		}
	}
	if b.Secret == "" {
		k := make([]byte, 24)
		_, _ = rand.Read(k)
		b.Secret = "whsec_" + base64.StdEncoding.EncodeToString(k)
	}
	wh := sb.Webhook{ID: NewSecret("wh_")[:15], URL: b.URL, Events: nonNil(b.Events), Secret: b.Secret, CreatedAt: time.Now().UTC()}
	if err := h.Store.CreateWebhook(r.Context(), wh); err != nil {
		return err
	}
	if err := h.App.SetWebhooks(r.Context()); err != nil {
		return err
	}
	writeJSON(w, 201, map[string]any{"id": wh.ID, "url": wh.URL, "events": wh.Events, "secret": wh.Secret, "created_at": wh.CreatedAt})
	return nil
}

func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := h.Store.Webhooks(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(hooks))
	return nil
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := h.Store.DeleteWebhook(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	if err := h.App.SetWebhooks(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	as, err := h.Store.Attempts(r.Context(), r.PathValue("id"), 100)
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(as))
	return nil
}
