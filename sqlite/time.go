package sqlite

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

// nanos is t for a timestamp column: Unix nanoseconds, or NULL for the zero
// time. Instants a column cannot hold are EINVALID.
func nanos(t time.Time) (any, error) {
	switch {
	case t.IsZero():
		return nil, nil
	case t.Before(minTime) || t.After(maxTime):
		return nil, sb.Errorf(sb.EINVALID, "", "time %s is out of the store's range", t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

// bound is t as a query bound on a timestamp column, clamped to the range.
func bound(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromNanos reads a timestamp column back, in UTC.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// formatNow and parseNow store the engine's clock exactly, any year.
func formatNow(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseNow(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, internal(fmt.Errorf("bad stored time %q: %w", s, err), "load")
	}
	return t.UTC(), nil
}
