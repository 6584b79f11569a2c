package postgres

import (
	"context"
	"strconv"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// batch is the i-th batch of a busy server's group commit: 2 chats (one
// created, one connected), their operator and 10 events carrying chat
// snapshots, as the engine writes them (the same as sqlite's benchmark).
func batch(i int64) *sb.Batch {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	op := sb.Operator{ID: "op-1", Name: "Taras", Role: sb.RoleOperator, MaxChats: new(int), Status: sb.StatusOnline,
		StatusSince: now, CreatedAt: now, Active: 2, ActiveByChannel: map[string]int{"telegram": 2},
		LastAssignedAt: now, AssignSeq: i}
	b := &sb.Batch{Operators: []sb.Operator{op}, Now: now,
		Counters: sb.Counters{Event: 10 * i, Chat: i, Assign: i}}
	for j := range int64(2) {
		c := sb.Chat{ID: strconv.FormatInt(2*i+j, 10), Status: sb.ChatActive, OperatorID: "op-1", Channel: "telegram",
			Client: sb.Client{ID: "380501234567", Name: "Olena", Channel: "telegram"}, Topic: "support",
			Text: "Asks about a refund for order 1182", CreatedAt: now, WaitStartedAt: now, AssignedAt: now,
			AutoAssigned: true, LastMessageAt: now, AwaitingSince: now}
		b.Chats = append(b.Chats, c)
	}
	for j := range int64(10) {
		c := b.Chats[j%2]
		b.Events = append(b.Events, sb.Event{Seq: 10*(i-1) + j + 1, Name: sb.EventAutoConnected, OccurredAt: now,
			ChatID: c.ID, Chat: &c, Operator: &sb.OperatorRef{ID: "op-1", Name: "Taras"}})
	}
	return b
}

// BenchmarkCommit commits one batch per iteration, one after the other as
// the server's single writer does: go test ./postgres -run '^$' -bench
// Commit -benchtime 3s. commits/s = 1e9 / ns/op.
func BenchmarkCommit(b *testing.B) {
	s := open(b, newDatabase(b))
	batches := make([]*sb.Batch, b.N)
	for i := range batches {
		batches[i] = batch(int64(i + 1))
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
		batches[i] = batch(int64(i + 1))
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
