package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
)

// sessionsChannel is the notification an announcement sends.
const sessionsChannel = "switchboard_sessions"

// Announce records that instance is alive and has these panel sessions open
// (operator id → count; counts below 1 are left out), replacing its
// previous announcement, and notifies the leader.
func (s *Store) Announce(ctx context.Context, instance string, sessions map[string]int) error {
	if instance == "" {
		return sb.Errorf(sb.EINVALID, "instance", "an announcement needs an instance id")
	}
	var ops []string
	var counts []int32
	for op, n := range sessions {
		if n > 0 {
			ops, counts = append(ops, op), append(counts, int32(n))
		}
	}
	err := pgx.BeginFunc(ctx, s.ctl, func(tx pgx.Tx) error {
		var q pgx.Batch
		q.Queue(`INSERT INTO instances (id, seen_at) VALUES ($1, clock_timestamp())
			ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, instance)
		q.Queue(`DELETE FROM panel_sessions WHERE instance = $1`, instance)
		q.Queue(`INSERT INTO panel_sessions (instance, operator_id, sessions)
			SELECT $1, * FROM unnest($2::text[], $3::integer[])`, instance, ops, counts)
		q.Queue(`SELECT pg_notify($1, $2)`, sessionsChannel, instance)
		return tx.SendBatch(ctx, &q).Close()
	})
	return translate(err, "panel sessions")
}

// Present returns the operators with a panel session on an instance that
// announced itself within the last within.
func (s *Store) Present(ctx context.Context, within time.Duration) (map[string]bool, error) {
	rows, err := s.ctl.Query(ctx, `SELECT DISTINCT p.operator_id FROM panel_sessions p
		JOIN instances i ON i.id = p.instance
		WHERE i.seen_at > clock_timestamp() - $1 * interval '1 microsecond'`, within.Microseconds())
	ids, err := collect(rows, err, "panel sessions", pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
