package simulate

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
)

// History is what a server's own chats, created in [From, To), say about
// its clients: when they came (topic, channel), how long operators kept
// them and how long they were willing to wait.
type History struct {
	From, To time.Time
	// Replay is every chat as a replayed arrival, with its own handle time
	// when it was connected and closed, its patience when its client left
	// the queue, and the wait it is known to have accepted when it was
	// connected.
	Replay []Arrival
	// Streams are Poisson streams with each (topic, channel)'s mean
	// arrivals per hour of day over the period.
	Streams []Stream
	// HandleTime draws from every observed handle time (assignment →
	// close); HandleTimeByTopic from a topic's own, for topics with at
	// least minTopicSamples of them.
	HandleTime        Dist
	HandleTimeByTopic map[string]Dist
	// Patience is exponential with the censored maximum-likelihood mean:
	// the waits of every client (those who left, and those connected or
	// timed out, who would have waited at least that long) ÷ the clients
	// who left. Zero when nobody left.
	Patience Dist
	// Counts of the chats read.
	Chats, Connected, Abandoned int
}

const minTopicSamples = 30

// FitHistory derives arrivals, handle times and patience from chats (as
// Store.ChatsCreated returns them: each in its latest state). Chats
// created outside [from, to) are skipped. A chat's wait is taken to its
// latest assignment, the only one its stored state keeps.
func FitHistory(chats []sb.Chat, from, to time.Time) History {
	h := History{From: from, To: to, HandleTimeByTopic: map[string]Dist{}}
	var all []float64
	byTopic := map[string][]float64{}
	var exposure float64
	for _, c := range chats {
		if c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		a, handle, waited := arrivalOf(c, from)
		h.Chats++
		exposure += waited
		if handle > 0 {
			all = append(all, handle)
			byTopic[c.Topic] = append(byTopic[c.Topic], handle)
		}
		if !c.AssignedAt.IsZero() {
			h.Connected++
		} else if a.PatienceS > 0 {
			h.Abandoned++
		}
		h.Replay = append(h.Replay, a)
	}
	slices.SortStableFunc(h.Replay, func(a, b Arrival) int { return cmp.Compare(a.AtS, b.AtS) })
	if len(all) > 0 {
		h.HandleTime = Dist{Kind: DistEmpirical, SamplesS: all}
	}
	for topic, v := range byTopic {
		if len(v) >= minTopicSamples {
			h.HandleTimeByTopic[topic] = Dist{Kind: DistEmpirical, SamplesS: v}
		}
	}
	if h.Abandoned > 0 {
		h.Patience = Dist{Kind: DistExponential, MeanS: exposure / float64(h.Abandoned)}
	}
	h.Streams = streamsOf(h.Replay, from, to)
	return h
}

// arrivalOf is one chat as a replayed arrival, its handle time (0: none)
// and how long its client is known to have waited.
func arrivalOf(c sb.Chat, from time.Time) (a Arrival, handleS, waitedS float64) {
	a = Arrival{AtS: c.CreatedAt.Sub(from).Seconds(), Topic: c.Topic, Channel: c.Channel}
	switch {
	case !c.AssignedAt.IsZero():
		waitedS = c.AssignedAt.Sub(c.CreatedAt).Seconds()
		a.MinPatienceS = waitedS
		if !c.ClosedAt.IsZero() && c.ClosedAt.After(c.AssignedAt) {
			handleS = c.ClosedAt.Sub(c.AssignedAt).Seconds()
			a.HandleS = handleS
		}
	case c.ClosedAt.IsZero(): // still waiting: its wait is not known yet
	case c.ClosedBy == sb.ByClient:
		waitedS = c.ClosedAt.Sub(c.CreatedAt).Seconds()
		a.PatienceS = max(waitedS, 1e-3)
	default: // closed unconnected by a timer or the system: waited at least this
		waitedS = c.ClosedAt.Sub(c.CreatedAt).Seconds()
		a.MinPatienceS = waitedS
	}
	return a, handleS, waitedS
}

// streamsOf turns arrivals into Poisson streams: per (topic, channel), the
// arrivals in each hour of day ÷ how often that hour occurs in [from, to).
func streamsOf(arr []Arrival, from, to time.Time) []Stream {
	var seen [24]float64
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		seen[t.Hour()] += min(1, to.Sub(t).Hours())
	}
	counts := map[[2]string]*[24]float64{}
	for _, a := range arr {
		k := [2]string{a.Topic, a.Channel}
		if counts[k] == nil {
			counts[k] = new([24]float64)
		}
		counts[k][from.Add(time.Duration(a.AtS*1e9)).Hour()]++
	}
	var out []Stream
	for _, k := range slices.SortedFunc(maps.Keys(counts), func(a, b [2]string) int {
		return cmp.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1])
	}) {
		s := Stream{Topic: k[0], Channel: k[1], PerHour: make([]float64, 24)}
		for hr := range s.PerHour {
			if seen[hr] > 0 {
				s.PerHour[hr] = counts[k][hr] / seen[hr]
			}
		}
		out = append(out, s)
	}
	return out
}

// Use puts the history into cfg: the period, the handle times and the
// patience, and either the replayed arrivals (replay) or the Poisson
// streams of an average day.
func (h History) Use(cfg *Config, replay bool) {
	cfg.Start = h.From
	if replay {
		cfg.Replay, cfg.Arrivals = h.Replay, nil
		cfg.DurationS = h.To.Sub(h.From).Seconds()
	} else {
		cfg.Replay, cfg.Arrivals = nil, h.Streams
		cfg.DurationS = 86400
	}
	if !h.HandleTime.IsZero() {
		cfg.HandleTime, cfg.HandleTimeByTopic = h.HandleTime, h.HandleTimeByTopic
	}
	cfg.Patience = h.Patience
}

// Live fills cfg's contact center from a server's live configuration:
// its settings, topics, skill groups, and its operators as teams
// (TeamsFromOperators), all on shift for the whole run.
func Live(cfg *Config, live sb.Config, ops []sb.Operator) {
	set := live.Settings
	cfg.Settings = &set
	cfg.Topics = live.Topics
	cfg.SkillGroups = live.Groups
	cfg.Teams = TeamsFromOperators(ops, live.Groups, live.Settings)
}

// TeamsFromOperators groups live operators into teams of identical ones:
// the same active skill groups, general limit and channel limits. Each
// team's count is its number of operators, on shift all day.
func TeamsFromOperators(ops []sb.Operator, groups []sb.SkillGroup, set sb.Settings) []Team {
	byKey := map[string]*Team{}
	var order []string
	for _, o := range ops {
		t := teamOf(o, groups, set)
		key := fmt.Sprint(t.SkillGroups, t.MaxChats, t.ChannelLimits, t.ChannelLimits == nil)
		if byKey[key] == nil {
			byKey[key] = &t
			order = append(order, key)
		}
		byKey[key].PerHour[0]++
		byKey[key].OperatorIDs = append(byKey[key].OperatorIDs, o.ID)
	}
	var out []Team
	names := map[string]int{}
	for _, key := range order {
		t := *byKey[key]
		base := strings.Join(t.SkillGroups, "+")
		if base == "" {
			base = "no-group"
		}
		names[base]++
		t.Name = base
		if names[base] > 1 {
			t.Name = fmt.Sprintf("%s#%d", base, names[base])
		}
		out = append(out, t)
	}
	return out
}

// teamOf is the team an operator belongs in, with a count of 0.
func teamOf(o sb.Operator, groups []sb.SkillGroup, set sb.Settings) Team {
	t := Team{MaxChats: set.DefaultMaxChats, ChannelLimits: o.ChannelLimits, PerHour: []int{0}}
	if o.MaxChats != nil {
		t.MaxChats = *o.MaxChats
	}
	for _, g := range groups {
		if g.Active && slices.Contains(g.Operators, o.ID) {
			t.SkillGroups = append(t.SkillGroups, g.ID)
		}
	}
	slices.Sort(t.SkillGroups)
	return t
}

// ScaleTeams sets the teams' counts, all day, to total operators shared in
// proportion to their current largest counts (equally when all are 0).
func ScaleTeams(teams []Team, total int) {
	w := make([]float64, len(teams))
	for i, t := range teams {
		w[i] = float64(maxCountOf(&t))
	}
	for i, n := range largestRemainder(w, total) {
		teams[i].PerHour, teams[i].Shifts = []int{n}, nil
	}
}

// ScaleTeamsPerHour sets the teams' counts hour by hour: perHour (24
// values, or one for the whole day) operators in each hour of day, shared
// among the teams in proportion to their current largest counts (equally
// when all are 0). Shifts are dropped.
func ScaleTeamsPerHour(teams []Team, perHour []int) {
	if len(perHour) == 1 {
		ScaleTeams(teams, perHour[0])
		return
	}
	w := make([]float64, len(teams))
	for i, t := range teams {
		w[i] = float64(maxCountOf(&t))
		teams[i].PerHour, teams[i].Shifts = make([]int, len(perHour)), nil
	}
	for h, n := range perHour {
		for i, k := range largestRemainder(w, n) {
			teams[i].PerHour[h] = k
		}
	}
}

func maxCountOf(t *Team) int {
	n := 0
	for h := range 24 {
		n = max(n, countAt(t, float64(h*3600)))
	}
	return n
}

// largestRemainder splits n in proportion to weights w (equally when they
// sum to 0), rounding by largest remainder.
func largestRemainder(w []float64, n int) []int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	out := make([]int, len(w))
	rem := make([]float64, len(w))
	left := n
	for i, x := range w {
		share := 1 / float64(len(w))
		if sum > 0 {
			share = x / sum
		}
		v := share * float64(n)
		out[i] = int(v)
		rem[i] = v - float64(out[i])
		left -= out[i]
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}
