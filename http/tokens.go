package http

import (
	"net/http"
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
	t, secret, err := h.App.CreateToken(r.Context(), b.Role, b.OperatorID)
	if err != nil {
		return err
	}
	writeJSON(w, 201, map[string]string{"id": t.ID, "token": secret, "role": t.Role, "operator_id": t.OperatorID})
	return nil
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.App.Tokens(r.Context(), false)
	if err != nil {
		return err
	}
	writeJSON(w, 200, ts)
	return nil
}

// listSessions lists the panel sessions that have not expired (their
// tokens; DELETE /tokens/{id} ends one).
func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.App.Tokens(r.Context(), true)
	if err != nil {
		return err
	}
	writeJSON(w, 200, ts)
	return nil
}

func (h *Handler) deleteToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.App.DeleteToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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
	wh, err := h.App.CreateWebhook(r.Context(), b.URL, b.Events, b.Secret)
	if err != nil {
		return err
	}
	writeJSON(w, 201, map[string]any{"id": wh.ID, "url": wh.URL, "events": wh.Events, "secret": wh.Secret, "created_at": wh.CreatedAt})
	return nil
}

func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := h.App.Webhooks(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(hooks))
	return nil
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := h.App.DeleteWebhook(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	as, err := h.App.Attempts(r.Context(), r.PathValue("id"), 100)
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(as))
	return nil
}
