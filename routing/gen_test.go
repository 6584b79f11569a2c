package routing

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

// genStart is the time every generated sequence starts at.
var genStart = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

var (
	genAllTopics   = []string{"billing", "support", "sales", "tech", "vip", "refunds"}
	genAllChannels = []string{"telegram", "widget", "viber", "email"}
	genMethods     = []string{sb.MethodDefault, sb.MethodByNumber, sb.MethodByLastDate}
)

// gen produces a random but realistic command stream. It reads the naive
// model to pick mostly valid ids; it never reads the engine. It stays away
// from what docs/ROUTING.md leaves open: several bad fields in one command,
// PresenceLost without a session, reusing a deleted operator's id, topic
// cycles, and an auto-offline status that can receive.
type gen struct {
	r        *rand.Rand
	now      time.Time
	topics   []string
	channels []string
	clients  int
	nextOp   int
	nextGrp  int
	pending  []Command
}

// newGenSeed returns a generator driven by a PCG seeded with seed.
func newGenSeed(seed uint64) *gen {
	return newGen(rand.New(rand.NewPCG(seed, 0x5157c4b0a2d)))
}

// newGenBytes returns a generator whose choices come from data (one byte per
// choice), then from a PCG seeded with a hash of data.
func newGenBytes(data []byte) *gen {
	h := fnv.New64a()
	h.Write(data)
	return newGen(rand.New(&genByteSource{b: data, fb: rand.NewPCG(h.Sum64(), uint64(len(data)))}))
}

// genByteSource puts one input byte in the top bits of each value, so that
// each byte decides about one small choice.
type genByteSource struct {
	b  []byte
	i  int
	fb *rand.PCG
}

func (s *genByteSource) Uint64() uint64 {
	if s.i < len(s.b) {
		v := uint64(s.b[s.i])<<56 | s.fb.Uint64()>>8
		s.i++
		return v
	}
	return s.fb.Uint64()
}

func newGen(r *rand.Rand) *gen {
	g := &gen{r: r, now: genStart}
	g.topics = genAllTopics[:3+r.IntN(4)]
	g.channels = genAllChannels[:2+r.IntN(3)]
	g.clients = 8 + r.IntN(40)
	for i, t := range g.topics {
		tp := sb.Topic{Alias: t, Name: t}
		if i > 0 && r.IntN(3) == 0 {
			tp.Parent = g.parentOf(t)
		}
		g.pending = append(g.pending, CreateTopic{tp})
	}
	g.pending = append(g.pending,
		CreateStatus{sb.Status{ID: "lunch", Name: "Lunch", CanReceive: false}},
		CreateStatus{sb.Status{ID: "overtime", Name: "Overtime", CanReceive: true}},
	)
	s := sb.DefaultSettings()
	g.mutateSettings(&s, 4)
	g.pending = append(g.pending, UpdateSettings{s})
	var ops []string
	for range 3 + r.IntN(4) {
		op := g.newOperator()
		ops = append(ops, op.ID)
		g.pending = append(g.pending, CreateOperator{op}, PresenceRestored{op.ID})
		if r.IntN(5) != 0 {
			g.pending = append(g.pending, SetOperatorStatus{op.ID, sb.StatusOnline})
		}
	}
	for range 2 + r.IntN(2) {
		g.nextGrp++
		grp := sb.SkillGroup{ID: "g" + strconv.Itoa(g.nextGrp), Name: "group", Active: true,
			Topics: g.subset(g.topics, 1, 3), Operators: g.subset(ops, 1, 4)}
		g.pending = append(g.pending, CreateSkillGroup{grp})
	}
	return g
}

// parentOf picks a parent for topic among the topics before it, so that
// the tree has no cycles (R1: subtopics at any depth).
func (g *gen) parentOf(topic string) string {
	i := slices.Index(g.topics, topic)
	if i <= 0 {
		return ""
	}
	return g.topics[g.n(i)]
}

func (g *gen) n(k int) int    { return g.r.IntN(k) }
func (g *gen) pct(p int) bool { return g.r.IntN(100) < p }
func (g *gen) ms(lo, hi int) time.Duration {
	return time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Millisecond
}

func genPick[T any](g *gen, s []T) T { return s[g.r.IntN(len(s))] }

// subset returns lo..hi distinct elements of s in a random order.
func (g *gen) subset(s []string, lo, hi int) []string {
	k := lo + g.n(hi-lo+1)
	p := g.r.Perm(len(s))
	var out []string
	for i := 0; i < k && i < len(p); i++ {
		out = append(out, s[p[i]])
	}
	return out
}

func (g *gen) newOperator() sb.Operator {
	g.nextOp++
	id := fmt.Sprintf("op%02d", g.nextOp)
	op := sb.Operator{ID: id, Name: "Operator " + id, Role: sb.RoleOperator}
	g.limits(&op)
	return op
}

func (g *gen) limits(op *sb.Operator) {
	op.MaxChats, op.ChannelLimits = nil, nil
	if g.pct(55) {
		n := g.n(5)
		if g.pct(3) {
			n = -1
		}
		op.MaxChats = &n
	}
	switch x := g.n(10); {
	case x < 5:
	case x < 6:
		op.ChannelLimits = map[string]int{}
	default:
		op.ChannelLimits = map[string]int{}
		for _, ch := range g.subset(g.channels, 1, 2) {
			op.ChannelLimits[ch] = g.n(3)
		}
		if g.pct(3) {
			op.ChannelLimits[g.channels[0]] = -1
		}
	}
}

// mutateSettings changes k random settings.
func (g *gen) mutateSettings(s *sb.Settings, k int) {
	s.DefaultChannelLimits = maps.Clone(s.DefaultChannelLimits)
	for range k {
		switch g.n(16) {
		case 0, 1:
			s.AutoConnect = !s.AutoConnect || g.pct(50)
		case 2:
			s.DistributionMethod = genPick(g, genMethods)
		case 3:
			s.DefaultMaxChats = 1 + g.n(4)
			if g.pct(5) {
				s.DefaultMaxChats = 0
			}
		case 4:
			switch g.n(3) {
			case 0:
				s.DefaultChannelLimits = nil
			case 1:
				s.DefaultChannelLimits = map[string]int{}
			default:
				s.DefaultChannelLimits = map[string]int{genPick(g, g.channels): g.n(3)}
			}
		case 5:
			s.AcceptTimeoutS = genPick(g, []int{0, 0, 3, 10, 20, 30})
		case 6:
			s.MaxMissedChats = g.n(4)
		case 7:
			s.ResponseTimeoutS = genPick(g, []int{0, 5, 15, 30})
		case 8:
			s.ChatInactivityTimeoutS = genPick(g, []int{0, 0, 20, 30, 60})
		case 9:
			s.ChatInactivityAction = genPick(g, []string{sb.InactivityClose, sb.InactivityRequeue})
		case 10:
			s.QueueTimeoutS = genPick(g, []int{0, 0, 30, 60, 120})
		case 11:
			s.AutoOfflineAfterS = genPick(g, []int{0, 5, 20, 30, 600})
		case 12:
			s.AutoOfflineStatus = genPick(g, []string{sb.StatusOffline, sb.StatusBreak})
			s.AutoOfflineRedistribute = g.pct(80)
		case 13:
			s.TransferOfferTimeoutS = genPick(g, []int{0, 5, 20, 60})
		case 14:
			s.WrapUpS = genPick(g, []int{0, 0, 3, 10, 30})
		case 15:
			s.MaxQueueLength = genPick(g, []int{0, 0, 2, 5})
		}
	}
}

// --- picking from the model ----------------------------------------------

func (g *gen) opIDs(m *naive) []string { return slices.Sorted(maps.Keys(m.ops)) }

// anyOp is an existing operator, sometimes an unknown one.
func (g *gen) anyOp(m *naive) string {
	ids := g.opIDs(m)
	if len(ids) == 0 || g.pct(2) {
		return "ghost"
	}
	return genPick(g, ids)
}

// realOp is an existing operator ("ghost" when there is none).
func (g *gen) realOp(m *naive) string {
	ids := g.opIDs(m)
	if len(ids) == 0 {
		return "ghost"
	}
	return genPick(g, ids)
}

// chats returns the open chats with one of the statuses, by id.
func (g *gen) chats(m *naive, st ...sb.ChatStatus) []*nvChat {
	var out []*nvChat
	for _, c := range m.sortedChats() {
		if slices.Contains(st, c.status) {
			out = append(out, c)
		}
	}
	return out
}

// badChat is a closed or unknown chat id.
func (g *gen) badChat(m *naive) string {
	if len(m.closed) > 0 && g.pct(70) {
		k := min(len(m.closed), 20)
		return strconv.FormatInt(m.closed[len(m.closed)-1-g.n(k)], 10)
	}
	return genPick(g, []string{"0", "999999", "x"})
}

// chatOf picks a chat with one of the statuses, or a bad id.
func (g *gen) chatOf(m *naive, st ...sb.ChatStatus) (string, *nvChat) {
	cs := g.chats(m, st...)
	if len(cs) == 0 || g.pct(5) {
		return g.badChat(m), nil
	}
	c := genPick(g, cs)
	return strconv.FormatInt(c.id, 10), c
}

// knownTopic picks an existing topic, sometimes none.
func (g *gen) knownTopic(m *naive) string {
	topics := slices.Sorted(maps.Keys(m.topics))
	if len(topics) == 0 || g.pct(15) {
		return ""
	}
	return genPick(g, topics)
}

// --- the stream ------------------------------------------------------------

// next returns the time and the command of the next step.
func (g *gen) next(m *naive) (time.Time, Command) {
	if len(g.pending) > 0 {
		g.now = g.now.Add(g.ms(0, 50))
		c := g.pending[0]
		g.pending = g.pending[1:]
		return g.now, c
	}
	g.advance(m)
	if g.pct(1) {
		g.burst(m)
	}
	at := g.now
	if g.pct(2) {
		at = at.Add(-g.ms(1, 3000)) // a late command: the engine clamps it
	}
	return at, g.command(m)
}

func (g *gen) advance(m *naive) {
	switch x := g.n(100); {
	case x < 20:
	case x < 72:
		g.now = g.now.Add(g.ms(1, 2000))
	case x < 88:
		g.now = g.now.Add(g.ms(2000, 10000))
	case x < 95:
		if d, ok := m.nextDeadline(); ok && d.After(g.now) {
			if g.pct(30) {
				d = d.Add(-time.Millisecond)
			}
			if d.After(g.now) {
				g.now = d
			}
		}
	case x < 99:
		g.now = g.now.Add(g.ms(20000, 120000))
	default:
		if g.pct(30) {
			g.now = g.now.Add(g.ms(120000, 900000))
		}
	}
}

// burst queues a run of commands at one instant: many connects, or every
// operator going online (big R4 drains).
func (g *gen) burst(m *naive) {
	if g.pct(50) {
		for range 5 + g.n(20) {
			c := g.connect(m).(Connect)
			c.AutoConnect, c.Status = true, "queue"
			g.pending = append(g.pending, c)
		}
		return
	}
	for _, id := range g.opIDs(m) {
		g.pending = append(g.pending, SetOperatorStatus{id, sb.StatusOnline})
	}
}

func (g *gen) command(m *naive) Command {
	open := len(m.chats)
	weights := []int{
		24, // connect
		10, // close
		6,  // client message
		7,  // operator message
		7,  // accept
		4,  // take
		4,  // assign
		3,  // transfer
		6,  // status
		4,  // presence
		2,  // redistribute
		8,  // tick
		2,  // settings
		3,  // skill groups
		3,  // operators
		1,  // bans
		1,  // statuses
		1,  // topics
		2,  // return to bot
		2,  // update chat
		8,  // working together
	}
	if open > 40 {
		weights[0], weights[1] = 8, 25
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.n(total)
	k := 0
	for ; x >= weights[k]; k++ {
		x -= weights[k]
	}
	switch k {
	case 0:
		return g.connect(m)
	case 1:
		id, c := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatActive, sb.ChatActive)
		cl := Close{ChatID: id, By: genPick(g, []sb.ClosedBy{sb.ByOperator, sb.ByOperator, sb.ByClient, sb.BySystem})}
		if g.pct(60) {
			cl.OperatorID, cl.Role = g.caller(m, c)
		}
		return cl
	case 2:
		id, _ := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatActive, sb.ChatActive)
		return ClientMessage{ChatID: id, Text: "hello?"}
	case 3:
		id, c := g.chatOf(m, sb.ChatActive)
		op := g.realOp(m)
		if c != nil && g.pct(90) {
			op = c.op
		}
		return OperatorMessage{ChatID: id, OperatorID: op, Role: g.roleOf(), Text: "hi"}
	case 4:
		id, c := g.chatOf(m, sb.ChatActive)
		op := g.realOp(m)
		if c != nil && g.pct(85) {
			op = c.op
		}
		return Accept{ChatID: id, OperatorID: op, Role: g.roleOf()}
	case 5:
		id, c := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatNew, sb.ChatQueued, sb.ChatActive)
		return Take{ChatID: id, OperatorID: g.opFor(m, c), Role: g.roleOf()}
	case 6:
		id, c := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatActive)
		return Assign{ChatID: id, OperatorID: g.opFor(m, c), Force: g.pct(40)}
	case 7:
		id, c := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatActive, sb.ChatActive)
		t := Transfer{ChatID: id, Topic: g.knownTopic(m)}
		if c != nil && g.pct(4) {
			t.Topic = "nope"
		}
		if g.pct(60) {
			t.OperatorID, t.Role = g.caller(m, c)
		}
		return t
	case 8:
		st := genPick(g, []string{"online", "online", "online", "online", "break", "offline", "lunch", "overtime"})
		if g.pct(2) {
			st = "nope"
		}
		return SetOperatorStatus{OperatorID: g.anyOp(m), Status: st}
	case 9:
		id := g.anyOp(m)
		if o := m.ops[id]; o != nil && o.connected && g.pct(90) {
			return PresenceLost{id}
		}
		return PresenceRestored{id}
	case 10:
		r := Redistribute{OperatorID: g.anyOp(m), Status: genPick(g, []string{"", "", "break", "offline", "lunch", "online"})}
		if g.pct(2) {
			r.Status = "nope"
		}
		if g.pct(40) {
			w := g.n(4)
			if g.pct(3) {
				w = -1
			}
			r.Weight = &w
		}
		return r
	case 11:
		return Tick{}
	case 12:
		return g.settings(m)
	case 13:
		return g.group(m)
	case 14:
		return g.operator(m)
	case 15:
		return g.ban(m)
	case 16:
		return g.status(m)
	case 17:
		return g.topicCmd(m)
	case 18:
		id, c := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatActive, sb.ChatActive)
		op, role := g.caller(m, c)
		return ReturnToBot{ChatID: id, OperatorID: op, Role: role, Comment: "back to the menu"}
	case 19:
		id, c := g.chatOf(m, sb.ChatNew, sb.ChatQueued, sb.ChatActive, sb.ChatActive)
		op, role := g.caller(m, c)
		u := UpdateChat{ChatID: id, OperatorID: op, Role: role}
		if g.pct(70) {
			t := g.knownTopic(m)
			if g.pct(4) {
				t = "nope"
			}
			u.Topic = &t
		}
		if g.pct(50) {
			u.Tags = &[]string{"vip"}
		}
		return u
	default:
		return g.together(m)
	}
}

// together is a command of working together: an offer to a colleague and
// its answers, a note, or an operator's Ready.
func (g *gen) together(m *naive) Command {
	switch g.n(9) {
	case 0, 1, 2:
		id, c := g.chatOf(m, sb.ChatActive, sb.ChatActive, sb.ChatActive, sb.ChatQueued)
		op, role := g.caller(m, c)
		o := OfferTransfer{ChatID: id, OperatorID: op, Role: role, To: g.anyOp(m), Force: g.pct(25)}
		if g.pct(40) {
			o.Note = "wants a refund"
		}
		return o
	case 3, 4, 5:
		var offered []*nvChat
		for _, c := range m.sortedChats() {
			if c.offer != nil {
				offered = append(offered, c)
			}
		}
		id, c := g.chatOf(m, sb.ChatActive)
		if len(offered) > 0 && g.pct(90) {
			c = genPick(g, offered)
			id = strconv.FormatInt(c.id, 10)
		}
		op, role := g.caller(m, c)
		if c != nil && c.offer != nil && g.pct(70) {
			op, role = c.offer.to, sb.RoleOperator
		}
		switch g.n(5) {
		case 0, 1:
			return AcceptOffer{ChatID: id, OperatorID: op, Role: role}
		case 2, 3:
			return DeclineOffer{ChatID: id, OperatorID: op, Role: role, Reason: "busy"}
		}
		if c != nil && g.pct(70) {
			op, role = c.op, sb.RoleOperator
		}
		return WithdrawOffer{ChatID: id, OperatorID: op, Role: role}
	case 6, 7:
		id, c := g.chatOf(m, sb.ChatActive, sb.ChatActive, sb.ChatNew, sb.ChatQueued)
		op, role := g.caller(m, c)
		if c == nil && len(m.closed) > 0 && g.pct(50) {
			n := m.closed[len(m.closed)-1-g.n(min(len(m.closed), 10))]
			id, op, role = strconv.FormatInt(n, 10), m.gone[n].op, sb.RoleOperator
		}
		text := "order 1182"
		if g.pct(3) {
			text = ""
		}
		return AddNote{ChatID: id, OperatorID: op, Role: role, Text: text}
	}
	return EndWrapUp{OperatorID: g.anyOp(m)}
}

// caller picks who acts on chat c (nil: a bad id): mostly its operator,
// sometimes another operator, staff, an integrator or an unknown role.
func (g *gen) caller(m *naive, c *nvChat) (op, role string) {
	switch x := g.n(100); {
	case x < 50 && c != nil && c.op != "":
		return c.op, sb.RoleOperator
	case x < 70:
		return g.anyOp(m), sb.RoleOperator
	case x < 97:
		return "", genPick(g, []string{sb.RoleSupervisor, sb.RoleAdmin, sb.RoleIntegrator})
	}
	return "", "guest"
}

// roleOf is the role of a caller that acts as a given operator: mostly an
// operator, sometimes staff or the system.
func (g *gen) roleOf() string {
	return genPick(g, []string{sb.RoleOperator, sb.RoleOperator, sb.RoleOperator, sb.RoleSupervisor, ""})
}

// opFor picks an operator for a take or an assign: often one that serves
// the chat's topic.
func (g *gen) opFor(m *naive, c *nvChat) string {
	if c == nil {
		return g.realOp(m)
	}
	if g.pct(60) {
		var serving []string
		for _, o := range m.sortedOps() {
			if m.serves(o, c.topic) {
				serving = append(serving, o.id)
			}
		}
		if len(serving) > 0 {
			return genPick(g, serving)
		}
	}
	return g.anyOp(m)
}

func (g *gen) connect(m *naive) Command {
	c := Connect{
		Client:      sb.Client{ID: "c" + strconv.Itoa(g.n(g.clients)), Name: "Client", Channel: genPick(g, g.channels)},
		Text:        "I need help",
		Topic:       g.knownTopic(m),
		AutoConnect: g.pct(75),
		Weight:      g.n(4),
	}
	if g.pct(45) {
		c.Status = "queue"
	}
	if g.pct(20) {
		c.Operator = g.realOp(m)
	}
	// At most one bad field: the precedence among several is not tested.
	switch g.n(100) {
	case 0:
		c.Client.ID = ""
	case 1:
		c.Client.Channel = ""
	case 2:
		c.Weight = -1
	case 3, 4, 5:
		c.Topic = "nope"
	case 6, 7:
		c.Status = "later"
	case 8:
		c.Operator = "ghost"
	}
	return c
}

func (g *gen) settings(m *naive) Command {
	s := m.set
	g.mutateSettings(&s, 1+g.n(3))
	if g.pct(5) {
		switch g.n(6) {
		case 5:
			s.QueueTimeoutS = MaxTimerS + 1 // past a year: it would overflow, so invalid
		case 0:
			s.DistributionMethod = "round_robin"
		case 1:
			s.AcceptTimeoutS = -1
		case 2:
			s.ChatInactivityAction = "archive"
		case 3:
			s.AutoOfflineStatus = "nope"
		default:
			s.DefaultMaxChats = -2
		}
	}
	if g.pct(30) { // a patch of a few settings
		p := PatchSettings{}
		if g.pct(50) {
			p.AcceptTimeoutS = &s.AcceptTimeoutS
		}
		if g.pct(50) {
			p.AutoConnect = &s.AutoConnect
		}
		if g.pct(30) {
			p.DefaultMaxChats = &s.DefaultMaxChats
		}
		if g.pct(30) {
			p.DistributionMethod = &s.DistributionMethod
		}
		return p
	}
	return UpdateSettings{s}
}

func (g *gen) group(m *naive) Command {
	ids := slices.Sorted(maps.Keys(m.groups))
	ops := g.opIDs(m)
	topics := slices.Sorted(maps.Keys(m.topics))
	fresh := func(id string) sb.SkillGroup {
		grp := sb.SkillGroup{ID: id, Name: "group " + id, Active: g.pct(85),
			Topics: g.subset(topics, 1, 3), Operators: g.subset(ops, 0, 4)}
		if g.pct(25) {
			grp.AcceptTimeoutS = genPick(g, []int{0, 2, 5, 15})
		}
		if g.pct(25) {
			grp.ResponseTimeoutS = genPick(g, []int{0, 3, 10})
		}
		if g.pct(20) {
			grp.WrapUpS = genPick(g, []int{0, 2, 8})
		}
		switch g.n(40) {
		case 0:
			grp.Topics = append(grp.Topics, "nope")
		case 1:
			grp.Operators = append(grp.Operators, "ghost")
		case 2:
			grp.AcceptTimeoutS = MaxTimerS + 1 // past a year: invalid
		}
		return grp
	}
	switch x := g.n(100); {
	case x < 15 || len(ids) == 0:
		if len(ids) >= 5 && g.pct(80) {
			return DeleteSkillGroup{genPick(g, ids)}
		}
		g.nextGrp++
		return CreateSkillGroup{fresh("g" + strconv.Itoa(g.nextGrp))}
	case x < 25:
		if g.pct(10) {
			return DeleteSkillGroup{"nope"}
		}
		return DeleteSkillGroup{genPick(g, ids)}
	case x < 40:
		grp := nvCloneGroup(m.groups[genPick(g, ids)])
		grp.Active = !grp.Active
		return UpdateSkillGroup{grp}
	case x < 50:
		p := PatchSkillGroup{ID: genPick(g, ids)}
		if g.pct(50) {
			active := g.pct(70)
			p.Active = &active
		}
		if g.pct(50) {
			ops := g.subset(ops, 0, 4)
			p.Operators = Field[[]string]{Set: true, V: &ops}
		}
		if g.pct(3) {
			p.ID = "nope"
		}
		return p
	case x < 75:
		// add or remove one operator
		grp := nvCloneGroup(m.groups[genPick(g, ids)])
		if len(ops) > 0 {
			op := genPick(g, ops)
			if i := slices.Index(grp.Operators, op); i >= 0 {
				grp.Operators = slices.Delete(grp.Operators, i, i+1)
			} else {
				grp.Operators = append(grp.Operators, op)
			}
		}
		return UpdateSkillGroup{grp}
	default:
		if g.pct(3) {
			return UpdateSkillGroup{fresh("nope")}
		}
		return UpdateSkillGroup{fresh(genPick(g, ids))}
	}
}

func (g *gen) operator(m *naive) Command {
	ids := g.opIDs(m)
	switch x := g.n(100); {
	case (x < 25 && len(ids) < 12) || len(ids) < 3:
		if len(ids) > 0 && g.pct(3) {
			return CreateOperator{sb.Operator{ID: genPick(g, ids), Name: "dup"}}
		}
		return CreateOperator{g.newOperator()}
	case x < 40:
		return DeleteOperator{g.anyOp(m)}
	case x < 70:
		op := sb.Operator{ID: g.anyOp(m), Name: "renamed", Role: sb.RoleOperator}
		g.limits(&op)
		return UpdateOperator{op}
	default: // a patch: limits set, back to the default, or left alone
		op := sb.Operator{}
		g.limits(&op)
		p := PatchOperator{ID: g.anyOp(m)}
		if g.pct(60) {
			p.MaxChats = Field[int]{Set: true, V: op.MaxChats}
		}
		if g.pct(60) {
			p.ChannelLimits = Field[map[string]int]{Set: true}
			if op.ChannelLimits != nil {
				p.ChannelLimits.V = &op.ChannelLimits
			}
		}
		return p
	}
}

func (g *gen) ban(m *naive) Command {
	if len(m.bans) > 8 || len(m.bans) > 0 && g.pct(40) {
		if g.pct(10) {
			return DeleteBan{"nope"}
		}
		return DeleteBan{genPick(g, slices.Sorted(maps.Keys(m.bans)))}
	}
	b := sb.Ban{ClientID: "c" + strconv.Itoa(g.n(g.clients)), Until: g.now.Add(g.ms(0, 120000)), Reason: "spam"}
	if g.pct(50) {
		b.Channel = genPick(g, g.channels)
	}
	return CreateBan{b}
}

func (g *gen) status(m *naive) Command {
	defaults := map[string]sb.Status{}
	for _, s := range sb.DefaultStatuses() {
		defaults[s.ID] = s
	}
	custom := map[string]bool{"lunch": false, "overtime": true}
	switch x := g.n(100); {
	case x < 40:
		id := genPick(g, []string{"lunch", "overtime"})
		if _, ok := m.statuses[id]; !ok {
			return CreateStatus{sb.Status{ID: id, Name: id, CanReceive: custom[id]}}
		}
		if g.pct(50) {
			recv := !m.statuses[id].CanReceive
			return PatchStatus{ID: id, CanReceive: &recv}
		}
		return UpdateStatus{sb.Status{ID: id, Name: id, CanReceive: !m.statuses[id].CanReceive}}
	case x < 75:
		return DeleteStatus{genPick(g, []string{"lunch", "overtime", "lunch", "overtime", "break", "offline", "online", "nope"})}
	default:
		for _, id := range []string{"online", "break", "lunch", "overtime"} {
			if _, ok := m.statuses[id]; !ok {
				s, ok := defaults[id]
				if !ok {
					s = sb.Status{ID: id, Name: id, CanReceive: custom[id]}
				}
				return CreateStatus{s}
			}
		}
		if g.pct(50) {
			return CreateStatus{sb.Status{ID: "lunch", Name: "dup"}}
		}
		return UpdateStatus{sb.Status{ID: "nope", Name: "nope"}}
	}
}

func (g *gen) topicCmd(m *naive) Command {
	alias := genPick(g, g.topics)
	_, exists := m.topics[alias]
	switch x := g.n(100); {
	case x < 40:
		return DeleteTopic{alias}
	case x < 70 || !exists:
		return CreateTopic{sb.Topic{Alias: alias, Name: alias}}
	case x < 85:
		t := sb.Topic{Alias: alias, Name: "renamed"}
		if g.pct(40) {
			t.Parent = g.parentOf(alias) // an earlier topic: no cycles
		}
		if g.pct(30) {
			t.MaxQueueLength = 1 + g.n(3)
		}
		return UpdateTopic{t}
	default:
		parent := g.parentOf(alias)
		return PatchTopic{Alias: alias, Parent: &parent}
	}
}

// genString renders a command for failure reports.
func genString(now time.Time, cmd Command) string {
	s := fmt.Sprintf("%+v", cmd)
	switch c := cmd.(type) {
	case Redistribute:
		w := "nil"
		if c.Weight != nil {
			w = strconv.Itoa(*c.Weight)
		}
		s = fmt.Sprintf("{OperatorID:%s Status:%s Weight:%s}", c.OperatorID, c.Status, w)
	case CreateOperator, UpdateOperator:
		var o sb.Operator
		if x, ok := c.(CreateOperator); ok {
			o = x.Operator
		} else {
			o = c.(UpdateOperator).Operator
		}
		mx := "nil"
		if o.MaxChats != nil {
			mx = strconv.Itoa(*o.MaxChats)
		}
		s = fmt.Sprintf("{ID:%s MaxChats:%s ChannelLimits:%v(nil=%v)}", o.ID, mx, o.ChannelLimits, o.ChannelLimits == nil)
	}
	return fmt.Sprintf("%s %T%s", now.Sub(genStart), cmd, s)
}
