package sqlite

import (
	"context"
	"database/sql"
	"os"
	"sync"

	sb "github.com/switchboard/switchboard"
)

// Load returns the routing state as last committed, read from one
// read-only transaction, as sqlstore.Name.Load says.
func (s *Store) Load(ctx context.Context) (st sb.State, ok bool, err error) {
	defer s.prefetch()()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return sb.State{}, false, name.Internal(err, "load")
	}
	defer tx.Rollback()
	return name.Load(snapshot{querier{ctx: ctx, db: tx}, tx})
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

// snapshot is Load's read transaction (sqlstore.Snapshot).
type snapshot struct {
	querier
	tx *sql.Tx
}

// OpenChats reads the open chats by numeric id (openChats).
func (s snapshot) OpenChats() ([]sb.Chat, error) { return openChats(s.ctx, s.tx) }

// LastClosed reads the last n closed chats, newest first.
func (s snapshot) LastClosed(n int) ([]sb.Chat, error) {
	return s.read().Chats(`SELECT json FROM chats WHERE status = 'closed'
		ORDER BY closed_at DESC, close_seq DESC, id DESC LIMIT ?`, n)
}
