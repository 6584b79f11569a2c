package http

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Panel sessions: signing in with email and password creates a token (kind
// "session") whose secret travels in the HttpOnly cookie sb_session. Unsafe
// requests authenticated by that cookie must repeat the cookie sb_csrf in
// the X-CSRF-Token header (double submit), which a cross-site page cannot
// read.
const (
	sessionCookie = "sb_session"
	csrfCookie    = "sb_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// DefaultSessionTTL is how long a panel sign-in lasts unless configured.
const DefaultSessionTTL = 12 * time.Hour

// sessionPrefix starts the id of every panel session's token.
const sessionPrefix = "ses_"

// PasswordCost is the bcrypt cost of the operators' password hashes. Tests
// lower it (bcrypt.MinCost) before they start a server: at the default a
// hash took 3.5-4 s under the race detector on a loaded 2-core machine
// (0.2-0.4 s without).
var PasswordCost = bcrypt.DefaultCost

// unknownHash is what signIn compares a password with when the email is
// unknown: a hash of PasswordCost, so that it costs what a known one does.
var unknownHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("no operator has this password"), PasswordCost)
	if err != nil {
		panic(err) // only for a cost out of range
	}
	return h
})

func isSession(t sb.Token) bool { return strings.HasPrefix(t.ID, sessionPrefix) }

// sessionSecret returns the session cookie's secret, if any.
func sessionSecret(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// checkCSRF rejects an unsafe cookie-authenticated request without the
// matching header.
func checkCSRF(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	c, err := r.Cookie(csrfCookie)
	h := r.Header.Get(csrfHeader)
	if err != nil || h == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(h)) != 1 {
		return sb.Errorf(sb.EFORBIDDEN, csrfHeader, "missing or wrong CSRF token")
	}
	return nil
}

func (h *Handler) operatorByEmail(email string) (sb.Operator, bool) {
	var (
		out sb.Operator
		ok  bool
	)
	h.App.View(func(e *routing.Engine) {
		for _, o := range e.Operators() {
			if o.Email != "" && strings.EqualFold(o.Email, email) {
				out, ok = o, true
			}
		}
	})
	return out, ok
}

// signInBody is the body of POST /session.
type signInBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn checks email and password and starts a session.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	var b signInBody
	if err := decode(r, &b); err != nil {
		writeError(w, h.Log, err)
		return
	}
	o, ok := h.operatorByEmail(b.Email)
	hash := unknownHash() // equal work for unknown emails
	if ok {
		if stored, err := h.Store.PasswordHash(r.Context(), o.ID); err == nil {
			hash = []byte(stored)
		}
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(b.Password)) != nil || !ok {
		writeError(w, h.Log, sb.Errorf(sb.EUNAUTHORIZED, "password", "wrong email or password"))
		return
	}
	secret, csrf := NewSecret("sbs_"), NewSecret("")
	t := sb.Token{ID: NewSecret(sessionPrefix)[:16], Hash: HashToken(secret), Role: o.Role, OperatorID: o.ID, CreatedAt: time.Now().UTC()}
	if err := h.Store.CreateToken(r.Context(), t); err != nil {
		writeError(w, h.Log, err)
		return
	}
	// Secure when the browser talks HTTPS, directly or through a proxy that
	// terminates TLS.
	secure := r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int(h.SessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: int(h.SessionTTL.Seconds())})
	writeJSON(w, 200, map[string]any{"operator_id": o.ID, "role": o.Role, "name": o.Name, "csrf_token": csrf})
}

// whoAmI answers who the caller is.
func (h *Handler) whoAmI(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	writeJSON(w, 200, map[string]any{"operator_id": p.OperatorID, "role": p.Role})
	return nil
}

// signOut ends the session of the cookie.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if sessionSecret(r) != "" {
		if err := h.Store.DeleteToken(r.Context(), p.TokenID); err != nil && sb.ErrorCode(err) != sb.ENOTFOUND {
			return err
		}
		h.forgetToken(p.TokenID)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
