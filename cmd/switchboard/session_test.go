package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"testing"
)

// TestPanelSession: signing in with email and password sets an HttpOnly
// session cookie; cookie requests need the CSRF header on writes; signing
// out ends the session.
func TestPanelSession(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1, one@example.com, "secret-password"
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + m.Addr
	send := func(method, path, csrf string, body any) int {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
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
