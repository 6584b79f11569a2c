package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
)

// StatsState returns the statistics' fold state as last saved (nil, 0:
// none).
func (s *Store) StatsState(ctx context.Context) ([]byte, int64, error) {
	var state []byte
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT state, seq FROM stats_state WHERE id = 1`).Scan(&state, &seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	return state, seq, translate(err, "stats state")
}

// StatsHours returns the sealed hours in [from, to), by hour.
func (s *Store) StatsHours(ctx context.Context, from, to time.Time) ([]sb.StatsHour, error) {
	rows, err := s.pool.Query(ctx, `SELECT hour, data FROM stats_hours WHERE hour >= $1 AND hour < $2 ORDER BY hour`,
		from.Unix(), to.Unix())
	return collect(rows, err, "stats hour", func(row pgx.CollectableRow) (sb.StatsHour, error) {
		var h int64
		var data []byte
		err := row.Scan(&h, &data)
		return sb.StatsHour{Hour: time.Unix(h, 0).UTC(), Data: data}, err
	})
}

// SaveStats writes sealed hours and, when seq is above the saved one's,
// the fold state, in one transaction.
func (s *Store) SaveStats(ctx context.Context, hours []sb.StatsHour, state []byte, seq int64) error {
	hs, data := make([]int64, len(hours)), make([][]byte, len(hours))
	for i, h := range hours {
		hs[i], data[i] = h.Hour.Unix(), h.Data
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO stats_hours (hour, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])
			ON CONFLICT (hour) DO UPDATE SET data = excluded.data`, hs, data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO stats_state AS s (id, seq, state) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq > s.seq`, seq, state)
		return err
	})
	return translate(err, "stats")
}
