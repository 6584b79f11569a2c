package storetest

import (
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

// chat is an open chat with most fields set; status active needs op.
func chat(id int, status sb.ChatStatus, op string, created time.Time) sb.Chat {
	c := sb.Chat{
		ID: strconv.Itoa(id), Status: status, OperatorID: op, Channel: "telegram",
		Client: sb.Client{ID: "client-" + strconv.Itoa(id), Name: "Olena", Channel: "telegram"},
		Topic:  "support", Weight: id % 3, Text: "refund for order 1182",
		CreatedAt: created, WaitStartedAt: created, LastMessageAt: created, AwaitingSince: created,
	}
	switch status {
	case sb.ChatQueued:
		c.QueuedAt, c.Tags = created, []string{"vip"}
	case sb.ChatActive:
		c.AssignedAt, c.AutoAssigned, c.Excluded = created.Add(time.Millisecond), true, []string{"op-x"}
	}
	return c
}

// closed is chat id closed at closedAt by op.
func closed(id int, op string, closedAt time.Time) sb.Chat {
	c := chat(id, sb.ChatActive, op, closedAt.Add(-time.Minute))
	c.Status, c.ClosedAt, c.ClosedBy, c.CloseComment = sb.ChatClosed, closedAt, sb.ByOperator, "done"
	return c
}

// closedEvent is the chat_closed event of c.
func closedEvent(seq int64, c sb.Chat) sb.Event {
	return sb.Event{Seq: seq, Name: sb.EventChatClosed, OccurredAt: c.ClosedAt, ChatID: c.ID, Chat: &c}
}

func operator(id, status string) sb.Operator {
	return sb.Operator{
		ID: id, Name: "Name " + id, Email: id + "@example.com", Role: sb.RoleOperator,
		MaxChats: ptr(3), ChannelLimits: map[string]int{"telegram": 2}, Status: status,
		StatusSince: at(1), Connected: true, PresenceLostAt: at(0), MissedInRow: 1, CreatedAt: at(0),
		Active: 1, ActiveByChannel: map[string]int{"telegram": 1}, LastAssignedAt: at(2),
		AssignSeq: 4, CloseSeq: 2,
	}
}

func config() sb.Config {
	s := sb.DefaultSettings()
	s.AcceptTimeoutS, s.DefaultChannelLimits = 60, map[string]int{"whatsapp": 1}
	return sb.Config{
		Settings: s,
		Statuses: sb.DefaultStatuses(),
		Topics:   []sb.Topic{{Alias: "billing", Name: "Billing"}, {Alias: "support", Name: "Support", Parent: "billing"}},
		Groups: []sb.SkillGroup{{ID: "g1", Name: "First line", Topics: []string{"support"},
			Operators: []string{}, Active: true, AcceptTimeoutS: 30}},
		Bans: []sb.Ban{{ID: "1", ClientID: "spam", Until: at(3600), Reason: "spam"}},
	}
}

func event(seq int64, name, chatID string, when time.Time) sb.Event {
	e := sb.Event{Seq: seq, Name: name, OccurredAt: when, ChatID: chatID}
	if chatID != "" {
		c := chat(1, sb.ChatQueued, "", when)
		c.ID, c.QueuePosition = chatID, 2
		e.Chat = &c
	}
	return e
}

func decision(seq int64, when time.Time) sb.Decision {
	return sb.Decision{
		Seq: seq, At: when, Kind: sb.DecisionAuto, Trigger: "connect", ChatID: "1", OperatorID: "op-1",
		Method: sb.MethodDefault, Considered: 2, Skipped: []sb.Skip{{OperatorID: "op-2", Reason: "excluded"}},
		DurationNs: 1234,
	}
}

func message(id int64, chatID string, when time.Time) sb.Message {
	return sb.Message{ID: id, ChatID: chatID, From: "client", Text: "hello " + strconv.FormatInt(id, 10), CreatedAt: when}
}

func counters(n int64) sb.Counters {
	return sb.Counters{Event: n, Chat: n + 1, Message: n + 2, Assign: n + 3, Close: n + 4, Decision: n + 5, Ban: n + 6}
}
