package routing

import (
	"strconv"

	sb "github.com/switchboard/switchboard"
)

// rate validates, then sets the rating on the closed chat, emits
// chat_rated and hands the chat to the store.
func (e *Engine) rate(cmd Rate) error {
	c, err := e.closedChat(cmd)
	if err != nil {
		return err
	}
	switch {
	case c.Rating != nil:
		return sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is rated already", c.ID)
	case cmd.Score < 1 || cmd.Score > 5:
		return sb.Errorf(sb.EINVALID, "score", "score must be 1 to 5")
	}
	if err := e.checkText("comment", cmd.Comment); err != nil {
		return err
	}
	c.Rating = &sb.Rating{Score: cmd.Score, Comment: cmd.Comment, RatedAt: e.now}
	e.closed.replace(func(x *sb.Chat) bool { return x.ID == c.ID }, c)
	e.res.Changes.Chats = append(e.res.Changes.Chats, c)
	snap := c
	e.res.Chat = &snap
	e.emit(sb.EventChatRated, nil, nil, sb.Event{ChatID: c.ID, Chat: &snap, Operator: e.opRef(c.OperatorID)})
	return nil
}

// closedChat finds the closed chat a Rate is about: not open, in the
// engine's recent closed chats or else the one the command carries.
func (e *Engine) closedChat(cmd Rate) (sb.Chat, error) {
	if n, err := strconv.ParseInt(cmd.ChatID, 10, 64); err == nil {
		if _, open := e.chats[n]; open {
			return sb.Chat{}, sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is not closed yet", cmd.ChatID)
		}
	}
	if c, ok := e.closed.find(func(c *sb.Chat) bool { return c.ID == cmd.ChatID }); ok {
		return c, nil
	}
	if c := cmd.Closed; c != nil && c.ID == cmd.ChatID && c.Status == sb.ChatClosed {
		return *c, nil
	}
	return sb.Chat{}, sb.Errorf(sb.ENOTFOUND, "chat_id", "chat %q not found", cmd.ChatID)
}

// opRef names an operator in an event: the one with the id, or only the id
// when it is gone; nil for none.
func (e *Engine) opRef(id string) *sb.OperatorRef {
	if id == "" {
		return nil
	}
	if o, ok := e.ops[id]; ok {
		return &sb.OperatorRef{ID: o.ID, Name: o.Name}
	}
	return &sb.OperatorRef{ID: id}
}

// find returns the first item match says yes to, without copying the
// others.
func (r *ring[T]) find(match func(*T) bool) (T, bool) {
	for i := range r.buf {
		if match(&r.buf[i]) {
			return r.buf[i], true
		}
	}
	var zero T
	return zero, false
}

// replace sets the first item match says yes to, if any, to v.
func (r *ring[T]) replace(match func(*T) bool, v T) {
	for i := range r.buf {
		if match(&r.buf[i]) {
			r.buf[i] = v
			return
		}
	}
}
