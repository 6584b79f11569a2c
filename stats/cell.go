package stats

import "time"

// ChatCell holds the figures of the chats of one topic on one channel in
// one hour: each counted in the hour of the event that made it (docs/STATS.md).
type ChatCell struct {
	Arrivals      int64 // chats created
	Returned      int64 // connections ended without a close: back to waiting
	Limits        int64 // connects answered limit (no chat was created)
	Served        int64 // waits that ended connected
	Abandoned     int64 // waits that ended closed
	QueueTimeouts int64 // of the abandoned: by the queue timeout
	Transfers     int64
	Missed        int64 // missed accepts
	Overdue       int64 // response timeouts
	Handled       int64 // connections that ended with the chat's close
	Wait          Hist  // of the served waits
	Abandon       Hist  // of the abandoned waits
	FirstResponse Hist  // connection → the operator's first message
	Handle        Hist  // connection → close
	CSAT          [5]int64
}

// OpCell holds one operator's figures in one hour.
type OpCell struct {
	Status        []StatusTime // by status id, in the order first seen
	Connections   int64
	Handled       int64
	Missed        int64
	Transfers     int64
	Overdue       int64
	FirstResponse Hist
	Handle        Hist
	CSAT          [5]int64
}

// StatusTime is the time an operator spent in a status, and of that the
// time it held at least one chat (or was wrapping one up), in
// microseconds.
type StatusTime struct {
	Status string
	Us     int64
	BusyUs int64
}

// addStatus adds d in status, busy or not.
func (c *OpCell) addStatus(status string, d time.Duration, busy bool) {
	us := d.Microseconds()
	if us <= 0 {
		return
	}
	var b int64
	if busy {
		b = us
	}
	for i := range c.Status {
		if c.Status[i].Status == status {
			c.Status[i].Us += us
			c.Status[i].BusyUs += b
			return
		}
	}
	c.Status = append(c.Status, StatusTime{Status: status, Us: us, BusyUs: b})
}

// ChatKey is a ChatCell's key within its hour: its topic and channel.
type ChatKey struct{ Topic, Channel string }

// Hour is one hour's cells.
type Hour struct {
	Start int64 // Unix seconds, a multiple of 3600
	Chats map[ChatKey]*ChatCell
	Ops   map[string]*OpCell
}

func newHour(start int64) *Hour {
	return &Hour{Start: start, Chats: map[ChatKey]*ChatCell{}, Ops: map[string]*OpCell{}}
}

func (h *Hour) chat(topic, channel string) *ChatCell {
	k := ChatKey{topic, channel}
	c := h.Chats[k]
	if c == nil {
		c = &ChatCell{}
		h.Chats[k] = c
	}
	return c
}

func (h *Hour) op(id string) *OpCell {
	c := h.Ops[id]
	if c == nil {
		c = &OpCell{}
		h.Ops[id] = c
	}
	return c
}
