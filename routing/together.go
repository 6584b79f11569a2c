package routing

import (
	"cmp"
	"math"
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Working together: a chat offered to a colleague who accepts, internal
// notes, a supervisor who joins a chat, and wrap-up after a close.

func ref(o *operator) *sb.OperatorRef {
	if o == nil {
		return nil
	}
	return &sb.OperatorRef{ID: o.ID, Name: o.Name}
}

// staffOrSystem reports whether a role acts for the team rather than as a
// chat's operator: administrators, supervisors and the system.
func staffOrSystem(role string) bool {
	return role == "" || role == sb.RoleAdmin || role == sb.RoleSupervisor
}

// offerTransfer offers an active chat to a colleague.
func (e *Engine) offerTransfer(cmd OfferTransfer) error {
	if err := e.checkText("note", cmd.Note); err != nil {
		return err
	}
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	if cmd.Role == sb.RoleIntegrator {
		return sb.Errorf(sb.EFORBIDDEN, "role", "integrators do not offer chats to operators")
	}
	if err := e.mayWork(c, cmd.Role, cmd.OperatorID); err != nil {
		return err
	}
	if c.Status != sb.ChatActive {
		return sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s is %s; only an active chat is offered to a colleague", c.ID, c.Status)
	}
	to, ok := e.ops[cmd.To]
	switch {
	case !ok:
		return sb.Errorf(sb.EINVALID, "operator_id", "operator_id must name an operator")
	case to.ID == c.OperatorID:
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s holds chat %s already", to.ID, c.ID)
	case cmd.Force && !staffOrSystem(cmd.Role):
		return sb.Errorf(sb.EFORBIDDEN, "force", "only a supervisor offers a chat over a colleague's limits")
	case !to.receiving:
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s has a status that cannot receive chats", to.ID)
	}
	over := !e.underLimits(to, c.Channel)
	if over && !cmd.Force {
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s is at a limit", to.ID)
	}
	if c.offer != nil {
		e.endOffer(c, sb.EventTransferWithdrawn, nil)
	}
	offer := &sb.TransferOffer{From: c.OperatorID, To: to.ID, Note: cmd.Note, Force: cmd.Force, OfferedAt: e.now}
	if t := e.settings.TransferOfferTimeoutS; t > 0 {
		offer.ExpiresAt = e.now.Add(time.Duration(t) * time.Second)
	}
	c.offer = offer
	e.offers[c.seq] = c
	e.touchChat(c)
	e.refreshChatTimers(c)
	d := sb.Decision{Kind: sb.DecisionOffer, ChatID: c.ID, OperatorID: to.ID, Considered: 1}
	if over {
		d.Anomalies = []string{sb.AnomalyForcedOverLimit}
	}
	e.decide(d)
	e.emit(sb.EventTransferOffered, c, nil, sb.Event{Target: ref(to)})
	if cmd.Note != "" { // the handover note stays in the chat's timeline
		e.message(c, "operator", cmp.Or(cmd.OperatorID, c.OperatorID), sb.MessageNote, cmd.Note)
	}
	e.resChat = c
	return nil
}

// offered returns a chat with an open offer the caller may answer: its
// target, or staff on its behalf (not found for an operator that may not
// see the chat otherwise).
func (e *Engine) offered(chatID, opID, role string) (*chat, error) {
	c, err := e.chat(chatID)
	if err != nil {
		return nil, err
	}
	switch {
	case c.offer != nil && (staffOrSystem(role) || c.offer.To == opID):
		return c, nil
	case role == sb.RoleOperator && !e.visible(c, role, opID):
		return nil, sb.Errorf(sb.ENOTFOUND, "chat_id", "chat %q not found", c.ID)
	case c.offer == nil:
		return nil, sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s has no open offer", c.ID)
	}
	return nil, sb.Errorf(sb.EFORBIDDEN, "chat_id", "chat %s is offered to %s", c.ID, c.offer.To)
}

// acceptOffer moves the chat to the offer's target.
func (e *Engine) acceptOffer(cmd AcceptOffer) error {
	c, err := e.offered(cmd.ChatID, cmd.OperatorID, cmd.Role)
	if err != nil {
		return err
	}
	to, from := e.ops[c.offer.To], e.ops[c.OperatorID]
	if !to.receiving {
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s has a status that cannot receive chats now", to.ID)
	}
	over := !e.underLimits(to, c.Channel)
	if over && !c.offer.Force {
		return sb.Errorf(sb.ECONFLICT, "operator_id", "operator %s is at a limit now", to.ID)
	}
	e.dropOffer(c)
	e.release(c, false)
	e.emit(sb.EventOperatorDisconnected, c, from, sb.Event{Reason: reasonOf(sb.ReasonHandover)})
	c.Status, c.OperatorID, c.Overdue = sb.ChatNew, "", false
	e.connectOp(c, to, false)
	d := sb.Decision{Kind: sb.DecisionTransfer, ChatID: c.ID, OperatorID: to.ID, Considered: 1}
	if over {
		d.Anomalies = []string{sb.AnomalyForcedOverLimit}
	}
	e.decide(d)
	e.emit(sb.EventOperatorConnected, c, to, sb.Event{})
	e.emit(sb.EventTransferAccepted, c, from, sb.Event{Target: ref(to)})
	e.accept(c)
	e.resChat = c
	return nil
}

// declineOffer turns an offer down; the chat stays with its operator.
func (e *Engine) declineOffer(cmd DeclineOffer) error {
	if err := checkName("reason", cmd.Reason); err != nil {
		return err
	}
	c, err := e.offered(cmd.ChatID, cmd.OperatorID, cmd.Role)
	if err != nil {
		return err
	}
	e.endOffer(c, sb.EventTransferDeclined, &sb.Reason{Code: "declined", Message: cmd.Reason})
	e.resChat = c
	return nil
}

// withdrawOffer takes an offer back.
func (e *Engine) withdrawOffer(cmd WithdrawOffer) error {
	c, err := e.chat(cmd.ChatID)
	if err != nil {
		return err
	}
	if err := e.mayWork(c, cmd.Role, cmd.OperatorID); err != nil {
		return err
	}
	if c.offer == nil {
		return sb.Errorf(sb.ECONFLICT, "chat_id", "chat %s has no open offer", c.ID)
	}
	e.endOffer(c, sb.EventTransferWithdrawn, nil)
	e.resChat = c
	return nil
}

// endOffer closes c's offer without moving the chat: declined, expired or
// withdrawn, which the event says.
func (e *Engine) endOffer(c *chat, event string, reason *sb.Reason) {
	offer := c.offer
	e.dropOffer(c)
	e.emit(event, c, e.ops[offer.From], sb.Event{Target: ref(e.ops[offer.To]), Reason: reason})
}

// dropOffer forgets c's offer.
func (e *Engine) dropOffer(c *chat) {
	c.offer = nil
	delete(e.offers, c.seq)
	e.touchChat(c)
	e.refreshChatTimers(c)
}

// withdrawOffersTo withdraws the open offers to an operator (it is deleted).
func (e *Engine) withdrawOffersTo(opID string) {
	var to []*chat
	for _, c := range e.offers {
		if c.offer.To == opID {
			to = append(to, c)
		}
	}
	slices.SortFunc(to, func(a, b *chat) int { return int(a.seq - b.seq) })
	for _, c := range to {
		e.endOffer(c, sb.EventTransferWithdrawn, nil)
	}
}

// addNote adds an internal note to a chat: by staff to any chat the engine
// holds, by an operator to the chat it holds or held when it closed.
func (e *Engine) addNote(cmd AddNote) error {
	if cmd.Text == "" {
		return sb.Errorf(sb.EINVALID, "text", "text is required")
	}
	if err := e.checkText("text", cmd.Text); err != nil {
		return err
	}
	c, err := e.chat(cmd.ChatID)
	if sb.ErrorCode(err) == sb.ECONFLICT { // closed
		c, err = e.recentClosed(cmd.ChatID), nil
	}
	if err != nil {
		return err
	}
	switch {
	case cmd.Role == sb.RoleIntegrator:
		return sb.Errorf(sb.EFORBIDDEN, "role", "notes are the team's: integrators do not write them")
	case cmd.Role == sb.RoleOperator && c.OperatorID == cmd.OperatorID && c.Status != sb.ChatNew && c.Status != sb.ChatQueued:
	default:
		if err := e.mayWork(c, cmd.Role, cmd.OperatorID); err != nil {
			return err
		}
	}
	e.message(c, "operator", cmd.OperatorID, sb.MessageNote, cmd.Text)
	e.resChat = c
	return nil
}

// recentClosed returns a copy of a closed chat the engine remembers.
func (e *Engine) recentClosed(id string) *chat {
	for _, s := range e.closed.items() {
		if s.ID == id {
			return newChat(s, 0)
		}
	}
	return nil
}

// wrapUpS is how long a chat closed by o stays in its load: the shortest
// non-zero override of the active groups with the chat's topic and o, else
// the setting.
func (e *Engine) wrapUpS(c *chat) int {
	return e.groupTimeout(c, e.settings.WrapUpS, func(g *group) int { return g.WrapUpS })
}

// startWrapUp keeps the closed chat c in its operator's load for the
// wrap-up time, if any.
func (e *Engine) startWrapUp(c *chat, o *operator) {
	t := e.wrapUpS(c)
	if t <= 0 {
		return
	}
	e.updateOp(o, func() {
		o.wrap = append(slices.Clip(o.wrap), wrapUp{seq: c.seq, id: c.ID, channel: c.Channel, until: instant(e.instant().after(t))})
	})
	e.refreshOpTimer(o)
	e.emit(sb.EventWrapUpStarted, c, o, sb.Event{})
}

// endWrapUps ends o's wrap-ups due by upTo, in chat order, and lets R4
// give it chats again.
func (e *Engine) endWrapUps(o *operator, upTo instant) {
	var ended []wrapUp
	e.updateOp(o, func() {
		kept := o.wrap[:0:0]
		for _, w := range o.wrap {
			if w.until <= upTo {
				ended = append(ended, w)
			} else {
				kept = append(kept, w)
			}
		}
		o.wrap = kept
	})
	if len(ended) == 0 {
		return
	}
	e.markDirty(o)
	e.refreshOpTimer(o)
	slices.SortFunc(ended, func(a, b wrapUp) int { return int(a.seq - b.seq) })
	for _, w := range ended {
		e.emit(sb.EventWrapUpEnded, nil, o, sb.Event{ChatID: w.id})
	}
}

// endWrapUpCmd ends all of an operator's wrap-ups ("Ready").
func (e *Engine) endWrapUpCmd(cmd EndWrapUp) error {
	o, err := e.op(cmd.OperatorID, "operator_id")
	if err != nil {
		return err
	}
	e.endWrapUps(o, math.MaxInt64)
	return nil
}
