package server

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/postgres"
	"github.com/switchboard/switchboard/postgres/pgtest"
	"github.com/switchboard/switchboard/sqlite"
	"github.com/switchboard/switchboard/stats"
	"github.com/switchboard/switchboard/stats/statstest"
)

// runSteps applies steps through the writer (apply, as Run does), each at
// its time, and commits each.
func runSteps(t *testing.T, s *Server, steps []statstest.Step) {
	t.Helper()
	for i, st := range steps {
		s.Now = func() time.Time { return st.At }
		r := req(st.Cmd)
		s.apply(context.Background(), []*request{r})
		if r.err != nil {
			t.Fatalf("step %d (%T at %s): %v", i, st.Cmd, st.At.Format(time.TimeOnly), r.err)
		}
	}
	s.Now = func() time.Time { return statstest.To }
}

// reports returns the day's report for every grouping the figures cover.
func reports(t *testing.T, s *Server) map[string]stats.Report {
	t.Helper()
	out := map[string]stats.Report{}
	for groupBy := range statstest.Want() {
		r, err := s.Stats(context.Background(), StatsQuery{From: statstest.From, To: statstest.To, GroupBy: groupBy})
		if err != nil {
			t.Fatalf("Stats(%s): %v", groupBy, err)
		}
		statstest.Check(t, r)
		r.Now = nil // the state now, not the log's
		out[groupBy] = r
	}
	return out
}

func newServer(store sb.Store) *Server {
	s := New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Now = func() time.Time { return statstest.At(6, 0, 0) }
	return s
}

// testStatsRestart runs the scripted day on a new database (fresh returns
// the function that opens it), saving the statistics halfway or never, and
// checks the figures before and after a restart, and that both answer
// alike.
func testStatsRestart(t *testing.T, fresh func(t *testing.T) func() (sb.Store, error)) {
	day := statstest.Day()
	for _, save := range []bool{true, false} {
		name := map[bool]string{true: "SavedHalfway", false: "NeverSaved"}[save]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			open := fresh(t)
			store, err := open()
			if err != nil {
				t.Fatal(err)
			}
			s := newServer(store)
			if err := s.Open(ctx); err != nil {
				t.Fatal(err)
			}
			half := len(day) / 2
			runSteps(t, s, day[:half])
			if save {
				if _, err := s.Stats(ctx, StatsQuery{}); err != nil { // folds what is committed
					t.Fatal(err)
				}
				if err := s.saveStats(ctx, true); err != nil {
					t.Fatal(err)
				}
				stored, err := store.StatsHours(ctx, statstest.From, statstest.To)
				if err != nil || len(stored) == 0 {
					t.Fatalf("after a save halfway the store has %d sealed hours (%v)", len(stored), err)
				}
			}
			runSteps(t, s, day[half:])
			before := reports(t, s)
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
			store2, err := open()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store2.Close() })
			s2 := newServer(store2)
			if err := s2.Open(ctx); err != nil {
				t.Fatal(err)
			}
			s2.Now = func() time.Time { return statstest.To }
			if after := reports(t, s2); !reflect.DeepEqual(after, before) {
				t.Errorf("after the restart the figures differ:\n got %+v\nwant %+v", after[stats.ByTopic].Total, before[stats.ByTopic].Total)
			}
		})
	}
}

// TestStatsRestartSQLite: the figures of the scripted day, folded by the
// server from its SQLite store, are the hand-computed ones, and the same
// after a restart.
func TestStatsRestartSQLite(t *testing.T) {
	testStatsRestart(t, func(t *testing.T) func() (sb.Store, error) {
		path := filepath.Join(t.TempDir(), "sb.db")
		return func() (sb.Store, error) { return sqlite.Open(context.Background(), path) }
	})
}

// TestStatsRestartPostgres is TestStatsRestartSQLite on PostgreSQL.
func TestStatsRestartPostgres(t *testing.T) {
	testStatsRestart(t, func(t *testing.T) func() (sb.Store, error) {
		url := pgtest.NewDatabase(t)
		return func() (sb.Store, error) { return postgres.Open(context.Background(), url) }
	})
}

// TestStatsFollowsCommits: RunStats folds the events as the writer
// publishes them, is not counted as an event stream, and saves its state
// up to the last event when it stops.
func TestStatsFollowsCommits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	s := newServer(store)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.RunStats(ctx); close(done) }()
	runSteps(t, s, statstest.Day())
	if n := s.Broker.Len(); n != 0 {
		t.Errorf("Broker.Len() = %d with only the statistics subscribed; want 0", n)
	}
	cancel()
	<-done
	_, seq, err := store.StatsState(context.Background())
	if head := s.head(); err != nil || seq != head {
		t.Errorf("saved at event %d (%v); the last event is %d", seq, err, head)
	}
	reports(t, s)
}
