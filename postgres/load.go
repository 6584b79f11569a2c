package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
)

// Load returns the routing state as last committed, read from one snapshot
// (a REPEATABLE READ, READ ONLY transaction), as sqlstore.Name.Load says.
//
// After Fence, Load also sets Head to the seq of the last command logged,
// read from the same snapshot.
func (s *Store) Load(ctx context.Context) (st sb.State, ok bool, err error) {
	st, ok, head, err := s.load(ctx)
	if _, _, fenced := s.fenced(); fenced && err == nil {
		s.setHead(head)
	}
	return st, ok, err
}

// load is Load with the seq of the last command logged.
func (s *Store) load(ctx context.Context) (st sb.State, ok bool, head int64, err error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return sb.State{}, false, 0, name.Internal(err, "load")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	snap := snapshot{querier{ctx: ctx, db: tx}}
	if st, ok, err = name.Load(snap); !ok || err != nil {
		return sb.State{}, false, 0, err
	}
	if _, err = snap.Row("counters", `SELECT command_seq FROM meta WHERE id = 1`, &head); err != nil {
		return sb.State{}, false, 0, err
	}
	return st, true, head, nil
}

// snapshot is Load's transaction (sqlstore.Snapshot).
type snapshot struct{ querier }

// OpenChats reads the open chats by numeric id.
func (s snapshot) OpenChats() ([]sb.Chat, error) {
	return s.read().Chats(`SELECT json FROM chats WHERE status <> 'closed' ORDER BY id`)
}

// LastClosed reads the last n closed chats, newest first; NULLs sort last,
// as SQLite sorts them descending (chats_closed matches).
func (s snapshot) LastClosed(n int) ([]sb.Chat, error) {
	return s.read().Chats(`SELECT json FROM chats WHERE status = 'closed'
		ORDER BY closed_at DESC NULLS LAST, close_seq DESC NULLS LAST, id DESC LIMIT $1`, n)
}
