package server

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/sqlite"
	"github.com/switchboard/switchboard/stats"
	"github.com/switchboard/switchboard/stats/statstest"
)

// The statistics' target (issue 23): a 30-day window over a million chats
// answers in at most a second. monthChats chats arrive evenly over 30
// days at a contact center of 100 operators (five groups of 20, each
// serving four of 20 topics, max_chats 5) on five channels, played by
// statstest.Sim: each chat answered after 5–60 s and closed 1–10 minutes
// later, a third rated, a client who waits longer than its patience
// leaving, every operator taking a 30-minute break a day. The month runs
// through the routing engine, its events are folded, the sealed hours go
// to a real SQLite store, and the benchmark times Server.Stats over the 30
// days.
var monthChats = envInt("SB_STATS_BENCH_CHATS", 1_000_000)

type monthResult struct {
	dir        string
	from, to   time.Time
	events     int64
	hours      int
	storedSize int
	built      time.Duration
}

func buildMonth(dir string, chats int) (*monthResult, error) {
	start := time.Now()
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(30 * 24 * time.Hour)
	e := routing.New(from.Add(-time.Hour))
	f := stats.NewFold()
	sim := statstest.Sim{From: from, To: to, Chats: chats, Operators: 100, GroupSize: 20, TopicsPerGroup: 4,
		Channels: []string{"telegram", "whatsapp", "widget", "viber", "email"}, ShiftFrom: 0, ShiftTo: 24, Seed: 23,
		Apply: func(at time.Time, cmd routing.Command) (routing.Result, error) {
			res, err := e.Apply(at, cmd)
			for i := range res.Events {
				f.Apply(&res.Events[i])
			}
			return res, err
		},
		Chat: e.Chat,
	}
	if err := sim.Run(); err != nil {
		return nil, err
	}
	// The fold is at the month's end; the store gets the sealed hours and
	// the state, and the engine's state.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "sb.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	state := e.Export()
	if err := st.Commit(ctx, &sb.Batch{Config: &state.Config, Operators: state.Operators, Chats: state.Chats,
		Counters: state.Counters, Now: state.Now}); err != nil {
		return nil, err
	}
	r := &monthResult{dir: dir, from: from, to: to, events: f.Seq}
	var hours []sb.StatsHour
	for _, h := range f.Sealed() {
		data := stats.EncodeHour(h)
		r.storedSize += len(data)
		hours = append(hours, sb.StatsHour{Hour: time.Unix(h.Start, 0).UTC(), Data: data})
	}
	r.hours = len(hours)
	if err := st.SaveStats(ctx, hours, f.StateAfterForget(f.Current()), f.Seq); err != nil {
		return nil, err
	}
	r.built = time.Since(start)
	return r, nil
}

// BenchmarkStats30Days: Server.Stats over the 30 days of a million chats,
// for each grouping (go test ./server -run '^$' -bench Stats30Days
// -benchtime 10x; the month is built first, in about a minute).
func BenchmarkStats30Days(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a month of a million chats")
	}
	m, err := buildMonth(b.TempDir(), monthChats)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d chats, %d events folded, %d sealed hours of %d KiB in the store, built in %v",
		monthChats, m.events, m.hours, m.storedSize>>10, m.built.Round(time.Second))
	st, err := sqlite.Open(context.Background(), filepath.Join(m.dir, "sb.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := newServer(st)
	s.Now = func() time.Time { return m.to.Add(time.Hour) }
	if err := s.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, groupBy := range []string{"", stats.ByHour, stats.ByDay, stats.ByTopic, stats.ByOperator, stats.BySkillGroup, stats.ByChannel} {
		b.Run("group_by="+groupBy, func(b *testing.B) {
			var r stats.Report
			cpu := cpuTime()
			for b.Loop() {
				if r, err = s.Stats(context.Background(), StatsQuery{From: m.from, To: m.to, GroupBy: groupBy}); err != nil {
					b.Fatal(err)
				}
			}
			if r.Total.Arrivals != int64(monthChats) {
				b.Fatalf("the report counts %d arrivals, want %d", r.Total.Arrivals, monthChats)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
			// The process's CPU time per report (the collector's included):
			// on a shared machine the wall time also holds the waits for a
			// core.
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/report")
		})
	}
}

// envInt reads a whole number from the environment, else def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
