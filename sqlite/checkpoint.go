package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is the least time between two checkpoints.
const checkpointEvery = 100 * time.Millisecond

// checkpointer copies committed WAL frames into the database file on its
// own connection, so that no commit pays for a checkpoint: the writer's
// automatic checkpoints are off. Durability does not depend on it (each
// commit is synced in the WAL); it keeps the WAL from growing and reads
// fast.
type checkpointer struct {
	db   *sql.DB
	kick chan struct{} // a commit happened
	done chan struct{} // closed when run returns
	stop context.CancelFunc
}

func startCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout("+busyMs+")"))
	if err != nil {
		return nil, internal(err, "open the database")
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, internal(err, "open the database")
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), done: make(chan struct{}), stop: stop}
	go c.run(runCtx)
	return c, nil
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		}
		// PASSIVE never waits for the writer or readers; what it cannot
		// copy now is copied next time.
		_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		select {
		case <-ctx.Done():
			return
		case <-time.After(checkpointEvery):
		}
	}
}

func (c *checkpointer) close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
