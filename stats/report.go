package stats

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Groupings of a report's rows.
const (
	ByHour       = "hour"
	ByDay        = "day"
	ByHourOfDay  = "hour_of_day"
	ByOperator   = "operator"
	ByTopic      = "topic"
	ByChannel    = "channel"
	BySkillGroup = "skill_group"
)

// Groupings lists the groupings a report accepts.
var Groupings = []string{ByHour, ByDay, ByHourOfDay, ByOperator, ByTopic, ByChannel, BySkillGroup}

// Report is the figures of a window of whole hours: all of it (Total) and
// one row per group (docs/STATS.md).
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	GroupBy  string    `json:"group_by"`
	TimeZone string    `json:"time_zone"`
	Total    Row       `json:"total"`
	Rows     []Row     `json:"rows"`
	// Statuses are the ids of the statuses in the rows' status_s, in the
	// configuration's order (then any status deleted since).
	Statuses []string `json:"statuses"`
	// Now is the state at the time of the report (docs/STATS.md, Now).
	Now *Live `json:"now,omitempty"`
}

// Row is the figures of one group, or of all (Total). A figure without
// anything to measure (a percentile of no waits) is null.
type Row struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`

	Arrivals      int64 `json:"arrivals"`
	Returned      int64 `json:"returned"`
	Served        int64 `json:"served"`
	Abandoned     int64 `json:"abandoned"`
	QueueTimeouts int64 `json:"queue_timeouts"`
	LimitAnswers  int64 `json:"limit_answers"`
	Transfers     int64 `json:"transfers"`
	MissedAccepts int64 `json:"missed_accepts"`
	Overdue       int64 `json:"response_overdue"`
	Handled       int64 `json:"handled"`
	Connections   int64 `json:"connections"`

	WaitAvgS        *float64 `json:"wait_avg_s"`
	WaitP50S        *float64 `json:"wait_p50_s"`
	WaitP90S        *float64 `json:"wait_p90_s"`
	WaitP95S        *float64 `json:"wait_p95_s"`
	WaitMaxS        *float64 `json:"wait_max_s"`
	AbandonWaitAvgS *float64 `json:"abandon_wait_avg_s"`

	SLATargetS int      `json:"sla_target_s"`
	SLAGoal    float64  `json:"sla_goal"`
	SLAWithin  int64    `json:"sla_within"`
	SLACounted int64    `json:"sla_counted"`
	SLAShare   *float64 `json:"sla_share"`

	FirstResponseAvgS *float64 `json:"first_response_avg_s"`
	FirstResponseP50S *float64 `json:"first_response_p50_s"`
	FirstResponseP90S *float64 `json:"first_response_p90_s"`
	HandleAvgS        *float64 `json:"handle_avg_s"`
	HandleP50S        *float64 `json:"handle_p50_s"`
	HandleP90S        *float64 `json:"handle_p90_s"`

	CSATCount int64    `json:"csat_count"`
	CSATAvg   *float64 `json:"csat_avg"`
	CSATShare *float64 `json:"csat_share"`

	StatusS    map[string]float64 `json:"status_s"`
	ReceivingS float64            `json:"receiving_s"`
	BusyS      float64            `json:"busy_s"`
	Occupancy  *float64           `json:"occupancy"`
}

// Live is the state when the report was made: the queue and the operators
// now (not folded from the log, read from the routing engine).
type Live struct {
	At                time.Time      `json:"at"`
	Waiting           int            `json:"waiting"` // queued and New
	Queued            int            `json:"queued"`
	New               int            `json:"new"`
	LongestWaitS      float64        `json:"longest_wait_s"`
	ActiveChats       int            `json:"active_chats"`
	OperatorsByStatus map[string]int `json:"operators_by_status"`
}

// Query says what a report covers: [From, To) in whole hours, grouped.
type Query struct {
	From, To time.Time
	GroupBy  string
	// Location is the time zone of days and hours of day (UTC when nil).
	Location *time.Location
}

// Builder makes a report from hours, whichever way they come (the store,
// the fold): Add each, then Report.
type Builder struct {
	q        Query
	cfg      sb.Config
	opNames  map[string]string
	receives map[string]bool
	groups   map[string][]string // topic → the skill groups that serve it
	opGroups map[string][]string // operator → its skill groups
	total    acc
	rows     map[string]*acc
	statuses map[string]bool
	targets  map[string]int    // by topic (target)
	strs     map[string]string // the names AddEncoded read, one copy each
}

// acc accumulates a row.
type acc struct {
	key                          string
	order                        int64
	c                            ChatCell // the counters; its Hists stay empty
	wait, abandon, first, handle dist
	slaWithin, slaCounted        int64
	conn                         int64 // connections (operator rows)
	status                       map[string]*StatusTime
}

// NewBuilder returns a builder for q with the configuration the targets,
// names and skill groups come from, and the operators' names.
func NewBuilder(q Query, cfg sb.Config, opNames map[string]string) *Builder {
	if q.Location == nil {
		q.Location = time.UTC
	}
	b := &Builder{q: q, cfg: cfg, opNames: opNames, receives: map[string]bool{}, groups: map[string][]string{},
		opGroups: map[string][]string{}, rows: map[string]*acc{}, statuses: map[string]bool{},
		targets: map[string]int{}, strs: map[string]string{}}
	for _, s := range cfg.Statuses {
		b.receives[s.ID] = s.CanReceive
	}
	parent := map[string]string{}
	for _, t := range cfg.Topics {
		parent[t.Alias] = t.Parent
	}
	for _, g := range cfg.Groups {
		for _, t := range cfg.Topics { // a group serves its topics' subtopics
			for a, n := t.Alias, 0; a != "" && n <= len(cfg.Topics); a, n = parent[a], n+1 {
				if slices.Contains(g.Topics, a) {
					b.groups[t.Alias] = append(b.groups[t.Alias], g.ID)
					break
				}
			}
		}
		for _, op := range g.Operators {
			b.opGroups[op] = append(b.opGroups[op], g.ID)
		}
	}
	b.seed()
	return b
}

// seed adds the rows a report shows even when empty: every hour or day of
// the window, every hour of day, every topic, operator and skill group.
func (b *Builder) seed() {
	switch b.q.GroupBy {
	case ByHour, ByDay:
		for t := b.q.From; t.Before(b.q.To); t = t.Add(time.Hour) {
			b.row(b.timeKey(t))
		}
	case ByHourOfDay:
		for h := range 24 {
			b.row(strconv.Itoa(h), int64(h))
		}
	case ByTopic:
		for _, t := range b.cfg.Topics {
			b.row(t.Alias, 0)
		}
	case BySkillGroup:
		for _, g := range b.cfg.Groups {
			b.row(g.ID, 0)
		}
	case ByOperator:
		for id := range b.opNames {
			b.row(id, 0)
		}
	}
}

// timeKey returns the row key and order of the hour starting at t: for
// days the local date, for hours the local time.
func (b *Builder) timeKey(t time.Time) (string, int64) {
	l := t.In(b.q.Location)
	switch b.q.GroupBy {
	case ByDay:
		d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, b.q.Location)
		return l.Format(time.DateOnly), d.Unix()
	case ByHourOfDay:
		return strconv.Itoa(l.Hour()), int64(l.Hour())
	}
	return l.Format(time.RFC3339), t.Unix()
}

func (b *Builder) row(key string, order int64) *acc {
	a := b.rows[key]
	if a == nil {
		a = &acc{key: key, order: order}
		b.rows[key] = a
	}
	return a
}

// Add merges an hour's cells into the report, if the hour is in its window.
func (b *Builder) Add(h *Hour) {
	hr, ok := b.hourRow(h.Start)
	if !ok {
		return
	}
	for k, c := range h.Chats {
		b.addChat(hr, k, c)
	}
	for id, c := range h.Ops {
		b.addOp(hr, id, c)
	}
}

// hourRow checks that the hour starting at start (Unix seconds) is in the
// window, and returns its row when the rows are hours, days or hours of
// day (else nil).
func (b *Builder) hourRow(start int64) (*acc, bool) {
	t := time.Unix(start, 0).UTC()
	if t.Before(b.q.From) || !t.Before(b.q.To) {
		return nil, false
	}
	switch b.q.GroupBy {
	case ByHour, ByDay, ByHourOfDay:
		return b.row(b.timeKey(t)), true
	}
	return nil, true
}

// addChat merges a chat cell into the total and its row.
func (b *Builder) addChat(hourRow *acc, k ChatKey, c *ChatCell) {
	target := b.target(k.Topic)
	b.total.addChat(c, target)
	switch b.q.GroupBy {
	case ByTopic:
		b.row(k.Topic, 0).addChat(c, target)
	case ByChannel:
		b.row(k.Channel, 0).addChat(c, target)
	case BySkillGroup:
		for _, g := range b.groups[k.Topic] {
			b.row(g, 0).addChat(c, target)
		}
	default:
		if hourRow != nil {
			hourRow.addChat(c, target)
		}
	}
}

// addOp merges an operator cell: its time in status into the total and
// its row, its chats' figures only into an operator row (the total has
// them from the chat cells).
func (b *Builder) addOp(hourRow *acc, id string, c *OpCell) {
	for _, s := range c.Status {
		b.statuses[s.Status] = true
	}
	b.total.addStatus(c)
	switch b.q.GroupBy {
	case ByOperator:
		r := b.row(id, 0)
		r.addStatus(c)
		r.addOpCounts(c)
	case BySkillGroup:
		for _, g := range b.opGroups[id] {
			b.row(g, 0).addStatus(c)
		}
	default:
		if hourRow != nil {
			hourRow.addStatus(c)
		}
	}
}

// target is the service level's target of a topic: the nearest topic up
// the tree that sets one, else the settings'.
func (b *Builder) target(topic string) int {
	t, ok := b.targets[topic]
	if !ok {
		t, _ = b.sla(topic)
		b.targets[topic] = t
	}
	return t
}

// sla returns the target and goal of a topic (the settings' for "").
func (b *Builder) sla(topic string) (int, float64) {
	target, goal := 0, 0.0
	for n := 0; topic != "" && n <= len(b.cfg.Topics) && (target == 0 || goal == 0); n++ {
		t, ok := findTopic(b.cfg.Topics, topic)
		if !ok {
			break
		}
		target, goal = cmp.Or(target, t.SLATargetS), cmp.Or(goal, t.SLAGoal)
		topic = t.Parent
	}
	s := b.cfg.Settings
	target = cmp.Or(target, s.SLATargetS, sb.DefaultSLATargetS)
	goal = cmp.Or(goal, s.SLAGoal, sb.DefaultSLAGoal)
	return target, goal
}

func findTopic(ts []sb.Topic, alias string) (sb.Topic, bool) {
	for _, t := range ts {
		if t.Alias == alias {
			return t, true
		}
	}
	return sb.Topic{}, false
}

// addChat adds a chat cell's figures: target decides which of its waits
// were within the service level.
func (a *acc) addChat(c *ChatCell, target int) {
	a.addCounts(c)
	a.c.Arrivals += c.Arrivals
	a.c.Returned += c.Returned
	a.c.Limits += c.Limits
	a.c.Served += c.Served
	a.c.Abandoned += c.Abandoned
	a.c.QueueTimeouts += c.QueueTimeouts
	a.wait.merge(&c.Wait)
	a.abandon.merge(&c.Abandon)
	a.slaWithin += atMost(&c.Wait, target)
	a.slaCounted += c.Served + c.Abandon.N - atMost(&c.Abandon, target)
}

// addCounts adds the figures chat and operator cells share.
func (a *acc) addCounts(c *ChatCell) {
	a.c.Transfers += c.Transfers
	a.c.Missed += c.Missed
	a.c.Overdue += c.Overdue
	a.c.Handled += c.Handled
	a.first.merge(&c.FirstResponse)
	a.handle.merge(&c.Handle)
	for i, n := range c.CSAT {
		a.c.CSAT[i] += n
	}
}

// addOpCounts adds an operator cell's figures but its time in status.
func (a *acc) addOpCounts(c *OpCell) {
	a.addCounts(&ChatCell{Transfers: c.Transfers, Missed: c.Missed, Overdue: c.Overdue, Handled: c.Handled,
		FirstResponse: c.FirstResponse, Handle: c.Handle, CSAT: c.CSAT})
	a.conn += c.Connections
}

// addStatus adds an operator cell's time in status.
func (a *acc) addStatus(c *OpCell) {
	if a.status == nil {
		a.status = map[string]*StatusTime{}
	}
	for _, s := range c.Status {
		t := a.status[s.Status]
		if t == nil {
			t = &StatusTime{Status: s.Status}
			a.status[s.Status] = t
		}
		t.Us += s.Us
		t.BusyUs += s.BusyUs
	}
}

// atMost counts a Hist's durations of at most s seconds.
func atMost(h *Hist, s int) int64 {
	var n int64
	for _, b := range h.Bins {
		if int(b.S) > s {
			break
		}
		n += int64(b.N)
	}
	return n
}

// Report returns the report of the hours added.
func (b *Builder) Report() Report {
	r := Report{From: b.q.From, To: b.q.To, GroupBy: b.q.GroupBy, TimeZone: b.q.Location.String(), Rows: []Row{}}
	r.Statuses = b.statusOrder()
	b.total.key = "total"
	r.Total = b.finish(&b.total, "")
	rows := slices.Collect(maps.Values(b.rows))
	slices.SortFunc(rows, func(x, y *acc) int {
		return cmp.Or(cmp.Compare(x.order, y.order), cmp.Compare(x.key, y.key))
	})
	topicRows := b.q.GroupBy == ByTopic
	for _, a := range rows {
		topic := ""
		if topicRows {
			topic = a.key
		}
		r.Rows = append(r.Rows, b.finish(a, topic))
	}
	return r
}

// statusOrder lists the statuses: the configuration's, then others seen.
func (b *Builder) statusOrder() []string {
	var out []string
	for _, s := range b.cfg.Statuses {
		out = append(out, s.ID)
	}
	for _, s := range slices.Sorted(maps.Keys(b.statuses)) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// finish turns an accumulator into a row; topic, when set, is the row's
// topic (its own service level).
func (b *Builder) finish(a *acc, topic string) Row {
	c := &a.c
	r := Row{Key: a.key, Name: b.name(a.key),
		Arrivals: c.Arrivals, Returned: c.Returned, Served: c.Served, Abandoned: c.Abandoned,
		QueueTimeouts: c.QueueTimeouts, LimitAnswers: c.Limits, Transfers: c.Transfers, MissedAccepts: c.Missed,
		Overdue: c.Overdue, Handled: c.Handled, Connections: a.conn,
		SLAWithin: a.slaWithin, SLACounted: a.slaCounted, StatusS: map[string]float64{}}
	r.SLATargetS, r.SLAGoal = b.sla(topic)
	if a.slaCounted > 0 {
		r.SLAShare = ptr(float64(a.slaWithin) / float64(a.slaCounted))
	}
	w := a.wait.summarize(50, 90, 95)
	r.WaitAvgS, r.WaitP50S, r.WaitP90S, r.WaitP95S, r.WaitMaxS = w.avg, w.p[50], w.p[90], w.p[95], w.max
	r.AbandonWaitAvgS = a.abandon.summarize().avg
	f := a.first.summarize(50, 90)
	r.FirstResponseAvgS, r.FirstResponseP50S, r.FirstResponseP90S = f.avg, f.p[50], f.p[90]
	h := a.handle.summarize(50, 90)
	r.HandleAvgS, r.HandleP50S, r.HandleP90S = h.avg, h.p[50], h.p[90]
	var sum, good int64
	for i, n := range c.CSAT {
		r.CSATCount += n
		sum += int64(i+1) * n
		if i >= 3 {
			good += n
		}
	}
	if r.CSATCount > 0 {
		r.CSATAvg = ptr(float64(sum) / float64(r.CSATCount))
		r.CSATShare = ptr(float64(good) / float64(r.CSATCount))
	}
	var receiving, busy int64
	for id, s := range a.status {
		r.StatusS[id] = float64(s.Us) / 1e6
		if b.receives[id] {
			receiving += s.Us
			busy += s.BusyUs
		}
	}
	r.ReceivingS, r.BusyS = float64(receiving)/1e6, float64(busy)/1e6
	if receiving > 0 {
		r.Occupancy = ptr(float64(busy) / float64(receiving))
	}
	return r
}

// name is the display name of a row's key: the topic's, skill group's or
// operator's.
func (b *Builder) name(key string) string {
	switch b.q.GroupBy {
	case ByTopic:
		if t, ok := findTopic(b.cfg.Topics, key); ok {
			return t.Name
		}
	case BySkillGroup:
		for _, g := range b.cfg.Groups {
			if g.ID == key {
				return g.Name
			}
		}
	case ByOperator:
		return b.opNames[key]
	}
	return ""
}
