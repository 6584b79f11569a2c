package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
)

// Load returns the routing state as last committed, read from one snapshot
// (a REPEATABLE READ, READ ONLY transaction): the configuration (that of a
// fresh install, switchboard.DefaultSettings and DefaultStatuses, until a
// batch carries one), the operators by id, the open chats by numeric id, the
// last switchboard.KeepClosed closed chats oldest first in close order (by
// closed_at, then the seq of their chat_closed event, then id), the last
// switchboard.KeepDecisions decisions oldest first, the counters and the
// clock. ok is false on a store never committed to.
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
		return sb.State{}, false, 0, internal(err, "load")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if ok, head, err = loadMeta(ctx, tx, &st); !ok || err != nil {
		return sb.State{}, false, 0, err
	}
	if err = loadConfig(ctx, tx, &st.Config); err != nil {
		return sb.State{}, false, 0, err
	}
	if err = loadLists(ctx, tx, &st); err != nil {
		return sb.State{}, false, 0, err
	}
	return st, true, head, nil
}

func loadMeta(ctx context.Context, tx pgx.Tx, st *sb.State) (bool, int64, error) {
	var counters []byte
	var now string
	var head int64
	err := tx.QueryRow(ctx, `SELECT counters, now, command_seq FROM meta WHERE id = 1`).Scan(&counters, &now, &head)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, 0, nil
	}
	if err == nil {
		err = unmarshal(counters, &st.Counters, "counters")
	}
	if err == nil {
		st.Now, err = parseNow(now)
	}
	return err == nil, head, translate(err, "counters")
}

// loadConfig reads the configuration, or that of a fresh install when no
// batch carried one yet.
func loadConfig(ctx context.Context, tx pgx.Tx, cfg *sb.Config) error {
	var data []byte
	err := tx.QueryRow(ctx, `SELECT json FROM config WHERE id = 1`).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		*cfg = sb.Config{Settings: sb.DefaultSettings(), Statuses: sb.DefaultStatuses()}
		return nil
	}
	if err == nil {
		err = unmarshal(data, cfg, "config")
	}
	cfg.InUTC()
	return translate(err, "config")
}

func loadLists(ctx context.Context, tx pgx.Tx, st *sb.State) (err error) {
	q := querier{ctx: ctx, db: tx}
	if st.Operators, err = q.operators(); err != nil {
		return err
	}
	if st.Chats, err = q.chats(`SELECT json FROM chats WHERE status <> 'closed' ORDER BY id`); err != nil {
		return err
	}
	if st.Closed, err = q.chats(`SELECT json FROM chats WHERE status = 'closed'
		ORDER BY closed_at DESC NULLS LAST, close_seq DESC NULLS LAST, id DESC LIMIT $1`, sb.KeepClosed); err != nil {
		return err
	}
	slices.Reverse(st.Closed)
	if st.Audit, err = q.decisions(`SELECT json FROM decisions ORDER BY seq DESC LIMIT $1`, sb.KeepDecisions); err != nil {
		return err
	}
	slices.Reverse(st.Audit)
	return nil
}
