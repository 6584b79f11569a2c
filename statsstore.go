package switchboard

import (
	"context"
	"time"
)

// StatsHour is one sealed hour of the statistics' aggregates (package
// stats), encoded by that package: the store keeps it as it is.
type StatsHour struct {
	Hour time.Time // the hour's start, UTC
	Data []byte
}

// StatsStore keeps the statistics' hourly aggregates beside the event log
// they are folded from (docs/STATS.md), so that a restart folds only the
// events after the last save. Errors are *Error, EINTERNAL for faults.
type StatsStore interface {
	// StatsState returns the fold's state as last saved and the seq of
	// the last event folded into it; nil and 0 when none was saved.
	StatsState(ctx context.Context) (state []byte, seq int64, err error)
	// StatsHours returns the sealed hours in [from, to), by hour.
	StatsHours(ctx context.Context, from, to time.Time) ([]StatsHour, error)
	// SaveStats writes sealed hours (replacing a stored hour of the same
	// start) and, in the same transaction, the state when seq is above the
	// saved one's; a state at or below it is not written.
	SaveStats(ctx context.Context, hours []StatsHour, state []byte, seq int64) error
}
