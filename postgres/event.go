package postgres

import (
	"context"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// Events returns up to limit events with Seq > after, in order.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]sb.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.q(ctx).Events(`SELECT json FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
}

// CountEvents counts events of a name that occurred in [from, to).
func (s *Store) CountEvents(ctx context.Context, name string, from, to time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE name = $1 AND occurred_at >= $2 AND occurred_at < $3`,
		name, sqlstore.Bound(from), sqlstore.Bound(to)).Scan(&n)
	return n, translate(err, "event")
}

// Messages returns a chat's messages in order (none for an unknown chat).
func (s *Store) Messages(ctx context.Context, chatID string) ([]sb.Message, error) {
	return s.q(ctx).Messages(`SELECT json FROM messages WHERE chat_id = $1 ORDER BY id`, chatID)
}

// Decisions returns up to limit decisions made at or after since, oldest
// first.
func (s *Store) Decisions(ctx context.Context, since time.Time, limit int) ([]sb.Decision, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.q(ctx).Decisions(`SELECT json FROM decisions WHERE at >= $1 ORDER BY at, seq LIMIT $2`, sqlstore.Bound(since), limit)
}
