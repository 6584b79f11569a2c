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

// QueuedBatch is a commit of n connects that each queued a new client's chat,
// as the server writes them under load: per connect a chat, its first
// message, three events (chat_created, message_created, chat_queued) with
// the chat's snapshot, and a decision. Batch i follows batch i-1.
func QueuedBatch(i int64, n int) *sb.Batch {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	b := &sb.Batch{Now: now}
	for j := range int64(n) {
		id := (i-1)*int64(n) + j + 1
		c := sb.Chat{ID: strconv.FormatInt(id, 10), Status: sb.ChatQueued, Channel: "telegram",
			Client: sb.Client{ID: "bench-c" + strconv.FormatInt(id, 10), Channel: "telegram"}, Topic: "support",
			Text: "Bench client message", QueuePosition: int(id), CreatedAt: now, QueuedAt: now, WaitStartedAt: now,
			LastMessageAt: now, AwaitingSince: now}
		m := sb.Message{ID: id, ChatID: c.ID, From: "client", Text: c.Text, CreatedAt: now}
		b.Chats = append(b.Chats, c)
		b.Messages = append(b.Messages, m)
		for k, name := range []string{sb.EventChatCreated, sb.EventMessageCreated, sb.EventChatQueued} {
			e := sb.Event{Seq: 3*(id-1) + int64(k) + 1, Name: name, OccurredAt: now, ChatID: c.ID, Chat: &c}
			if name == sb.EventMessageCreated {
				e.Message = &m
			}
			b.Events = append(b.Events, e)
		}
		b.Decisions = append(b.Decisions, sb.Decision{Seq: id, At: now, Kind: "queue", Trigger: "connect", ChatID: c.ID, Method: "default"})
	}
	b.Counters = sb.Counters{Event: 3 * i * int64(n), Chat: i * int64(n), Message: i * int64(n), Decision: i * int64(n)}
	return b
}
