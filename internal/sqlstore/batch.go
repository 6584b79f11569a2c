package sqlstore

import (
	"database/sql"
	"strconv"

	sb "github.com/switchboard/switchboard"
)

// Latest returns pointers to the items not superseded by a later item with
// the same key.
func Latest[T any](items []T, key func(*T) string) []*T {
	out := make([]*T, 0, len(items))
	if len(items) == 1 {
		return append(out, &items[0])
	}
	seen := make(map[string]bool, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		if k := key(&items[i]); !seen[k] {
			seen[k] = true
			out = append(out, &items[i])
		}
	}
	return out
}

// CloseSeqs maps each chat closed in events to its chat_closed event's seq
// (nil when none closed).
func CloseSeqs(events []sb.Event) map[string]int64 {
	var m map[string]int64
	for i := range events {
		if events[i].Name == sb.EventChatClosed {
			if m == nil {
				m = map[string]int64{}
			}
			m[events[i].ChatID] = events[i].Seq
		}
	}
	return m
}

// ChatRow is the values of a chat's row in the chats table that are worked
// out from the chat; status, operator_id, client_id and channel are its
// fields as they are, and Name.ChatRow appends its JSON.
type ChatRow struct {
	ID              int64 // the chat id as a number
	Created, Closed sql.NullInt64
	// CloseSeq is the seq of the chat's chat_closed event in the batch;
	// NULL when the batch did not close it.
	CloseSeq sql.NullInt64
}

// ChatRow is c's row, and buf with c's JSON appended: without the queue
// position, which is derived, not stored. closeSeq is the batch's
// CloseSeqs.
func (n Name) ChatRow(buf []byte, c sb.Chat, closeSeq map[string]int64) (ChatRow, []byte, error) {
	var row ChatRow
	var err error
	if row.ID, err = strconv.ParseInt(c.ID, 10, 64); err != nil {
		return row, buf, sb.Errorf(sb.EINVALID, "chat_id", "chat id %q is not a number", c.ID)
	}
	if row.Created, err = Nanos(c.CreatedAt); err != nil {
		return row, buf, err
	}
	if row.Closed, err = Nanos(c.ClosedAt); err != nil {
		return row, buf, err
	}
	if seq, ok := closeSeq[c.ID]; ok && c.Status == sb.ChatClosed {
		row.CloseSeq = sql.NullInt64{Int64: seq, Valid: true}
	}
	c.QueuePosition = 0
	if buf, err = c.AppendJSON(buf); err != nil {
		return row, buf, n.Internal(err, "encode chat")
	}
	return row, buf, nil
}
