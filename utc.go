package switchboard

import "time"

// The InUTC methods set every time of a value to UTC (a zero time stays
// zero). Stores call them on what they read back, so that a value committed
// in UTC comes back equal.

func inUTC(ts ...*time.Time) {
	for _, t := range ts {
		*t = t.UTC()
	}
}

// InUTC sets the chat's times to UTC.
func (c *Chat) InUTC() {
	inUTC(&c.CreatedAt, &c.QueuedAt, &c.WaitStartedAt, &c.AssignedAt, &c.AcceptedAt,
		&c.FirstResponseAt, &c.ClosedAt, &c.LastMessageAt, &c.AwaitingSince, &c.HeldUntil)
	if c.Offer != nil {
		inUTC(&c.Offer.OfferedAt, &c.Offer.ExpiresAt)
	}
}

// InUTC sets the operator's times to UTC.
func (o *Operator) InUTC() {
	inUTC(&o.StatusSince, &o.PresenceLostAt, &o.CreatedAt, &o.LastAssignedAt, &o.LastClosedAt)
	for i := range o.WrapUp {
		inUTC(&o.WrapUp[i].Until)
	}
}

// InUTC sets the times of the configuration (its bans) to UTC.
func (c *Config) InUTC() {
	for i := range c.Bans {
		inUTC(&c.Bans[i].Until)
	}
}

// InUTC sets the event's times, and those of its chat and message, to UTC.
func (e *Event) InUTC() {
	inUTC(&e.OccurredAt)
	if e.Chat != nil {
		e.Chat.InUTC()
	}
	if e.Message != nil {
		e.Message.InUTC()
	}
	if e.Reason != nil {
		inUTC(&e.Reason.NextOpenAt)
	}
}

// InUTC sets the message's time to UTC.
func (m *Message) InUTC() { inUTC(&m.CreatedAt) }

// InUTC sets the decision's time to UTC.
func (d *Decision) InUTC() { inUTC(&d.At) }
