package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/sqlstore"
)

// commandsChannel is the notification a commit of commands sends; its
// payload is the new head. PostgreSQL delivers it when the commit is done.
const commandsChannel = "switchboard_commands"

// commands queues the log of a fenced batch's commands, numbered after the
// head, the new head in meta and the notification. Without a fence the
// batch's Applied are ignored.
func (w *writer) commands(b *sb.Batch) error {
	if w.fence == nil || len(b.Applied) == 0 {
		return nil
	}
	n := len(b.Applied)
	seqs, names, nows, events, bodies := make([]int64, n), make([]string, n), make([]string, n), make([]int64, n), make([]string, n)
	for i := range b.Applied {
		a := &b.Applied[i]
		if a.Name == "" || len(a.Body) == 0 {
			return sb.Errorf(sb.EINVALID, "applied", "command %d has no name or body", i)
		}
		a.Seq, a.Epoch = w.head+int64(i)+1, w.fence.Epoch
		seqs[i], names[i], nows[i], events[i], bodies[i] = a.Seq, a.Name, sqlstore.FormatNow(a.Now), a.Events, string(a.Body)
	}
	head := seqs[n-1]
	w.queue("command", `INSERT INTO commands (seq, epoch, name, now, events, body)
		SELECT s, $2, n, t, e, b FROM unnest($1::bigint[], $3::text[], $4::text[], $5::bigint[], $6::json[]) AS u (s, n, t, e, b)`,
		seqs, w.fence.Epoch, names, nows, events, bodies)
	w.queue("command", `UPDATE meta SET command_seq = $1 WHERE id = 1`, head)
	w.queue("command", `SELECT pg_notify($1, $2)`, commandsChannel, strconv.FormatInt(head, 10))
	return nil
}

// Snapshot is Load together with the seq of the last command logged, read
// from one snapshot.
func (s *Store) Snapshot(ctx context.Context) (sb.State, bool, int64, error) {
	return s.load(ctx)
}

// Commands returns up to limit logged commands with Seq > after, in order.
func (s *Store) Commands(ctx context.Context, after int64, limit int) ([]sb.Applied, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, epoch, name, now, events, body FROM commands
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	return collect(rows, err, "command", func(r pgx.CollectableRow) (sb.Applied, error) {
		var a sb.Applied
		var now string
		var body []byte
		if err := r.Scan(&a.Seq, &a.Epoch, &a.Name, &now, &a.Events, &body); err != nil {
			return a, err
		}
		a.Body = body
		var err error
		a.Now, err = name.ParseNow(now)
		return a, err
	})
}

// Prune deletes all but the last keep logged commands and forgets the
// instances not seen for forget, with their panel sessions.
func (s *Store) Prune(ctx context.Context, keep int64, forget time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM commands WHERE seq <= (SELECT command_seq FROM meta WHERE id = 1) - $1`, keep)
	if err == nil {
		_, err = s.ctl.Exec(ctx, `DELETE FROM instances WHERE seen_at < clock_timestamp() - $1 * interval '1 microsecond'`,
			forget.Microseconds())
	}
	return translate(err, "prune")
}
