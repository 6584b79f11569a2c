package storetest

import (
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

// BusyBatch is the i-th batch of a busy server's group commit: 2 chats (one
// created, one connected), their operator and 10 events carrying chat
// snapshots, as the engine writes them: what the stores' commit benchmarks write.
func BusyBatch(i int64) *sb.Batch {
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
