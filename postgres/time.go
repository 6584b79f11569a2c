package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// nanos is t for a timestamp column (sqlstore.Nanos).
func nanos(t time.Time) (pgtype.Int8, error) {
	n, err := sqlstore.Nanos(t)
	return pgtype.Int8(n), err
}
