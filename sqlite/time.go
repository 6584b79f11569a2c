package sqlite

import (
	"database/sql"
	"time"

	"github.com/switchboard/switchboard/internal/sqlstore"
)

// nanos is t for a timestamp column (sqlstore.Nanos) as a driver value:
// an int64, or nil for NULL.
func nanos(t time.Time) (any, error) {
	n, err := sqlstore.Nanos(t)
	return value(n), err
}

// value is n as a driver value: an int64, or nil for NULL.
func value(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}
