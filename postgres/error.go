package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// name begins the messages of the store's internal errors.
const name sqlstore.Name = "postgres"

// SQLSTATE codes the store translates.
const (
	uniqueViolation          = "23505"
	characterNotInRepertoire = "22021" // a NUL byte or invalid UTF-8 in text
)

// translate turns a driver error into a *switchboard.Error: no rows →
// ENOTFOUND, a unique or primary key violation → ECONFLICT, text the
// database cannot hold → EINVALID, anything else → EINTERNAL wrapping the
// cause. what names the entity in the messages.
func translate(err error, what string) error {
	var e *sb.Error
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return &sb.Error{Code: sb.ENOTFOUND, Message: what + " not found", Err: err}
	case errors.As(err, &pe) && pe.Code == uniqueViolation:
		return &sb.Error{Code: sb.ECONFLICT, Message: what + " already exists", Err: err}
	case errors.As(err, &pe) && pe.Code == characterNotInRepertoire:
		return &sb.Error{Code: sb.EINVALID, Message: what + " holds text the store cannot keep (a NUL byte?)", Err: err}
	}
	return name.Internal(err, what)
}
