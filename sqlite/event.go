package sqlite

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
	return s.q(ctx).Events(`SELECT json FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// The event counts. Only limit events are indexed (events_limit); the
// literal name lets the planner use that partial index, other names are
// counted by a scan.
const (
	sqlCountEvents = `SELECT count(*) FROM events WHERE name = ? AND occurred_at >= ? AND occurred_at < ?`
	sqlCountLimits = `SELECT count(*) FROM events WHERE name = 'limit' AND occurred_at >= ? AND occurred_at < ?`
)

// CountEvents counts events of a name that occurred in [from, to).
func (s *Store) CountEvents(ctx context.Context, name string, from, to time.Time) (int, error) {
	q, args := sqlCountEvents, []any{name, sqlstore.Bound(from), sqlstore.Bound(to)}
	if name == sb.EventLimit {
		q, args = sqlCountLimits, args[1:]
	}
	var n int
	err := s.r.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, translate(err, "event")
}

// Messages returns a chat's messages in order (none for an unknown chat).
func (s *Store) Messages(ctx context.Context, chatID string) ([]sb.Message, error) {
	return s.q(ctx).Messages(`SELECT json FROM messages WHERE chat_id = ? ORDER BY id`, chatID)
}

// Decisions returns up to limit decisions made at or after since, oldest
// first: from the first seq at since or later (firstAt).
func (s *Store) Decisions(ctx context.Context, since time.Time, limit int) ([]sb.Decision, error) {
	if limit <= 0 {
		return nil, nil
	}
	first, err := s.firstAt(ctx, "decisions", "seq", "at", sqlstore.Bound(since))
	if err != nil {
		return nil, err
	}
	return s.q(ctx).Decisions(`SELECT json FROM decisions WHERE seq >= ? ORDER BY seq LIMIT ?`, first, limit)
}
