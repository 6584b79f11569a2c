package sqlite

import (
	"database/sql"
	"errors"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
	modernc "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// name begins the messages of the store's internal errors.
const name sqlstore.Name = "sqlite"

// translate turns a driver error into a *switchboard.Error: no rows →
// ENOTFOUND, a unique or primary key violation → ECONFLICT, anything else →
// EINTERNAL wrapping the cause. what names the entity in the messages.
func translate(err error, what string) error {
	var e *sb.Error
	var se *modernc.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return &sb.Error{Code: sb.ENOTFOUND, Message: what + " not found", Err: err}
	case errors.As(err, &se) && unique(se.Code()):
		return &sb.Error{Code: sb.ECONFLICT, Message: what + " already exists", Err: err}
	}
	return name.Internal(err, what)
}

func unique(code int) bool {
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
