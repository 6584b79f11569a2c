package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
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

// principal is who makes a request.
type principal struct {
	Role       string
	OperatorID string
	TokenID    string
}

type ctxKey struct{}

func principalOf(ctx context.Context) principal {
	p, _ := ctx.Value(ctxKey{}).(principal)
	return p
}

// HashToken returns the stored form of a token secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a random token secret.
func NewSecret(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// tokenCache keeps tokens by hash so that auth costs no database read.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]sb.Token
}

func (h *Handler) authenticate(r *http.Request) (principal, error) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		if secret = sessionSecret(r); secret != "" {
			if err := checkCSRF(r); err != nil {
				return principal{}, err
			}
		}
	}
	if secret == "" {
		return principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "missing bearer token or session")
	}
	hash := HashToken(secret)
	h.tokens.mu.Lock()
	t, ok := h.tokens.m[hash]
	h.tokens.mu.Unlock()
	if !ok {
		var err error
		if t, err = h.Store.TokenByHash(r.Context(), hash); err != nil {
			if sb.ErrorCode(err) == sb.ENOTFOUND {
				return principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "unknown token")
			}
			return principal{}, err
		}
		h.tokens.mu.Lock()
		h.tokens.m[hash] = t
		h.tokens.mu.Unlock()
	}
	return h.principalFor(r, t)
}

// principalFor checks a token against the operator it acts for: the
// operator must still exist; a panel session expires SessionTTL after
// sign-in and has the operator's current role, so a role change applies to
// sessions at once.
func (h *Handler) principalFor(r *http.Request, t sb.Token) (principal, error) {
	p := principal{Role: t.Role, OperatorID: t.OperatorID, TokenID: t.ID}
	if t.OperatorID == "" {
		return p, nil
	}
	var (
		o  sb.Operator
		ok bool
	)
	h.App.View(func(e *routing.Engine) { o, ok = e.Operator(t.OperatorID) })
	if !ok {
		return principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "the token's operator no longer exists")
	}
	if isSession(t) {
		if time.Since(t.CreatedAt) > h.SessionTTL {
			h.forgetToken(t.ID)
			_ = h.Store.DeleteToken(r.Context(), t.ID)
			return principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "the session expired; sign in again")
		}
		p.Role = o.Role
	}
	return p, nil
}

func (h *Handler) forgetToken(id string) {
	h.tokens.mu.Lock()
	defer h.tokens.mu.Unlock()
	for k, t := range h.tokens.m {
		if t.ID == id {
			delete(h.tokens.m, k)
		}
	}
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
