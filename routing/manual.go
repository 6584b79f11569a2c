package routing

import (
	"slices"

	sb "github.com/switchboard/switchboard"
)

// take lets an operator take a new or queued chat (R8).
func (e *Engine) take(cmd Take) error {
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	if err := e.seeing(c, cmd.Role, cmd.OperatorID); err != nil {
		return err
	}
	o, err := e.op(cmd.OperatorID, "operator_id")
	if err != nil {
		return err
	}
	if c.Status != sb.ChatNew && c.Status != sb.ChatQueued {
		return sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is %s; only new and queued chats can be taken", c.ID, c.Status)
	}
	if err := e.mayTake(o, c); err != nil {
		return err
	}
	e.connectOp(c, o, false)
	c.AcceptedAt = e.instant()
	e.decide(sb.Decision{Kind: sb.DecisionTake, ChatID: c.ID, OperatorID: o.ID, Considered: 1})
	e.emit(sb.EventOperatorConnected, c, o, sb.Event{})
	e.resChat = c
	return nil
}

// mayTake checks topic and limits for a take or an assign without force.
func (e *Engine) mayTake(o *operator, c *chat) error {
	if !e.serves(o, c.Topic) {
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s does not serve topic %q", o.ID, c.Topic)
	}
	if !e.underLimits(o, c.Channel) {
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s is at a limit", o.ID)
	}
	return nil
}

// assignCmd connects a chat to an operator a supervisor chose (R8).
func (e *Engine) assignCmd(cmd Assign) error {
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	o, err := e.op(cmd.OperatorID, "operator_id")
	if err != nil {
		return err
	}
	if c.OperatorID == o.ID {
		return sb.Errorf(sb.ECONFLICT, "operator_id", "chat %s is already with operator %s", c.ID, o.ID)
	}
	d := sb.Decision{Kind: sb.DecisionAssign, ChatID: c.ID, OperatorID: o.ID, Considered: 1}
	if !cmd.Force {
		if err := e.mayTake(o, c); err != nil {
			return err
		}
	} else if !e.underLimits(o, c.Channel) {
		d.Anomalies = []string{sb.AnomalyForcedOverLimit}
	}
	if c.Status == sb.ChatActive {
		prev := e.ops[c.OperatorID]
		e.release(c, false)
		e.emit(sb.EventOperatorDisconnected, c, prev, sb.Event{Reason: reasonOf(sb.ReasonAssign)})
		c.Status, c.OperatorID, c.Overdue = sb.ChatNew, "", false
	}
	e.connectOp(c, o, false)
	e.decide(d)
	e.emit(sb.EventOperatorConnected, c, o, sb.Event{})
	e.resChat = c
	return nil
}

// activeChatOf returns c when it is active with operator opID; a chat the
// caller (of role) may not see is not found.
func (e *Engine) activeChatOf(chatID, opID, role string) (*chat, error) {
	c, err := e.chat(chatID)
	if err != nil {
		return nil, err
	}
	if err := e.seeing(c, role, opID); err != nil {
		return nil, err
	}
	if c.Status != sb.ChatActive || c.OperatorID != opID {
		return nil, sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is not active with operator %s", c.ID, opID)
	}
	return c, nil
}

func (e *Engine) acceptCmd(cmd Accept) error {
	c, err := e.activeChatOf(cmd.ChatID, cmd.OperatorID, cmd.Role)
	if err != nil {
		return err
	}
	e.accept(c)
	e.resChat = c
	return nil
}

func (e *Engine) accept(c *chat) {
	if !c.AcceptedAt.IsZero() {
		return
	}
	c.AcceptedAt = e.instant()
	o := e.ops[c.OperatorID]
	if o.MissedInRow != 0 {
		o.MissedInRow = 0
		e.touchOp(o)
	}
	e.touchChat(c)
	e.refreshChatTimers(c)
	e.emit(sb.EventChatAccepted, c, o, sb.Event{})
}

func (e *Engine) operatorMessage(cmd OperatorMessage) error {
	if cmd.Text == "" {
		return sb.Errorf(sb.EINVALID, "text", "text is required")
	}
	if err := e.checkText("text", cmd.Text); err != nil {
		return err
	}
	c, err := e.joinable(cmd)
	if err != nil {
		return err
	}
	if c.OperatorID == cmd.OperatorID {
		e.accept(c) // a supervisor who joins another's chat does not accept it for them
	}
	if c.FirstResponseAt.IsZero() {
		c.FirstResponseAt = e.instant()
	}
	c.LastMessageAt, c.AwaitingSince, c.Overdue = e.instant(), 0, false
	e.touchChat(c)
	e.refreshChatTimers(c)
	e.message(c, "operator", cmd.OperatorID, sb.MessageOperator, cmd.Text)
	e.resChat = c
	return nil
}

// joinable returns the active chat an operator message goes to: the
// caller's own, or, for a supervisor or an administrator, any active chat
// (they join it without taking it).
func (e *Engine) joinable(cmd OperatorMessage) (*chat, error) {
	if cmd.Role == sb.RoleAdmin || cmd.Role == sb.RoleSupervisor {
		c, err := e.chat(cmd.ChatID)
		if err == nil && c.Status != sb.ChatActive {
			err = sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is %s; only an active chat is joined", c.ID, c.Status)
		}
		return c, err
	}
	return e.activeChatOf(cmd.ChatID, cmd.OperatorID, cmd.Role)
}

func (e *Engine) clientMessage(cmd ClientMessage) error {
	if cmd.Text == "" {
		return sb.Errorf(sb.EINVALID, "text", "text is required")
	}
	if err := e.checkText("text", cmd.Text); err != nil {
		return err
	}
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	e.clientSaid(c, cmd.Text)
	e.resChat = c
	return nil
}

// clientSaid records a client message on an open chat.
func (e *Engine) clientSaid(c *chat, text string) {
	c.LastMessageAt, c.AwaitingSince = e.instant(), e.instant()
	e.touchChat(c)
	e.refreshChatTimers(c)
	e.message(c, "client", c.Client.ID, sb.MessageClient, text)
}

func (e *Engine) closeCmd(cmd Close) error {
	switch cmd.By {
	case sb.ByOperator, sb.ByClient, sb.BySystem:
	default:
		return sb.Errorf(sb.EINVALID, "by", "by must be operator, client or system")
	}
	return e.closeBy(cmd.ChatID, cmd.Role, cmd.OperatorID, cmd.By, cmd.Comment)
}

// closeBy closes a chat the caller may work (mayWork), with a comment.
func (e *Engine) closeBy(chatID, role, operatorID string, by sb.ClosedBy, comment string) error {
	if err := e.checkText("comment", comment); err != nil {
		return err
	}
	c, err := e.chat(chatID)
	if err != nil {
		return err
	}
	if err := e.mayWork(c, role, operatorID); err != nil {
		return err
	}
	e.closeChat(c, by, comment)
	e.resChat = c
	return nil
}

// transfer moves a chat to another topic and routes it again.
func (e *Engine) transfer(cmd Transfer) error {
	if _, ok := e.topics[cmd.Topic]; cmd.Topic != "" && !ok {
		return sb.Errorf(sb.EINVALID, "subject_alias", "unknown subject_alias %q", cmd.Topic)
	}
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	if err := e.mayWork(c, cmd.Role, cmd.OperatorID); err != nil {
		return err
	}
	e.resChat = c
	switch c.Status {
	case sb.ChatActive:
		e.requeue(c, false, func() { c.Topic, c.Excluded = cmd.Topic, nil }, sb.ReasonTransfer)
	case sb.ChatQueued:
		e.unindexChat(c)
		c.Topic, c.Excluded = cmd.Topic, nil
		e.indexChat(c)
		e.dirtyChats = append(e.dirtyChats, c)
	default:
		c.Topic, c.Excluded = cmd.Topic, nil
	}
	e.touchChat(c)
	e.emit(sb.EventChatTransferred, c, nil, sb.Event{})
	return nil
}

// mayWork checks that a caller of a role, acting as operator opID, may
// change c: the system (no role), staff and integrators any open chat; an
// operator only a chat active with it (a chat it may see otherwise is
// forbidden, any other not found).
func (e *Engine) mayWork(c *chat, role, opID string) error {
	switch {
	case role != sb.RoleOperator && role != "" && roleBits[role] == 0:
		return sb.Errorf(sb.EFORBIDDEN, "role", "role %q may not change chats", role)
	case role != sb.RoleOperator:
		return nil
	case c.Status == sb.ChatActive && c.OperatorID == opID:
		return nil
	case e.visible(c, role, opID):
		return sb.Errorf(sb.EFORBIDDEN, "chat_id", "chat %s is not yours", c.ID)
	}
	return sb.Errorf(sb.ENOTFOUND, "chat_id", "chat %q not found", c.ID)
}

// seeing checks that the caller may see c (not found otherwise).
func (e *Engine) seeing(c *chat, role, opID string) error {
	if !e.visible(c, role, opID) {
		return sb.Errorf(sb.ENOTFOUND, "chat_id", "chat %q not found", c.ID)
	}
	return nil
}

// visible is CanSee for an open chat.
func (e *Engine) visible(c *chat, role, opID string) bool {
	return e.sees(role, opID, c.Status, c.OperatorID, c.Topic) || c.offer != nil && c.offer.To == opID
}

// roleBits are the roles a command may name.
var roleBits = map[string]int{sb.RoleAdmin: 1, sb.RoleSupervisor: 2, sb.RoleOperator: 4, sb.RoleIntegrator: 8}

// returnToBot closes a chat by "bot": the scenario goes on with the client.
func (e *Engine) returnToBot(cmd ReturnToBot) error {
	return e.closeBy(cmd.ChatID, cmd.Role, cmd.OperatorID, sb.ByBot, cmd.Comment)
}

// updateChat edits a chat's topic and tags in place.
func (e *Engine) updateChat(cmd UpdateChat) error {
	if t := cmd.Topic; t != nil && *t != "" {
		if _, ok := e.topics[*t]; !ok {
			return sb.Errorf(sb.EINVALID, "subject_alias", "unknown subject_alias %q", *t)
		}
	}
	if cmd.Tags != nil {
		if len(*cmd.Tags) > MaxTags {
			return sb.Errorf(sb.EINVALID, "tag_ids", "tag_ids may hold at most %d tags", MaxTags)
		}
		for _, t := range *cmd.Tags {
			if err := checkID("tag_ids", t); err != nil {
				return err
			}
		}
	}
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	if err := e.mayWork(c, cmd.Role, cmd.OperatorID); err != nil {
		return err
	}
	if t := cmd.Topic; t != nil && *t != c.Topic {
		queued := c.Status == sb.ChatQueued
		if queued {
			e.unindexChat(c)
		}
		c.Topic = e.intern(*t)
		if queued {
			e.indexChat(c)
			e.dirtyChats = append(e.dirtyChats, c)
		}
		e.refreshChatTimers(c) // the groups' timeouts follow the topic
	}
	if cmd.Tags != nil {
		c.Tags = slices.Clone(*cmd.Tags)
	}
	e.touchChat(c)
	e.emit(sb.EventChatUpdated, c, nil, sb.Event{})
	e.resChat = c
	return nil
}
