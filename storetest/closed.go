package storetest

import (
	"context"
	"strconv"
	"testing"

	sb "github.com/switchboard/switchboard"
)

func testClosedChats(t *testing.T, s sb.Store) {
	ctx := context.Background()
	b := &sb.Batch{Chats: []sb.Chat{
		closed(1, "op-a", at(1)), closed(2, "op-b", at(2)), chat(3, sb.ChatNew, "", at(3)),
		closed(4, "op-a", at(4)), closed(5, "op-b", at(5)), chat(6, sb.ChatActive, "op-a", at(6)),
	}}
	for i, c := range b.Chats {
		if !c.Open() {
			b.Events = append(b.Events, closedEvent(int64(i+1), c))
		}
	}
	commit(t, s, b)
	st := load(t, s)
	equal(t, "open chats", ids(st.Chats), []string{"3", "6"})
	equal(t, "closed chats", ids(st.Closed), []string{"1", "2", "4", "5"})
	equal(t, "Chat of a closed chat", must(s.Chat(ctx, "4"))(t), b.Chats[3])
	for _, id := range []string{"99", "x", ""} {
		_, err := s.Chat(ctx, id)
		wantCode(t, "Chat("+strconv.Quote(id)+")", err, sb.ENOTFOUND)
	}
	for _, tc := range []struct {
		op     string
		before int64
		limit  int
		want   []string
	}{
		{"", 0, 10, []string{"5", "4", "2", "1"}},
		{"", 0, 2, []string{"5", "4"}},
		{"", 4, 10, []string{"2", "1"}},
		{"", 1, 10, []string{}},
		{"op-a", 0, 10, []string{"4", "1"}},
		{"op-b", 5, 10, []string{"2"}},
		{"op-c", 0, 10, []string{}},
	} {
		got := must(s.ClosedChats(ctx, tc.op, tc.before, tc.limit))(t)
		equal(t, "ClosedChats("+tc.op+", "+strconv.FormatInt(tc.before, 10)+", "+strconv.Itoa(tc.limit)+")", ids(got), tc.want)
	}
}

// testClosedOrder: chats closed at the same instant keep the order of their
// chat_closed events, whatever their ids and their order in the batch.
func testClosedOrder(t *testing.T, s sb.Store) {
	commit(t, s, &sb.Batch{Chats: []sb.Chat{chat(3, sb.ChatNew, "", at(0)), chat(5, sb.ChatNew, "", at(0))}})
	c3, c5 := closed(3, "", at(10)), closed(5, "", at(10))
	commit(t, s, &sb.Batch{Chats: []sb.Chat{c3, c5}, Events: []sb.Event{closedEvent(1, c5), closedEvent(2, c3)}})
	c1 := closed(1, "", at(11))
	commit(t, s, &sb.Batch{Chats: []sb.Chat{c1}, Events: []sb.Event{closedEvent(3, c1)}})
	equal(t, "closed chats", ids(load(t, s).Closed), []string{"5", "3", "1"})
}

func testLoadCaps(t *testing.T, s sb.Store) {
	b := &sb.Batch{}
	for i := 1; i <= 1005; i++ {
		c := closed(i, "op-a", at(i))
		b.Chats = append(b.Chats, c)
		b.Events = append(b.Events, closedEvent(int64(i), c))
	}
	for i := 1; i <= 10005; i++ {
		b.Decisions = append(b.Decisions, decision(int64(i), at(i/10)))
	}
	commit(t, s, b)
	st := load(t, s)
	equal(t, "closed chats", st.Closed, b.Chats[5:])
	equal(t, "decisions", st.Audit, b.Decisions[5:])
}
