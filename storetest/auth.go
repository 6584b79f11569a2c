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
	check(t, s.CreateToken(ctx, b))
	check(t, s.CreateToken(ctx, a))
	wantCode(t, "CreateToken with a taken id", s.CreateToken(ctx, sb.Token{ID: "tok-a", Hash: "new", CreatedAt: at(3)}), sb.ECONFLICT)
	wantCode(t, "CreateToken with a taken hash", s.CreateToken(ctx, sb.Token{ID: "tok-c", Hash: "hash-b", CreatedAt: at(3)}), sb.ECONFLICT)
	equal(t, "Tokens", must(s.Tokens(ctx))(t), []sb.Token{a, b})
	equal(t, "TokenByHash", must(s.TokenByHash(ctx, "hash-b"))(t), b)
	_, err := s.TokenByHash(ctx, "unknown")
	wantCode(t, "TokenByHash of an unknown hash", err, sb.ENOTFOUND)
	check(t, s.DeleteToken(ctx, "tok-a"))
	wantCode(t, "DeleteToken again", s.DeleteToken(ctx, "tok-a"), sb.ENOTFOUND)
	_, err = s.TokenByHash(ctx, "hash-a")
	wantCode(t, "TokenByHash of a deleted token", err, sb.ENOTFOUND)
	equal(t, "Tokens after the delete", must(s.Tokens(ctx))(t), []sb.Token{b})
}

func testPasswords(t *testing.T, s sb.Store) {
	ctx := context.Background()
	_, err := s.PasswordHash(ctx, "op-1")
	wantCode(t, "PasswordHash before SetPassword", err, sb.ENOTFOUND)
	check(t, s.SetPassword(ctx, "op-1", "first"))
	check(t, s.SetPassword(ctx, "op-2", "other"))
	equal(t, "PasswordHash", must(s.PasswordHash(ctx, "op-1"))(t), "first")
	check(t, s.SetPassword(ctx, "op-1", "second"))
	equal(t, "PasswordHash after a change", must(s.PasswordHash(ctx, "op-1"))(t), "second")
	equal(t, "PasswordHash of another", must(s.PasswordHash(ctx, "op-2"))(t), "other")
}

// check fails the test on err.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
