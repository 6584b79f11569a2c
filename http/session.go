package http

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
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

// sessionSecret returns the session cookie's secret, if any.
func sessionSecret(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// checkCSRF rejects an unsafe cookie-authenticated request without the
// session's CSRF value in the header (server.CSRFToken: bound to the
// session, so a value planted in the CSRF cookie does not pass).
func checkCSRF(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	h := r.Header.Get(csrfHeader)
	if h == "" || subtle.ConstantTimeCompare([]byte(server.CSRFToken(sessionSecret(r))), []byte(h)) != 1 {
		return sb.Errorf(sb.EFORBIDDEN, csrfHeader, "missing or wrong CSRF token")
	}
	return nil
}

// checkSignInRequest refuses a sign-in a cross-site page could send (login
// CSRF): the body must be JSON (a form cannot post that without CORS), and
// the browser must not say the request comes from another site.
func checkSignInRequest(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return sb.Errorf(sb.EMEDIATYPE, "Content-Type", "sign in with a JSON body (Content-Type: application/json)")
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return sb.Errorf(sb.EFORBIDDEN, "Origin", "sign-in from another site is refused")
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
			return sb.Errorf(sb.EFORBIDDEN, "Origin", "sign-in from another origin is refused")
		}
	}
	return nil
}

// clientAddr is the address a request came from (its host, without the
// port).
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// signInBody is the body of POST /session.
type signInBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn checks email and password and starts a session.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if err := checkSignInRequest(r); err != nil {
		writeError(w, h.Log, err)
		return
	}
	var b signInBody
	if err := decode(r, &b); err != nil {
		writeError(w, h.Log, err)
		return
	}
	ses, err := h.App.SignIn(r.Context(), b.Email, b.Password, clientAddr(r))
	if err != nil {
		writeError(w, h.Log, err)
		return
	}
	// Secure when the browser talks HTTPS, directly or through a proxy that
	// terminates TLS.
	secure := r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
	age := int(h.App.SessionTTL.Seconds())
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: ses.Secret, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: age})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: ses.CSRF, Path: "/", Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: age})
	writeJSON(w, 200, map[string]any{"operator_id": ses.Token.OperatorID, "role": ses.Token.Role, "name": ses.Name, "csrf_token": ses.CSRF})
}

// whoAmI answers who the caller is.
func (h *Handler) whoAmI(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	writeJSON(w, 200, map[string]any{"operator_id": p.OperatorID, "role": p.Role})
	return nil
}

// signOut ends the session of the cookie.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	if sessionSecret(r) != "" {
		if err := h.App.SignOut(r.Context(), principalOf(r.Context())); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// presence is a heartbeat: an integration that works through the API
// keeps its operator present (the guard counts every request).
func (h *Handler) presence(w http.ResponseWriter, r *http.Request) error {
	if _, err := actingOperator(principalOf(r.Context())); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
