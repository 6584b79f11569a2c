package sqlite

import (
	"context"
	"math"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// Chat returns any chat, closed ones included (ENOTFOUND). Its
// QueuePosition is 0: positions are not stored.
func (s *Store) Chat(ctx context.Context, id string) (sb.Chat, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return sb.Chat{}, sqlstore.NotFound("chat")
	}
	var data []byte
	if err := s.r.QueryRowContext(ctx, `SELECT json FROM chats WHERE id = ?`, n).Scan(&data); err != nil {
		return sb.Chat{}, translate(err, "chat")
	}
	return sqlstore.Decode[sb.Chat](name, data, "chat")
}

// ClosedChats returns up to limit closed chats newest first (by numeric id),
// with id below before (0: from the newest); operatorID filters when set.
func (s *Store) ClosedChats(ctx context.Context, operatorID string, before int64, limit int) ([]sb.Chat, error) {
	if limit <= 0 {
		return nil, nil
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	if operatorID == "" {
		return s.q(ctx).Chats(`SELECT json FROM chats WHERE status = 'closed' AND id < ?
			ORDER BY id DESC LIMIT ?`, before, limit)
	}
	return s.q(ctx).Chats(`SELECT json FROM chats WHERE status = 'closed' AND operator_id = ? AND id < ?
		ORDER BY id DESC LIMIT ?`, operatorID, before, limit)
}

// ChatsCreated returns the chats created in [from, to), by creation: the
// ids in between, since creation times grow with the ids (firstAt).
func (s *Store) ChatsCreated(ctx context.Context, from, to time.Time) ([]sb.Chat, error) {
	lo, err := s.firstAt(ctx, "chats", "id", "created_at", sqlstore.Bound(from))
	if err != nil {
		return nil, err
	}
	hi, err := s.firstAt(ctx, "chats", "id", "created_at", sqlstore.Bound(to))
	if err != nil {
		return nil, err
	}
	return s.q(ctx).Chats(`SELECT json FROM chats WHERE id >= ? AND id < ? ORDER BY id`, lo, hi)
}
