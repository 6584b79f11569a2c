package routing

import (
	"time"

	sb "github.com/switchboard/switchboard"
)

// Waiting counts the chats waiting now, queued and in New, and returns
// when the longest wait among them began (the zero time when none waits):
// a walk over the open chats without copying them.
func (e *Engine) Waiting() (queued, inNew int, since time.Time) {
	var oldest instant
	for _, c := range e.chats {
		switch c.Status {
		case sb.ChatQueued:
			queued++
		case sb.ChatNew:
			inNew++
		default:
			continue
		}
		start := c.WaitStartedAt
		if start.IsZero() {
			start = c.CreatedAt
		}
		if oldest.IsZero() || start < oldest {
			oldest = start
		}
	}
	return queued, inNew, oldest.Time()
}
