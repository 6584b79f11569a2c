package sqlite

import (
	"context"
	"database/sql"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// TokenByHash finds a token by the hash of its secret (ENOTFOUND).
func (s *Store) TokenByHash(ctx context.Context, hash string) (sb.Token, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+sqlstore.TokenColumns+` FROM tokens WHERE hash = ?`, hash)
	t, err := sqlstore.ScanToken(row)
	return t, translate(err, "token")
}

// Tokens lists tokens by creation (created_at, then insertion).
func (s *Store) Tokens(ctx context.Context) ([]sb.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlstore.TokenColumns+` FROM tokens ORDER BY created_at, rowid`)
	return collect(rows, err, "token", sqlstore.ScanToken)
}

// deleted is the error of a DELETE of one what: ENOTFOUND when no row went.
func deleted(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err, what)
	}
	if n == 0 {
		return sqlstore.NotFound(what)
	}
	return nil
}
