package http

import (
	"encoding/json"
	"net/http"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

func (h *Handler) listOperators(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, h.App.Operators())
	return nil
}

// operatorPatch is the body of POST and PATCH /operators.
type operatorPatch struct {
	ID            *string                  `json:"id"`
	Name          *string                  `json:"name"`
	Email         *string                  `json:"email"`
	Role          *string                  `json:"role"`
	Password      *string                  `json:"password"`
	MaxChats      nullable[int]            `json:"max_chats,omitzero"`
	ChannelLimits nullable[map[string]int] `json:"channel_limits,omitzero"`
}

// nullable is a PATCH field that tells absent (Set false) from null (Set,
// V nil: back to the default); a **T cannot, as JSON null sets the outer
// pointer to nil.
type nullable[T any] struct {
	Set bool
	V   *T
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set, n.V = true, nil
	if string(b) == "null" {
		return nil
	}
	n.V = new(T)
	return json.Unmarshal(b, n.V)
}

// MarshalJSON writes null or the value; with omitzero an absent field stays
// absent.
func (n nullable[T]) MarshalJSON() ([]byte, error) { return json.Marshal(n.V) }

// IsZero reports an absent field.
func (n nullable[T]) IsZero() bool { return !n.Set }

// field is the routing patch field of a nullable.
func field[T any](n nullable[T]) routing.Field[T] { return routing.Field[T]{Set: n.Set, V: n.V} }

func (h *Handler) createOperator(w http.ResponseWriter, r *http.Request) error {
	var p operatorPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	var o sb.Operator
	set(&o.ID, p.ID)
	set(&o.Name, p.Name)
	set(&o.Email, p.Email)
	set(&o.Role, p.Role)
	o.MaxChats = p.MaxChats.V
	if p.ChannelLimits.V != nil {
		o.ChannelLimits = *p.ChannelLimits.V
	}
	if _, err := h.App.CreateOperator(r.Context(), o, p.Password); err != nil {
		return err
	}
	return h.writeOperator(w, 201, o.ID)
}

func (h *Handler) writeOperator(w http.ResponseWriter, status int, id string) error {
	out, err := h.App.Operator(id)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

func (h *Handler) getOperator(w http.ResponseWriter, r *http.Request) error {
	return h.writeOperator(w, 200, r.PathValue("id"))
}

func (h *Handler) patchOperator(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p operatorPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.ID != nil && *p.ID != id {
		return sb.Errorf(sb.EINVALID, "id", "id cannot change")
	}
	cmd := routing.PatchOperator{ID: id, Name: p.Name, Email: p.Email, Role: p.Role,
		MaxChats: field(p.MaxChats), ChannelLimits: field(p.ChannelLimits)}
	if _, err := h.App.PatchOperator(r.Context(), cmd, p.Password); err != nil {
		return err
	}
	return h.writeOperator(w, 200, id)
}

func (h *Handler) deleteOperator(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteOperator{ID: r.PathValue("id")})
}

// operatorStatusBody is the body of PUT /operators/{id}/status.
type operatorStatusBody struct {
	Status string `json:"status"`
}

func (h *Handler) setOperatorStatus(w http.ResponseWriter, r *http.Request) error {
	var p operatorStatusBody
	if err := decode(r, &p); err != nil {
		return err
	}
	if err := h.App.SetStatus(r.Context(), principalOf(r.Context()), r.PathValue("id"), p.Status); err != nil {
		return err
	}
	return h.getOperator(w, r)
}

// redistributeBody is the body of POST /operators/{id}/redistribute.
type redistributeBody struct {
	Status string `json:"status"`
	Weight *int   `json:"weight"`
}

func (h *Handler) redistribute(w http.ResponseWriter, r *http.Request) error {
	var p redistributeBody
	if err := decode(r, &p); err != nil {
		return err
	}
	res, err := h.do(r, routing.Redistribute{OperatorID: r.PathValue("id"), Status: p.Status, Weight: p.Weight})
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"decisions": nonNil(res.Decisions)})
	return nil
}

func (h *Handler) diagnostics(w http.ResponseWriter, r *http.Request) error {
	d, err := h.App.Diagnostics(principalOf(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}
