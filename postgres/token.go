package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	sb "github.com/switchboard/switchboard"
)

// CreateToken stores a token (ECONFLICT on a duplicate id or hash).
func (s *Store) CreateToken(ctx context.Context, t sb.Token) error {
	created, err := nanos(t.CreatedAt)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO tokens (id, hash, role, operator_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.Hash, t.Role, t.OperatorID, created)
	return translate(err, "token")
}

// TokenByHash finds a token by the hash of its secret (ENOTFOUND).
func (s *Store) TokenByHash(ctx context.Context, hash string) (sb.Token, error) {
	row := s.pool.QueryRow(ctx, `SELECT id, hash, role, operator_id, created_at FROM tokens WHERE hash = $1`, hash)
	t, err := scanToken(row)
	return t, translate(err, "token")
}

// Tokens lists tokens by creation (created_at, the zero time first, then
// insertion).
func (s *Store) Tokens(ctx context.Context) ([]sb.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, hash, role, operator_id, created_at FROM tokens
		ORDER BY created_at NULLS FIRST, seq`)
	return collect(rows, err, "token", func(r pgx.CollectableRow) (sb.Token, error) { return scanToken(r) })
}

// DeleteToken removes a token (ENOTFOUND).
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE id = $1`, id)
	return deleted(tag, err, "token")
}

func scanToken(r pgx.Row) (sb.Token, error) {
	var t sb.Token
	var created pgtype.Int8
	err := r.Scan(&t.ID, &t.Hash, &t.Role, &t.OperatorID, &created)
	t.CreatedAt = fromNanos(created)
	return t, err
}

// deleted is the error of a DELETE of one what: ENOTFOUND when no row went.
func deleted(tag pgconn.CommandTag, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	if tag.RowsAffected() == 0 {
		return notFound(what)
	}
	return nil
}
