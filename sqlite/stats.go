package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sb "github.com/switchboard/switchboard"
)

// StatsState returns the statistics' fold state as last saved (nil, 0:
// none).
func (s *Store) StatsState(ctx context.Context) ([]byte, int64, error) {
	var state []byte
	var seq int64
	err := s.r.QueryRowContext(ctx, `SELECT state, seq FROM stats_state WHERE id = 1`).Scan(&state, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	return state, seq, translate(err, "stats state")
}

// StatsHours returns the sealed hours in [from, to), by hour.
func (s *Store) StatsHours(ctx context.Context, from, to time.Time) ([]sb.StatsHour, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hour, data FROM stats_hours WHERE hour >= ? AND hour < ? ORDER BY hour`,
		from.Unix(), to.Unix())
	if err != nil {
		return nil, translate(err, "stats hour")
	}
	defer rows.Close()
	var out []sb.StatsHour
	for rows.Next() {
		var h int64
		var data []byte
		if err := rows.Scan(&h, &data); err != nil {
			return nil, translate(err, "stats hour")
		}
		out = append(out, sb.StatsHour{Hour: time.Unix(h, 0).UTC(), Data: data})
	}
	return out, translate(rows.Err(), "stats hour")
}

// SaveStats writes sealed hours and, when seq is above the saved one's,
// the fold state, in one transaction.
func (s *Store) SaveStats(ctx context.Context, hours []sb.StatsHour, state []byte, seq int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, h := range hours {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stats_hours (hour, data) VALUES (?, ?)
				ON CONFLICT (hour) DO UPDATE SET data = excluded.data`, h.Hour.Unix(), h.Data); err != nil {
				return translate(err, "stats hour")
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO stats_state (id, seq, state) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq > stats_state.seq`,
			seq, state)
		return translate(err, "stats state")
	})
}
