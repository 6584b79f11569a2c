package sqlite

import (
	"context"
)

// PasswordHash returns an operator's password hash (ENOTFOUND).
func (s *Store) PasswordHash(ctx context.Context, operatorID string) (string, error) {
	var hash string
	err := s.r.QueryRowContext(ctx, `SELECT hash FROM passwords WHERE operator_id = ?`, operatorID).Scan(&hash)
	return hash, translate(err, "password")
}
