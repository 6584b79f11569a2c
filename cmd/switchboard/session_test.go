package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// TestPanelSession: signing in with email and password sets an HttpOnly
// session cookie; cookie requests need the CSRF header on writes; signing
// out ends the session.
func TestPanelSession(t *testing.T) {
	t.Parallel()
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1, one@example.com, "secret-password"
	jar, _ := cookiejar.New(nil)
	send := sessionClient(t, m, jar)
	base := "http://" + m.Addr
	if code := send("POST", "/api/v1/session", "", map[string]string{"email": "one@example.com", "password": "wrong"}); code != 401 {
		t.Fatalf("wrong password: %d, want 401", code)
	}
	if code := send("POST", "/api/v1/session", "", map[string]string{"email": "ONE@example.com", "password": "secret-password"}); code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	var csrf string
	for _, ck := range jar.Cookies(mustURL(t, base)) {
		if ck.Name == "sb_csrf" {
			csrf = ck.Value
		}
	}
	if csrf == "" {
		t.Fatal("no sb_csrf cookie")
	}
	if code := send("GET", "/api/v1/session", "", nil); code != 200 {
		t.Fatalf("who am I: %d", code)
	}
	status := map[string]string{"status": "online"}
	if code := send("PUT", "/api/v1/operators/op-1/status", "", status); code != 403 {
		t.Fatalf("write without CSRF header: %d, want 403", code)
	}
	if code := send("PUT", "/api/v1/operators/op-1/status", "forged", status); code != 403 {
		t.Fatalf("write with a wrong CSRF header: %d, want 403", code)
	}
	if code := send("PUT", "/api/v1/operators/op-1/status", csrf, status); code != 200 {
		t.Fatalf("write with CSRF header: %d", code)
	}
	if code := send("DELETE", "/api/v1/session", csrf, nil); code != 204 {
		t.Fatalf("sign out: %d", code)
	}
	if code := send("GET", "/api/v1/session", "", nil); code != 401 {
		t.Fatalf("after sign out: %d, want 401", code)
	}
}

// sessionClient returns a function that sends a request with the cookies of
// jar and, when csrf is set, the CSRF header; it answers the status.
func sessionClient(t *testing.T, m *Main, jar http.CookieJar) func(method, path, csrf string, body any) int {
	c := &http.Client{Jar: jar}
	return func(method, path, csrf string, body any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, "http://"+m.Addr+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}

// TestSessionFollowsOperator: a panel session has its operator's current
// role, ends when the operator is deleted, and expires after --session-ttl
// whatever the browser keeps; its cookies are Secure behind a TLS proxy.
func TestSessionFollowsOperator(t *testing.T) {
	t.Parallel()
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.AdminToken = "127.0.0.1:0", t.TempDir(), sbAdminSecret
	m.Config.SessionTTL, m.Log = 3*time.Second, quietLog()
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1, one@example.com, "secret-password"
	signIn := func() func(method, path, csrf string, body any) int {
		jar, _ := cookiejar.New(nil)
		send := sessionClient(t, m, jar)
		if code := send("POST", "/api/v1/session", "", map[string]string{"email": "one@example.com", "password": "secret-password"}); code != 200 {
			t.Fatalf("sign in: %d", code)
		}
		return send
	}
	send := signIn()
	if code := send("GET", "/api/v1/distribution/audit", "", nil); code != 403 {
		t.Fatalf("an operator's session reads the audit: %d, want 403", code)
	}
	// Behind a proxy that terminates TLS the cookies are Secure.
	for proto, want := range map[string]bool{"": false, "https": true} {
		req, _ := http.NewRequest("POST", "http://"+m.Addr+"/api/v1/session",
			strings.NewReader(`{"email": "one@example.com", "password": "secret-password"}`))
		req.Header.Set("Content-Type", "application/json")
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, ck := range resp.Cookies() {
			if ck.Secure != want {
				t.Errorf("X-Forwarded-Proto %q: cookie %s Secure %v, want %v", proto, ck.Name, ck.Secure, want)
			}
		}
		if len(resp.Cookies()) != 2 {
			t.Errorf("X-Forwarded-Proto %q: %d cookies, want sb_session and sb_csrf", proto, len(resp.Cookies()))
		}
	}
	send = signIn() // a fresh session: the sign-ins above take time under the race detector, and these checks need it alive
	admin.sbMust(t, "PATCH", "/api/v1/operators/op-1", map[string]any{"role": "supervisor"}, 200)
	if code := send("GET", "/api/v1/distribution/audit", "", nil); code != 200 {
		t.Fatalf("after promotion to supervisor: %d, want 200", code)
	}
	admin.sbMust(t, "PATCH", "/api/v1/operators/op-1", map[string]any{"role": "operator"}, 200)
	if code := send("GET", "/api/v1/distribution/audit", "", nil); code != 403 {
		t.Fatalf("after demotion to operator: %d, want 403", code)
	}
	time.Sleep(m.Config.SessionTTL + 500*time.Millisecond)
	if code := send("GET", "/api/v1/session", "", nil); code != 401 {
		t.Fatalf("a session older than its TTL: %d, want 401", code)
	}
	send = signIn()
	admin.sbMust(t, "DELETE", "/api/v1/operators/op-1", nil, 204)
	if code := send("GET", "/api/v1/session", "", nil); code != 401 {
		t.Fatalf("the session of a deleted operator: %d, want 401", code)
	}
}
