package http

import (
	"encoding/json"
	"net/http"

	"golang.org/x/crypto/bcrypt"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// operatorJSON is an operator as the API shows it.
type operatorJSON struct {
	sb.Operator
	CanReceive bool `json:"can_receive"`
}

func (h *Handler) operatorOut(id string) (operatorJSON, error) {
	var (
		o  sb.Operator
		ok bool
		cr bool
	)
	h.App.View(func(e *routing.Engine) {
		if o, ok = e.Operator(id); ok {
			cr = e.CanReceive(o.Status)
		}
	})
	if !ok {
		return operatorJSON{}, notFound("operator", id)
	}
	return operatorJSON{Operator: o, CanReceive: cr}, nil
}

func (h *Handler) listOperators(w http.ResponseWriter, r *http.Request) error {
	out := []operatorJSON{}
	h.App.View(func(e *routing.Engine) {
		for _, o := range e.Operators() {
			out = append(out, operatorJSON{Operator: o, CanReceive: e.CanReceive(o.Status)})
		}
	})
	writeJSON(w, 200, out)
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

func (p operatorPatch) apply(o *sb.Operator) {
	set(&o.ID, p.ID)
	set(&o.Name, p.Name)
	set(&o.Email, p.Email)
	set(&o.Role, p.Role)
	if p.MaxChats.Set {
		o.MaxChats = p.MaxChats.V
	}
	if p.ChannelLimits.Set {
		o.ChannelLimits = nil
		if p.ChannelLimits.V != nil {
			o.ChannelLimits = *p.ChannelLimits.V
		}
	}
}

func (h *Handler) setPassword(r *http.Request, id string, pw *string) error {
	if pw == nil {
		return nil
	}
	if len(*pw) < 8 || len(*pw) > 72 {
		return sb.Errorf(sb.EINVALID, "password", "password must have 8 to 72 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(*pw), PasswordCost)
	if err != nil {
		return err
	}
	return h.Store.SetPassword(r.Context(), id, string(hash))
}

func (h *Handler) createOperator(w http.ResponseWriter, r *http.Request) error {
	var p operatorPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	var o sb.Operator
	p.apply(&o)
	if p.Password != nil && (len(*p.Password) < 8 || len(*p.Password) > 72) {
		return sb.Errorf(sb.EINVALID, "password", "password must have 8 to 72 characters")
	}
	if _, err := h.do(r, routing.CreateOperator{Operator: o}); err != nil {
		return err
	}
	if err := h.setPassword(r, o.ID, p.Password); err != nil {
		return err
	}
	out, err := h.operatorOut(o.ID)
	writeJSON(w, 201, out)
	return err
}

func (h *Handler) getOperator(w http.ResponseWriter, r *http.Request) error {
	out, err := h.operatorOut(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

func (h *Handler) patchOperator(w http.ResponseWriter, r *http.Request) error {
	cur, err := h.operatorOut(r.PathValue("id"))
	if err != nil {
		return err
	}
	var p operatorPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.ID != nil && *p.ID != cur.ID {
		return sb.Errorf(sb.EINVALID, "id", "id cannot change")
	}
	o := cur.Operator
	p.apply(&o)
	if p.Password != nil && (len(*p.Password) < 8 || len(*p.Password) > 72) {
		return sb.Errorf(sb.EINVALID, "password", "password must have 8 to 72 characters")
	}
	if _, err := h.do(r, routing.UpdateOperator{Operator: o}); err != nil {
		return err
	}
	if err := h.setPassword(r, o.ID, p.Password); err != nil {
		return err
	}
	out, err := h.operatorOut(o.ID)
	writeJSON(w, 200, out)
	return err
}

func (h *Handler) deleteOperator(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteOperator{ID: r.PathValue("id")})
}

// selfOrStaff lets operators act only on themselves.
func selfOrStaff(r *http.Request, opID string) error {
	p := principalOf(r.Context())
	if p.Role == sb.RoleOperator && p.OperatorID != opID {
		return sb.Errorf(sb.EFORBIDDEN, "", "operators act only on themselves")
	}
	return nil
}

// operatorStatusBody is the body of PUT /operators/{id}/status.
type operatorStatusBody struct {
	Status string `json:"status"`
}

func (h *Handler) setOperatorStatus(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := selfOrStaff(r, id); err != nil {
		return err
	}
	var p operatorStatusBody
	if err := decode(r, &p); err != nil {
		return err
	}
	if _, err := h.do(r, routing.SetOperatorStatus{OperatorID: id, Status: p.Status}); err != nil {
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
	id := r.PathValue("id")
	if err := selfOrStaff(r, id); err != nil {
		return err
	}
	var (
		d   routing.Diagnostics
		err error
	)
	h.App.View(func(e *routing.Engine) { d, err = e.Diagnostics(id) })
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}
