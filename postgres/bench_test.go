package postgres

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/storetest"
)

// BenchmarkCommit commits one batch per iteration, one after the other as
// the server's single writer does: go test ./postgres -run '^$' -bench
// Commit -benchtime 3s. commits/s = 1e9 / ns/op.
func BenchmarkCommit(b *testing.B) {
	s := open(b, newDatabase(b))
	batches := make([]*sb.Batch, b.N)
	for i := range batches {
		batches[i] = storetest.BusyBatch(int64(i + 1))
	}
	b.ResetTimer()
	for i := range b.N {
		if err := s.Commit(context.Background(), batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkFencedCommit is BenchmarkCommit as a leader of several
// instances commits: the lease checked in the transaction and the batch's
// two commands logged (connect bodies), with the notification.
func BenchmarkFencedCommit(b *testing.B) {
	s := open(b, newDatabase(b))
	l, _, _, err := s.Acquire(context.Background(), "bench", "bench:80", 0, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	s.Fence(l)
	body := []byte(`{"Client":{"id":"380501234567","name":"Olena","channel":"telegram"},"Text":"Asks about a refund for order 1182",` +
		`"Topic":"support","AutoConnect":true,"Status":"","Operator":"","Tags":null,"Weight":0,"WebhookURL":""}`)
	batches := make([]*sb.Batch, b.N)
	for i := range batches {
		batches[i] = storetest.BusyBatch(int64(i + 1))
		for range 2 {
			batches[i].Applied = append(batches[i].Applied, sb.Applied{Name: "connect", Body: body, Now: batches[i].Now, Events: batches[i].Counters.Event})
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if err := s.Commit(context.Background(), batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}
