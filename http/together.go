package http

import (
	"net/http"

	"github.com/switchboard/switchboard/routing"
)

// The calls of working together: answers to a colleague's offer, notes,
// and an operator's Ready after a wrap-up.

func (h *Handler) acceptOffer(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	return h.chatAction(w, r, routing.AcceptOffer{ChatID: r.PathValue("id"), OperatorID: p.OperatorID, Role: p.Role})
}

// declineBody is the optional body of POST /chats/{id}/offer/decline.
type declineBody struct {
	Reason string `json:"reason"`
}

func (h *Handler) declineOffer(w http.ResponseWriter, r *http.Request) error {
	var b declineBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			return err
		}
	}
	p := principalOf(r.Context())
	return h.chatAction(w, r, routing.DeclineOffer{ChatID: r.PathValue("id"), OperatorID: p.OperatorID, Role: p.Role, Reason: b.Reason})
}

func (h *Handler) withdrawOffer(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	return h.chatAction(w, r, routing.WithdrawOffer{ChatID: r.PathValue("id"), OperatorID: p.OperatorID, Role: p.Role})
}

func (h *Handler) postNote(w http.ResponseWriter, r *http.Request) error {
	var b messageBody
	if err := decode(r, &b); err != nil {
		return err
	}
	p := principalOf(r.Context())
	res, err := h.do(r, routing.AddNote{ChatID: r.PathValue("id"), OperatorID: p.OperatorID, Role: p.Role, Text: b.Text})
	if err != nil {
		return err
	}
	writeJSON(w, 201, res.Changes.Messages[0])
	return nil
}

func (h *Handler) ready(w http.ResponseWriter, r *http.Request) error {
	if err := h.App.Ready(r.Context(), principalOf(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	return h.getOperator(w, r)
}
