package sqlstore

import (
	"database/sql"
	"fmt"
	"math"
	"time"

	sb "github.com/switchboard/switchboard"
)

// The instants a Unix-nanosecond column can hold (1677–2262).
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Nanos is t for a timestamp column: Unix nanoseconds, or NULL for the zero
// time. Instants a column cannot hold are EINVALID.
func Nanos(t time.Time) (sql.NullInt64, error) {
	switch {
	case t.IsZero():
		return sql.NullInt64{}, nil
	case t.Before(minTime) || t.After(maxTime):
		return sql.NullInt64{}, sb.Errorf(sb.EINVALID, "", "time %s is out of the store's range", t.Format(time.RFC3339))
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}, nil
}

// Bound is t as a query bound on a timestamp column, clamped to the range.
func Bound(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// FromNanos reads a timestamp column back, in UTC.
func FromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// FormatNow stores the engine's clock exactly, in any year from 0 to 9999
// (beyond the timestamp columns' 1677–2262); ParseNow reads it back.
func FormatNow(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ParseNow reads back a clock FormatNow stored, in UTC.
func (n Name) ParseNow(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, n.Internal(fmt.Errorf("bad stored time %q: %w", s, err), "load")
	}
	return t.UTC(), nil
}
