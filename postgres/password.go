package postgres

import (
	"context"
)

// PasswordHash returns an operator's password hash (ENOTFOUND).
func (s *Store) PasswordHash(ctx context.Context, operatorID string) (string, error) {
	var hash string
	err := s.pool.QueryRow(ctx, `SELECT hash FROM passwords WHERE operator_id = $1`, operatorID).Scan(&hash)
	return hash, translate(err, "password")
}
