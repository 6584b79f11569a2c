package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"os"
	"sync"
	"sync/atomic"
)

// Checkpoints copy the WAL back into the database file so that the WAL can
// restart from its beginning. SQLite's automatic checkpoint runs inside the
// commit that crosses its threshold and holds that commit, and every command
// waiting behind it, for the whole copy: a few milliseconds, against about
// half a millisecond for a commit (docs/BENCHMARKS.md). Here the copy is done
// in two parts. Once the WAL holds restartFrames, a checkpointer on a
// connection of its own copies it while the writer goes on committing.
// Commits land meanwhile, so that checkpoint does not complete, and the WAL
// restarts only after one that did; the writer therefore copies the rest
// itself before its next commit: only the frames committed during the
// checkpointer's pass. The commit after that restarts the WAL.
//
// SQLite's own checkpoint stays on at safetyFrames, far above restartFrames,
// for when this falls behind (a reader holding an old snapshot, say).
const (
	restartFrames = 1000
	safetyFrames  = 20000
)

type checkpointer struct {
	db      *sql.DB  // the checkpointer's own connection
	shmPath string   // the WAL index, where SQLite counts the WAL's frames
	shm     *os.File // opened by the writer's first frames call
	kick    chan struct{}
	running atomic.Bool // from the kick until the writer has copied the rest
	tailDue atomic.Bool // the writer should copy the rest
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func startCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	db, err := openPool(ctx, path, 1, "_pragma=busy_timeout("+busyMs+")", "_pragma=synchronous(FULL)")
	if err != nil {
		return nil, err
	}
	c := &checkpointer{db: db, shmPath: path + "-shm", kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Go(c.run)
	return c, nil
}

// committed starts the checkpointer once the WAL holds restartFrames.
func (c *checkpointer) committed() {
	if !c.running.Load() && c.frames() >= restartFrames {
		c.running.Store(true)
		c.kick <- struct{}{}
	}
}

// frames is the WAL's frame count, mxFrame in the WAL index header (offset
// 16, native byte order: https://www.sqlite.org/walformat.html). The header
// may change as it is read; a wrong count only moves one checkpoint. 0 when
// the index cannot be read. Only the writer calls it.
func (c *checkpointer) frames() int {
	if c.shm == nil {
		f, err := os.Open(c.shmPath)
		if err != nil {
			return 0
		}
		c.shm = f
	}
	var b [4]byte
	if _, err := c.shm.ReadAt(b[:], 16); err != nil {
		return 0
	}
	return int(binary.NativeEndian.Uint32(b[:]))
}

func (c *checkpointer) run() {
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		_, _ = checkpoint(c.db) // on failure the writer's part copies it all
		c.tailDue.Store(true)
	}
}

// tail is the writer's part, run on the writer connection between commits.
func (c *checkpointer) tail(w *sql.DB) {
	if c.tailDue.Load() {
		_, _ = checkpoint(w) // on failure the next round tries again
		c.tailDue.Store(false)
		c.running.Store(false)
	}
}

// close stops the checkpointer; closing it again does nothing.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
	if c.shm != nil {
		c.shm.Close()
	}
	return c.db.Close()
}

// checkpoint runs a PASSIVE checkpoint, which waits for no one, and returns
// the frames the WAL held.
func checkpoint(db *sql.DB) (frames int, err error) {
	var busy, done int
	err = db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
	return frames, err
}
