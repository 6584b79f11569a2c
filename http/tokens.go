package http

import (
	"net/http"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
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
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	Secret   string   `json:"secret"`
	MaxBatch int      `json:"max_batch_size"`
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var b webhookBody
	if err := decode(r, &b); err != nil {
		return err
	}
	wh, err := h.App.CreateWebhook(r.Context(), b.URL, b.Events, b.Secret, b.MaxBatch)
	if err != nil {
		return err
	}
	writeJSON(w, 201, map[string]any{"id": wh.ID, "url": wh.URL, "events": wh.Events, "max_batch_size": wh.MaxBatch, "secret": wh.Secret, "created_at": wh.CreatedAt})
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

// deliveryQuery reads ?cursor= (the id the page goes below), ?limit=
// (default 100, at most 1000) and ?status=pending.
func deliveryQuery(r *http.Request) (sb.DeliveryQuery, error) {
	q := r.URL.Query()
	var dq sb.DeliveryQuery
	var err error
	if c := q.Get("cursor"); c != "" {
		if dq.Before, err = strconv.ParseInt(c, 10, 64); err != nil || dq.Before <= 0 {
			return dq, sb.Errorf(sb.EINVALID, "cursor", "cursor must be a next_cursor of a page")
		}
	}
	dq.Limit = 100
	if l := q.Get("limit"); l != "" {
		if dq.Limit, err = strconv.Atoi(l); err != nil || dq.Limit < 1 || dq.Limit > 1000 {
			return dq, sb.Errorf(sb.EINVALID, "limit", "limit must be 1 to 1000")
		}
	}
	switch q.Get("status") {
	case "", "all":
	case "pending":
		dq.Pending = true
	default:
		return dq, sb.Errorf(sb.EINVALID, "status", `status must be "pending" or "all"`)
	}
	return dq, nil
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	q, err := deliveryQuery(r)
	if err != nil {
		return err
	}
	q.WebhookID = r.PathValue("id")
	page, err := h.App.WebhookDeliveries(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, 200, page)
	return nil
}

func (h *Handler) listChatDeliveries(w http.ResponseWriter, r *http.Request) error {
	q, err := deliveryQuery(r)
	if err != nil {
		return err
	}
	q.ChatID = r.PathValue("id")
	page, err := h.App.ChatDeliveries(r.Context(), principalOf(r.Context()), q)
	if err != nil {
		return err
	}
	writeJSON(w, 200, page)
	return nil
}

// deliveryID reads the path's delivery_id.
func deliveryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("delivery_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, sb.Errorf(sb.ENOTFOUND, "delivery_id", "delivery %q not found", r.PathValue("delivery_id"))
	}
	return id, nil
}

func (h *Handler) resendDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	d, err := h.App.ResendDelivery(r.Context(), principalOf(r.Context()), r.PathValue("id"), "", id)
	if err != nil {
		return err
	}
	writeJSON(w, 202, d)
	return nil
}

func (h *Handler) resendChatDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	d, err := h.App.ResendDelivery(r.Context(), principalOf(r.Context()), "", r.PathValue("id"), id)
	if err != nil {
		return err
	}
	writeJSON(w, 202, d)
	return nil
}

func (h *Handler) testWebhook(w http.ResponseWriter, r *http.Request) error {
	d, err := h.App.TestWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 202, d)
	return nil
}

func (h *Handler) listWebhookKeys(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.App.WebhookKeys()))
	return nil
}

// keyBody is the body of POST /webhook-keys.
type keyBody struct {
	// OverlapS is how long the keys in force go on signing beside the new
	// one (default a day).
	OverlapS *int `json:"overlap_s"`
}

func (h *Handler) rotateWebhookKey(w http.ResponseWriter, r *http.Request) error {
	var b keyBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			return err
		}
	}
	overlap := 24 * time.Hour
	if b.OverlapS != nil {
		overlap = time.Duration(*b.OverlapS) * time.Second
	}
	k, err := h.App.RotateWebhookKey(r.Context(), overlap)
	if err != nil {
		return err
	}
	writeJSON(w, 201, map[string]any{"id": k.ID, "secret": k.Secret, "created_at": k.CreatedAt})
	return nil
}
