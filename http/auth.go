package http

import (
	"context"
	"net/http"
	"strings"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

// Role sets, for the route table.
const (
	rAdmin = 1 << iota
	rSupervisor
	rOperator
	rIntegrator

	rStaff = rAdmin | rSupervisor
	rPanel = rStaff | rOperator
	rAll   = rPanel | rIntegrator
)

var roleBit = map[string]int{
	sb.RoleAdmin: rAdmin, sb.RoleSupervisor: rSupervisor,
	sb.RoleOperator: rOperator, sb.RoleIntegrator: rIntegrator,
}

type ctxKey struct{}

// principalOf returns who makes the request (set by guard).
func principalOf(ctx context.Context) server.Principal {
	p, _ := ctx.Value(ctxKey{}).(server.Principal)
	return p
}

// authenticate finds the caller by its bearer token or, for the panels,
// its session cookie (with the CSRF check for unsafe methods).
func (h *Handler) authenticate(r *http.Request) (server.Principal, error) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") { // the scheme is case-insensitive (RFC 9110)
		if secret = sessionSecret(r); secret != "" {
			if err := checkCSRF(r); err != nil {
				return server.Principal{}, err
			}
		}
	}
	if secret == "" {
		return server.Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "missing bearer token or session")
	}
	return h.App.Authenticate(r.Context(), secret)
}

// guard wraps a handler with authentication and the allowed roles; with
// seen, a request made with an operator's credential keeps it present.
func (h *Handler) guard(roles int, seen bool, fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		if err == nil && roleBit[p.Role]&roles == 0 {
			err = sb.Errorf(sb.EFORBIDDEN, "", "role %s may not do this", p.Role)
		}
		if err == nil {
			err = fn(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
		}
		if err == nil && seen && p.OperatorID != "" {
			// A request of its own that succeeded keeps an operator present;
			// one that failed changes nothing.
			h.App.Seen(r.Context(), p.OperatorID)
		}
		switch {
		case err != nil && r.Context().Err() != nil:
			// The client has gone, or the server is stopping: nobody reads
			// the answer, and it is not an internal error to log.
			w.WriteHeader(http.StatusServiceUnavailable)
		case err != nil:
			writeError(w, h.Log, err)
		}
	}
}
