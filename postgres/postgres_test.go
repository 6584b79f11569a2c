package postgres

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/postgres/pgtest"
	"github.com/switchboard/switchboard/storetest"
)

// newDatabase creates a database of the test's own (pgtest.NewDatabase).
func newDatabase(tb testing.TB) string { return pgtest.NewDatabase(tb) }

// open opens the store at dbURL, closed when tb ends.
func open(tb testing.TB, dbURL string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// empty deletes every row but schema_migrations' and installation's (which
// the migrations made) and restarts the
// sequences, so one database serves a test's subtests as fresh stores.
// DELETE, not TRUNCATE: on these small tables it takes a quarter of the
// time (about 12 ms against 50).
func empty(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	var script string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(string_agg(stmt, '; '), '') FROM (
		SELECT 'DELETE FROM ' || quote_ident(tablename) FROM pg_tables
			WHERE schemaname = current_schema() AND tablename NOT IN ('schema_migrations', 'installation')
		UNION ALL
		SELECT 'ALTER SEQUENCE ' || quote_ident(sequencename) || ' RESTART' FROM pg_sequences
			WHERE schemaname = current_schema()) AS s (stmt)`).Scan(&script)
	if err == nil {
		_, err = s.pool.Exec(ctx, script) // one implicit transaction
	}
	if err != nil {
		t.Fatalf("empty the store: %v", err)
	}
}

// TestStore runs the conformance suite on one database, emptied before each
// subtest (creating a database per subtest would cost more than the suite).
func TestStore(t *testing.T) {
	t.Parallel()
	dbURL := newDatabase(t)
	storetest.Run(t, func(t *testing.T) sb.Store {
		s := open(t, dbURL)
		empty(t, s)
		return s
	})
}

// TestMigrations: instances opening a fresh database at once all succeed
// and apply each migration once; reopening applies nothing again; a
// database migrated by a newer binary is refused.
func TestMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := newDatabase(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := Open(ctx, dbURL)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("Open at once: %v", err)
	}
	s := open(t, dbURL)
	var count, newest int
	if err := s.pool.QueryRow(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&count, &newest); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(names); count != want || newest != want {
		t.Errorf("schema_migrations: %d rows, newest %d; want %d, %d", count, newest, want, want)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dbURL); sb.ErrorCode(err) != sb.EINTERNAL {
		t.Fatalf("Open of a newer schema: %v, want an internal error", err)
	}
}

// TestText: a NUL in a message's text round-trips (it is \u0000 in the
// JSON), while a NUL in a column PostgreSQL keeps as text is EINVALID, not
// a fault.
func TestText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, newDatabase(t))
	m := sb.Message{ID: 1, ChatID: "1", From: "client", Text: "a\x00b \u2603", CreatedAt: time.Unix(1, 2).UTC()}
	if err := s.Commit(ctx, &sb.Batch{Messages: []sb.Message{m}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Messages(ctx, "1")
	if err != nil || len(got) != 1 || got[0] != m {
		t.Errorf("Messages: %+v, %v; want [%+v]", got, err, m)
	}
	err = s.Commit(ctx, &sb.Batch{Tokens: []sb.Token{{ID: "a\x00b", Hash: "h", Role: sb.RoleAdmin}}})
	if sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a token with a NUL in its id: %v, want code %q", err, sb.EINVALID)
	}
	bad := &sb.Batch{Chats: []sb.Chat{{ID: "2", Status: sb.ChatNew, Client: sb.Client{ID: "c\x00"}}}}
	if err := s.Commit(ctx, bad); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("Commit of a client id with a NUL: %v, want code %q", err, sb.EINVALID)
	}
	if err := s.Commit(ctx, &sb.Batch{Messages: []sb.Message{{ID: 2, ChatID: "1"}}}); err != nil {
		t.Errorf("Commit after a failed one: %v", err)
	}
}

// TestDeleteWebhookWaitsForCommit: a commit that deletes a subscription
// while another transaction enqueues deliveries for it waits for that one
// and then deletes those deliveries as well, so no pending delivery outlives
// its subscription.
func TestDeleteWebhookWaitsForCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, newDatabase(t))
	if err := s.Commit(ctx, &sb.Batch{Webhooks: []sb.Webhook{{ID: "wh", URL: "https://example.com", Events: []string{"*"}}}}); err != nil {
		t.Fatal(err)
	}
	// The statement Commit sends, in a transaction left open.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var ords, ids []int64
	err = tx.QueryRow(ctx, sqlPutDeliveries, []string{"wh"}, []string{"https://example.com"}, []int64{1},
		[]string{"1"}, []int{0}, []*int64{nil}, []bool{false}, []*int64{nil}).Scan(&ords, &ids)
	if err != nil || len(ids) != 1 {
		t.Fatalf("enqueue: ids %v, %v", ids, err)
	}
	deleted := make(chan error, 1)
	go func() { deleted <- s.Commit(ctx, &sb.Batch{DeletedWebhooks: []string{"wh"}}) }()
	select {
	case err := <-deleted:
		t.Fatalf("the delete returned (%v) while a commit enqueued deliveries for it", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
	if pending, err := s.DeliveryTargets(ctx); err != nil || len(pending) != 0 {
		t.Errorf("pending deliveries after the delete: %+v, %v; want none", pending, err)
	}
}

// TestOpenUnreachable: Open of a server that is not there is EINTERNAL.
func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://postgres@127.0.0.1:1/none?connect_timeout=5")
	if sb.ErrorCode(err) != sb.EINTERNAL {
		t.Fatalf("Open of a closed port: %v, want an internal error", err)
	}
}
