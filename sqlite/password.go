package sqlite

import (
	"context"
)

// SetPassword stores an operator's password hash, replacing any. Commit
// removes it when it deletes the operator.
func (s *Store) SetPassword(ctx context.Context, operatorID, hash string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO passwords (operator_id, hash) VALUES (?, ?)
		ON CONFLICT (operator_id) DO UPDATE SET hash = excluded.hash`, operatorID, hash)
	return translate(err, "password")
}

// PasswordHash returns an operator's password hash (ENOTFOUND).
func (s *Store) PasswordHash(ctx context.Context, operatorID string) (string, error) {
	var hash string
	err := s.r.QueryRowContext(ctx, `SELECT hash FROM passwords WHERE operator_id = ?`, operatorID).Scan(&hash)
	return hash, translate(err, "password")
}
