package routing

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Chat returns an open or recently closed chat.
func (e *Engine) Chat(id string) (sb.Chat, bool) {
	if c, err := e.chat(id); err == nil {
		return e.withEstimate(c, map[*group]int{}), true
	}
	for _, c := range e.closed.items() {
		if c.ID == id {
			return c, true
		}
	}
	return sb.Chat{}, false
}

// Operator returns an operator.
func (e *Engine) Operator(id string) (sb.Operator, bool) {
	if o, ok := e.ops[id]; ok {
		return o.snap(), true
	}
	return sb.Operator{}, false
}

// CanReceive reports whether a status can receive chats.
func (e *Engine) CanReceive(status string) bool { return e.canReceive(status) }

// Serves reports whether an operator serves a topic: the topic is empty,
// or an active skill group holds both.
func (e *Engine) Serves(operatorID, topic string) bool {
	if topic == "" {
		return true
	}
	o, ok := e.ops[operatorID]
	return ok && e.serves(o, topic)
}

// Operators returns all operators by id.
func (e *Engine) Operators() []sb.Operator {
	out := make([]sb.Operator, 0, len(e.ops))
	for _, id := range slices.Sorted(maps.Keys(e.ops)) {
		out = append(out, e.ops[id].snap())
	}
	return out
}

// Config returns the configuration.
func (e *Engine) Config() Config {
	cfg := Config{Settings: e.settings, Statuses: slices.Clone(e.statuses)}
	cfg.Settings.DefaultChannelLimits = maps.Clone(e.settings.DefaultChannelLimits)
	for _, a := range slices.Sorted(maps.Keys(e.topics)) {
		cfg.Topics = append(cfg.Topics, e.topics[a])
	}
	for _, g := range sortedGroups(e.groups) {
		cfg.Groups = append(cfg.Groups, g.SkillGroup)
	}
	for _, id := range slices.Sorted(maps.Keys(e.bans)) {
		cfg.Bans = append(cfg.Bans, e.bans[id])
	}
	for _, id := range slices.Sorted(maps.Keys(e.cals)) {
		cfg.Calendars = append(cfg.Calendars, cloneCalendar(e.cals[id].Calendar))
	}
	return cfg
}

// Folder returns the chats of a folder (Folder* constants). With an
// operator id, in_queue and new hold the chats of the topics it serves and
// the other folders its own chats; "mine" needs the operator id.
func (e *Engine) Folder(folder, operatorID string) []sb.Chat {
	o := e.ops[operatorID]
	if operatorID != "" && o == nil {
		return nil
	}
	var out []sb.Chat
	switch folder {
	case FolderInQueue:
		e.idx.qall.ascend(func(k chatKey, _ uint64) bool {
			c := e.chats[k.seq]
			if o == nil || e.serves(o, c.Topic) {
				out = append(out, e.snap(c))
			}
			return true
		})
	case FolderNew, FolderActive, FolderOverdue, FolderMine, FolderOffers:
		for _, c := range e.openChats() {
			if e.inFolder(c, folder, o) {
				out = append(out, c.export())
			}
		}
	case FolderClosed:
		closed := e.closed.items()
		for i := len(closed) - 1; i >= 0; i-- {
			if o == nil || closed[i].OperatorID == o.ID {
				out = append(out, closed[i])
			}
		}
	}
	return out
}

func (e *Engine) inFolder(c *chat, folder string, o *operator) bool {
	switch folder {
	case FolderNew:
		return c.Status == sb.ChatNew && (o == nil || e.serves(o, c.Topic))
	case FolderMine:
		return c.Status == sb.ChatActive && o != nil && c.OperatorID == o.ID
	case FolderActive:
		return c.Status == sb.ChatActive && (o == nil || c.OperatorID == o.ID)
	case FolderOverdue:
		return c.Overdue && (o == nil || c.OperatorID == o.ID)
	case FolderOffers:
		return c.offer != nil && (o == nil || c.offer.To == o.ID)
	}
	return false
}

func (e *Engine) openChats() []*chat {
	cs := slices.Collect(maps.Values(e.chats))
	slices.SortFunc(cs, func(a, b *chat) int { return int(a.seq - b.seq) })
	return cs
}

// Queue returns the queued chats in R3 order with why each waits.
func (e *Engine) Queue() []QueueEntry {
	var out []QueueEntry
	memo := map[*group]int{}
	add := func(c *chat) {
		out = append(out, QueueEntry{
			Chat: e.withEstimate(c, memo), Position: len(out) + 1,
			Waiting: max(e.now.Sub(c.WaitStartedAt.Time()), 0), Reasons: e.whyWaits(c),
		})
	}
	e.idx.qall.ascend(func(k chatKey, _ uint64) bool {
		add(e.chats[k.seq])
		return true
	})
	for _, c := range e.openChats() { // held out of hours: after those routing may give out
		if c.Status == sb.ChatQueued && c.HeldUntil != 0 {
			add(c)
		}
	}
	return out
}

// whyWaits explains why a queued chat has no operator: the main reason
// first, then channel_limit when free operators are at this channel's
// limit.
func (e *Engine) whyWaits(c *chat) []sb.Reason {
	if c.HeldUntil != 0 {
		return []sb.Reason{{Code: ReasonOutOfHours, Message: "business hours are closed: it waits for the opening", NextOpenAt: c.HeldUntil.Time()}}
	}
	if !e.settings.AutoConnect {
		return []sb.Reason{{Code: WarnAutoConnectDisabled, Message: "automatic connection is off"}}
	}
	if o, _, _ := e.bestOp(c); o != nil {
		return []sb.Reason{{Code: "routing", Message: "an operator is eligible; routing in progress"}}
	}
	w := e.waiting(c)
	r := []sb.Reason{w.main()}
	if w.channel > 0 {
		r = append(r, sb.Reason{Code: ReasonChannelLimit, Message: fmt.Sprintf("%d operators are at their %s limit", w.channel, c.Channel)})
	}
	return r
}

// waitReason is the code of why c waits, or "" when an operator may take
// it now.
func (e *Engine) waitReason(c *chat) string {
	if o, _, _ := e.bestOp(c); o != nil {
		return ""
	}
	return e.waiting(c).main().Code
}

// waitCounts counts the operators that serve a waiting chat's topic.
type waitCounts struct {
	servers   int // serve the topic
	receiving int // … with a status that can receive
	excluded  int // … under their limits for this chat, but excluded from it
	channel   int // … under the general limit, at the chat's channel limit
}

func (e *Engine) waiting(c *chat) waitCounts {
	var w waitCounts
	for _, o := range e.servers(c.Topic) {
		w.servers++
		if !o.receiving {
			continue
		}
		w.receiving++
		switch {
		case e.underLimits(o, c.Channel) && excludes(c, o.ID):
			w.excluded++
		case o.load() < e.maxChats(o) && !e.underLimits(o, c.Channel):
			w.channel++
		}
	}
	return w
}

// main is the reason a chat waits: nobody serves its topic, nobody of them
// can receive, some could take it but are excluded (operators_excluded),
// or all of them are at a limit.
func (w waitCounts) main() sb.Reason {
	switch {
	case w.servers == 0:
		return sb.Reason{Code: ReasonNoOperatorForTopic, Message: "no operator serves this topic"}
	case w.receiving == 0:
		return sb.Reason{Code: ReasonNoOperatorOnline, Message: "no operator of this topic is online"}
	case w.excluded > 0:
		return sb.Reason{Code: ReasonOperatorsExcluded, Message: fmt.Sprintf("%d free operators are excluded from this chat (a missed accept or a redistribution); the others are at a limit", w.excluded)}
	}
	return sb.Reason{Code: ReasonAllOperatorsBusy, Message: "every operator of this topic is at a limit"}
}

// servers returns the operators that serve topic.
func (e *Engine) servers(topic string) map[string]*operator {
	out := map[string]*operator{}
	for o := range e.eachServer(topic) {
		out[o.ID] = o
	}
	return out
}

// Diagnostics says why an operator gets no chats (not_found for an unknown
// operator).
func (e *Engine) Diagnostics(operatorID string) (Diagnostics, error) {
	o, err := e.op(operatorID, "operator_id")
	if err != nil {
		return Diagnostics{}, err
	}
	d := Diagnostics{
		OperatorID: o.ID, Status: o.Status, CanReceive: o.receiving,
		Active: o.Active, MaxChats: e.maxChats(o), Eligible: o.in,
		Channels: map[string]ChannelLoad{},
	}
	for _, g := range o.groups {
		d.Topics = append(d.Topics, g.Topics...)
	}
	d.Topics = slices.Compact(slices.Sorted(slices.Values(d.Topics)))
	add := func(code, format string, args ...any) {
		d.Reasons = append(d.Reasons, sb.Reason{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if !e.settings.AutoConnect {
		add("auto_connect_disabled", "automatic connection is off")
	}
	if !o.receiving {
		add("status_cannot_receive", "status %q cannot receive chats", o.Status)
	}
	if len(o.groups) == 0 {
		add("no_skill_group", "not in an active skill group: gets only chats without topic")
	}
	if o.load() >= d.MaxChats {
		add("at_max_chats", "at the general limit (%d of %d, %d of them wrapping up)", o.load(), d.MaxChats, len(o.wrap))
	}
	for _, ch := range slices.Sorted(maps.Keys(e.limits(o))) {
		l := e.limits(o)[ch]
		d.Channels[ch] = ChannelLoad{Active: o.loadOn(ch), Limit: l}
		if o.loadOn(ch) >= l {
			add("channel_limit", "at the %s limit (%d of %d)", ch, o.loadOn(ch), l)
		}
	}
	if !o.Connected {
		add("no_panel_session", "no open panel session")
	}
	for _, c := range e.excl {
		if excludes(c, o.ID) {
			d.ExcludedFrom = append(d.ExcludedFrom, c.ID)
		}
	}
	slices.SortFunc(d.ExcludedFrom, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) })
	if n := len(d.ExcludedFrom); n > 0 {
		add("excluded", "excluded from %d waiting chats (see excluded_from): a missed accept or a redistribution", n)
	}
	if o.in && len(d.ExcludedFrom) == 0 && e.firstChat(o) == nil {
		add("nothing_waiting", "no waiting chat this operator may take")
	}
	return d, nil
}

// Audit returns the recent decisions made at or after since, oldest first.
func (e *Engine) Audit(since time.Time) []sb.Decision {
	all := e.audit.items()
	i, _ := slices.BinarySearchFunc(all, since, func(d sb.Decision, t time.Time) int { return d.At.Compare(t) })
	return all[i:]
}

// Counters returns the engine's sequence numbers.
func (e *Engine) Counters() Counters { return e.cnt }

// Now returns the engine's clock: the latest time it was given.
func (e *Engine) Now() time.Time { return e.now }

// Statuses returns the statuses in creation order.
func (e *Engine) Statuses() []sb.Status { return slices.Clone(e.statuses) }

// QueueLen returns the number of queued chats.
func (e *Engine) QueueLen() int { return e.idx.qall.len() }

// CanSee reports whether a caller of a role, acting as operator opID, may
// see a chat (open or closed): everyone but operators all chats; an
// operator the chats it holds or held, the New and queued chats of the
// topics it serves, and a chat offered to it.
func (e *Engine) CanSee(role, opID string, c *sb.Chat) bool {
	return e.sees(role, opID, c.Status, c.OperatorID, c.Topic) || c.Offer != nil && c.Offer.To == opID
}

// sees is CanSee for a chat's status, operator and topic, without offers.
func (e *Engine) sees(role, opID string, status sb.ChatStatus, holder, topic string) bool {
	if role != sb.RoleOperator || holder == opID {
		return true
	}
	o := e.ops[opID]
	return o != nil && (status == sb.ChatNew || status == sb.ChatQueued) && e.serves(o, topic)
}

// SeesNotes reports whether a caller may read the internal notes of a chat
// it may see: staff, and the operator that holds the chat or is offered it;
// never an integrator (the scenario relays messages to the client).
func SeesNotes(role, opID string, c *sb.Chat) bool {
	switch role {
	case sb.RoleIntegrator:
		return false
	case sb.RoleOperator:
		return c.OperatorID == opID || c.Offer != nil && c.Offer.To == opID
	}
	return true
}

// CanSeeEvent reports whether a caller may see an event: all but operators
// every event; an operator the events of chats it may see or that name it,
// the events by which a chat of its topics leaves New or In Queue (so that
// its panel drops it), its own status changes and wrap-ups, the offers
// made to it, and configuration changes. Notes go only to whom SeesNotes.
func (e *Engine) CanSeeEvent(role, opID string, ev *sb.Event) bool {
	if ev.Message != nil && ev.Message.Kind == sb.MessageNote {
		return ev.Chat != nil && SeesNotes(role, opID, ev.Chat)
	}
	if role != sb.RoleOperator {
		return true
	}
	switch {
	case ev.Target != nil && ev.Target.ID == opID:
		return true
	case ev.Chat != nil && ev.ChatID != "":
		if e.CanSee(role, opID, ev.Chat) || ev.Operator != nil && ev.Operator.ID == opID {
			return true
		}
		o := e.ops[opID]
		return leavesFolder[ev.Name] && o != nil && e.serves(o, ev.Chat.Topic)
	case ev.Name == sb.EventOperatorStatus, ev.Name == sb.EventWrapUpEnded:
		return ev.Operator != nil && ev.Operator.ID == opID
	}
	return ev.Name == sb.EventConfigChanged
}

// leavesFolder are the events by which a chat leaves New or In Queue.
var leavesFolder = map[string]bool{
	sb.EventAutoConnected: true, sb.EventOperatorConnected: true, sb.EventChatTransferred: true,
	sb.EventChatUpdated: true, sb.EventQueueTimeout: true, sb.EventChatClosed: true,
}
