package postgres

import (
	"context"
)

// SetPassword stores an operator's password hash, replacing any. Commit
// removes it when it deletes the operator.
func (s *Store) SetPassword(ctx context.Context, operatorID, hash string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO passwords (operator_id, hash) VALUES ($1, $2)
		ON CONFLICT (operator_id) DO UPDATE SET hash = excluded.hash`, operatorID, hash)
	return translate(err, "password")
}

// PasswordHash returns an operator's password hash (ENOTFOUND).
func (s *Store) PasswordHash(ctx context.Context, operatorID string) (string, error) {
	var hash string
	err := s.pool.QueryRow(ctx, `SELECT hash FROM passwords WHERE operator_id = $1`, operatorID).Scan(&hash)
	return hash, translate(err, "password")
}
