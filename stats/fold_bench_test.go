package stats_test

import (
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/stats"
	"github.com/switchboard/switchboard/stats/statstest"
)

// BenchmarkFold folds the events of a day of 20,000 chats (statstest.Sim,
// 100 operators): the cost the statistics add to each committed event, and
// what a first start folds per event of an existing log
// (go test ./stats -run '^$' -bench Fold).
func BenchmarkFold(b *testing.B) {
	from := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	e := routing.New(from.Add(-time.Hour))
	var events []sb.Event
	sim := statstest.Sim{From: from, To: from.Add(24 * time.Hour), Chats: 20000, Operators: 100, GroupSize: 20, TopicsPerGroup: 4,
		Channels: []string{"telegram", "whatsapp", "widget", "viber", "email"}, ShiftFrom: 0, ShiftTo: 24, Seed: 5,
		Apply: func(at time.Time, cmd routing.Command) (routing.Result, error) {
			res, err := e.Apply(at, cmd)
			events = append(events, res.Events...)
			return res, err
		},
		Chat: e.Chat,
	}
	if err := sim.Run(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		f := stats.NewFold()
		for i := range events {
			f.Apply(&events[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(events)), "ns/event")
	b.ReportMetric(float64(len(events)), "events")
}
