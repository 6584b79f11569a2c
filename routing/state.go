package routing

import (
	"maps"
	"slices"
	"strconv"

	sb "github.com/switchboard/switchboard"
)

// Export returns the whole state. Queue positions are left out: they are
// derived.
func (e *Engine) Export() State {
	st := State{Config: e.Config(), Operators: e.Operators(), Counters: e.cnt, Now: e.now}
	for _, c := range e.openChats() {
		st.Chats = append(st.Chats, c.export())
	}
	st.Closed = e.closed.items()
	st.Audit = e.audit.items()
	return st
}

// Import rebuilds an engine from an exported state. It checks that the
// state is consistent (R9.1: every active chat with one known operator, the
// operators' loads equal to their chats) and fails with EINVALID if not.
func Import(st State) (*Engine, error) {
	e := New(st.Now)
	e.cnt = st.Counters
	if err := e.importConfig(st.Config); err != nil {
		return nil, err
	}
	for _, in := range st.Operators {
		if _, ok := e.status(in.Status); !ok || e.ops[in.ID] != nil {
			return nil, sb.Errorf(sb.EINVALID, "operators", "operator %q: duplicate or unknown status", in.ID)
		}
		o := &operator{Operator: in, tpos: noOpTimers}
		o.ChannelLimits = maps.Clone(in.ChannelLimits)
		o.Active, o.ActiveByChannel, o.WrapUp = 0, nil, nil
		for _, w := range in.WrapUp {
			seq, _ := strconv.ParseInt(w.ChatID, 10, 64)
			o.wrap = append(o.wrap, wrapUp{seq: seq, id: w.ChatID, channel: e.intern(w.Channel), until: instantOf(w.Until)})
		}
		e.ops[o.ID] = o
	}
	for _, g := range st.Config.Groups {
		if err := e.validateGroup(g); err != nil {
			return nil, err
		}
		e.groups[g.ID] = newGroup(g)
	}
	if err := e.importChats(st.Chats); err != nil {
		return nil, err
	}
	for _, in := range st.Operators {
		if o := e.ops[in.ID]; o.Active != in.Active || !maps.Equal(o.ActiveByChannel, in.ActiveByChannel) {
			return nil, sb.Errorf(sb.EINVALID, "operators", "operator %q: load does not match its chats", in.ID)
		}
	}
	for _, c := range st.Closed {
		e.pushClosed(c)
	}
	for _, d := range st.Audit {
		e.audit.push(d)
	}
	e.rebuild()
	for _, o := range e.dirtyOps {
		o.dirty = false
	}
	e.dirtyOps = nil
	e.rewatch()
	return e, nil
}

func (e *Engine) importConfig(cfg Config) error {
	e.settings = cfg.Settings
	if e.settings.DefaultChannelLimits == nil {
		e.settings.DefaultChannelLimits = map[string]int{}
	}
	e.statuses = slices.Clone(cfg.Statuses)
	for _, c := range cfg.Calendars {
		hours, err := c.Compile()
		if err != nil {
			return err
		}
		e.cals[c.ID] = &calendar{Calendar: cloneCalendar(c), hours: hours}
	}
	for _, t := range cfg.Topics {
		e.topics[t.Alias] = t
	}
	for _, b := range cfg.Bans {
		e.bans[b.ID] = b
	}
	if _, ok := e.status(sb.StatusOffline); !ok {
		return sb.Errorf(sb.EINVALID, "statuses", "the offline status is missing")
	}
	return e.validateSettings(e.settings)
}

func (e *Engine) importChats(chats []sb.Chat) error {
	e.chats, e.byClient = make(map[int64]*chat, len(chats)), make(map[string]*chat, len(chats))
	for _, in := range chats {
		seq, err := strconv.ParseInt(in.ID, 10, 64)
		if err != nil || e.chats[seq] != nil || !in.Open() || seq > e.cnt.Chat {
			return sb.Errorf(sb.EINVALID, "chats", "chat %q: bad or duplicate id, or not open", in.ID)
		}
		in.QueuePosition = 0
		c := newChat(in, seq)
		c.pack()
		c.Client.Channel, c.Topic = e.intern(c.Client.Channel), e.intern(c.Topic)
		c.Channel = c.Client.Channel
		if e.openChat(c.Client) != nil {
			return sb.Errorf(sb.EINVALID, "chats", "chat %q: client has two open chats", in.ID)
		}
		e.addOpen(c)
		e.chats[seq] = c
		if c.offer != nil {
			e.offers[seq] = c
		}
		if c.Status != sb.ChatActive {
			if c.OperatorID != "" {
				return sb.Errorf(sb.EINVALID, "chats", "chat %q: %s with an operator", in.ID, c.Status)
			}
			continue
		}
		o := e.ops[c.OperatorID]
		if o == nil {
			return sb.Errorf(sb.EINVALID, "chats", "chat %q: unknown operator %q", in.ID, c.OperatorID)
		}
		o.Active++
		if o.ActiveByChannel == nil {
			o.ActiveByChannel, o.mine = map[string]int{}, map[int64]*chat{}
		}
		o.ActiveByChannel[c.Channel]++
		o.mine[seq] = c
	}
	return nil
}
