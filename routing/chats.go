package routing

import (
	"slices"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

func (e *Engine) validateConnect(c Connect) error {
	if err := firstError(checkID("client.id", c.Client.ID), checkID("client.channel", c.Client.Channel),
		checkName("client.name", c.Client.Name), e.checkText("text", c.Text)); err != nil {
		return err
	}
	if len(c.Tags) > MaxTags {
		return sb.Errorf(sb.EINVALID, "config.tag_ids", "config.tag_ids may hold at most %d tags", MaxTags)
	}
	for _, t := range c.Tags {
		if err := checkID("config.tag_ids", t); err != nil {
			return err
		}
	}
	if len(c.WebhookURL) > MaxURLLen {
		return sb.Errorf(sb.EINVALID, "config.event_webhook_url", "config.event_webhook_url must have at most %d bytes", MaxURLLen)
	}
	if c.WebhookURL != "" && !sb.TargetURLAllowed(c.WebhookURL, e.settings.WebhookAllowPrivateTargets) {
		return sb.Errorf(sb.EINVALID, "config.event_webhook_url", "config.event_webhook_url may not be a link-local address, nor a loopback or private one unless webhook_allow_private_targets is on")
	}
	if _, ok := e.topics[c.Topic]; c.Topic != "" && !ok {
		return sb.Errorf(sb.EINVALID, "config.subject_alias", "unknown subject_alias %q", c.Topic)
	}
	if c.Status != "" && c.Status != "queue" {
		return sb.Errorf(sb.EINVALID, "config.status", "config.status must be empty or \"queue\"")
	}
	if _, ok := e.ops[c.Operator]; c.Operator != "" && !ok {
		return sb.Errorf(sb.EINVALID, "config.assigned_operator", "unknown assigned_operator %q", c.Operator)
	}
	if c.Weight < 0 {
		return sb.Errorf(sb.EINVALID, "config.weight", "config.weight must not be negative")
	}
	return nil
}

func (e *Engine) banned(client sb.Client) bool {
	for _, b := range e.bans {
		if b.ClientID == client.ID && (b.Channel == "" || b.Channel == client.Channel) && b.Until.After(e.now) {
			return true
		}
	}
	return false
}

// openChat returns the client's open chat on its channel, or nil. The open
// chats of one client id are chained through sameClient (one per channel),
// so the map's keys are the chats' own client id strings.
func (e *Engine) openChat(cl sb.Client) *chat {
	for c := e.byClient[cl.ID]; c != nil; c = c.sameClient {
		if c.Client.Channel == cl.Channel {
			return c
		}
	}
	return nil
}

// addOpen registers c as its client's open chat on its channel.
func (e *Engine) addOpen(c *chat) {
	c.sameClient = e.byClient[c.Client.ID]
	e.byClient[c.Client.ID] = c
}

// removeOpen unregisters c.
func (e *Engine) removeOpen(c *chat) {
	id := c.Client.ID
	switch first := e.byClient[id]; {
	case first == c && c.sameClient == nil:
		delete(e.byClient, id)
	case first == c:
		e.byClient[id] = c.sameClient
	default:
		for p := first; p != nil; p = p.sameClient {
			if p.sameClient == c {
				p.sameClient = c.sameClient
				break
			}
		}
	}
	c.sameClient = nil
}

func warn(code, msg string) sb.Reason { return sb.Reason{Code: code, Message: msg} }

// connect is the connect action (R5).
func (e *Engine) connect(cmd Connect) error {
	if err := e.validateConnect(cmd); err != nil {
		return err
	}
	r := e.res
	if e.banned(cmd.Client) {
		r.Outcome = OutcomeBanned
		return nil
	}
	r.Outcome = OutcomeSuccess
	if c := e.openChat(cmd.Client); c != nil {
		if cmd.Text != "" { // the client wrote again: one message per call
			e.clientSaid(c, cmd.Text)
		}
		e.resChat = c
		return nil
	}
	now := e.instant()
	cmd.Client.Channel, cmd.Topic = e.intern(cmd.Client.Channel), e.intern(cmd.Topic)
	c := &chat{
		Client: cmd.Client, Channel: cmd.Client.Channel, Topic: cmd.Topic, Tags: cmd.Tags,
		Weight: cmd.Weight, Text: cmd.Text, WebhookURL: cmd.WebhookURL, CreatedAt: now,
		Status: sb.ChatNew, WaitStartedAt: now, ReturnButton: cmd.ReturnButton, tpos: noTimers,
	}
	c.bit = e.bitOf(c.Channel)
	if cmd.Operator == "" || cmd.AutoConnect {
		if next, closed := e.closedUntil(c.Topic); closed {
			return e.outOfHours(c, cmd, next)
		}
	}
	switch {
	case !cmd.AutoConnect && cmd.Operator != "":
		e.connectAssigned(c, e.ops[cmd.Operator])
	case !cmd.AutoConnect:
		e.create(c)
	default:
		if cmd.Operator != "" {
			r.Warnings = append(r.Warnings, warn(WarnAssignedOpIgnored, "assigned_operator is ignored with auto_connect_operator"))
		}
		switch {
		case !e.settings.AutoConnect:
			r.Warnings = append(r.Warnings, warn(WarnAutoConnectDisabled, "automatic connection is off: the chat waits in New"))
			e.create(c)
		case cmd.Status == "queue":
			if o, _, _ := e.bestOp(c); o == nil {
				if full := e.queueFull(c, false); full != nil {
					e.refuse(c, *full, 0, 0)
					return nil
				}
			}
			e.create(c)
			e.enqueue(c, sb.ReasonNew)
			e.decide(sb.Decision{Kind: sb.DecisionQueue, ChatID: c.ID, Reason: e.waitReason(c)})
		default:
			if !e.connectNow(c) {
				return nil
			}
		}
	}
	e.resChat = c
	return nil
}

// create gives c an id, registers it and emits chat_created and the
// connect text as the first message.
func (e *Engine) create(c *chat) {
	e.cnt.Chat++
	c.seq = e.cnt.Chat
	c.ID = strconv.FormatInt(c.seq, 10)
	c.pack()
	e.chats[c.seq] = c
	e.addOpen(c)
	e.touchChat(c)
	e.emit(sb.EventChatCreated, c, nil, sb.Event{})
	if c.Text != "" {
		c.LastMessageAt, c.AwaitingSince = e.instant(), e.instant()
		e.message(c, "client", "", sb.MessageClient, c.Text)
	}
}

// connectNow gives a new chat to the best eligible operator, or answers
// limit without creating it.
func (e *Engine) connectNow(c *chat) bool {
	t0 := e.stopwatch()
	o, n, skipped := e.bestOp(c)
	took := e.stopwatch() - t0
	if o == nil {
		e.refuse(c, e.limitReason(c.Topic), n, took)
		return false
	}
	e.create(c)
	e.autoConnect(c, o, n, skipped, took)
	return true
}

// refuse answers a connect with limit for a reason: no chat is made, the
// decision and the limit event say why.
func (e *Engine) refuse(c *chat, reason sb.Reason, considered int, took int64) {
	r := e.res
	r.Outcome, r.Reason = OutcomeLimit, &reason
	e.decide(sb.Decision{Kind: sb.DecisionLimit, Considered: considered, Reason: reason.Code, DurationNs: took})
	s := c.export()
	e.emit(sb.EventLimit, nil, nil, sb.Event{Chat: &s, Reason: &reason})
}

// outOfHours answers a connect outside its topic's business hours: limit
// with out_of_hours and when they open, or, for "status": "queue" with
// auto-connect, a chat held in the queue until then.
func (e *Engine) outOfHours(c *chat, cmd Connect, next time.Time) error {
	if cmd.AutoConnect && cmd.Status == "queue" && e.settings.AutoConnect && !next.IsZero() {
		if full := e.queueFull(c, true); full != nil {
			e.refuse(c, *full, 0, 0)
			return nil
		}
		e.create(c)
		e.hold(c, next)
		e.decide(sb.Decision{Kind: sb.DecisionQueue, ChatID: c.ID, Reason: ReasonOutOfHours})
		e.resChat = c
		return nil
	}
	msg := "the topic's business hours are closed"
	if next.IsZero() {
		msg += " and do not open again"
	}
	e.refuse(c, sb.Reason{Code: ReasonOutOfHours, Message: msg, NextOpenAt: next}, 0, 0)
	return nil
}

// connectAssigned creates c connected to the operator the scenario named.
func (e *Engine) connectAssigned(c *chat, o *operator) {
	r := e.res
	d := sb.Decision{Kind: sb.DecisionAssign, OperatorID: o.ID, Considered: 1}
	if !o.receiving {
		r.Warnings = append(r.Warnings, warn(WarnOperatorCannotReceive, "the operator's status cannot receive chats"))
	}
	if !e.serves(o, c.Topic) {
		r.Warnings = append(r.Warnings, warn(WarnOperatorNotInTopic, "the operator does not serve this topic"))
	}
	if !e.underLimits(o, c.Channel) {
		r.Warnings = append(r.Warnings, warn(WarnOperatorOverLimit, "the operator is at a limit"))
		d.Anomalies = []string{sb.AnomalyForcedOverLimit}
	}
	e.create(c)
	d.ChatID = c.ID
	e.connectOp(c, o, false)
	e.decide(d)
	e.emit(sb.EventOperatorConnected, c, o, sb.Event{})
}

// enqueue puts c into the queue, or into New while auto_connect is off;
// reason says why (chat_queued carries it).
func (e *Engine) enqueue(c *chat, reason string) {
	c.WaitStartedAt = e.instant()
	e.touchChat(c)
	if !e.settings.AutoConnect {
		c.Status = sb.ChatNew
		e.refreshChatTimers(c)
		return
	}
	if c.QueuedAt.IsZero() {
		c.QueuedAt = e.instant()
	}
	c.Status = sb.ChatQueued
	e.indexChat(c)
	e.dirtyChats = append(e.dirtyChats, c)
	e.refreshChatTimers(c)
	e.watch(c)
	e.emit(sb.EventChatQueued, c, nil, sb.Event{Reason: reasonOf(reason)})
}

// reasonMessages explain the reason codes of sb.Reason*.
var reasonMessages = map[string]string{
	sb.ReasonNew:             "the chat entered the queue",
	sb.ReasonRedistribution:  "a supervisor redistributed the operator's chats",
	sb.ReasonMissedAccept:    "the operator did not accept the chat in time",
	sb.ReasonInactivity:      "the chat had no messages for too long",
	sb.ReasonTransfer:        "the chat was transferred to another topic",
	sb.ReasonAssign:          "a supervisor gave the chat to another operator",
	sb.ReasonHandover:        "a colleague accepted the chat offered to it",
	sb.ReasonOperatorDeleted: "the operator was deleted",
	sb.ReasonPresenceLost:    "the operator was away too long and was switched offline",
	ReasonOutOfHours:         "the chat came outside business hours: it waits for the opening",
}

// reasonOf returns the event reason for a code.
func reasonOf(code string) *sb.Reason {
	return &sb.Reason{Code: code, Message: reasonMessages[code]}
}

// connectOp connects c (new, queued or fresh) to o.
func (e *Engine) connectOp(c *chat, o *operator, auto bool) {
	if c.Status == sb.ChatQueued {
		e.unindexChat(c)
		c.HeldUntil = 0
	}
	e.updateOp(o, func() {
		o.Active++
		if o.ActiveByChannel == nil {
			o.ActiveByChannel = map[string]int{}
		}
		o.ActiveByChannel[c.Channel]++
		if o.mine == nil {
			o.mine = map[int64]*chat{}
		}
		o.mine[c.seq] = c
		e.cnt.Assign++
		o.AssignSeq, o.LastAssignedAt = e.cnt.Assign, e.now
	})
	c.Status, c.OperatorID, c.AssignedAt, c.AutoAssigned = sb.ChatActive, o.ID, e.instant(), auto
	c.AcceptedAt = 0
	e.touchChat(c)
	e.refreshChatTimers(c)
}

// release frees c's operator; closed tells whether the chat closed. An
// open offer of the chat is withdrawn.
func (e *Engine) release(c *chat, closed bool) {
	if c.offer != nil {
		e.endOffer(c, sb.EventTransferWithdrawn, nil)
	}
	o := e.ops[c.OperatorID]
	e.updateOp(o, func() {
		o.Active--
		delete(o.mine, c.seq)
		o.ActiveByChannel[c.Channel]--
		if o.ActiveByChannel[c.Channel] == 0 {
			delete(o.ActiveByChannel, c.Channel)
		}
		if closed {
			e.cnt.Close++
			o.CloseSeq, o.LastClosedAt = e.cnt.Close, e.now
		}
	})
	e.markDirty(o)
	e.refreshOpTimer(o)
}

// requeue returns an active chat to routing (redistribution, missed
// accept, inactivity, transfer, a deleted operator) for the reason given:
// exclude adds its operator to the chat's exclusions; change, when set,
// edits the chat while it is out of the indexes.
func (e *Engine) requeue(c *chat, exclude bool, change func(), reason string, anomalies ...string) {
	o := e.ops[c.OperatorID]
	e.release(c, false)
	e.emit(sb.EventOperatorDisconnected, c, o, sb.Event{Reason: reasonOf(reason)})
	if exclude && !excludes(c, o.ID) {
		c.Excluded = append(slices.Clip(c.Excluded), o.ID)
	}
	c.OperatorID, c.AssignedAt, c.AcceptedAt, c.AutoAssigned, c.Overdue = "", 0, 0, false, false
	c.Requeues++
	if c.QueuedAt.IsZero() {
		c.QueuedAt = c.CreatedAt
	}
	if change != nil {
		change()
	}
	e.decide(sb.Decision{Kind: sb.DecisionRequeue, ChatID: c.ID, OperatorID: o.ID, Reason: reason, Anomalies: anomalies})
	e.enqueue(c, reason)
}

// closeChat closes an open chat.
func (e *Engine) closeChat(c *chat, by sb.ClosedBy, comment string) {
	switch c.Status {
	case sb.ChatQueued:
		e.unindexChat(c)
		c.HeldUntil = 0
	case sb.ChatActive:
		e.release(c, true)
		defer e.startWrapUp(c, e.ops[c.OperatorID]) // after the close's events
	}
	c.Status, c.ClosedAt, c.ClosedBy, c.CloseComment = sb.ChatClosed, e.instant(), by, comment
	e.touchChat(c)
	delete(e.chats, c.seq)
	e.removeOpen(c)
	e.clearChatTimers(c)
	switch by {
	case sb.ByOperator:
		e.emit(sb.EventClosedByOperator, c, nil, sb.Event{})
	case sb.ByClient:
		e.emit(sb.EventClosedByClient, c, nil, sb.Event{})
	case sb.ByTimer:
		e.emit(sb.EventClosedByTimer, c, nil, sb.Event{})
	case sb.ByBot:
		e.emit(sb.EventChatReturnedToBot, c, nil, sb.Event{})
	}
	e.emit(sb.EventChatClosed, c, nil, sb.Event{})
	e.pushClosed(c.export())
}

func (e *Engine) message(c *chat, from, author, kind, text string) {
	e.cnt.Message++
	m := sb.Message{ID: e.cnt.Message, ChatID: c.ID, From: from, AuthorID: author, Kind: kind, Text: text, CreatedAt: e.now}
	e.res.Changes.Messages = append(e.res.Changes.Messages, m)
	e.emit(sb.EventMessageCreated, c, nil, sb.Event{Message: &m})
}
