package postgres

import (
	"context"

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
