package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/storetest"
)

// open is a new store on a fresh file.
func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "data", "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sb.Store { return open(t) })
}

func TestPragmas(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	for _, tc := range []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.w, "journal_mode", "wal"},
		{s.w, "synchronous", "2"}, // FULL
		{s.w, "foreign_keys", "1"},
		{s.w, "busy_timeout", busyMs},
		{s.w, "wal_autocheckpoint", strconv.Itoa(safetyFrames)},
		{s.r, "journal_mode", "wal"},
		{s.r, "query_only", "1"},
		{s.r, "busy_timeout", busyMs},
	} {
		var got string
		if err := tc.db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
	if _, err := s.r.ExecContext(ctx, `DELETE FROM tokens`); err == nil {
		t.Error("a reader connection could write")
	}
}

// TestLimitCountPlan: the statistics' count of limit events is a search of
// the partial index, not a scan of every event.
func TestLimitCountPlan(t *testing.T) {
	s := open(t)
	if got := plan(t, s, sqlCountLimits, 0, 1); !strings.Contains(got, "USING COVERING INDEX events_limit") {
		t.Errorf("plan %q does not search events_limit", got)
	}
}

// TestTimeSearchPlans: the binary search of firstAt reads a few pages per
// step and never scans a table (a scan of a million chats took 0.33 s).
func TestTimeSearchPlans(t *testing.T) {
	s := open(t)
	for _, tc := range [][3]string{{"chats", "id", "created_at"}, {"decisions", "seq", "at"}} {
		if got := plan(t, s, sqlKeyRange(tc[0], tc[1])); strings.Contains(got, "SCAN "+tc[0]) {
			t.Errorf("%s: key range plan %q scans", tc[0], got)
		}
		if got := plan(t, s, sqlNextAt(tc[0], tc[1], tc[2]), 0, 0); !strings.Contains(got, "USING INTEGER PRIMARY KEY") {
			t.Errorf("%s: next key plan %q does not search the primary key", tc[0], got)
		}
	}
}

// plan returns the details of query's plan, joined.
func plan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		details = append(details, detail)
	}
	return strings.Join(details, "; ")
}

// TestMigrations: Open records each migration once, reopening applies
// nothing again, and a database migrated by a newer binary is refused.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	for range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var n, v int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(migrations, "migrations/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		if want := len(names); n != want || v != want {
			t.Errorf("schema_migrations: %d rows, newest %d; want %d, %d", n, v, want, want)
		}
		s.Close()
	}
	db, err := sql.Open("sqlite", path)
	if err == nil {
		_, err = db.Exec(`INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', '')`)
		db.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path); sb.ErrorCode(err) != sb.EINTERNAL {
		t.Fatalf("Open of a newer schema: %v, want an internal error", err)
	}
}

// durabilityEnv names the database file a child process commits to.
const durabilityEnv = "SWITCHBOARD_SQLITE_DURABILITY_DB"

// TestDurabilityAfterSIGKILL commits in a child process that prints the
// number of each batch once Commit returned, SIGKILLs it as soon as it has
// printed 30, and checks that the reopened store holds every acknowledged
// batch and only whole batches.
func TestDurabilityAfterSIGKILL(t *testing.T) {
	if path := os.Getenv(durabilityEnv); path != "" {
		commitForever(t, path)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	path := filepath.Join(t.TempDir(), "switchboard.db")
	acked := runAndKill(t, path, 30)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, ok, err := s.Load(context.Background())
	if err != nil || !ok {
		t.Fatalf("Load after the kill: ok %v, err %v", ok, err)
	}
	n := st.Counters.Chat
	t.Logf("acknowledged %d batches, found %d", acked, n)
	events, err := s.Events(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if n < acked || int64(len(st.Chats)) != 2*n || int64(len(events)) != 10*n || len(st.Operators) != 1 {
		t.Errorf("after %d acknowledged batches the store holds %d (%d chats, %d events, %d operators)",
			acked, n, len(st.Chats), len(events), len(st.Operators))
	}
}

// runAndKill starts the child and kills it once it acknowledged n batches;
// it returns the last batch acknowledged.
func runAndKill(t *testing.T, path string, n int64) int64 {
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityAfterSIGKILL$")
	cmd.Env = append(os.Environ(), durabilityEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var last int64
	sc := bufio.NewScanner(out)
	for last < n && sc.Scan() {
		_, _ = fmt.Sscanf(sc.Text(), "committed %d", &last) // other lines leave last as it was
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait() // "signal: killed"
	if last < n {
		t.Fatalf("the child acknowledged %d batches before it ended", last)
	}
	return last
}

// commitForever is the child: it commits batches and acknowledges each on
// stdout until it is killed.
func commitForever(t *testing.T, path string) {
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(1); ; i++ {
		if err := s.Commit(context.Background(), storetest.BusyBatch(i)); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", i)
	}
}

// TestWALRestarts checks that the checkpoints keep the WAL small under
// sustained commits: without the writer's part (checkpointer.tail) the WAL
// only restarts at safetyFrames, about 80 MB.
func TestWALRestarts(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	var most int64
	for i := int64(1); i <= 3000; i++ {
		b := storetest.BusyBatch(i)
		for j := range b.Events {
			b.Events[j].Encoded, _ = b.Events[j].AppendJSON(nil)
		}
		if err := s.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(s.path + "-wal"); err == nil {
			most = max(most, fi.Size())
		}
	}
	db, err := os.Stat(s.path)
	if err != nil {
		t.Fatal(err)
	}
	if most > 16<<20 || db.Size() < 16<<20 {
		t.Errorf("WAL up to %d bytes, database %d bytes; want the WAL under 16 MiB while the database grows past 16 MiB", most, db.Size())
	}
}

// TestCloseTwice: closing a closed store does nothing (the server's shutdown
// and its tests both close it).
func TestCloseTwice(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Errorf("Close %d: %v", i+1, err)
		}
	}
}

// TestWALFrames: the checkpointer reads the WAL's frame count where SQLite
// keeps it.
func TestWALFrames(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	for i := int64(1); i <= 20; i++ {
		if err := s.Commit(ctx, storetest.BusyBatch(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := s.ck.frames()
	want, err := checkpoint(s.w)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || got < 20 {
		t.Errorf("frames() = %d, want %d (PRAGMA wal_checkpoint), at least one per commit", got, want)
	}
}
