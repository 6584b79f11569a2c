package simulate_test

import (
	"testing"

	"github.com/switchboard/switchboard/simulate"
)

// BenchmarkDay plays the 100,000-chat day of testdata/day.json: three
// topics on three channels, three teams with channel limits and breaks,
// lognormal handle times, patience, missed accepts.
//
//	go test ./simulate -run '^$' -bench BenchmarkDay -benchtime 5x
func BenchmarkDay(b *testing.B) {
	cfg := day(b, 24)
	var chats int
	for b.Loop() {
		rep, err := simulate.Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		chats = rep.Chats
	}
	b.ReportMetric(float64(chats), "chats/day")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/day")
}

// BenchmarkStaffDay is the staffing search over the same day's 24 hours.
//
//	go test ./simulate -run '^$' -bench BenchmarkStaffDay -benchtime 1x
func BenchmarkStaffDay(b *testing.B) {
	cfg := day(b, 24)
	sims := 0
	for b.Loop() {
		rep, err := simulate.Staff(cfg)
		if err != nil {
			b.Fatal(err)
		}
		sims = 0
		for _, h := range rep.Staffing {
			sims += h.Simulations
		}
	}
	b.ReportMetric(float64(sims), "hour-runs")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/search")
}
