package main

import (
	"net/http"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// TestAdminTokenSeedsOnly: SWITCHBOARD_ADMIN_TOKEN seeds a store without
// tokens; once revoked through the API it stays revoked across restarts.
func TestAdminTokenSeedsOnly(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	other := s.token(sb.RoleAdmin, "")
	var tokens []sb.Token
	s.must(200, "GET", "/api/v1/tokens", other, nil).into(t, &tokens)
	for _, tok := range tokens {
		if tok.ID != "" && tok.Role == sb.RoleAdmin && tok.ID[:6] == "admin-" {
			s.must(204, "DELETE", "/api/v1/tokens/"+tok.ID, other, nil)
		}
	}
	s.must(401, "GET", "/api/v1/tokens", s.admin, nil)
	s = s.restart() // with the same SWITCHBOARD_ADMIN_TOKEN
	s.must(401, "GET", "/api/v1/tokens", s.admin, nil)
	s.must(200, "GET", "/api/v1/tokens", other, nil)
}

// TestDeletedOperatorsTokensGo: deleting an operator deletes its API tokens
// and panel sessions; re-creating the id revives neither.
func TestDeletedOperatorsTokensGo(t *testing.T) {
	t.Parallel()
	s := e2eNew(t)
	s.operator("op-x", map[string]any{"email": "x@example.com", "password": "a long password", "role": sb.RoleSupervisor})
	tok := s.token(sb.RoleOperator, "op-x")
	s.must(200, "GET", "/api/v1/chats?folder=mine", tok, nil)
	ses := s.must(200, "POST", "/api/v1/session", "", map[string]any{"email": "x@example.com", "password": "a long password"})
	var session *http.Cookie
	for _, c := range (&http.Response{Header: ses.Header}).Cookies() {
		if c.Name == "sb_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie: %v", ses.Header)
	}
	withSession := func() int {
		req, _ := http.NewRequest("GET", s.base+"/api/v1/session", nil)
		req.AddCookie(session)
		resp, err := s.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := withSession(); got != 200 {
		t.Fatalf("the session answers %d before the delete", got)
	}
	s.must(204, "DELETE", "/api/v1/operators/op-x", s.admin, nil)
	s.operator("op-x", map[string]any{"role": sb.RoleAdmin})
	s.must(401, "GET", "/api/v1/chats?folder=mine", tok, nil)
	if got := withSession(); got != 401 {
		t.Errorf("the session of the deleted operator answers %d after the id was re-created, want 401", got)
	}
	var tokens []sb.Token
	s.must(200, "GET", "/api/v1/tokens", s.admin, nil).into(t, &tokens)
	for _, tk := range tokens {
		if tk.OperatorID == "op-x" {
			t.Errorf("token %s of the deleted operator is still listed", tk.ID)
		}
	}
}
