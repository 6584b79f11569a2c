package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

func testEvents(t *testing.T, s sb.Store) {
	ctx := context.Background()
	var all []sb.Event
	for seq := int64(1); seq <= 7; seq += 3 {
		b := &sb.Batch{}
		for i := seq; i < seq+3 && i <= 7; i++ {
			b.Events = append(b.Events, event(i, sb.EventChatQueued, "1", at(int(i))))
		}
		commit(t, s, b)
		all = append(all, b.Events...)
	}
	equal(t, "Events(0, 100)", must(s.Events(ctx, 0, 100))(t), all)
	equal(t, "Events(3, 2)", must(s.Events(ctx, 3, 2))(t), all[3:5])
	equal(t, "Events(6, 10)", must(s.Events(ctx, 6, 10))(t), all[6:])
	equal(t, "Events(7, 10)", len(must(s.Events(ctx, 7, 10))(t)), 0)
}

func testCountEvents(t *testing.T, s sb.Store) {
	ctx := context.Background()
	commit(t, s, &sb.Batch{Events: []sb.Event{
		event(1, sb.EventChatCreated, "1", at(0)), event(2, sb.EventLimit, "", at(1)),
		event(3, sb.EventChatCreated, "2", at(1)), event(4, sb.EventChatCreated, "3", at(2)),
	}})
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{sb.EventChatCreated, at(1), at(3), 2},
		{sb.EventChatCreated, at(0), at(2), 2},
		{sb.EventChatCreated, time.Time{}, at(100), 3},
		{sb.EventLimit, at(0), at(1), 0},
		{sb.EventLimit, at(1), at(2), 1},
		{sb.EventChatClosed, at(0), at(9), 0},
	} {
		got := must(s.CountEvents(ctx, tc.name, tc.from, tc.to))(t)
		equal(t, "CountEvents("+tc.name+", "+tc.from.String()+", "+tc.to.String()+")", got, tc.want)
	}
}

func testMessages(t *testing.T, s sb.Store) {
	ctx := context.Background()
	m := []sb.Message{message(1, "1", at(0)), message(2, "2", at(1)), message(3, "1", at(2)), message(4, "1", at(3))}
	commit(t, s, &sb.Batch{Messages: m[:2]})
	commit(t, s, &sb.Batch{Messages: m[2:]})
	equal(t, "Messages(1)", must(s.Messages(ctx, "1"))(t), []sb.Message{m[0], m[2], m[3]})
	equal(t, "Messages(2)", must(s.Messages(ctx, "2"))(t), m[1:2])
	equal(t, "Messages(3)", len(must(s.Messages(ctx, "3"))(t)), 0)
	wantCode(t, "Commit repeating a message id", s.Commit(ctx, &sb.Batch{Messages: m[:1]}), sb.ECONFLICT)
}

func testDecisions(t *testing.T, s sb.Store) {
	ctx := context.Background()
	var d []sb.Decision
	for i := int64(1); i <= 5; i++ {
		d = append(d, decision(i, at(int(i))))
	}
	commit(t, s, &sb.Batch{Decisions: d[:3]})
	commit(t, s, &sb.Batch{Decisions: d[3:]})
	equal(t, "Decisions(zero, 100)", must(s.Decisions(ctx, time.Time{}, 100))(t), d)
	equal(t, "Decisions(at 3, 100)", must(s.Decisions(ctx, at(3), 100))(t), d[2:])
	equal(t, "Decisions(at 3, 2)", must(s.Decisions(ctx, at(3), 2))(t), d[2:4])
	equal(t, "Decisions(after the last)", len(must(s.Decisions(ctx, at(5).Add(1), 100))(t)), 0)
}

func testChatsCreated(t *testing.T, s sb.Store) {
	ctx := context.Background()
	c := []sb.Chat{chat(1, sb.ChatNew, "", at(0)), chat(2, sb.ChatNew, "", at(1)), closed(3, "op-a", at(3))}
	c[2].CreatedAt = at(2)
	commit(t, s, &sb.Batch{Chats: c})
	equal(t, "ChatsCreated(1, 2)", must(s.ChatsCreated(ctx, at(1), at(2)))(t), c[1:2])
	equal(t, "ChatsCreated(0, 3)", must(s.ChatsCreated(ctx, at(0), at(3)))(t), c)
	equal(t, "ChatsCreated(zero, far)", must(s.ChatsCreated(ctx, time.Time{}, at(1e9)))(t), c)
	equal(t, "ChatsCreated(3, 4)", len(must(s.ChatsCreated(ctx, at(3), at(4)))(t)), 0)
}

// testTimeWindows checks ChatsCreated and Decisions on every window over a
// history like the engine's: ids handed out in order with gaps, times that
// never go back and often repeat.
func testTimeWindows(t *testing.T, s sb.Store) {
	ctx := context.Background()
	var chats []sb.Chat
	var ds []sb.Decision
	for i := range 60 {
		when := at(i / 4)
		chats = append(chats, chat(3*i+2, sb.ChatNew, "", when))
		ds = append(ds, decision(int64(5*i+1), when))
	}
	commit(t, s, &sb.Batch{Chats: chats[:25], Decisions: ds[:25]})
	commit(t, s, &sb.Batch{Chats: chats[25:], Decisions: ds[25:]})
	for from := -1; from <= 16; from++ {
		var wantD []sb.Decision
		for _, d := range ds {
			if !d.At.Before(at(from)) {
				wantD = append(wantD, d)
			}
		}
		equal(t, fmt.Sprintf("Decisions(at %d)", from), must(s.Decisions(ctx, at(from), 100))(t), wantD)
		for to := from; to <= 16; to++ {
			var wantC []sb.Chat
			for _, c := range chats {
				if !c.CreatedAt.Before(at(from)) && c.CreatedAt.Before(at(to)) {
					wantC = append(wantC, c)
				}
			}
			equal(t, fmt.Sprintf("ChatsCreated(%d, %d)", from, to), must(s.ChatsCreated(ctx, at(from), at(to)))(t), wantC)
		}
	}
}
