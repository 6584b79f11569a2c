package routing

import (
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
)

// chat is an open chat as the engine keeps it: the fields of sb.Chat, its
// times as instants, and its index bookkeeping. A million open chats stay
// in memory, so the record is compact: an instant is 8 bytes where a
// time.Time is 24 with a pointer, and the queue key is computed from the
// chat (key) rather than stored. sb.Chat's QueuePosition is derived
// (snap).
type chat struct {
	ID, OperatorID, Channel, Topic string
	Status                         sb.ChatStatus
	Client                         sb.Client
	Tags, Excluded                 []string
	Text, WebhookURL               string
	Weight, Requeues               int
	Overdue, AutoAssigned          bool
	ReturnButton                   bool

	CreatedAt, QueuedAt, WaitStartedAt, AssignedAt, AcceptedAt instant
	FirstResponseAt, LastMessageAt, AwaitingSince, ClosedAt    instant
	HeldUntil                                                  instant
	ClosedBy                                                   sb.ClosedBy
	CloseComment                                               string

	seq        int64
	bit        uint64            // the channel's mask bit
	sameClient *chat             // the client's next open chat (another channel)
	tpos       [chatTimers]int32 // timer heap positions, -1 when unset
	touched    uint64
	offer      *sb.TransferOffer // the open offer to a colleague
	band       int8              // the queue position band it was last told of
}

// instant is a time in Unix nanoseconds; 0 is the zero time.
type instant int64

func instantOf(t time.Time) instant {
	if t.IsZero() {
		return 0
	}
	return instant(t.UnixNano())
}

func (i instant) IsZero() bool { return i == 0 }

// after returns the instant s seconds later, in Unix nanoseconds.
func (i instant) after(s int) int64 { return int64(i) + int64(s)*int64(time.Second) }

// Time returns the instant in UTC (the zero time for 0).
func (i instant) Time() time.Time {
	if i == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(i)).UTC()
}

// newChat makes the engine's record of an exported chat.
func newChat(in sb.Chat, seq int64) *chat {
	return &chat{
		ID: in.ID, OperatorID: in.OperatorID, Channel: in.Channel, Topic: in.Topic, Status: in.Status,
		Client: in.Client, Tags: in.Tags, Excluded: in.Excluded, Text: in.Text, WebhookURL: in.WebhookURL,
		Weight: in.Weight, Requeues: in.Requeues, Overdue: in.Overdue, AutoAssigned: in.AutoAssigned,
		ReturnButton: in.ReturnButton, CreatedAt: instantOf(in.CreatedAt), QueuedAt: instantOf(in.QueuedAt), WaitStartedAt: instantOf(in.WaitStartedAt),
		AssignedAt: instantOf(in.AssignedAt), AcceptedAt: instantOf(in.AcceptedAt),
		FirstResponseAt: instantOf(in.FirstResponseAt), LastMessageAt: instantOf(in.LastMessageAt),
		AwaitingSince: instantOf(in.AwaitingSince), ClosedAt: instantOf(in.ClosedAt),
		ClosedBy: in.ClosedBy, CloseComment: in.CloseComment, HeldUntil: instantOf(in.HeldUntil),
		seq: seq, tpos: noTimers, offer: cloneOffer(in.Offer),
	}
}

// cloneOffer returns a copy of an offer (nil for none).
func cloneOffer(o *sb.TransferOffer) *sb.TransferOffer {
	if o == nil {
		return nil
	}
	x := *o
	return &x
}

// pack gives the chat's client strings one allocation, cut into parts: the
// collector then follows one object for them instead of four (names shared
// by many chats are interned instead). The chat id stays apart: decisions
// in the audit ring keep it after the chat is gone, and must not keep the
// text with it.
func (c *chat) pack() {
	var b strings.Builder
	b.Grow(len(c.Client.ID) + len(c.Client.Name) + len(c.Text) + len(c.WebhookURL))
	for _, s := range []string{c.Client.ID, c.Client.Name, c.Text, c.WebhookURL} {
		b.WriteString(s)
	}
	all := b.String()
	cut := func(n int) string {
		s := all[:n]
		all = all[n:]
		return s
	}
	c.Client.ID, c.Client.Name = cut(len(c.Client.ID)), cut(len(c.Client.Name))
	c.Text, c.WebhookURL = cut(len(c.Text)), cut(len(c.WebhookURL))
}

// export returns the chat as sb.Chat, without its queue position.
func (c *chat) export() sb.Chat {
	return sb.Chat{
		ID: c.ID, OperatorID: c.OperatorID, Channel: c.Channel, Topic: c.Topic, Status: c.Status,
		Client: c.Client, Tags: c.Tags, Excluded: c.Excluded, Text: c.Text, WebhookURL: c.WebhookURL,
		Weight: c.Weight, Requeues: c.Requeues, Overdue: c.Overdue, AutoAssigned: c.AutoAssigned,
		ReturnButton: c.ReturnButton, Offer: cloneOffer(c.offer), CreatedAt: c.CreatedAt.Time(), QueuedAt: c.QueuedAt.Time(), WaitStartedAt: c.WaitStartedAt.Time(),
		AssignedAt: c.AssignedAt.Time(), AcceptedAt: c.AcceptedAt.Time(),
		FirstResponseAt: c.FirstResponseAt.Time(), LastMessageAt: c.LastMessageAt.Time(),
		AwaitingSince: c.AwaitingSince.Time(), ClosedAt: c.ClosedAt.Time(),
		ClosedBy: c.ClosedBy, CloseComment: c.CloseComment, HeldUntil: c.HeldUntil.Time(),
	}
}

// instant returns the engine's clock as an instant.
func (e *Engine) instant() instant { return instantOf(e.now) }
