package simulate

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// team is a Team in progress: its operators and its staffing over time.
type team struct {
	*Team
	members  []*op
	changes  []change // staffing breakpoints, in time order
	maxChats int
}

// change: from at on, count operators are on shift.
type change struct {
	at    int64
	count int
}

// op is the simulator's side of one operator.
type op struct {
	id        string
	index     int // in sim.opList
	team      *team
	weight    int64 // its share of the load's denominator: load.scale / max chats
	mix       splitmix
	onShift   bool
	onBreak   bool
	autoOff   bool // the engine switched it off after missed accepts
	gen       uint32
	retGen    uint32
	status    string
	receiving bool
	active    int
}

// desired is the status the operator's schedule asks for.
func (o *op) desired(autoOffline string) string {
	switch {
	case !o.onShift:
		return sb.StatusOffline
	case o.onBreak:
		return sb.StatusBreak
	case o.autoOff:
		return autoOffline
	}
	return sb.StatusOnline
}

// load is what the staffed operators hold now: operators with a status that
// can receive, their active chats as a share of their limits (scaled by
// scale, so the sum stays exact), and those with at least one chat.
type load struct {
	staffed int
	slots   int64
	busy    int
	scale   int64
}

func (l *load) add(o *op, sign int) {
	l.staffed += sign
	l.slots += int64(sign) * int64(o.active) * o.weight
	if o.active > 0 {
		l.busy += sign
	}
}

// addActive changes o's active chats by d.
func (s *sim) addActive(o *op, d int) {
	if o.receiving {
		s.load.add(o, -1)
	}
	o.active += d
	if o.receiving {
		s.load.add(o, 1)
	}
}

func (s *sim) setReceiving(o *op, r bool) {
	if o.receiving == r {
		return
	}
	if o.receiving {
		s.load.add(o, -1)
	}
	o.receiving = r
	if r {
		s.load.add(o, 1)
	}
}

// build creates the contact center in the engine: settings, topics,
// operators, skill groups.
func (s *sim) build(capacity []int) error {
	s.apply(routing.UpdateSettings{Settings: *s.cfg.Settings})
	for _, t := range s.topics() {
		s.apply(routing.CreateTopic{Topic: t})
	}
	s.load.scale = 1
	for i := range s.cfg.Teams {
		t := &team{Team: &s.cfg.Teams[i], maxChats: s.cfg.Teams[i].maxChats(s.cfg.Settings)}
		t.changes = staffingChanges(t.Team, s.sodS, s.end)
		s.load.scale = lcm(s.load.scale, int64(t.maxChats))
		s.teams = append(s.teams, t)
	}
	for i, t := range s.teams {
		n := maxCount(t.changes)
		if capacity != nil {
			n = max(n, capacity[i])
		}
		s.createMembers(t, n)
	}
	return s.createGroups()
}

func (s *sim) createMembers(t *team, n int) {
	for j := range n {
		o := &op{id: fmt.Sprintf("%s-%03d", t.Name, j+1), team: t, status: sb.StatusOffline}
		if j < len(t.OperatorIDs) {
			o.id = t.OperatorIDs[j]
		}
		o.index, o.weight = len(s.ops), s.load.scale/int64(t.maxChats)
		o.mix = splitmix(s.cfg.Seed ^ uint64(o.index+1)*0x2545f4914f6cdd1d)
		mc := t.maxChats
		s.apply(routing.CreateOperator{Operator: sb.Operator{
			ID: o.id, Name: o.id, Role: sb.RoleOperator, MaxChats: &mc, ChannelLimits: t.ChannelLimits,
		}})
		t.members = append(t.members, o)
		s.ops[o.id] = o
		s.opList = append(s.opList, o)
	}
}

// createGroups creates the live skill groups with the teams' operators in
// them, and a group for each team that lists topics of its own.
func (s *sim) createGroups() error {
	known := map[string]bool{}
	for _, g := range s.cfg.SkillGroups {
		known[g.ID] = true
		g.Operators = nil
		for _, t := range s.teams {
			if slices.Contains(t.SkillGroups, g.ID) {
				g.Operators = append(g.Operators, memberIDs(t)...)
			}
		}
		s.apply(routing.CreateSkillGroup{Group: g})
	}
	for _, t := range s.teams {
		for _, id := range t.SkillGroups {
			if !known[id] {
				return fmt.Errorf("teams %q: skill group %q is not in skill_groups", t.Name, id)
			}
		}
		if len(t.Topics) > 0 {
			s.apply(routing.CreateSkillGroup{Group: sb.SkillGroup{
				ID: "team:" + t.Name, Name: t.Name, Topics: t.Topics, Operators: memberIDs(t), Active: true,
			}})
		}
	}
	return s.err
}

func memberIDs(t *team) []string {
	ids := make([]string, len(t.members))
	for i, o := range t.members {
		ids[i] = o.id
	}
	return ids
}

// topics returns the configured topics and those named elsewhere but
// missing, parents before children.
func (s *sim) topics() []sb.Topic {
	have := map[string]sb.Topic{}
	for _, t := range s.cfg.Topics {
		have[t.Alias] = t
	}
	add := func(alias string) {
		if _, ok := have[alias]; !ok && alias != "" {
			have[alias] = sb.Topic{Alias: alias, Name: alias}
		}
	}
	for _, a := range s.cfg.Arrivals {
		add(a.Topic)
	}
	for _, a := range s.cfg.Replay {
		add(a.Topic)
	}
	for _, t := range s.cfg.Teams {
		for _, a := range t.Topics {
			add(a)
		}
	}
	for _, g := range s.cfg.SkillGroups {
		for _, a := range g.Topics {
			add(a)
		}
	}
	return parentsFirst(have)
}

func parentsFirst(have map[string]sb.Topic) []sb.Topic {
	depth := func(t sb.Topic) int {
		d := 0
		for p := t.Parent; p != "" && d <= len(have); d++ {
			p = have[p].Parent
		}
		return d
	}
	out := make([]sb.Topic, 0, len(have))
	for _, t := range have {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b sb.Topic) int {
		if d := depth(a) - depth(b); d != 0 {
			return d
		}
		return cmp.Compare(a.Alias, b.Alias)
	})
	return out
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// lcm is the least common multiple, capped so that the load's sums cannot
// overflow (past the cap occupancy is rounded).
func lcm(a, b int64) int64 {
	l := a / gcd(a, b) * b
	if l > 1<<30 {
		return a
	}
	return l
}

// staffingChanges turns a team's per-hour counts and shifts into
// breakpoints over [0, end), on the clock that starts sodS seconds after
// midnight.
func staffingChanges(t *Team, sodS float64, end int64) []change {
	times := []float64{0}
	endS := secOf(end)
	for b := 3600 - math.Mod(sodS, 3600); b < endS; b += 3600 {
		times = append(times, b)
	}
	for _, sh := range t.Shifts {
		for _, clock := range []string{sh.Start, sh.End} {
			c, _ := clockS(clock)
			for d := c - sodS; d < endS; d += 86400 {
				if d > 0 {
					times = append(times, d)
				}
			}
		}
	}
	slices.Sort(times)
	var out []change
	for _, at := range slices.Compact(times) {
		n := countAt(t, math.Mod(sodS+at, 86400))
		if len(out) == 0 || out[len(out)-1].count != n {
			out = append(out, change{at: nsOf(at), count: n})
		}
	}
	return out
}

// countAt is how many of the team's operators are on shift at a time of
// day (seconds after midnight).
func countAt(t *Team, clock float64) int {
	n := 0
	if len(t.PerHour) > 0 {
		n += t.PerHour[int(clock/3600)%len(t.PerHour)]
	}
	for _, sh := range t.Shifts {
		a, _ := clockS(sh.Start)
		b, _ := clockS(sh.End)
		if (a <= b && clock >= a && clock < b) || (a > b && (clock >= a || clock < b)) {
			n += sh.Count
		}
	}
	return n
}

func maxCount(cs []change) int {
	n := 0
	for _, c := range cs {
		n = max(n, c.count)
	}
	return n
}

// shift applies team i's breakpoint b and schedules the next.
func (s *sim) shift(i, b int) {
	t := s.teams[i]
	s.setOnShift(t, t.changes[b].count)
	if b+1 < len(t.changes) {
		s.schedule(t.changes[b+1].at, evShift, int64(i), uint32(b+1))
	}
}

// setOnShift puts the team's first k operators on shift and the others off.
func (s *sim) setOnShift(t *team, k int) {
	if k > len(t.members) {
		s.err = fmt.Errorf("simulate: team %q needs %d operators, has %d", t.Name, k, len(t.members))
		return
	}
	for j, o := range t.members {
		if want := j < k; want != o.onShift {
			o.onShift, o.onBreak, o.autoOff = want, false, false
			o.gen++
			if want && t.Break.EveryS > 0 {
				s.schedule(s.now+nsOf(o.mix.float64()*t.Break.EveryS), evBreakStart, int64(o.index), o.gen)
			}
			s.sync(o)
		}
	}
}

// sync sets the operator's status to what its schedule asks for.
func (s *sim) sync(o *op) {
	if want := o.desired(s.cfg.Settings.AutoOfflineStatus); want != o.status {
		s.apply(routing.SetOperatorStatus{OperatorID: o.id, Status: want})
	}
}

// statusChanged follows an operator's status. A switch the schedule did
// not ask for is the engine's, after max_missed_chats missed accepts: the
// operator comes back after ReturnAfterS.
func (s *sim) statusChanged(o *op, status string) {
	if o == nil {
		return
	}
	if status != o.desired(s.cfg.Settings.AutoOfflineStatus) && o.onShift {
		o.autoOff = true
		o.retGen++
		s.schedule(s.now+nsOf(s.cfg.ReturnAfterS), evReturn, int64(o.index), o.retGen)
	}
	o.status = status
	s.setReceiving(o, status == sb.StatusOnline)
}

// operatorEvent plays a break or a return.
func (s *sim) operatorEvent(ev event) {
	o := s.opList[ev.a]
	switch {
	case ev.kind == evReturn && ev.b == o.retGen:
		o.autoOff = false
	case ev.kind == evBreakStart && ev.b == o.gen && o.onShift:
		o.onBreak = true
		s.schedule(s.now+nsOf(o.team.Break.LengthS), evBreakEnd, ev.a, o.gen)
	case ev.kind == evBreakEnd && ev.b == o.gen && o.onShift:
		o.onBreak = false
		s.schedule(s.now+nsOf(o.team.Break.EveryS), evBreakStart, ev.a, o.gen)
	default:
		return
	}
	s.sync(o)
}
