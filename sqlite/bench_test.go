package sqlite

import (
	"context"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/storetest"
)

// BenchmarkCommit commits one batch per iteration: go test ./sqlite
// -run '^$' -bench Commit -benchtime 3s. commits/s = 1e9 / ns/op.
func BenchmarkCommit(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
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

// BenchmarkCommitQueued commits groups of 48 queued connects, the shape of
// a commit at full load (storetest.QueuedBatch), events encoded beforehand
// as the server does.
func BenchmarkCommitQueued(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n = 48
	batches := make([]*sb.Batch, b.N)
	for i := range batches {
		batches[i] = storetest.QueuedBatch(int64(i+1), n)
		for j := range batches[i].Events {
			e := &batches[i].Events[j]
			if e.Encoded, err = e.AppendJSON(nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if err := s.Commit(context.Background(), batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "connects/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N*n), "µs/connect")
}
