package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgconn"
	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// TokenByHash finds a token by the hash of its secret (ENOTFOUND).
func (s *Store) TokenByHash(ctx context.Context, hash string) (sb.Token, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+sqlstore.TokenColumns+` FROM tokens WHERE hash = $1`, hash)
	t, err := sqlstore.ScanToken(row)
	return t, translate(err, "token")
}

// Tokens lists tokens by creation (created_at, the zero time first, then
// insertion).
func (s *Store) Tokens(ctx context.Context) ([]sb.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlstore.TokenColumns+` FROM tokens
		ORDER BY created_at NULLS FIRST, seq`)
	return collect(rows, err, "token", scan(sqlstore.ScanToken))
}

// deleted is the error of a DELETE of one what: ENOTFOUND when no row went.
func deleted(tag pgconn.CommandTag, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	if tag.RowsAffected() == 0 {
		return sqlstore.NotFound(what)
	}
	return nil
}
