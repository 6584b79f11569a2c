package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints copy the WAL back into the database file so that the WAL can
// restart from its beginning. SQLite's automatic checkpoint runs inside the
// commit that crosses its threshold and holds that commit, and every command
// waiting behind it, for the whole copy: a few milliseconds, against about
// half a millisecond for a commit (docs/BENCHMARKS.md). Here the copy is done
// in two parts. A checkpointer on a connection of its own copies what the
// WAL holds while the writer goes on committing. Commits land meanwhile, so
// its checkpoints never catch up, and the WAL restarts only after one that
// did. So once the WAL holds restartFrames, the writer copies the rest
// itself before its next commit: only the frames committed since the
// checkpointer's last pass. The commit after that restarts the WAL.
//
// SQLite's own checkpoint stays on at safetyFrames, far above restartFrames,
// for when this falls behind (a reader holding an old snapshot, say).
const (
	restartFrames = 1000
	safetyFrames  = 20000
	ckptEvery     = 10 * time.Millisecond // the checkpointer's pace at most
)

type checkpointer struct {
	db      *sql.DB       // the checkpointer's own connection
	kick    chan struct{} // a commit landed
	tailDue atomic.Bool   // the writer should copy the rest
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func startCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout("+busyMs+")", "_pragma=synchronous(FULL)"))
	if err != nil {
		return nil, internal(err, "open the database")
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, internal(err, "open the database")
	}
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Go(c.run)
	return c, nil
}

// committed tells the checkpointer that a commit landed.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	last := time.Time{}
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if wait := ckptEvery - time.Since(last); wait > 0 {
			select {
			case <-c.stop:
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		if c.tailDue.Load() {
			continue // the writer has not copied the rest yet
		}
		frames, err := checkpoint(c.db)
		if err == nil && frames >= restartFrames {
			c.tailDue.Store(true)
		}
	}
}

// tail is the writer's part, run on the writer connection between commits.
func (c *checkpointer) tail(w *sql.DB) {
	if c.tailDue.Load() {
		_, _ = checkpoint(w) // a failure leaves the WAL to the next round
		c.tailDue.Store(false)
	}
}

// close stops the checkpointer; closing it again does nothing.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
	return c.db.Close()
}

// checkpoint runs a PASSIVE checkpoint, which waits for no one, and returns
// the frames the WAL held.
func checkpoint(db *sql.DB) (frames int, err error) {
	var busy, done int
	err = db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
	return frames, err
}
