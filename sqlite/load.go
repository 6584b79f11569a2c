package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"slices"
	"sync"

	sb "github.com/switchboard/switchboard"
)

// Load returns the routing state as last committed, read from one snapshot:
// the configuration (that of a fresh install, switchboard.DefaultSettings
// and DefaultStatuses, until a batch carries one), the operators by id, the
// open chats by numeric id, the last switchboard.KeepClosed closed chats
// oldest first in close order (by closed_at, then the seq of their
// chat_closed event, then id), the last switchboard.KeepDecisions decisions
// oldest first, the counters and the clock. ok is false on a store never
// committed to.
func (s *Store) Load(ctx context.Context) (st sb.State, ok bool, err error) {
	defer s.prefetch()()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return sb.State{}, false, internal(err, "load")
	}
	defer tx.Rollback()
	if ok, err = loadMeta(ctx, tx, &st); !ok || err != nil {
		return sb.State{}, false, err
	}
	if err = loadConfig(ctx, tx, &st.Config); err != nil {
		return sb.State{}, false, err
	}
	if err = loadLists(ctx, tx, &st); err != nil {
		return sb.State{}, false, err
	}
	return st, true, nil
}

// prefetch reads the database file in order, ahead of Load, until the
// returned stop is called: Load reads its pages one at a time, so with the
// file out of the page cache each would be a disk read of its own, while
// one sequential pass fills the cache at the disk's full speed. A restart
// on a million open chats (docs/BENCHMARKS.md): 14.1–14.9 → 6.9–7.6 s from
// a cold cache, 0.3–0.4 s slower with the file cached (the copies).
// (fadvise WILLNEED instead did not change the cold restart.)
func (s *Store) prefetch() (stop func()) {
	f, err := os.Open(s.path)
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer f.Close()
		buf := make([]byte, 1<<20)
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := f.Read(buf); err != nil {
				return // io.EOF at the end
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func loadMeta(ctx context.Context, tx *sql.Tx, st *sb.State) (bool, error) {
	var counters, now string
	err := tx.QueryRowContext(ctx, `SELECT counters, now FROM meta WHERE id = 1`).Scan(&counters, &now)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err == nil {
		err = unmarshal(counters, &st.Counters, "counters")
	}
	if err == nil {
		st.Now, err = parseNow(now)
	}
	return err == nil, translate(err, "counters")
}

// loadConfig reads the configuration, or that of a fresh install when no
// batch carried one yet.
func loadConfig(ctx context.Context, tx *sql.Tx, cfg *sb.Config) error {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT json FROM config WHERE id = 1`).Scan(&data)
	if err == sql.ErrNoRows {
		*cfg = sb.Config{Settings: sb.DefaultSettings(), Statuses: sb.DefaultStatuses()}
		return nil
	}
	if err == nil {
		err = unmarshal(data, cfg, "config")
	}
	cfg.InUTC()
	return translate(err, "config")
}

func loadLists(ctx context.Context, tx *sql.Tx, st *sb.State) (err error) {
	q := querier{ctx: ctx, db: tx}
	if st.Operators, err = q.operators(); err != nil {
		return err
	}
	if st.Chats, err = openChats(ctx, tx); err != nil {
		return err
	}
	if st.Closed, err = q.chats(`SELECT json FROM chats WHERE status = 'closed'
		ORDER BY closed_at DESC, close_seq DESC, id DESC LIMIT ?`, sb.KeepClosed); err != nil {
		return err
	}
	slices.Reverse(st.Closed)
	if st.Audit, err = q.decisions(`SELECT json FROM decisions ORDER BY seq DESC LIMIT ?`, sb.KeepDecisions); err != nil {
		return err
	}
	slices.Reverse(st.Audit)
	return nil
}

// unmarshal decodes stored JSON.
func unmarshal(data string, v any, what string) error {
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return internal(err, "decode "+what)
	}
	return nil
}
