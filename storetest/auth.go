package storetest

import (
	"context"
	"testing"

	sb "github.com/switchboard/switchboard"
)

func testTokens(t *testing.T, s sb.Store) {
	ctx := context.Background()
	a := sb.Token{ID: "tok-a", Hash: "hash-a", Role: sb.RoleAdmin, CreatedAt: at(1)}
	b := sb.Token{ID: "tok-b", Hash: "hash-b", Role: sb.RoleOperator, OperatorID: "op-1", CreatedAt: at(2)}
	commit(t, s, &sb.Batch{Tokens: []sb.Token{b}})
	commit(t, s, &sb.Batch{Tokens: []sb.Token{a}})
	wantCode(t, "a token with a taken id", s.Commit(ctx, &sb.Batch{Tokens: []sb.Token{{ID: "tok-a", Hash: "new", CreatedAt: at(3)}}}), sb.ECONFLICT)
	wantCode(t, "a token with a taken hash", s.Commit(ctx, &sb.Batch{Tokens: []sb.Token{{ID: "tok-c", Hash: "hash-b", CreatedAt: at(3)}}}), sb.ECONFLICT)
	equal(t, "Tokens", must(s.Tokens(ctx))(t), []sb.Token{a, b})
	equal(t, "TokenByHash", must(s.TokenByHash(ctx, "hash-b"))(t), b)
	_, err := s.TokenByHash(ctx, "unknown")
	wantCode(t, "TokenByHash of an unknown hash", err, sb.ENOTFOUND)
	commit(t, s, &sb.Batch{DeletedTokens: []string{"tok-a"}})
	commit(t, s, &sb.Batch{DeletedTokens: []string{"tok-a"}}) // again: nothing to do
	_, err = s.TokenByHash(ctx, "hash-a")
	wantCode(t, "TokenByHash of a deleted token", err, sb.ENOTFOUND)
	equal(t, "Tokens after the delete", must(s.Tokens(ctx))(t), []sb.Token{b})
}

func testPasswords(t *testing.T, s sb.Store) {
	ctx := context.Background()
	_, err := s.PasswordHash(ctx, "op-1")
	wantCode(t, "PasswordHash before one is set", err, sb.ENOTFOUND)
	commit(t, s, &sb.Batch{Passwords: []sb.Password{{OperatorID: "op-1", Hash: "first"}, {OperatorID: "op-2", Hash: "other"}}})
	equal(t, "PasswordHash", must(s.PasswordHash(ctx, "op-1"))(t), "first")
	commit(t, s, &sb.Batch{Passwords: []sb.Password{{OperatorID: "op-1", Hash: "second"}}})
	equal(t, "PasswordHash after a change", must(s.PasswordHash(ctx, "op-1"))(t), "second")
	equal(t, "PasswordHash of another", must(s.PasswordHash(ctx, "op-2"))(t), "other")
}

// testAccessOnly: a batch of tokens, passwords and webhooks only leaves
// the engine's counters and clock as they were.
func testAccessOnly(t *testing.T, s sb.Store) {
	commit(t, s, &sb.Batch{Counters: counters(7), Now: at(7)})
	commit(t, s, &sb.Batch{Tokens: []sb.Token{{ID: "tok", Hash: "h", Role: sb.RoleAdmin, CreatedAt: at(8)}},
		Passwords: []sb.Password{{OperatorID: "op-1", Hash: "x"}}, Webhooks: []sb.Webhook{webhook("wh", 8)}})
	st := load(t, s)
	equal(t, "counters", st.Counters, counters(7))
	equal(t, "now", st.Now, at(7))
}

// check fails the test on err.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
